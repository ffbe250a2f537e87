import Foundation
import Sandbox
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Each isolation layer, checked from inside a real sandboxed process.
@Suite(.serialized)
struct IsolationTests {
    @Test func normalProgramRunsUnharmed() throws {
        let outcome = try Checkout.run("normal.py")
        #expect(outcome.statusText == "exited(0)")
        #expect(outcome.stderr.isEmpty)
        let report = try Checkout.json(outcome)
        #expect(report["squares"] as? [Int] == [0, 1, 4, 9, 16, 25, 36, 49])
        #expect(report["cubes"] as? [Int] == [0, 1, 8, 27, 64])
        #expect(report["words"] as? [String] == ["the", "quick", "brown", "fox"])
        #expect(report["decimal"] as? String == "3.3")
        #expect(report["perms"] as? Int == 24)
        #expect(outcome.isolation.workdirRemoved)
        #expect(!FileManager.default.fileExists(atPath: outcome.isolation.workdir))
        #expect(outcome.peakRssKiB > 1000)
        #expect(outcome.cpuMs > 0)
    }

    @Test func outwardSocketsFail() throws {
        let outcome = try Checkout.run("network.py")
        #expect(outcome.statusText == "exited(0)")
        for family in ["inet", "inet6", "udp", "netlink", "vsock"] {
            #expect(outcome.stdout.contains("'\(family)': 'errno 13'"), "socket family \(family)")
        }
    }

    @Test(arguments: [("unshare.py", "unshare"), ("ptrace.py", "ptrace"), ("bpf.py", "bpf")])
    func dangerousSyscallsStopTheRunAndAreNamed(_ fixture: String, _ syscall: String) throws {
        let outcome = try Checkout.run(fixture)
        #expect(outcome.statusText == "blocked_syscall(\(syscall))")
        #expect(outcome.blockedSyscall == syscall)
        #expect(!outcome.stdout.contains("returned"))
    }

    @Test func foreignArchitectureSyscallIsKilled() throws {
        let outcome = try Checkout.run("x32_syscall.py")
        #expect(outcome.status == "blocked_syscall")
        #expect(!outcome.stdout.contains("returned"))
    }

    @Test func terminalInjectionIsRefusedWithAndWithoutHighBits() throws {
        let outcome = try Checkout.run("tiocsti.py")
        #expect(outcome.stdout == "[(-1, 'ENOSYS'), (-1, 'ENOSYS')]\n")
    }

    @Test func strictTierForbidsExecAndSubprocesses() throws {
        let outcome = try Checkout.run("exec_shell.py")
        #expect(outcome.stdout == "subprocess failed: 1\nexec failed: 1\n")
    }

    @Test func processesTierMayStartSubprocesses() throws {
        let outcome = try Checkout.run("exec_shell.py", profile: "python")
        #expect(outcome.stdout == "from shell\nexec worked\n")
    }

    @Test func writingOutsideTheWorkdirFails() throws {
        let outcome = try Checkout.run("write_outside.py")
        #expect(outcome.statusText == "exited(0)")
        #expect(!outcome.stdout.contains("written"))
        #expect(outcome.stdout.contains("'inside': 'fine'"))
        #expect(!FileManager.default.fileExists(atPath: "/tmp/proctor-escape-test"))
    }

    @Test(.enabled(if: Checkout.isRoot, "a private tmpfs needs a mount namespace"))
    func diskAndInodeFloodsStopAtTheScratchQuota() throws {
        let outcome = try Checkout.run("disk_fill.py")
        #expect(outcome.statusText == "exited(0)")
        #expect(outcome.isolation.scratchTmpfs)
        // 64 MiB and 4096 inodes in the python-strict profile; ENOSPC (28) at both.
        #expect(outcome.stdout.contains("bytes stopped after 8 files: errno 28"))
        #expect(outcome.stdout.contains("inodes stopped after"))
        #expect(outcome.stdout.contains("inputs: errno 13"))
        #expect(!FileManager.default.fileExists(atPath: outcome.isolation.workdir))
    }

    @Test func hostSecretsAndTheProjectAreUnreadable() throws {
        let outcome = try Checkout.run(
            "read_secrets.py", arguments: [Checkout.root + "/Package.swift", Checkout.sandboxes + "/profiles"])
        #expect(outcome.statusText == "exited(0)")
        #expect(!outcome.stdout.contains("'read'"))
        // In a root of its own the project does not exist (ENOENT); without one Landlock refuses it.
        #expect(outcome.stdout.contains("Package.swift': 'errno \(outcome.isolation.minimalRoot == true ? 2 : 13)'"))
    }

    /// Fixtures/run/host_world.py: in a root of its own the host's paths do not exist even to
    /// stat, statfs shows no host disk, nothing given to the run can have its times changed but
    /// the run's own workdir, no datagram pair can be made, and the five devices work.
    @Test(.enabled(if: Checkout.isRoot, "a root of its own needs a mount namespace"))
    func theHostsTreeIsNotThere() throws {
        let hostPaths = ["/etc/passwd", "/root", "/home", "/var/lib", Sandbox.slotDirectory, Checkout.root + "/Package.swift", Checkout.workBase]
        let outcome = try Checkout.run("host_world.py", arguments: hostPaths)
        #expect(outcome.statusText == "exited(0)", "\(outcome.stderr)")
        #expect(outcome.isolation.minimalRoot == true)
        let report = try Checkout.json(outcome)
        let paths = report["paths"] as? [String: String] ?? [:]
        for path in hostPaths where path != Checkout.workBase {
            #expect(paths[path] == "FileNotFoundError", "\(path): \(paths[path] ?? "?")")
        }
        // The workdir base exists (the run's own workdir is beneath it), holding nothing else.
        #expect(report["large_filesystems"] as? [String] == [])
        #expect(report["utime"] as? [String] == [outcome.isolation.workdir])
        #expect(report["dgram_socketpair"] as? String == "PermissionError")
        #expect(report["devices"] as? [Bool] == [true, true])
    }

    /// Fixtures/run/buffer_hoard.py: memory held in socket and pipe buffers (none of it the
    /// process's own, so no rlimit sees it) counts toward the run's memory: under a limit below
    /// what it queues the run is stopped as memory_limit, and with room its reported peak
    /// includes what it queued.
    @Test func kernelBuffersCountTowardTheMemoryLimit() throws {
        let roomy = try Checkout.run("buffer_hoard.py", profile: "python") { $0.openFiles = 1024 }
        #expect(roomy.statusText == "exited(0)", "\(roomy.stderr)")
        let held = try Checkout.json(roomy)
        let queued = (held["socket_bytes"] as? Int ?? 0) + (held["pipe_bytes"] as? Int ?? 0)
        #expect(queued > 24 << 20, "\(held)")
        #expect(UInt64(roomy.peakRssKiB) * 1024 >= UInt64(queued), "peak \(roomy.peakRssKiB) KiB, queued \(held)")
        let tight = try Checkout.run("buffer_hoard.py", profile: "python") {
            $0.openFiles = 1024
            $0.memory = .init(bytes: 40 << 20)
        }
        #expect(tight.statusText == "memory_limit", "\(tight.statusText) \(tight.stdout) \(tight.stderr)")
    }

    @Test func graderEnvironmentIsInvisible() throws {
        setenv("PROCTOR_TEST_SECRET", "hunter2-\(getpid())", 1)
        defer { unsetenv("PROCTOR_TEST_SECRET") }
        let outcome = try Checkout.run("environment.py")
        let environment = try Checkout.json(outcome)
        let profile = try Checkout.sandbox().profile.definition.environment
        #expect(Set(environment.keys) == Set(profile.keys))
        #expect(!outcome.stdout.contains("hunter2"))
        #expect(environment["HOME"] as? String == outcome.isolation.scratch)
        #expect(outcome.isolation.scratch.hasPrefix(outcome.isolation.workdir + "/"))
    }

    @Test func onlyStdioIsOpenToAProgram() throws {
        // A descriptor the grader holds without close-on-exec must still not reach the child.
        let leaked = open("/dev/null", O_RDONLY)
        #expect(leaked > 3)
        defer { close(leaked) }
        let outcome = try Checkout.run("open_fds.py")
        // The control channel (fd 3) is the bootstrap's: closed before the program runs.
        #expect(outcome.stdout == "[0, 1, 2]\n")
    }

    @Test(arguments: ["python-strict", "python"])
    func hostUnixSocketsAreOutOfReach(_ profile: String) throws {
        // A host daemon's sockets, open to everyone (like a local PostgreSQL's or D-Bus's).
        let path = "/tmp/proctor-host-daemon-\(getpid())"
        unlink(path)
        unlink(path + ".dgram")
        defer {
            unlink(path)
            unlink(path + ".dgram")
        }
        func bound(_ type: Int32, _ name: String) throws -> Int32 {
            let fd = socket(AF_UNIX, type, 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { buffer in
                for (index, byte) in name.utf8.enumerated() { buffer[index] = byte }
            }
            let rc = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            try #require(rc == 0)
            chmod(name, 0o777)
            return fd
        }
        let stream = try bound(Int32(SOCK_STREAM.rawValue), path)
        let datagram = try bound(Int32(SOCK_DGRAM.rawValue), path + ".dgram")
        defer {
            close(stream)
            close(datagram)
        }
        listen(stream, 4)
        let outcome = try Checkout.run("unix_sockets.py", profile: profile, arguments: [path])
        #expect(outcome.stdout.contains("connect: refused"), "\(outcome.stdout)\(outcome.stderr)")
        #expect(outcome.stdout.contains("sendto: refused"), "\(outcome.stdout)\(outcome.stderr)")
        #expect(!outcome.stdout.contains("reached"))
    }

    @Test(arguments: ["python-strict", "python"])
    func hostProcessesAreNotVisibleEvenToStat(_ profile: String) throws {
        try #require(Checkout.isRoot, "needs root for the PID and mount namespaces")
        // The grader itself and init: with the run's own procfs neither exists there.
        let outcome = try Checkout.run("host_processes.py", profile: profile, arguments: ["\(getpid())", "\(getppid())"])
        #expect(outcome.statusText == "exited(0)", "\(outcome.stderr)")
        #expect(outcome.stdout.contains("pid \(getpid()) hidden"), "\(outcome.stdout)")
        #expect(outcome.stdout.contains("pid \(getppid()) hidden"), "\(outcome.stdout)")
        #expect(!outcome.stdout.contains("visible"), "\(outcome.stdout)")
        #expect(outcome.stdout.contains("listing refused"), "\(outcome.stdout)")
    }

    @Test func orphansDoNotOutliveTheRun() throws {
        let outcome = try Checkout.run("orphan.py", profile: "python")
        #expect(outcome.stdout == "parent done\n")
        #expect(outcome.stderr.contains("setsid failed: 1"))
        if Checkout.isRoot {
            #expect(Checkout.processes(ownedBy: outcome.isolation.uid).isEmpty)
        }
    }

    @Test func killAllKillsNothingOutsideTheRun() throws {
        let bystander = Process()
        bystander.executableURL = URL(fileURLWithPath: "/bin/sleep")
        bystander.arguments = ["30"]
        bystander.standardOutput = FileHandle.nullDevice
        bystander.standardError = FileHandle.nullDevice
        try bystander.run()
        defer {
            // SIGKILL by pid: a process started from a test thread inherits its blocked SIGTERM.
            kill(bystander.processIdentifier, SIGKILL)
            bystander.waitUntilExit()
        }
        let outcome = try Checkout.run("kill_all.py", profile: "python")
        #expect(outcome.status == "exited" || outcome.status == "signaled")
        #expect(bystander.isRunning)
        #expect(kill(bystander.processIdentifier, 0) == 0)
    }

    @Test(.enabled(if: Checkout.isRoot, "dropping privileges needs root"))
    func rootDropsToASlotUserWithoutCapabilities() throws {
        let outcome = try Checkout.run("identity.py")
        let report = try Checkout.json(outcome)
        let uid = Int(outcome.isolation.uid)
        #expect(uid >= 61000)
        #expect(report["uid"] as? [Int] == [uid, uid, uid])
        #expect(report["gid"] as? [Int] == [uid, uid, uid])
        #expect(report["groups"] as? [Int] == [])
        #expect(report["bounding"] as? [Int] == [])
        #expect(report["effective"] as? [Int] == [0, 0])
        #expect(report["permitted"] as? [Int] == [0, 0])
        #expect(report["inheritable"] as? [Int] == [0, 0])
        #expect(report["no_new_privs"] as? Int == 1)
        #expect(outcome.isolation.privilegesDropped)
        // In its own PID namespace the program is the init's first child.
        #expect(report["pid"] as? Int == 2)
        #expect(outcome.isolation.namespaces == ["pid", "ipc", "uts", "mount"])
    }

    @Test(.enabled(if: Checkout.isRoot, "uid slots are used only as root"))
    func concurrentRunsGetDistinctSlots() async throws {
        let sandbox = try Checkout.sandbox()
        // Each run holds its slot for half a second, so all four overlap.
        let request = RunRequest(source: "import os, time\nprint(os.getuid())\ntime.sleep(0.5)\n")
        let outcomes = await withTaskGroup(of: Outcome.self) { group in
            for _ in 0..<4 { group.addTask { await sandbox.run(request) } }
            return await group.reduce(into: [Outcome]()) { $0.append($1) }
        }
        #expect(
            outcomes.allSatisfy { $0.statusText == "exited(0)" }, "\(outcomes.map { "\($0.statusText) \($0.error ?? "") \($0.stderr)" })")
        #expect(Set(outcomes.map(\.isolation.uid)).count == 4)
        #expect(outcomes.allSatisfy { $0.stdout == "\($0.isolation.uid)\n" })
        #expect(Set(outcomes.map(\.isolation.workdir)).count == 4)
    }

    @Test func landlockIsReportedWhenTheKernelHasIt() throws {
        let outcome = try Checkout.run("normal.py")
        if let abi = outcome.isolation.landlockABI {
            #expect(abi >= 1)
            #expect(outcome.isolation.landlockLayers.contains("filesystem"))
            if abi >= 6 { #expect(outcome.isolation.landlockLayers.contains("signal-scope")) }
        }
        #expect(outcome.isolation.seccompInstructions > 100)
        #expect(outcome.isolation.seccompAfterStartInstructions != nil)
    }
}
