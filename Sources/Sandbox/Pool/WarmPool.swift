import CSandboxSpawn
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A warm interpreter for one worker: a sandboxed fork server that has already started Python
/// and imported what the harness and common solutions use, forking one child per sample.
///
/// The pool process is launched exactly like a cold run (uid slot, namespaces, tmpfs scratch,
/// rlimits, Landlock, seccomp) and never runs sample code itself. Each child stacks the
/// per-sample restrictions (its own rlimits and Landlock domain, then the afterStart filter)
/// before reading the sample's program; the tests run in the pool's tester process, never an
/// ancestor of a candidate (see `Sandboxes/python/zygote.py`). Program and tests travel as
/// anonymous files (memfd) with the sample's pipes, so nothing of a sample touches a filesystem
/// and the zygote itself never reads either. A timeout, an output overflow or a blocked syscall
/// kills the whole pool (the next sample starts a fresh one); a pool that dies on its own
/// returns nil, and the caller re-runs that sample cold. One worker thread uses a pool at a time.
public final class WarmPool: @unchecked Sendable {
    // @unchecked: used by one worker thread at a time (documented above).
    private let sandbox: Sandbox
    private var running: Running?

    private struct Running {
        let launched: Sandbox.Launched
        let socket: Int32
        let dir: Workdir
        let slot: SlotLease?
        let core: CoreLease?
        let isolation: IsolationReport
        let limits: ResourceLimits
        /// The zygote gives every sample a world of its own (it has a user namespace).
        let fresh: Bool
    }

    /// Pools need a profile with a zygote and a bootstrap, and a PID namespace of their own: the
    /// zygote's after-sample sweep (`kill(-1)`) must only ever reach the pool's own processes.
    /// Without one (the grader is not root) this returns nil and samples run cold.
    public init?(sandbox: Sandbox) {
        guard sandbox.profile.zygoteSource != nil, sandbox.bootstrap != nil, Privileges.current.canCreateNamespaces,
            sandbox.profile.definition.namespaces.contains("pid")
        else { return nil }
        self.sandbox = sandbox
    }

    deinit { shutdown() }

    /// pid of the pool's outermost process (its PID namespace's init), while it runs.
    var processID: pid_t? { running?.launched.pid }

    /// The core the running pool is pinned to (see ``CoreLease``); nil when it runs unpinned.
    var leasedCore: Int32? { running?.core?.core }

    /// Stops the pool process and removes its directory.
    public func shutdown() {
        guard let running else { return }
        Syscall.close(running.socket)  // the zygote exits on EOF
        kill(running.launched.pid, SIGKILL)
        _ = try? Syscall.wait(running.launched.pid)
        running.launched.close()
        running.dir.remove()
        self.running = nil
    }

    /// Whether a pool started for `a` can serve a sample limited by `b`: the wall clock is the
    /// grader's to watch and the CPU limit each child sets for itself, so only the rest counts
    /// (inputs problems and stdin/stdout problems give each task a wall and CPU of its own).
    static func samePool(_ a: ResourceLimits, _ b: ResourceLimits) -> Bool {
        var a = a
        (a.wall, a.cpu) = (b.wall, b.cpu)
        return a == b
    }

    /// Runs one harness request (program + harness files) in the pool. Returns nil when the pool
    /// failed under it for reasons of its own, or the request is not a harness request; the
    /// caller then runs the sample cold.
    public func run(_ request: RunRequest) -> Outcome? {
        // Outputs are read back from a cold run's workdir; root files need a root of the run's own.
        guard request.outputs.isEmpty, request.rootFiles.isEmpty else { return nil }
        let limits = request.limits ?? sandbox.profile.definition.limits
        // A pool that ended between samples (it exits rather than keep leftovers it could not
        // remove) is noticed when the request cannot be handed over: one fresh pool, then cold.
        for _ in 0..<2 {
            do {
                if let current = running, !Self.samePool(current.limits, limits) { shutdown() }
                if running == nil { running = try start(limits: limits) }
                guard let pool = running else { return nil }
                switch try serve(request, limits: limits, in: pool) {
                case .served(let outcome): return outcome
                case .notHarness: return nil
                case .notHandedOver: shutdown()
                case .poolDied:
                    shutdown()
                    return nil
                }
            } catch {
                shutdown()
                return nil
            }
        }
        return nil
    }

    private enum Served {
        case served(Outcome)
        case notHarness
        case notHandedOver
        case poolDied
    }

    private func start(limits: ResourceLimits) throws(SandboxError) -> Running {
        let profile = sandbox.profile
        let privileges = Privileges.current
        let slot: SlotLease? =
            privileges.canDropToSlotUser
            ? try SlotLease.acquire(base: profile.definition.uidBase, count: profile.definition.uidSlots, directory: Sandbox.slotDirectory)
            : nil
        let dir = try Workdir.create(base: sandbox.workBase, owner: slot)
        do throws(SandboxError) {
            guard let bootstrap = sandbox.bootstrap, let zygote = profile.zygoteSource else {
                throw SandboxError(.invalidProfile, "profile \(profile.name) has no zygote")
            }
            try dir.place(bootstrap.name, bootstrap.bytes)
            try dir.place(".proctor-zygote.py", zygote)
            var afterStartPath = "-"
            if let afterStart = sandbox.pool?.afterStart ?? sandbox.afterStart {
                try dir.place(".proctor-after-start.bpf", afterStart.bytes)
                afterStartPath = dir.path + "/.proctor-after-start.bpf"
            }
            let arguments = [
                profile.definition.command[0], "-I", "-S", "-B", dir.path + "/.proctor-zygote.py", dir.path + "/" + bootstrap.name,
                afterStartPath,
            ]
            var isolation = IsolationReport(
                uid: slot?.uid ?? getuid(), gid: slot?.gid ?? getgid(), privilegesDropped: slot != nil, noNewPrivs: true,
                landlockABI: nil, landlockLayers: [], namespaces: [], seccompInstructions: sandbox.seccompInstructions,
                seccompAfterStartInstructions: sandbox.afterStart?.instructionCount, seccompNotify: true, workdir: dir.path,
                scratch: "", scratchTmpfs: false, workdirRemoved: false)
            let null = try Syscall.open("/dev/null", O_RDWR)
            defer { Syscall.close(null) }
            let channel = try Syscall.socketPair()
            // The pool's own limits: the samples' (children can only lower them), with CPU for a long life.
            var poolLimits = sandbox.applied(limits)
            poolLimits.cpuSeconds = 24 * 3600
            let launched = try sandbox.launch(
                arguments: arguments, in: dir, slot: slot, privileges: privileges,
                stdio: (null, try Syscall.duplicate(null), try Syscall.duplicate(null), channel.1), limits: poolLimits,
                isolation: &isolation, filter: sandbox.pool?.program, landlock: sandbox.pool == nil)
            isolation.landlockABI = Landlock.abi
            /// Ends the launched pool when its set-up fails, and passes the error on.
            func abandon(_ error: SandboxError) -> SandboxError {
                Syscall.close(channel.0)
                kill(launched.pid, SIGKILL)
                _ = try? Syscall.wait(launched.pid)
                launched.close()
                return error
            }
            // A fresh world per sample: the zygote has unshared a user namespace of its own, whose
            // one-uid map only the grader (outside it) may write.
            let fresh: Bool
            do throws(SandboxError) {
                fresh = sandbox.pool == nil ? false : try Self.mapUserNamespace(launched: launched, socket: channel.0, slot: slot)
            } catch {
                throw abandon(error)
            }
            // The pool's configuration: what every sample's Landlock domain allows. With fresh
            // worlds each sample's directory is on a tmpfs of its own; without, samples share one
            // scratch directory that the zygote empties after each (Landlock rules hold inodes).
            isolation.scratch = dir.path + "/scratch/sample"
            let filesystem = profile.definition.filesystem
            let core = CoreLease.acquire(directory: Sandbox.slotDirectory)
            var config = [
                "abi=\(isolation.landlockABI ?? 0)", "sample=\(isolation.scratch)", "fresh=\(fresh ? 1 : 0)",
                "tmpfs=" + (profile.definition.scratch.map { "size=\($0.size.bytes),nr_inodes=\($0.inodes),mode=0700" } ?? "size=64m,mode=0700"),
                "read_execute=" + filesystem.readExecute.joined(separator: "\u{1F}"),
                "read_write=" + filesystem.readWrite.joined(separator: "\u{1F}"),
            ]
            if let core { config.append("cpu=\(core.core)") }
            do throws(SandboxError) {
                try Syscall.send(channel.0, Array((config.joined(separator: "\n") + "\n").utf8))
            } catch {
                throw abandon(error)
            }
            return Running(
                launched: launched, socket: channel.0, dir: dir, slot: slot, core: core, isolation: isolation, limits: limits,
                fresh: fresh)
        } catch {
            dir.remove()
            throw error
        }
    }

    /// Waits for the zygote's first word ("userns yes" once it has unshared a user namespace,
    /// "userns no" when the kernel refused) and writes that namespace's uid and gid maps: the
    /// pool's slot uid and gid, mapped to themselves, and nothing else. Returns whether samples
    /// get worlds of their own; throws when the zygote is in a namespace whose map could not be
    /// written (it would run as the overflow uid): that pool is ended, and samples run cold.
    private static func mapUserNamespace(launched: Sandbox.Launched, socket: Int32, slot: SlotLease?) throws(SandboxError) -> Bool {
        guard let events = try? Syscall.poll([socket], timeoutMilliseconds: 10_000), events.first ?? 0 != 0 else { return false }
        var reply = [UInt8](repeating: 0, count: 64)
        let count = reply.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        guard count > 0, String(decoding: reply[0..<count], as: UTF8.self) == "userns yes" else { return false }
        // The zygote is the only child of the pool's init.
        guard let zygote = ProcFS.children(of: launched.pid).first else {
            throw SandboxError(.spawnFailed, "warm pool: the zygote is gone before its user namespace was mapped")
        }
        let uid = slot?.uid ?? getuid()
        let gid = slot?.gid ?? getgid()
        // The slot uid maps to itself: inside, a sample sees the uid a cold run has (capabilities
        // come from creating the namespace, not from being its uid 0, and the sample drops them).
        for (file, text) in [("uid_map", "\(uid) \(uid) 1\n"), ("gid_map", "\(gid) \(gid) 1\n")] {
            let fd = open("/proc/\(zygote)/\(file)", O_WRONLY | O_CLOEXEC)
            guard fd >= 0 else { throw SandboxError(.spawnFailed, "warm pool: open \(file)", errno: errno) }
            defer { close(fd) }
            let bytes = Array(text.utf8)
            guard write(fd, bytes, bytes.count) == bytes.count else {
                throw SandboxError(.spawnFailed, "warm pool: write \(file)", errno: errno)
            }
        }
        return true
    }

    /// The request's harness files as the pool's tester reads them: the spec, a NUL, the tests.
    private static func testerPayload(_ request: RunRequest) -> [UInt8]? {
        guard let spec = request.files[".proctor-harness"], request.files.count == 2 else { return nil }
        let lines = String(decoding: spec, as: UTF8.self).split(separator: "\n")
        guard let testsLine = lines.first(where: { $0.hasPrefix("tests=") }),
            let tests = request.files[String(testsLine.dropFirst("tests=".count))]
        else { return nil }
        return spec + [0] + tests
    }

    /// A plain request (a stdin/stdout test case: the program and its stdin, no other file)
    /// runs in the pool too, as __main__ with the input on fd 0 and no tester.
    private static func isPlain(_ request: RunRequest) -> Bool { request.files.isEmpty && request.arguments.isEmpty }

    private func serve(_ request: RunRequest, limits: ResourceLimits, in pool: Running) throws(SandboxError) -> Served {
        let payload = Self.testerPayload(request)
        guard payload != nil || Self.isPlain(request) else { return .notHarness }
        let applied = sandbox.applied(limits)
        var isolation = pool.isolation
        var fields = [
            "program=\(request.programName)", "cpu=\(applied.cpuSeconds)", "data=\(applied.memoryBytes)",
            "as=\(applied.addressSpaceBytes)", "fsize=\(applied.fileSizeBytes)", "nofile=\(applied.openFiles)",
            "nproc=\(applied.processes)",
        ]
        if payload == nil { fields.append("mode=plain") }
        let modules = request.warmModules.filter { name in !name.isEmpty && name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" } }
        if !modules.isEmpty { fields.append("preload=" + modules.joined(separator: ",")) }
        let message = Array((fields.joined(separator: "\n") + "\n").utf8)
        // The program and the tests travel as anonymous files: the candidate reads only the first,
        // the tester only the second, and the zygote neither. A plain run's input likewise.
        let program = try Syscall.memoryFile("program", request.program)
        defer { Syscall.close(program) }
        let tests = try Syscall.memoryFile(payload == nil ? "stdin" : "tests", payload ?? request.stdin ?? [])
        defer { Syscall.close(tests) }
        let stdout = try Syscall.pipe()
        let stderr = try Syscall.pipe()
        let control = try Syscall.pipe()
        defer { [stdout.read, stderr.read, control.read].forEach(Syscall.close) }
        let start = Syscall.monotonicNanoseconds()
        if payload != nil {
            let requests = try Syscall.pipe()
            let replies = try Syscall.pipe()
            let handed = [
                stdout.write, stderr.write, requests.read, replies.write, program, control.write, requests.write, replies.read,
                tests,
            ]
            let sent = Result { () throws(SandboxError) in try Syscall.send(pool.socket, message, fds: handed) }
            [stdout.write, stderr.write, control.write, requests.read, requests.write, replies.read, replies.write].forEach(
                Syscall.close)
            guard case .success = sent else { return .notHandedOver }
        } else {
            let sent = Result { () throws(SandboxError) in
                try Syscall.send(pool.socket, message, fds: [stdout.write, stderr.write, tests, program, control.write])
            }
            [stdout.write, stderr.write, control.write].forEach(Syscall.close)
            guard case .success = sent else { return .notHandedOver }
        }

        var result = RunMonitor.Result()
        result.stdout = CappedBuffer(capacity: Int(limits.captureBytes.bytes))
        result.stderr = CappedBuffer(capacity: Int(limits.captureBytes.bytes))
        let deadline = start + limits.wall.milliseconds * 1_000_000
        let streams = RunMonitor.Streams(stdout: stdout.read, stderr: stderr.read, control: control.read, listener: -1)
        var open = [stdout.read, stderr.read, control.read]
        for fd in open { try Syscall.setNonBlocking(fd) }
        var replied = false
        var killed = false
        var drainDeadline: UInt64?
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        func killPool() {
            killed = true
            // The zygote will never report this sample's usage: take the candidate's from /proc
            // first (the zygote's children but the tester, which was forked before any sample).
            var forked = ProcFS.children(of: pool.launched.pid).flatMap { ProcFS.children(of: $0) }
            // In a pool with worlds of its own, the zygote is one level further down (the init of
            // the pool's own PID namespace, whose parent only waits).
            if pool.fresh, forked.count == 1 { forked = ProcFS.children(of: forked[0]) }
            if forked.count > 1, let tester = forked.min(by: { (ProcessUsage.startTime($0) ?? 0) < (ProcessUsage.startTime($1) ?? 0) }) {
                forked.removeAll { $0 == tester }
            }
            // Every descendant of the candidate counts.
            var pending = forked
            while let next = pending.popLast() {
                let children = ProcFS.children(of: next)
                forked += children
                pending += children
            }
            let used = ProcessUsage.of(forked)
            result.usage.ru_utime = timeval(tv_sec: used.userMicroseconds / 1_000_000, tv_usec: used.userMicroseconds % 1_000_000)
            result.usage.ru_stime = timeval(tv_sec: used.systemMicroseconds / 1_000_000, tv_usec: used.systemMicroseconds % 1_000_000)
            result.usage.ru_maxrss = used.peakRSSKiB
            RunMonitor.killTree(pid: pool.launched.pid, pidfd: pool.launched.pidfd)
        }
        while true {
            let now = Syscall.monotonicNanoseconds()
            if !replied && !killed && now >= deadline {
                result.killedForWall = true
                killPool()
            }
            if replied || killed {
                if drainDeadline == nil { drainDeadline = now + 500_000_000 }
                if open.isEmpty || now >= drainDeadline! { break }
            }
            var watched = open
            if !replied && !killed { watched += [pool.socket, pool.launched.pidfd, pool.launched.listenerFD].filter { $0 >= 0 } }
            let limit = drainDeadline ?? deadline
            let timeout = Int32(clamping: max(1, (Int64(limit) - Int64(now)) / 1_000_000 + 1))
            let events = try Syscall.poll(watched, timeoutMilliseconds: min(timeout, 1000))
            for (index, fd) in watched.enumerated() where events[index] != 0 {
                if fd == pool.socket {
                    var reply = [UInt8](repeating: 0, count: 256)
                    let count = reply.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
                    let fields =
                        count > 0 ? String(decoding: reply[0..<count], as: UTF8.self).split(separator: " ").compactMap { Int($0) } : []
                    guard fields.count == 6 else { return .poolDied }
                    result.programStatus = Int32(truncatingIfNeeded: fields[0])
                    result.usage.ru_utime = timeval(tv_sec: fields[1] / 1_000_000, tv_usec: fields[1] % 1_000_000)
                    result.usage.ru_stime = timeval(tv_sec: fields[2] / 1_000_000, tv_usec: fields[2] % 1_000_000)
                    result.usage.ru_maxrss = fields[3]
                    // A sample in a world of its own is watched by its namespace's init as a cold
                    // run is by MemoryWatch: the PSS of its processes plus its scratch tmpfs.
                    result.peakTotalBytes = UInt64(max(0, fields[4]))
                    result.killedForMemory = fields[5] != 0
                    replied = true
                } else if fd == pool.launched.pidfd {
                    return .poolDied
                } else if fd == pool.launched.listenerFD {
                    if case .blocked(let name) = RunMonitor.receiveNotification(fd) {
                        result.blockedSyscall = name
                        killPool()
                    }
                } else {
                    guard let count = try Syscall.read(fd, into: &chunk) else { continue }
                    if count == 0 {
                        open.removeAll { $0 == fd }
                        continue
                    }
                    if result.take(chunk[0..<count], from: fd, streams: streams, outputLimit: limits.outputLimit.bytes) && !killed
                        && !replied
                    {
                        result.killedForOutput = true
                        killPool()
                    }
                }
            }
        }
        result.wallNanoseconds = Syscall.monotonicNanoseconds() - start
        if killed { shutdown() }
        isolation.workdir = isolation.scratch  // emptied by the zygote before it replied
        isolation.workdirRemoved = true
        return .served(Outcome.classify(result, limits: limits, applied: applied, profile: sandbox.identity, isolation: isolation))
    }
}
