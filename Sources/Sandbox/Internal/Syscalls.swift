import CSandboxSpawn
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The one place where the grader side makes raw system calls.
///
/// Every call converts `-1`/`errno` into a ``SandboxError`` naming the call and retries `EINTR`,
/// as swift-system's `valueOrErrno(retryOnInterrupt:)` does, so the rest of the module never
/// looks at `errno` itself.
enum Syscall {
    /// Runs `body` until it stops failing with EINTR; throws for any other failure.
    @discardableResult
    static func retrying<T: FixedWidthInteger>(_ name: String, _ body: () -> T) throws(SandboxError) -> T {
        while true {
            let result = body()
            if result != -1 { return result }
            let code = Glibc.errno
            if code == EINTR { continue }
            throw SandboxError(.systemCall, name, errno: code)
        }
    }

    /// A pipe whose both ends are close-on-exec (the child gets copies through dup2 only).
    static func pipe() throws(SandboxError) -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        try retrying("pipe2") { csandbox_pipe(&fds) }
        return (fds[0], fds[1])
    }

    static func socketPair() throws(SandboxError) -> (Int32, Int32) {
        var fds: [Int32] = [-1, -1]
        try retrying("socketpair") { socketpair(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) }
        return (fds[0], fds[1])
    }

    /// An anonymous close-on-exec file holding `bytes` (its offset at the end; readers use pread).
    static func memoryFile(_ name: String, _ bytes: [UInt8]) throws(SandboxError) -> Int32 {
        let fd = try retrying("memfd_create") { csandbox_memfd(name) }
        do throws(SandboxError) {
            try writeAll(fd, bytes)
        } catch {
            close(fd)
            throw error
        }
        return fd
    }

    /// Sends `bytes` with `fds` attached (SCM_RIGHTS) as one message on a SOCK_SEQPACKET socket.
    static func send(_ socket: Int32, _ bytes: [UInt8], fds: [Int32] = []) throws(SandboxError) {
        let result = bytes.withUnsafeBytes { message in
            fds.withUnsafeBufferPointer { csandbox_send_fds(socket, message.baseAddress, message.count, $0.baseAddress, Int32($0.count)) }
        }
        if result != 0 { throw SandboxError(.systemCall, "sendmsg", errno: errno) }
    }

    static func open(_ path: String, _ flags: Int32, _ mode: mode_t = 0) throws(SandboxError) -> Int32 {
        try retrying("open \(path)") { Glibc.open(path, flags | O_CLOEXEC, mode) }
    }

    /// `mkdir` then, when `owner` is given, `chown` to that uid/gid.
    static func makeDirectory(_ path: String, mode: mode_t, owner: (uid: UInt32, gid: UInt32)?) throws(SandboxError) {
        try retrying("mkdir \(path)") { mkdir(path, mode) }
        if let owner { try retrying("chown \(path)") { chown(path, owner.uid, owner.gid) } }
    }

    /// `lchown` of `path` and everything beneath it, never following a symlink.
    static func changeOwner(tree path: String, uid: UInt32, gid: UInt32) throws(SandboxError) {
        try retrying("lchown \(path)") { lchown(path, uid, gid) }
        guard let entries = FileManager.default.enumerator(atPath: path) else { return }
        for case let entry as String in entries {
            let full = path + "/" + entry
            try retrying("lchown \(full)") { lchown(full, uid, gid) }
        }
    }

    /// The CPUs the calling thread may run on, in ascending order (empty if that cannot be read).
    static func allowedCores() -> [Int32] {
        var mask = [UInt8](repeating: 0, count: 128)  // bit N of byte N/8 is CPU N: room for 1,024 CPUs
        guard (try? retrying("sched_getaffinity", { csandbox_get_affinity(&mask, mask.count) })) != nil else { return [] }
        var cores: [Int32] = []
        for bit in 0..<mask.count * 8 where mask[bit / 8] & UInt8(1 << (bit % 8)) != 0 { cores.append(Int32(bit)) }
        return cores
    }

    /// Opens (creating) the lock file `path` and takes an exclusive `flock` without waiting. The
    /// returned descriptor holds the lock (the kernel drops it when the holder exits); nil when
    /// another process or descriptor holds it.
    static func tryLockFile(_ path: String) throws(SandboxError) -> Int32? {
        let fd = try open(path, O_RDWR | O_CREAT, 0o600)
        if flock(fd, LOCK_EX | LOCK_NB) == 0 { return fd }
        close(fd)
        return nil
    }

    /// A close-on-exec duplicate of `fd`.
    static func duplicate(_ fd: Int32) throws(SandboxError) -> Int32 {
        try retrying("fcntl F_DUPFD_CLOEXEC") { fcntl(fd, F_DUPFD_CLOEXEC, 0) }
    }

    static func close(_ fd: Int32) {
        if fd >= 0 { _ = Glibc.close(fd) }
    }

    static func setNonBlocking(_ fd: Int32) throws(SandboxError) {
        let flags = try retrying("fcntl F_GETFL") { fcntl(fd, F_GETFL) }
        try retrying("fcntl F_SETFL") { fcntl(fd, F_SETFL, flags | O_NONBLOCK) }
    }

    /// Reads up to `buffer.count` bytes; returns nil when the read would block.
    static func read(_ fd: Int32, into buffer: inout [UInt8]) throws(SandboxError) -> Int? {
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count >= 0 { return count }
            let code = Glibc.errno
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK { return nil }
            throw SandboxError(.systemCall, "read", errno: code)
        }
    }

    /// Writes all of `bytes`.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws(SandboxError) {
        var offset = 0
        while offset < bytes.count {
            let written = try retrying("write") {
                bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            }
            offset += written
        }
    }

    /// `poll(2)`; returns the revents per descriptor, all zero on timeout.
    static func poll(_ fds: [Int32], timeoutMilliseconds: Int32) throws(SandboxError) -> [Int16] {
        var entries = fds.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        while true {
            let ready = Glibc.poll(&entries, nfds_t(entries.count), timeoutMilliseconds)
            if ready >= 0 { return entries.map(\.revents) }
            let code = Glibc.errno
            if code == EINTR { continue }
            throw SandboxError(.systemCall, "poll", errno: code)
        }
    }

    /// `wait4(2)` for one child, blocking; returns its status and resource usage.
    static func wait(_ pid: pid_t) throws(SandboxError) -> (status: Int32, usage: rusage) {
        var status: Int32 = 0
        var usage = rusage()
        try retrying("wait4") { wait4(pid, &status, __WALL, &usage) }
        return (status, usage)
    }

    /// Monotonic nanoseconds, for wall-clock deadlines that ignore clock changes.
    static func monotonicNanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }
}
