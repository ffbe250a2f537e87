import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// CPU time and peak memory of live processes, read from /proc: what a process used before it
/// is killed, when no wait4 will ever report it (a warm pool killed for a sample's wall time).
struct ProcessUsage {
    var userMicroseconds: Int = 0
    var systemMicroseconds: Int = 0
    var peakRSSKiB: Int = 0

    /// Adds up `pids` (the peak is the largest of theirs).
    static func of(_ pids: [pid_t]) -> ProcessUsage {
        var total = ProcessUsage()
        let ticks = max(1, sysconf(Int32(_SC_CLK_TCK)))
        for pid in pids {
            if let fields = statFields(pid), fields.count > 13, let user = Int(fields[11]), let system = Int(fields[12]) {
                total.userMicroseconds += user * 1_000_000 / ticks
                total.systemMicroseconds += system * 1_000_000 / ticks
            }
            for line in (ProcFS.read("/proc/\(pid)/status") ?? "").split(separator: "\n") where line.hasPrefix("VmHWM:") {
                let kib = line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
                total.peakRSSKiB = max(total.peakRSSKiB, kib)
            }
        }
        return total
    }

    /// When `pid` started (clock ticks since boot), or nil when it is gone.
    static func startTime(_ pid: pid_t) -> UInt64? {
        statFields(pid).flatMap { $0.count > 19 ? UInt64($0[19]) : nil }
    }

    /// The fields of /proc/PID/stat after the command name (so index 0 is the state, field 3).
    private static func statFields(_ pid: pid_t) -> [Substring]? {
        guard let text = ProcFS.read("/proc/\(pid)/stat"), let close = text.lastIndex(of: ")") else { return nil }
        return text[text.index(after: close)...].split(separator: " ")
    }
}
