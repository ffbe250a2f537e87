import ArgumentParser
import Foundation
import Sandbox

/// `proctor run`: one program, one sandbox, one JSON outcome.
public struct RunCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run one program in the sandbox and print its outcome as JSON.",
        discussion: """
            The program runs in a forked child with seccomp, rlimits, Landlock, a fresh working \
            directory and no privileges (as an unprivileged per-slot uid when proctor runs as root). \
            The JSON outcome has the status (exited, signaled, timeout, memory_limit, output_limit, \
            blocked_syscall, internal_error), exit code or signal, wall and CPU time, peak RSS, \
            captured stdout/stderr, the limits and profile applied (with its sha256) and the \
            isolation layers that were active.

            Exit status of proctor itself: 0 when the sandbox worked (whatever the program did), \
            1 when the sandbox failed (internal_error), 64 for bad usage or a bad profile.

            Example:
              proctor run --profile python-strict --time 2s --memory 256MiB -- solution.py
            """
    )

    @Option(name: .long, help: "Sandbox profile: a name in Sandboxes/profiles (python-strict, python) or a path to a profile JSON file.")
    var profile: String = "python-strict"

    @Option(
        name: .long,
        help: "CPU time limit per process, e.g. 2s or 1500ms (RLIMIT_CPU, rounded up to whole seconds). Default: the profile's.")
    var time: String?

    @Option(name: .long, help: "Wall-clock limit, enforced by proctor itself. Default: the profile's, or 2×--time+1s when --time is given.")
    var wall: String?

    @Option(name: .long, help: "Memory limit (private writable memory, RLIMIT_DATA), e.g. 256MiB. Default: the profile's.")
    var memory: String?

    @Option(name: .long, help: "A Python virtual environment whose packages the program may import (read-only).")
    var pythonEnv: String?

    @Flag(help: "A network namespace of the run's own with only lo up (profiles whose seccomp policy has a TIER-loopback tier).")
    var loopback = false

    @Option(name: .long, help: "Kill the run once stdout+stderr exceed this many bytes, e.g. 1MiB. Default: the profile's.")
    var outputLimit: String?

    @Option(name: .long, help: "Largest file the program may write (RLIMIT_FSIZE), e.g. 16MiB. Default: the profile's.")
    var fileSize: String?

    @Option(name: .long, help: "Most processes and threads of the run (RLIMIT_NPROC on its own uid). Default: the profile's.")
    var processes: UInt64?

    @Option(name: .long, help: "File whose contents become the program's stdin. Default: /dev/null.")
    var stdin: String?

    @Option(name: .long, help: "Also write the JSON outcome to this file.")
    var jsonOut: String?

    @Option(
        name: .long,
        help:
            "Directory holding profiles/, seccomp/ and python/ (default: found from the current directory, $PROCTOR_SANDBOXES, or the executable's location)."
    )
    var sandboxes: String?

    @Argument(help: "The program file, then its arguments (put them after --).")
    var program: [String] = []

    public init() {}

    public func validate() throws {
        guard !program.isEmpty else { throw ValidationError("Missing the program to run (e.g. -- solution.py).") }
        for (flag, value) in [("--time", time), ("--wall", wall)] {
            if let value, TimeSpan(parsing: value) == nil {
                throw ValidationError("\(flag): '\(value)' is not a duration (e.g. 2s, 500ms).")
            }
        }
        for (flag, value) in [("--memory", memory), ("--output-limit", outputLimit), ("--file-size", fileSize)] {
            if let value, ByteCount(parsing: value) == nil { throw ValidationError("\(flag): '\(value)' is not a size (e.g. 256MiB).") }
        }
    }

    @OptionGroup(title: "exact accounting (opt-in)")
    var cgroupFlag: CgroupFlag

    public func run() throws {
        try cgroupFlag.apply()
        let result: Result<Outcome, SandboxError> = Result { () throws(SandboxError) in try execute() }
        guard case .success(let outcome) = result else {
            if case .failure(let error) = result { FileHandle.standardError.write(Data("proctor: \(error)\n".utf8)) }
            throw ExitCode(64)
        }
        let json = try OutcomeJSON.encode(outcome)
        print(json)
        if let jsonOut {
            try Data((json + "\n").utf8).write(to: URL(fileURLWithPath: jsonOut), options: .atomic)
        }
        if outcome.runStatus.isInternalError {
            FileHandle.standardError.write(Data("proctor: sandbox failure: \(outcome.error ?? "unknown")\n".utf8))
            throw ExitCode(1)
        }
    }

    func execute() throws(SandboxError) -> Outcome {
        let directory = try SandboxesDirectory.locate(explicit: sandboxes)
        var loaded = try SandboxProfile.load(named: profile, sandboxesDirectory: directory)
        if let pythonEnv { loaded = try loaded.withPythonEnvironment(pythonEnv) }
        if loopback { loaded = try loaded.withLoopbackNetwork() }
        let limits = try limits(from: loaded.definition.limits)
        let path = program[0]
        guard let source = FileManager.default.contents(atPath: path) else {
            throw SandboxError(.invalidArgument, "cannot read program \(path)")
        }
        var input: [UInt8]?
        if let stdin {
            guard let data = FileManager.default.contents(atPath: stdin) else {
                throw SandboxError(.invalidArgument, "cannot read stdin file \(stdin)")
            }
            input = [UInt8](data)
        }
        let name = URL(fileURLWithPath: path).lastPathComponent
        let request = RunRequest(
            program: [UInt8](source), programName: name.hasPrefix(".") ? "program" + name : name,
            arguments: Array(program.dropFirst()), stdin: input, limits: limits)
        return try Sandbox(profile: loaded).run(request)
    }

    /// The profile's limits with the flags applied on top.
    func limits(from base: ResourceLimits) throws(SandboxError) -> ResourceLimits {
        var limits = base
        if let time, let cpu = TimeSpan(parsing: time) {
            limits.cpu = cpu
            limits.wall = TimeSpan(milliseconds: cpu.milliseconds * 2 + 1000)
        }
        if let wall, let span = TimeSpan(parsing: wall) { limits.wall = span }
        if let memory, let bytes = ByteCount(parsing: memory) { limits.memory = bytes }
        if let outputLimit, let bytes = ByteCount(parsing: outputLimit) { limits.outputLimit = bytes }
        if let fileSize, let bytes = ByteCount(parsing: fileSize) { limits.fileSize = bytes }
        if let processes { limits.processes = processes }
        if limits.wall < limits.cpu {
            // A wall limit below the CPU limit: the CPU limit comes down to it (an explicit --time
            // above --wall is a contradiction, though).
            guard time == nil else {
                throw SandboxError(.invalidArgument, "--wall (\(limits.wall)) must be at least --time (\(limits.cpu))")
            }
            limits.cpu = limits.wall
        }
        if let problem = SandboxSelection.memoryProblem(limits.memory) { throw SandboxError(.invalidArgument, problem) }
        return limits
    }
}
