/// Everything known about one sandboxed run, as printed by `proctor run`.
public struct Outcome: Sendable, Codable {
    /// `exited`, `signaled`, `timeout`, `memory_limit`, `output_limit`, `blocked_syscall`, `internal_error`.
    public var status: String
    /// The status with its detail, e.g. `timeout(wall)`, `blocked_syscall(unshare)`.
    public var statusText: String
    public var exitCode: Int32?
    public var signal: Int32?
    public var signalName: String?
    public var timeout: RunStatus.TimeoutKind?
    /// Name of the syscall seccomp stopped (`unknown` when the kernel killed without telling).
    public var blockedSyscall: String?
    /// Why the sandbox failed, for `internal_error`.
    public var error: String?
    public var wallMs: Double
    /// user + system CPU of every process of the run.
    public var cpuMs: Double
    public var userMs: Double
    public var systemMs: Double
    /// Largest resident set of any process of the run (ru_maxrss).
    public var peakRssKiB: Int
    public var stdout: String
    public var stderr: String
    public var stdoutBytes: Int
    public var stderrBytes: Int
    /// Bytes read but not kept (beyond `captureBytes`).
    public var stdoutTruncatedBytes: Int
    public var stderrTruncatedBytes: Int
    /// Lines the in-sandbox bootstrap wrote on its private channel (fd 3).
    public var control: [String]
    public var limits: AppliedLimits
    public var profile: ProfileIdentity
    public var isolation: IsolationReport
    /// What the program wrote to the request's `outputs`, by name (not part of the JSON).
    public var outputs: [String: [UInt8]] = [:]

    enum CodingKeys: String, CodingKey {
        case status, statusText = "status_text", exitCode = "exit_code", signal, signalName = "signal_name"
        case timeout, blockedSyscall = "blocked_syscall", error, wallMs = "wall_ms", cpuMs = "cpu_ms"
        case userMs = "user_ms", systemMs = "system_ms", peakRssKiB = "peak_rss_kib", stdout, stderr
        case stdoutBytes = "stdout_bytes", stderrBytes = "stderr_bytes"
        case stdoutTruncatedBytes = "stdout_truncated_bytes", stderrTruncatedBytes = "stderr_truncated_bytes"
        case control, limits, profile, isolation
    }

    /// Encodes every field, absent ones as `null`, so the JSON always has the same keys.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(status, forKey: .status)
        try container.encode(statusText, forKey: .statusText)
        try container.encode(exitCode, forKey: .exitCode)
        try container.encode(signal, forKey: .signal)
        try container.encode(signalName, forKey: .signalName)
        try container.encode(timeout, forKey: .timeout)
        try container.encode(blockedSyscall, forKey: .blockedSyscall)
        try container.encode(error, forKey: .error)
        try container.encode(wallMs, forKey: .wallMs)
        try container.encode(cpuMs, forKey: .cpuMs)
        try container.encode(userMs, forKey: .userMs)
        try container.encode(systemMs, forKey: .systemMs)
        try container.encode(peakRssKiB, forKey: .peakRssKiB)
        try container.encode(stdout, forKey: .stdout)
        try container.encode(stderr, forKey: .stderr)
        try container.encode(stdoutBytes, forKey: .stdoutBytes)
        try container.encode(stderrBytes, forKey: .stderrBytes)
        try container.encode(stdoutTruncatedBytes, forKey: .stdoutTruncatedBytes)
        try container.encode(stderrTruncatedBytes, forKey: .stderrTruncatedBytes)
        try container.encode(control, forKey: .control)
        try container.encode(limits, forKey: .limits)
        try container.encode(profile, forKey: .profile)
        try container.encode(isolation, forKey: .isolation)
    }

    /// The run was ended from outside (a time, memory or output limit, or a signal), not by its
    /// program exiting or the sandbox failing.
    public var endedByTheSandbox: Bool {
        switch runStatus {
        case .timeout, .signaled, .memoryLimit, .outputLimit: true
        default: false
        }
    }

    /// The status as a typed value.
    public var runStatus: RunStatus {
        switch RunStatus.Kind(rawValue: status) {
        case .internalError?: .internalError(error ?? "")
        case .blockedSyscall?: .blockedSyscall(blockedSyscall ?? "unknown")
        case .timeout?: .timeout(timeout ?? .wall)
        case .memoryLimit?: .memoryLimit
        case .outputLimit?: .outputLimit
        case .signaled?: .signaled(signal ?? 0)
        case .exited?, nil: .exited(exitCode ?? 0)
        }
    }
}

/// Limits as actually applied to the child (rlimits are whole seconds, so CPU is rounded up).
public struct AppliedLimits: Sendable, Codable, Hashable {
    public var cpuSeconds: UInt64
    public var wallMs: UInt64
    public var memoryBytes: UInt64
    public var addressSpaceBytes: UInt64
    public var stackBytes: UInt64
    public var fileSizeBytes: UInt64
    public var openFiles: UInt64
    public var processes: UInt64
    public var outputLimitBytes: UInt64
    public var captureBytes: UInt64
    /// RLIMIT_DATA when the profile sets it above the memory limit (`dataSlack`: a runtime that
    /// maps more than it uses), the memory limit then holding through the run-wide memory watch.
    public var dataBytes: UInt64? = nil

    enum CodingKeys: String, CodingKey {
        case cpuSeconds = "cpu_s", wallMs = "wall_ms", memoryBytes = "memory_bytes"
        case addressSpaceBytes = "address_space_bytes", stackBytes = "stack_bytes"
        case fileSizeBytes = "file_size_bytes", openFiles = "open_files", processes
        case outputLimitBytes = "output_limit_bytes", captureBytes = "capture_bytes", dataBytes = "data_bytes"
    }
}

public struct ProfileIdentity: Sendable, Codable, Hashable {
    public var name: String
    public var sha256: String
    public var path: String
    public var seccompTier: String

    enum CodingKeys: String, CodingKey {
        case name, sha256, path, seccompTier = "seccomp_tier"
    }
}

/// The isolation layers that were really active for this run.
public struct IsolationReport: Sendable, Codable, Hashable {
    /// uid/gid the program ran as.
    public var uid: UInt32
    public var gid: UInt32
    /// True when the grader had root and dropped groups, every capability and the uid.
    public var privilegesDropped: Bool
    public var noNewPrivs: Bool
    /// Landlock ABI used, nil when the kernel has none.
    public var landlockABI: Int?
    public var landlockLayers: [String]
    /// Namespaces the run got (`pid`, `ipc`, ...); empty when unprivileged.
    public var namespaces: [String]
    public var seccompInstructions: Int
    /// Instructions of the stricter filter the bootstrap stacks after interpreter start.
    public var seccompAfterStartInstructions: Int?
    /// Whether dangerous syscalls are reported by name (seccomp user notification).
    public var seccompNotify: Bool
    public var workdir: String
    /// The program's working directory (inside `workdir`); a private tmpfs when `scratchTmpfs`.
    public var scratch: String
    public var scratchTmpfs: Bool
    public var workdirRemoved: Bool
    /// With a working tree: true when writes beneath it went to an overlay layer on the scratch
    /// tmpfs (bounded, discarded), false when they went to the host directory (no mount namespace).
    public var workingTreeOverlay: Bool? = nil
    /// True when the run lived in a root of its own (``MinimalRoot``): the profile's paths, five
    /// devices, its inputs and scratch, nothing else of the host.
    public var minimalRoot: Bool? = nil
    /// With `--cgroup`: the run's own cgroup (removed with the run), whose account decided its
    /// memory status.
    public var cgroup: String? = nil

    enum CodingKeys: String, CodingKey {
        case uid, gid, privilegesDropped = "privileges_dropped", noNewPrivs = "no_new_privs"
        case landlockABI = "landlock_abi", landlockLayers = "landlock_layers", namespaces
        case seccompInstructions = "seccomp_instructions", seccompAfterStartInstructions = "seccomp_after_start_instructions"
        case seccompNotify = "seccomp_notify", workdir, scratch, scratchTmpfs = "scratch_tmpfs"
        case workdirRemoved = "workdir_removed", workingTreeOverlay = "working_tree_overlay"
        case minimalRoot = "minimal_root", cgroup
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(uid, forKey: .uid)
        try container.encode(gid, forKey: .gid)
        try container.encode(privilegesDropped, forKey: .privilegesDropped)
        try container.encode(noNewPrivs, forKey: .noNewPrivs)
        try container.encode(landlockABI, forKey: .landlockABI)
        try container.encode(landlockLayers, forKey: .landlockLayers)
        try container.encode(namespaces, forKey: .namespaces)
        try container.encode(seccompInstructions, forKey: .seccompInstructions)
        try container.encode(seccompAfterStartInstructions, forKey: .seccompAfterStartInstructions)
        try container.encode(seccompNotify, forKey: .seccompNotify)
        try container.encode(workdir, forKey: .workdir)
        try container.encode(scratch, forKey: .scratch)
        try container.encode(scratchTmpfs, forKey: .scratchTmpfs)
        try container.encode(workdirRemoved, forKey: .workdirRemoved)
        try container.encodeIfPresent(minimalRoot, forKey: .minimalRoot)
        try container.encodeIfPresent(cgroup, forKey: .cgroup)
    }
}
