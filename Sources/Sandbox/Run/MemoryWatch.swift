import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The run's total memory, watched from the grader's side at a short interval.
///
/// rlimits bound one process at a time, and RLIMIT_DATA does not even count shared anonymous
/// memory: twenty children of a `python`-profile run could each hold the limit. Without a cgroup
/// (the machine's cgroups are the host's) the grader adds up what the run holds itself: the
/// proportional set size (PSS: shared pages divided among the processes sharing them, shared
/// anonymous and tmpfs-backed mappings included) of every process descending from the run's
/// leader, found through `/proc/PID/task/TID/children`, plus what the run's scratch tmpfs holds
/// (seen through the leader's root, `/proc/PID/root`, inside its mount namespace). The run is
/// killed as `memory_limit` when the total passes the limit, and the peak of the total is what
/// the outcome reports. A sample between two looks can overshoot briefly; each process's
/// rlimits still hold meanwhile. What the run's pipes and sockets hold in the kernel is counted
/// too (`KernelBuffers`).
///
/// The scratch tmpfs is opened once, while the leader is surely alive, and measured through that
/// descriptor: a path through `/proc/LEADER/root` read after the leader is gone could name a
/// process that took its pid — one in the host's namespace, whose root makes the path the host's
/// own /tmp, and the host filesystem's usage a "memory limit" (seen under parallel load).
final class MemoryWatch {
    let leader: pid_t
    let limit: UInt64
    private(set) var peak: UInt64 = 0
    /// The run's scratch tmpfs, when it has one of its own (-1: none).
    private let scratchFD: Int32

    /// How often the poll loop looks (nanoseconds).
    static let interval: UInt64 = 20_000_000

    /// `scratch`: the scratch directory's path inside the run, when it is a tmpfs of the run's own.
    /// Whether the leader's own memory is the run's: not when it is the run's init, a copy of
    /// the grader running only our code, whose pages (the grader's, shared copy-on-write) would
    /// count a large grader's heap against every run (``InheritedMemory``).
    let countLeader: Bool

    init(leader: pid_t, scratch: String?, limit: UInt64, countLeader: Bool = true) {
        self.leader = leader
        self.limit = limit
        self.countLeader = countLeader
        scratchFD = scratch.map { open("/proc/\(leader)/root" + $0, O_RDONLY | O_DIRECTORY | O_CLOEXEC) } ?? -1
    }

    deinit { if scratchFD >= 0 { close(scratchFD) } }

    /// Takes one look; returns true when the run's total passes the limit.
    func exceeded() -> Bool {
        var total: UInt64 = 0
        var pending = [leader]
        var seen = Set<pid_t>()
        var buffers = Set<String>()
        while let pid = pending.popLast(), seen.count < 4096 {
            guard seen.insert(pid).inserted else { continue }
            if pid != leader || countLeader { total += Self.proportionalSetSize(pid) }
            total += KernelBuffers.held(by: pid, seen: &buffers)
            pending += ProcFS.children(of: pid)
        }
        if scratchFD >= 0 { total += Self.usedBytes(scratchFD) }
        peak = max(peak, total)
        return total > limit
    }

    /// `Pss:` of /proc/PID/smaps_rollup, in bytes (0 when the process is gone).
    static func proportionalSetSize(_ pid: pid_t) -> UInt64 {
        guard let text = ProcFS.read("/proc/\(pid)/smaps_rollup") else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix("Pss:") {
            let fields = line.split(separator: " ")
            if fields.count >= 2, let kib = UInt64(fields[1]) { return kib * 1024 }
        }
        return 0
    }

    static func usedBytes(_ fd: Int32) -> UInt64 {
        var info = statvfs()
        guard fstatvfs(fd, &info) == 0 else { return 0 }
        return UInt64(info.f_blocks - info.f_bfree) * UInt64(info.f_frsize)
    }
}
