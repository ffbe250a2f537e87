import Foundation
import Testing

@testable import Sandbox

#if canImport(Glibc)
    import Glibc
#endif

/// The warm pool with real processes: samples are isolated from each other, limits apply per
/// sample, and a pool that dies is reported so the caller can re-run the sample cold.
@Suite(.serialized)
struct WarmPoolTests {
    /// A harness request: `program` defines `f`; the tests assert `f()` returns `expected`.
    private func request(_ program: String, expected: String, wall: Double = 3) throws -> RunRequest {
        var limits = try Checkout.sandbox().profile.definition.limits
        limits.wall = TimeSpan(seconds: wall)
        var request = RunRequest(source: program, programName: "program.py", limits: limits)
        request.files = [
            ".proctor-harness": Array("tests=.proctor-tests.py\nstyle=check\nnonce=n0nce\nentry_point=f\n".utf8),
            ".proctor-tests.py": Array("def check(candidate):\n    assert candidate() == \(expected)\n".utf8),
        ]
        return request
    }

    @Test func samplesPassAndFailAndDoNotSeeEachOther() throws {
        let pool = try #require(WarmPool(sandbox: Checkout.sandbox()))
        defer { pool.shutdown() }
        let first = try #require(
            pool.run(
                request(
                    "import os\ndef f():\n    open('left-behind', 'w').write('x')\n    return sorted(os.listdir('.'))\n",
                    expected: "['left-behind']")))
        #expect(first.control.contains("completed n0nce 1"), "\(first.stderr)")
        let second = try #require(pool.run(request("import os\ndef f():\n    return sorted(os.listdir('.'))\n", expected: "[]")))
        #expect(second.control.contains("completed n0nce 1"), "the second sample saw the first one's files: \(second.stderr)")
        let wrong = try #require(pool.run(request("def f():\n    return 1\n", expected: "2")))
        #expect(wrong.statusText == "exited(1)")
        #expect(wrong.control.contains { $0.hasPrefix("exception AssertionError\ttests") })
        let pid = try #require(pool.processID)
        #expect(pool.processID == pid, "one pool served all three")
    }

    @Test func aSampleLeavesNoMetadataForTheNext() throws {
        let pool = try #require(WarmPool(sandbox: Checkout.sandbox()))
        defer { pool.shutdown() }
        // What a sample can see of its directory and those above it that it owns.
        let look = """
            import os
            def look():
                seen, path = [], os.getcwd()
                while path != "/":
                    try:
                        info = os.stat(path)
                    except OSError:
                        break
                    if info.st_uid != os.getuid():
                        break  # the grader's directories: not the sample's to change
                    seen.append((path, info.st_mode, info.st_mtime_ns, info.st_atime_ns))
                    path = os.path.dirname(path)
                return seen
            """
        let fresh = try #require(pool.run(request(look + "\ndef f():\n    print(look())\n    return 1\n", expected: "1")))
        #expect(fresh.control.contains("completed n0nce 1"), "\(fresh.stderr)")
        // This sample renices nothing (refused), but marks every directory it owns.
        let marker = try #require(
            pool.run(
                request(
                    look + """

                        def f():
                            for path, *_ in look():
                                try:
                                    os.chmod(path, 0o777)
                                    os.utime(path, (12345, 12345))
                                except OSError:
                                    pass
                            return 1
                        """, expected: "1")))
        #expect(marker.control.contains("completed n0nce 1"), "\(marker.stderr)")
        let after = try #require(pool.run(request(look + "\ndef f():\n    print(look())\n    return 1\n", expected: "1")))
        // Each sample's directories are made for it (their times are its own); no mode or time the
        // marker set is there.
        #expect(!after.stdout.contains("12345"), "metadata carried over:\n\(fresh.stdout)\n\(after.stdout)")
        #expect(!after.stdout.contains("\(0o40777)"), "a mode carried over:\n\(after.stdout)")
        #expect(after.stdout.split(separator: "(").count == fresh.stdout.split(separator: "(").count)
    }

    /// Fixtures/run/world_probe.py: every counter a sample could set and a later one read (pids,
    /// thread ids, inode numbers, what /proc and the directories show) reads the same before and
    /// after a sample that moved them all — each sample lives in namespaces and a tmpfs of its own.
    @Test(.enabled(if: Checkout.isRoot, "per-sample namespaces need the pool's user namespace map, written by root"))
    func aSampleMovesNoCounterTheNextCanRead() throws {
        let pool = try #require(WarmPool(sandbox: Checkout.sandbox()))
        defer { pool.shutdown() }
        let probe = String(decoding: Checkout.fixture("world_probe.py"), as: UTF8.self)
        func run(_ what: String) throws -> Outcome {
            let program = probe + "\n_f = f\ndef f():\n    import json\n    print(json.dumps(_f('\(what)'), sort_keys=True))\n    return 1\n"
            let outcome = try #require(pool.run(request(program, expected: "1")))
            #expect(outcome.control.contains("completed n0nce 1"), "\(outcome.stderr)")
            return outcome
        }
        let before = try run("probe")
        _ = try run("mark")
        _ = try run("mark")
        let after = try run("probe")
        #expect(!before.stdout.isEmpty)
        #expect(after.stdout == before.stdout, "a counter carried over:\n\(before.stdout)\n\(after.stdout)")
        let report = try JSONSerialization.jsonObject(with: Data(after.stdout.utf8)) as? [String: Any] ?? [:]
        #expect(report["pid"] as? Int == 1000, "every candidate gets PID 1000 in the pool's own PID namespace (its init, the zygote, is 1)")
        #expect(report["entries"] as? [String] == [])
        // No IPC object can be made (the tier refuses them), so none needs a namespace to hide it.
        #expect(["ENOSYS", "EPERM", "OSError", "AttributeError"].contains(report["sysv_queue"] as? String), "\(report["sysv_queue"] ?? "?")")
    }

    /// A sample's own world has an init of ours (pid 1) that reports the candidate's status: a
    /// candidate that signals it and then fails still ends as it did, never as a clean exit.
    @Test(.enabled(if: Checkout.isRoot, "per-sample namespaces need the pool's user namespace map, written by root"))
    func signallingTheSamplesInitChangesNoStatus() throws {
        let pool = try #require(WarmPool(sandbox: Checkout.sandbox()))
        defer { pool.shutdown() }
        let program = """
            import os, signal
            print(2 * int(input()), flush=True)
            for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGUSR1, signal.SIGCHLD):
                try:
                    os.kill(1, number)
                except OSError:
                    pass
            os._exit(3)
            """
        var limits = try Checkout.sandbox().profile.definition.limits
        limits.wall = TimeSpan(seconds: 3)
        let outcome = try #require(pool.run(RunRequest(source: program, programName: "program.py", stdin: Array("21\n".utf8), limits: limits)))
        #expect(outcome.statusText == "exited(3)", "\(outcome.stderr)")
        #expect(outcome.stdout == "42\n")
    }

    @Test func perSampleLimitsAndIsolationApply() throws {
        let pool = try #require(WarmPool(sandbox: Checkout.sandbox()))
        defer { pool.shutdown() }
        let identity = """
            import os, resource
            def f():
                return [resource.getrlimit(resource.RLIMIT_CPU), resource.getrlimit(resource.RLIMIT_DATA)[0], os.getuid() != 0]
            """
        let outcome = try #require(pool.run(request(identity, expected: "[(3, 4), 256 << 20, True]")))
        #expect(outcome.control.contains("completed n0nce 1"), "\(outcome.stderr)")
        let burn = try #require(pool.run(request("def f():\n    while True:\n        pass\n", expected: "0", wall: 10)))
        #expect(burn.statusText == "timeout(cpu)")
        let escape = try #require(
            pool.run(request("def f():\n    return open('/tmp/proctor-pool-escape', 'w') is None\n", expected: "False")))
        #expect(escape.statusText == "exited(1)")
        #expect(!FileManager.default.fileExists(atPath: "/tmp/proctor-pool-escape"))
    }

    /// What a sample writes to its scratch counts toward its memory, in the pool as in a cold
    /// run: three 15 MiB files (each under the file-size limit, together within the 64 MiB
    /// scratch) under a 40 MiB memory limit stop the sample as `memory_limit` both ways.
    @Test(.enabled(if: Checkout.isRoot, "per-sample worlds need the pool's user namespace map, written by root"))
    func aSamplesScratchCountsTowardItsMemoryWarmAsCold() throws {
        let pool = try #require(WarmPool(sandbox: Checkout.sandbox()))
        defer { pool.shutdown() }
        let fill = """
            import time
            def f():
                block = b"x" * (1 << 20)
                for index in range(3):
                    with open("fill-%d" % index, "wb") as handle:
                        for _ in range(15):
                            handle.write(block)
                time.sleep(0.3)
                return 0
            """
        var request = try request(fill, expected: "0")
        request.limits!.memory = .init(bytes: 40 << 20)
        let warm = try #require(pool.run(request))
        #expect(warm.statusText == "memory_limit", "\(warm.statusText) \(warm.stderr)")
        #expect(warm.peakRssKiB >= 40 << 10)
        let cold = try Checkout.sandbox().run(request)
        #expect(cold.statusText == "memory_limit", "\(cold.statusText) \(cold.stderr)")
        // Under the limit, the same program passes and its peak is what it held.
        request.limits!.memory = .init(bytes: 256 << 20)
        let roomy = try #require(pool.run(request))
        #expect(roomy.control.contains("completed n0nce 1"), "\(roomy.statusText) \(roomy.stderr)")
        #expect(roomy.peakRssKiB >= 45 << 10)
    }

    @Test func timeoutKillsThePoolAndTheNextSampleGetsAFreshOne() throws {
        let pool = try #require(WarmPool(sandbox: Checkout.sandbox()))
        defer { pool.shutdown() }
        _ = try #require(pool.run(request("def f():\n    return 1\n", expected: "1")))
        let first = try #require(pool.processID)
        let slow = try #require(pool.run(request("import time\ndef f():\n    time.sleep(60)\n", expected: "0", wall: 1)))
        #expect(slow.statusText == "timeout(wall)")
        #expect(kill(first, 0) != 0, "the pool behind a timed-out sample must be gone")
        let next = try #require(pool.run(request("def f():\n    return 1\n", expected: "1")))
        #expect(next.control.contains("completed n0nce 1"))
        #expect(pool.processID != first)
    }

    @Test func aPoolKilledMidSampleIsReportedForAColdRerun() throws {
        let pool = try #require(WarmPool(sandbox: Checkout.sandbox()))
        defer { pool.shutdown() }
        _ = try #require(pool.run(request("def f():\n    return 1\n", expected: "1")))
        let pid = try #require(pool.processID)
        let killer = Thread {
            Thread.sleep(forTimeInterval: 0.3)
            kill(pid, SIGKILL)
        }
        killer.start()
        let outcome = pool.run(try request("import time\ndef f():\n    time.sleep(2)\n    return 1\n", expected: "1"))
        #expect(outcome == nil)
        let after = try #require(pool.run(request("def f():\n    return 1\n", expected: "1")))
        #expect(after.control.contains("completed n0nce 1"))
    }

    @Test func eachPoolRunsOnACoreOfItsOwn() throws {
        let cores = Syscall.allowedCores()
        let first = try #require(WarmPool(sandbox: Checkout.sandbox()))
        defer { first.shutdown() }
        let second = try #require(WarmPool(sandbox: Checkout.sandbox()))
        defer { second.shutdown() }
        for pool in [first, second] { _ = try #require(pool.run(request("def f():\n    return 1\n", expected: "1"))) }
        guard cores.count > 1, let one = first.leasedCore, let other = second.leasedCore else {
            // One core (nothing to pin), or another grader on this machine holds the cores: unpinned.
            let unpinned = try #require(first.run(request(affinity, expected: "\(cores)")))
            #expect(unpinned.control.contains("completed n0nce 1"), "\(unpinned.stderr)")
            return
        }
        #expect(one != other, "two pools leased the same core")
        for (pool, core) in [(first, one), (second, other)] {
            let pinned = try #require(pool.run(request(affinity, expected: "[\(core)]")))
            #expect(pinned.control.contains("completed n0nce 1"), "a sample did not run on its pool's core: \(pinned.stderr)")
        }
        first.shutdown()  // its lease goes with it
        let third = try #require(WarmPool(sandbox: Checkout.sandbox()))
        defer { third.shutdown() }
        _ = try #require(third.run(request("def f():\n    return 1\n", expected: "1")))
        #expect(third.leasedCore == one)
    }

    private let affinity = "import os\ndef f():\n    return sorted(os.sched_getaffinity(0))\n"
}
