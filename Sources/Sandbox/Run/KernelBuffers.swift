import CSandboxSpawn
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// What a run holds in kernel buffers — bytes queued in its pipes and unix sockets — counted by
/// the memory watch with the rest of the run's memory. RLIMIT_DATA and RLIMIT_AS do not see this
/// memory, and without a cgroup nothing else charges it to the run: a run that fills a hundred
/// socket pairs holds the kernel's memory, not its own.
///
/// Each look lists the descriptors of a process (`/proc/PID/fd`) and, for every pipe or socket
/// not seen yet in this look (by inode: both ends of a pipe, or one shared by many processes,
/// count once), takes a copy with `pidfd_getfd` and asks the kernel how much it holds. A pipe
/// that holds any byte is charged its whole ring (16 pages: a byte written alone takes a page,
/// and F_SETPIPE_SZ is refused), a socket the memory of what it sent and was not yet read.
enum KernelBuffers {
    /// A pipe's ring at its default size (16 pages).
    static let pipeRing: UInt64 = 16 * 4096

    /// Bytes held by the pipes and sockets `pid` has open whose inodes are not in `seen` (which
    /// gains them).
    static func held(by pid: pid_t, seen: inout Set<String>) -> UInt64 {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd") else { return 0 }
        var pidfd: Int32 = -1
        defer { if pidfd >= 0 { close(pidfd) } }
        var total: UInt64 = 0
        var link = [CChar](repeating: 0, count: 64)
        for entry in entries {
            guard let fd = Int32(entry) else { continue }
            let length = readlink("/proc/\(pid)/fd/\(entry)", &link, link.count - 1)
            guard length > 0 else { continue }
            let target = String(decoding: link[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let isPipe = target.hasPrefix("pipe:")
            guard isPipe || target.hasPrefix("socket:"), seen.insert(target).inserted else { continue }
            if pidfd < 0 {
                pidfd = csandbox_pidfd_open(pid)
                if pidfd < 0 { return total }
            }
            let bytes = csandbox_queued_bytes(pidfd, fd, isPipe ? 0 : 1)
            guard bytes > 0 else { continue }
            total += isPipe ? max(pipeRing, UInt64(bytes)) : UInt64(bytes)
        }
        return total
    }
}
