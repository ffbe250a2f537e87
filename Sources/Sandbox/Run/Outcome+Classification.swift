#if canImport(Glibc)
    import Glibc
#endif

extension Outcome {
    /// How far below the CPU limit the run's measured CPU may be and still count as having
    /// reached it. The kernel checks RLIMIT_CPU against tick-sampled user+system time, while the
    /// rusage the grader reads is scaled to the precise runtime; on a loaded VM (steal time) the
    /// ticks run ahead, so SIGXCPU at a 3 s limit has come with 2.92 s reported, and with less
    /// than 2.85 s in the warm pool under three parallel grades. A quarter of the limit, at least
    /// 100 ms: no sample can send itself SIGXCPU (the policy refuses it), and one that lowers its
    /// own limit far below the grade's still dies `signaled`.
    static func cpuSlackMs(_ limitMs: Double) -> Double { max(100, limitMs * 0.25) }

    /// Decides the status from what the monitor saw, in the vocabulary's precedence.
    static func classify(
        _ watched: RunMonitor.Result, limits: ResourceLimits, applied: AppliedLimits, profile: ProfileIdentity,
        isolation: IsolationReport
    ) -> Outcome {
        let usage = watched.usage
        let userMs = Double(usage.ru_utime.tv_sec) * 1000 + Double(usage.ru_utime.tv_usec) / 1000
        let systemMs = Double(usage.ru_stime.tv_sec) * 1000 + Double(usage.ru_stime.tv_usec) / 1000
        let cpuMs = userMs + systemMs
        let cpuLimitMs = Double(applied.cpuSeconds) * 1000
        let control = watched.control.text.split(separator: "\n").map(String.init)
        var wait = WaitStatus(watched.programStatus ?? watched.directStatus)
        // The cold bootstrap names a candidate's SIGXCPU/SIGXFSZ death in a trusted record (it
        // cannot mirror it by signalling itself: the policy refuses those signals to everyone).
        var mirroredXCPU = false
        if wait.signal == nil, let line = control.first(where: { $0.hasPrefix("candidate_signal ") }),
            let number = Int32(line.dropFirst("candidate_signal ".count)), number == SIGXCPU || number == SIGXFSZ
        {
            wait = WaitStatus(number)
            mirroredXCPU = number == SIGXCPU
        }
        let stderrText = watched.stderr.text
        // memory_limit is what the grader saw: the run's peak resident memory reached half the
        // limit, and it ended on a MemoryError (the bootstrap's record, or the interpreter's
        // message as it failed). A sample that raises MemoryError itself, or prints it and aborts,
        // without using the memory is a plain failure; so is one refused huge allocation (the
        // row still names MemoryError as its error). internal_error and blocked_syscall come only
        // from the grader's own observations and the bootstrap's trusted records.
        let peakBytes = max(UInt64(max(0, usage.ru_maxrss)) * 1024, watched.peakTotalBytes)
        // A ru_maxrss within what the run inherited from the grader says nothing of the run's
        // own use (``InheritedMemory``): then only the watch's samples decide.
        let ownPeakBytes =
            usage.ru_maxrss > watched.inheritedKiB + 4096 ? peakBytes : watched.peakTotalBytes
        let nearMemoryLimit = ownPeakBytes >= applied.memoryBytes / 2
        let ranOutOfMemory =
            control.contains("memory_error")
            || ((wait.signal != nil || (wait.exitCode ?? 0) != 0) && stderrText.contains("MemoryError"))

        let status: RunStatus
        if let failure = control.first(where: { $0.hasPrefix(RunStatus.Kind.internalError.rawValue) }) {
            status = .internalError("bootstrap: \(failure)")
        } else if let name = watched.blockedSyscall {
            status = .blockedSyscall(name)
        } else if watched.killedForMemory {
            status = .memoryLimit
        } else if wait.signal == SIGSYS || control.contains("candidate_seccomp_kill") {
            // Killed by the filter without a notification (bad architecture, or a kill action).
            // No program can send itself SIGSYS (the policy refuses every way to), so only the
            // kernel's seccomp kill ends a run with it.
            status = .blockedSyscall("unknown")
        } else if watched.killedForWall {
            status = .timeout(.wall)
        } else if mirroredXCPU || ((wait.signal == SIGXCPU || wait.signal == SIGKILL) && cpuMs >= cpuLimitMs - Self.cpuSlackMs(cpuLimitMs)) {
            // Only what the kernel's CPU accounting measured: a SIGXCPU the run sent itself (the
            // policy refuses that too) with 2 ms of CPU is a plain signal death. A SIGXCPU the
            // bootstrap's trusted record reports is the kernel's: the rusage read then may not
            // hold the candidate's CPU yet (seen under load: "signaled SIGXCPU" for a CPU burn).
            status = .timeout(.cpu)
        } else if nearMemoryLimit && ranOutOfMemory {
            status = .memoryLimit
        } else if watched.killedForOutput {
            // Only bytes the grader counted; SIGXFSZ (RLIMIT_FSIZE on a file) is a signal death.
            status = .outputLimit
        } else if let signal = wait.signal {
            status = .signaled(signal)
        } else {
            status = .exited(wait.exitCode ?? 0)
        }

        var outcome = Outcome(
            status: status.kind, statusText: status.description, exitCode: wait.exitCode, signal: wait.signal,
            signalName: wait.signal.map(SignalNames.name), timeout: nil, blockedSyscall: nil, error: nil,
            wallMs: Double(watched.wallNanoseconds) / 1_000_000, cpuMs: cpuMs, userMs: userMs, systemMs: systemMs,
            peakRssKiB: Int(peakBytes / 1024), stdout: watched.stdout.text, stderr: stderrText,
            stdoutBytes: watched.stdout.total, stderrBytes: watched.stderr.total,
            stdoutTruncatedBytes: watched.stdout.truncated, stderrTruncatedBytes: watched.stderr.truncated,
            control: control, limits: applied, profile: profile, isolation: isolation)
        switch status {
        case .timeout(let kind): outcome.timeout = kind
        case .blockedSyscall(let name): outcome.blockedSyscall = name
        case .internalError(let message): outcome.error = message
        default: break
        }
        return outcome
    }

    /// The outcome of a run whose sandbox could not be set up.
    static func failure(_ message: String, limits: AppliedLimits, profile: ProfileIdentity, isolation: IsolationReport) -> Outcome {
        Outcome(
            status: RunStatus.Kind.internalError.rawValue, statusText: RunStatus.Kind.internalError.rawValue, exitCode: nil, signal: nil,
            signalName: nil,
            timeout: nil, blockedSyscall: nil, error: message, wallMs: 0, cpuMs: 0, userMs: 0, systemMs: 0,
            peakRssKiB: 0, stdout: "", stderr: "", stdoutBytes: 0, stderrBytes: 0, stdoutTruncatedBytes: 0,
            stderrTruncatedBytes: 0, control: [], limits: limits, profile: profile, isolation: isolation)
    }
}

/// A `wait(2)` status word, decoded (the W* macros are not importable into Swift).
struct WaitStatus {
    let exitCode: Int32?
    let signal: Int32?

    init(_ raw: Int32) {
        let low = raw & 0x7f
        if low == 0 {
            exitCode = (raw >> 8) & 0xff
            signal = nil
        } else if low != 0x7f {
            exitCode = nil
            signal = low
        } else {
            exitCode = nil
            signal = nil
        }
    }
}
