import Crypto
import Foundation

/// A sandbox profile: how one kind of task runs (interpreter, limits, syscall policy, filesystem
/// view, environment). Profiles are data in `Sandboxes/profiles/*.json`; this type loads one and
/// everything it references, and fingerprints the lot so a result can name exactly what it ran under.
public struct SandboxProfile: Sendable {
    /// The JSON document, as written.
    public struct Definition: Codable, Sendable, Hashable {
        public var name: String
        public var description: String
        /// argv; `{bootstrap}` and `{program}` are replaced by paths inside the run's workdir.
        public var command: [String]
        /// Python (or other) file run before the program, relative to the sandboxes directory.
        public var bootstrap: String?
        /// The warm pool's fork server, relative to the sandboxes directory; nil: cold runs only.
        public var zygote: String?
        public var seccomp: SeccompReference
        public var limits: ResourceLimits
        /// The program's entire environment; `{workdir}` expands to the run's directory.
        public var environment: [String: String]
        public var filesystem: FilesystemView
        /// A private tmpfs for the program's writes (its working directory), when the grader may
        /// create a mount namespace; without one the scratch directory is a plain directory.
        public var scratch: Scratch?
        /// A private tmpfs on /dev/shm of this size (with `scratch`); nil: /dev/shm is not reachable.
        public var sharedMemory: ByteCount? = nil
        /// The run's private procfs (its own processes only) is readable; nil or false: it is not.
        public var procfs: Bool? = nil
        /// `loopback`: the run has a network namespace of its own with lo up, and the seccomp
        /// tier `TIER-loopback` (IPv4/IPv6 sockets reach only that lo); nil: no network.
        public var network: String? = nil
        /// `minimal` (nil means the same): with a mount namespace, the run lives in a root of its
        /// own holding only the paths this profile names (``MinimalRoot``); `host`: the host's
        /// tree, fenced by Landlock only (kept for measuring what the root costs).
        public var root: String? = nil
        /// `pid`, `ipc`, `uts`, `net`: created when the grader runs as root.
        public var namespaces: [String]
        /// First uid/gid of the unprivileged slots used when the grader runs as root.
        public var uidBase: UInt32
        /// How many slots (concurrent runs across all graders on this machine).
        public var uidSlots: UInt32
    }

    public struct Scratch: Codable, Sendable, Hashable {
        public var size: ByteCount
        public var inodes: UInt64
    }

    public struct SeccompReference: Codable, Sendable, Hashable {
        /// Policy file, relative to the sandboxes directory.
        public var policy: String
        public var tier: String
    }

    /// What the program may touch; everything else is invisible to it under Landlock.
    public struct FilesystemView: Codable, Sendable, Hashable {
        /// Read and execute only (the runtime).
        public var readExecute: [String]
        /// Read and write (besides the run's own workdir, which is always read-write).
        public var readWrite: [String]
    }

    public var definition: Definition
    public let policy: SeccompPolicy
    /// Bytes of the bootstrap script (the entry of the in-sandbox runtime).
    public let bootstrapSource: [UInt8]?
    /// The runtime package beside the bootstrap (`proctor_runtime/*.py`), compiled with it into
    /// the one bytecode file every run loads (`BootstrapCompiler`); empty without one.
    public let runtimeSources: [RuntimeSource]
    /// Bytes of the warm pool's fork server, when the profile has one.
    public let zygoteSource: [UInt8]?
    /// sha256 over the profile, its seccomp policy, its bootstrap, its runtime and its zygote, as files.
    public let sha256: String
    /// Where the profile was read from.
    public let path: String
    /// The directory its references resolved against (runners of the grader's own, such as
    /// LiveCodeBench's stdin driver, are read from it too).
    public let sandboxesDirectory: String

    public var name: String { definition.name }

    /// Loads the profile at `path`; references resolve against `sandboxesDirectory`.
    public static func load(path: String, sandboxesDirectory: String) throws(SandboxError) -> SandboxProfile {
        let profileBytes = try JSONFile.read(path)
        let definition = try JSONFile.decode(Definition.self, from: profileBytes, path: path)
        let policyPath = sandboxesDirectory + "/" + definition.seccomp.policy
        let policyBytes = try JSONFile.read(policyPath)
        var policy = try JSONFile.decode(SeccompPolicy.self, from: policyBytes, path: policyPath)
        var censusBytes: [UInt8] = []
        for name in policy.tiers.keys.sorted() {
            guard let files = policy.tiers[name]?.census else { continue }
            var syscalls: [String] = []
            for relative in files {
                let censusPath = sandboxesDirectory + "/" + relative
                let bytes = try JSONFile.read(censusPath)
                syscalls += try JSONFile.decode(SeccompCensus.self, from: bytes, path: censusPath).syscalls
                censusBytes += Array(relative.utf8) + bytes
            }
            policy.tiers[name]?.censusSyscalls = syscalls
        }
        var bootstrap: [UInt8]?
        var runtime: [RuntimeSource] = []
        if let relative = definition.bootstrap {
            let bootstrapPath = sandboxesDirectory + "/" + relative
            bootstrap = try JSONFile.read(bootstrapPath)
            runtime = try RuntimeSource.package(beside: bootstrapPath)
        }
        var zygote: [UInt8]?
        if let relative = definition.zygote {
            zygote = try JSONFile.read(sandboxesDirectory + "/" + relative)
        }
        try validate(definition, policy: policy, path: path, text: profileBytes)

        var hasher = SHA256()
        for part in [profileBytes, policyBytes, censusBytes, bootstrap ?? [], zygote ?? []]
            + runtime.flatMap({ [Array($0.name.utf8), $0.bytes] })
        {
            hasher.update(data: withUnsafeBytes(of: UInt64(part.count).littleEndian) { Array($0) })
            hasher.update(data: part)
        }
        let digest = hasher.finalize().map { String(format: "%02x", $0) }.joined()
        return SandboxProfile(
            definition: definition, policy: policy, bootstrapSource: bootstrap, runtimeSources: runtime, zygoteSource: zygote,
            sha256: digest, path: path,
            sandboxesDirectory: sandboxesDirectory)
    }

    /// Finds `name` (a profile name or a path to a JSON file) and loads it.
    public static func load(named name: String, sandboxesDirectory: String) throws(SandboxError) -> SandboxProfile {
        if name.hasSuffix(".json") || name.contains("/") {
            return try load(path: name, sandboxesDirectory: sandboxesDirectory)
        }
        let path = sandboxesDirectory + "/profiles/" + name + ".json"
        guard FileManager.default.fileExists(atPath: path) else {
            let available = (try? FileManager.default.contentsOfDirectory(atPath: sandboxesDirectory + "/profiles")) ?? []
            let names = available.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
            throw SandboxError(
                .profileNotFound, "no profile '\(name)' in \(sandboxesDirectory)/profiles (available: \(names.joined(separator: ", ")))")
        }
        return try load(path: path, sandboxesDirectory: sandboxesDirectory)
    }

    /// The profile with a Python virtual environment's packages available to its programs (for
    /// benchmarks whose code needs numpy, pandas, …): the environment's directory becomes
    /// read-and-execute under Landlock (never writable), and the bootstrap appends its
    /// site-packages to `sys.path` — after the standard library, so a package cannot shadow it.
    /// The environment's path is part of the profile's fingerprint (results under different
    /// environments are not the same results).
    public func withPythonEnvironment(_ directory: String) throws(SandboxError) -> SandboxProfile {
        guard let resolved = realpath(directory, nil) else {
            throw SandboxError(.invalidArgument, "--python-env \(directory): no such directory")
        }
        let root = String(cString: resolved)
        free(resolved)
        guard FileManager.default.fileExists(atPath: root + "/pyvenv.cfg") else {
            throw SandboxError(
                .invalidArgument, "--python-env \(root): not a virtual environment (no pyvenv.cfg; make one with /usr/bin/python3 -m venv)")
        }
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root + "/lib")) ?? []).filter { $0.hasPrefix("python3") }
            .sorted()
        guard let version = versions.last, FileManager.default.fileExists(atPath: root + "/lib/\(version)/site-packages") else {
            throw SandboxError(.invalidArgument, "--python-env \(root): no lib/python3.*/site-packages")
        }
        var changed = self.definition
        changed.filesystem.readExecute.append(root)
        changed.environment["PROCTOR_SITE_PACKAGES"] = root + "/lib/\(version)/site-packages"
        var hasher = SHA256()
        hasher.update(data: Array((sha256 + "\u{0}python-env\u{0}" + root).utf8))
        return SandboxProfile(
            definition: changed, policy: policy, bootstrapSource: bootstrapSource, runtimeSources: runtimeSources,
            zygoteSource: zygoteSource,
            sha256: hasher.finalize().map { String(format: "%02x", $0) }.joined(), path: path,
            sandboxesDirectory: sandboxesDirectory)
    }

    /// The profile with a loopback-only network (`--network loopback`): a network namespace of
    /// the run's own with lo up, and the seccomp tier `TIER-loopback`, which the policy must have.
    public func withLoopbackNetwork() throws(SandboxError) -> SandboxProfile {
        var changed = definition
        changed.network = "loopback"
        if !changed.namespaces.contains("net") { changed.namespaces.append("net") }
        let tier = definition.seccomp.tier + "-loopback"
        guard policy.tiers[tier] != nil else {
            throw SandboxError(.invalidProfile, "profile \(name): its seccomp policy has no tier '\(tier)' for a loopback network")
        }
        changed.seccomp.tier = tier
        var hasher = SHA256()
        hasher.update(data: Array((sha256 + "\u{0}network\u{0}loopback").utf8))
        return SandboxProfile(
            definition: changed, policy: policy, bootstrapSource: bootstrapSource, runtimeSources: runtimeSources,
            zygoteSource: zygoteSource,
            sha256: hasher.finalize().map { String(format: "%02x", $0) }.joined(), path: path,
            sandboxesDirectory: sandboxesDirectory)
    }

    /// The profile with `paths` readable (and executable) as well: environment layers built on
    /// this machine. The fingerprint changes with them.
    public func withReadablePaths(_ paths: [String]) -> SandboxProfile {
        var changed = self.definition
        changed.filesystem.readExecute += paths
        var hasher = SHA256()
        hasher.update(data: Array((sha256 + "\u{0}readable\u{0}" + paths.joined(separator: "\u{0}")).utf8))
        return SandboxProfile(
            definition: changed, policy: policy, bootstrapSource: bootstrapSource, runtimeSources: runtimeSources,
            zygoteSource: zygoteSource,
            sha256: hasher.finalize().map { String(format: "%02x", $0) }.joined(), path: path,
            sandboxesDirectory: sandboxesDirectory)
    }

    private static let knownNamespaces: Set<String> = ["pid", "ipc", "uts", "net"]

    private static func validate(_ definition: Definition, policy: SeccompPolicy, path: String, text: [UInt8]) throws(SandboxError) {
        func fail(_ key: String, _ message: String) -> SandboxError {
            SandboxError(.invalidProfile, "\(path):\(JSONFile.line(of: key, in: text)): \(message)")
        }
        guard !definition.command.isEmpty, definition.command[0].hasPrefix("/") || definition.command[0] == "{program}" else {
            throw fail("command", "command must start with an absolute interpreter path or {program} (a compiled program)")
        }
        if definition.command.contains("{bootstrap}") && definition.bootstrap == nil {
            throw fail("command", "command uses {bootstrap} but the profile names no bootstrap")
        }
        for namespace in definition.namespaces where !knownNamespaces.contains(namespace) {
            throw fail("namespaces", "unknown namespace '\(namespace)' (pid, ipc, uts, net)")
        }
        guard policy.tiers[definition.seccomp.tier] != nil else {
            throw fail("tier", "seccomp policy \(definition.seccomp.policy) has no tier '\(definition.seccomp.tier)'")
        }
        let limits = definition.limits
        guard limits.wall >= limits.cpu else { throw fail("wall", "wall limit must be at least the cpu limit") }
        guard limits.memory.bytes >= 16 << 20 else { throw fail("memory", "memory limit below 16MiB cannot start an interpreter") }
        guard limits.processes >= 1, limits.openFiles >= 4 else { throw fail("processes", "processes must be >= 1 and openFiles >= 4") }
        guard definition.uidBase >= 1000, definition.uidSlots >= 1 else {
            throw fail("uidBase", "uidBase must be >= 1000 and uidSlots >= 1")
        }
    }
}
