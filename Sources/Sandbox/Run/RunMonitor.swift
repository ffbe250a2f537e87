import CSandboxSpawn
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Watches one running child from the grader's side until the run is over.
///
/// One poll loop drains stdout and stderr concurrently (so a full pipe never deadlocks the
/// child), reads the bootstrap's control channel, answers seccomp notifications, and keeps its
/// own wall-clock deadline. Whatever ends the run — exit, timeout, output overflow, a blocked
/// syscall — the whole process tree is SIGKILLed before the leader is reaped.
struct RunMonitor {
    struct Streams {
        var stdout: Int32
        var stderr: Int32
        var control: Int32
        var listener: Int32
    }

    enum Notification {
        /// A dangerous syscall, by name: the run must be stopped.
        case blocked(String)
        /// The listener is finished (no task uses the filter any more).
        case gone
        /// Nothing to act on (interrupted, or the caller died meanwhile).
        case none
    }

    /// Receives one seccomp user notification and names the syscall behind it.
    static func receiveNotification(_ listener: Int32) -> Notification {
        var number: Int32 = 0
        var arch: UInt32 = 0
        var notifiedPID: pid_t = 0
        if csandbox_seccomp_receive(listener, &number, &arch, &notifiedPID) == 0 {
            return .blocked(SeccompProgram.syscallName(number: number, arch: arch))
        }
        let code = Glibc.errno
        return code == EINTR || code == EAGAIN || code == ENOENT ? .none : .gone
    }

    struct Result {
        var stdout = CappedBuffer(capacity: 0)
        var stderr = CappedBuffer(capacity: 0)
        /// Only the bootstrap and the grader's own runners write here (a repository run streams one
        /// record per test phase), so the cap is generous.
        var control = CappedBuffer(capacity: 8 << 20)
        var killedForWall = false
        var killedForOutput = false
        /// The run's total memory passed the limit (``MemoryWatch``).
        var killedForMemory = false
        /// The peak of the run's total memory, as the watch saw it (0 when it never looked).
        var peakTotalBytes: UInt64 = 0
        var blockedSyscall: String?
        var wallNanoseconds: UInt64 = 0
        var directStatus: Int32 = 0
        var programStatus: Int32?
        var usage = rusage()
        /// The grader's resident anonymous memory when it spawned the run, in KiB: a
        /// `ru_maxrss` no higher may be the copy's, not the run's (``InheritedMemory``).
        var inheritedKiB = 0

        /// Keeps `bytes` read from `fd` in the right buffer; true once stdout+stderr exceed `outputLimit`.
        mutating func take(_ bytes: ArraySlice<UInt8>, from fd: Int32, streams: Streams, outputLimit: UInt64) -> Bool {
            switch fd {
            case streams.stdout: stdout.append(bytes)
            case streams.stderr: stderr.append(bytes)
            default: control.append(bytes)
            }
            return UInt64(stdout.total + stderr.total) > outputLimit
        }
    }

    let pid: pid_t
    let pidfd: Int32
    let statusFD: Int32
    let wallLimit: TimeSpan
    let outputLimit: UInt64
    let capture: Int
    /// The run's total memory, watched while it runs; nil: not watched.
    var memory: MemoryWatch?

    func watch(_ streams: Streams, startedAt start: UInt64) throws(SandboxError) -> Result {
        var result = Result()
        result.stdout = CappedBuffer(capacity: capture)
        result.stderr = CappedBuffer(capacity: capture)
        // A reference run hands its expected outputs over this channel: as much as the run may print.
        result.control = CappedBuffer(capacity: max(8 << 20, Int(min(outputLimit, 1 << 30))))
        let deadline = start + wallLimit.milliseconds * 1_000_000
        var open = [streams.stdout, streams.stderr, streams.control, streams.listener].filter { $0 >= 0 }
        for fd in open { try Syscall.setNonBlocking(fd) }
        var exited = false
        var killed = false
        var drainDeadline: UInt64?
        var hardKillAt: UInt64?
        /// Ends the run: gently through the init when there is one, else at once.
        func stop() {
            guard !killed else { return }
            killed = true
            if statusFD >= 0 {
                killChildrenOfInit()
                hardKillAt = Syscall.monotonicNanoseconds() + 250_000_000
            } else {
                killTree()
            }
        }
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        let memory = self.memory
        var nextLook = start

        while true {
            let now = Syscall.monotonicNanoseconds()
            if !killed && !exited && now >= deadline {
                result.killedForWall = true
                stop()
            }
            if let watch = memory, !killed && !exited && now >= nextLook {
                if watch.exceeded() {
                    result.killedForMemory = true
                    stop()
                }
                nextLook = now + MemoryWatch.interval
            }
            if let hardKillAt, !exited, now >= hardKillAt {
                killTree()
            }
            if exited || (killed && hardKillAt.map { now >= $0 } ?? true) {
                // Everything in the tree is dead or dying; take what is left in the pipes, but
                // never wait on a descendant that somehow still holds one.
                if drainDeadline == nil { drainDeadline = now + 500_000_000 }
                if open.isEmpty || now >= drainDeadline! { break }
            }
            var watched = open
            if !exited && pidfd >= 0 { watched.append(pidfd) }
            let limit = min(drainDeadline ?? hardKillAt ?? deadline, memory != nil && !killed && !exited ? nextLook : .max)
            let timeout = Int32(clamping: max(1, (Int64(limit) - Int64(now)) / 1_000_000 + 1))
            let events = try Syscall.poll(watched, timeoutMilliseconds: min(timeout, 1000))
            for (index, fd) in watched.enumerated() where events[index] != 0 {
                if fd == pidfd && !exited {
                    exited = true
                    // The leader is gone; kill its group (and namespace) before reaping so no
                    // straggler outlives the run and the pgid cannot be recycled meanwhile.
                    killTree()
                    continue
                }
                if fd == streams.listener {
                    switch Self.receiveNotification(fd) {
                    case .blocked(let name):
                        if result.blockedSyscall == nil { result.blockedSyscall = name }
                        stop()
                    case .gone:
                        open.removeAll { $0 == fd }
                    case .none:
                        // ENOENT: the caller died meanwhile; HUP shows up as gone on the next read.
                        if events[index] & Int16(POLLHUP) != 0 { open.removeAll { $0 == fd } }
                    }
                    continue
                }
                guard let count = try Syscall.read(fd, into: &chunk) else { continue }
                if count == 0 {
                    open.removeAll { $0 == fd }
                    continue
                }
                if result.take(chunk[0..<count], from: fd, streams: streams, outputLimit: outputLimit) && !killed && !exited {
                    result.killedForOutput = true
                    stop()
                }
            }
        }
        if !exited { killTree() }
        result.peakTotalBytes = memory?.peak ?? 0
        let reaped = try Syscall.wait(pid)
        result.wallNanoseconds = Syscall.monotonicNanoseconds() - start
        result.directStatus = reaped.status
        result.usage = reaped.usage
        if statusFD >= 0 {
            var value: Int32 = 0
            if Glibc.read(statusFD, &value, 4) == 4 { result.programStatus = value }
        } else {
            result.programStatus = reaped.status
        }
        return result
    }

    /// SIGKILL to the leader (through its pidfd, immune to pid reuse) and to its process group.
    /// With a PID namespace the leader is the namespace's init, whose death takes every process
    /// of the run with it; without one, the group is the kill domain and seccomp forbids leaving it.
    func killTree() { Self.killTree(pid: pid, pidfd: pidfd) }

    /// ``killTree()`` for any leader, e.g. a warm pool's init.
    static func killTree(pid: pid_t, pidfd: Int32) {
        if pidfd >= 0 { _ = csandbox_pidfd_kill(pidfd, SIGKILL) } else { kill(pid, SIGKILL) }
        kill(-pid, SIGKILL)
    }

    /// With a PID namespace: SIGKILL only the init's children (the program and any orphans it
    /// adopted), so the init still reaps the program — its CPU time and peak RSS then reach our
    /// wait4 — and exits by itself, taking any grandchild with it. ``killTree()`` follows if the
    /// init has not exited within a grace period.
    func killChildrenOfInit() {
        for child in ProcFS.children(of: pid) where child > 1 {
            kill(child, SIGKILL)
        }
    }
}

/// Keeps the first `capacity` bytes of a stream and counts the rest.
struct CappedBuffer {
    let capacity: Int
    private(set) var kept: [UInt8] = []
    private(set) var total = 0

    init(capacity: Int) { self.capacity = capacity }

    var truncated: Int { total - kept.count }

    mutating func append(_ bytes: ArraySlice<UInt8>) {
        total += bytes.count
        let room = capacity - kept.count
        if room > 0 { kept.append(contentsOf: bytes.prefix(room)) }
    }

    /// The kept bytes as text; invalid UTF-8 becomes U+FFFD rather than failing.
    var text: String { String(decoding: kept, as: UTF8.self) }
}
