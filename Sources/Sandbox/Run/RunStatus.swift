/// How a sandboxed run ended, in the precedence the grader applies when several hold:
/// a sandbox failure beats a blocked syscall beats a timeout, and so on down to a plain exit.
public enum RunStatus: Sendable, Hashable, CustomStringConvertible {
    /// The sandbox itself failed (set-up, a system call of the grader); says nothing about the program.
    case internalError(String)
    /// Seccomp stopped a dangerous syscall; the whole run was killed.
    case blockedSyscall(String)
    case timeout(TimeoutKind)
    /// Memory exhausted: the limit was hit (an uncaught MemoryError counts) or the kernel killed it.
    case memoryLimit
    /// stdout+stderr exceeded the limit, or a file grew past RLIMIT_FSIZE.
    case outputLimit
    case signaled(Int32)
    case exited(Int32)

    public enum TimeoutKind: String, Sendable, Hashable, Codable {
        case wall, cpu
    }

    /// The sandbox's status words (`proctor run`'s `status`, a row's `sandbox_status`), spelled
    /// here once. Where a graded sample's status shares a word with them (`timeout`,
    /// `memory_limit`, …), `SampleStatus` in Results is that vocabulary's home: the grader maps
    /// one to the other, the sandbox knows nothing of samples.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case internalError = "internal_error"
        case blockedSyscall = "blocked_syscall"
        case timeout
        case memoryLimit = "memory_limit"
        case outputLimit = "output_limit"
        case signaled
        case exited
    }

    /// The status's kind, without its detail.
    public var kindCase: Kind {
        switch self {
        case .internalError: .internalError
        case .blockedSyscall: .blockedSyscall
        case .timeout: .timeout
        case .memoryLimit: .memoryLimit
        case .outputLimit: .outputLimit
        case .signaled: .signaled
        case .exited: .exited
        }
    }

    /// The sandbox itself failed under the run.
    public var isInternalError: Bool {
        if case .internalError = self { return true }
        return false
    }

    /// The status word used in JSON (`timeout`, `blocked_syscall`, ...).
    public var kind: String { kindCase.rawValue }

    public var description: String {
        switch self {
        case .internalError, .memoryLimit, .outputLimit: kind
        case .blockedSyscall(let name): "\(kind)(\(name))"
        case .timeout(let timeout): "\(kind)(\(timeout.rawValue))"
        case .signaled(let signal): "\(kind)(\(SignalNames.name(signal)))"
        case .exited(let code): "\(kind)(\(code))"
        }
    }
}

/// Signal numbers to names (x86_64 Linux).
public enum SignalNames {
    private static let names: [Int32: String] = [
        1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 5: "SIGTRAP", 6: "SIGABRT", 7: "SIGBUS",
        8: "SIGFPE", 9: "SIGKILL", 10: "SIGUSR1", 11: "SIGSEGV", 12: "SIGUSR2", 13: "SIGPIPE",
        14: "SIGALRM", 15: "SIGTERM", 16: "SIGSTKFLT", 17: "SIGCHLD", 18: "SIGCONT", 19: "SIGSTOP",
        20: "SIGTSTP", 21: "SIGTTIN", 22: "SIGTTOU", 23: "SIGURG", 24: "SIGXCPU", 25: "SIGXFSZ",
        26: "SIGVTALRM", 27: "SIGPROF", 28: "SIGWINCH", 29: "SIGIO", 30: "SIGPWR", 31: "SIGSYS",
    ]

    public static func name(_ signal: Int32) -> String { names[signal] ?? "SIG\(signal)" }
}
