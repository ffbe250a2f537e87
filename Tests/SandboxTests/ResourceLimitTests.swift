import Foundation
import Testing

@testable import Sandbox

#if canImport(Glibc)
    import Glibc
#endif

/// Resource exhaustion: every limit ends the run with the right status and the host stays fine.
@Suite(.serialized)
struct ResourceLimitTests {
    @Test func forkBombIsContainedByRlimitOnTheRunsOwnUid() throws {
        let outcome = try Checkout.run("fork_bomb.py", profile: "python") { $0.wall = TimeSpan(seconds: 10) }
        #expect(outcome.status == "exited")
        // Forks failed with EAGAIN once RLIMIT_NPROC was reached (RLIMIT_NPROC is ignored for root,
        // which is why the run has a uid of its own).
        #expect(outcome.stderr.contains("fork failed: 11"))
        #expect(Checkout.processes(ownedBy: outcome.isolation.uid).isEmpty)
        // The machine is still usable: a normal program runs right after.
        let after = try Checkout.run("normal.py")
        #expect(after.statusText == "exited(0)")
    }

    @Test func strictTierRefusesToForkAtAll() throws {
        let outcome = try Checkout.run("fork_bomb.py")
        #expect(outcome.statusText == "exited(0)")
        #expect(outcome.stderr.contains("fork failed: 1\n"))  // EPERM from the seccomp filter
    }

    @Test func oneRefusedHugeAllocationIsAPlainFailure() throws {
        // 4 GiB at once is refused by RLIMIT_DATA before any of it is used: MemoryError, but the
        // grader never saw memory near the limit, so it is not memory_limit (a sample cannot
        // claim memory_limit by raising or printing MemoryError).
        let inherited = InheritedMemory.residentAnonymousKiB()
        let outcome = try Checkout.run("memory_bomb.py")
        #expect(outcome.statusText == "exited(1)")
        #expect(outcome.stderr.contains("MemoryError"))
        // A cold run's ru_maxrss starts at what it inherited from this (large) test process
        // (``InheritedMemory``): the bound is on what the run could have added, far below 4 GiB.
        #expect(outcome.peakRssKiB < max(128 * 1024, inherited + 64 * 1024), "\(outcome.peakRssKiB) KiB, \(inherited) KiB inherited")
    }

    @Test(arguments: ["memory_growth.py"])
    func memoryBombsEndAsMemoryLimit(_ fixture: String) throws {
        let outcome = try Checkout.run(fixture)
        #expect(outcome.status == "memory_limit")
        #expect(outcome.stdout.isEmpty)
        // Peak RSS stayed near the 256 MiB limit, nowhere near the 4 GiB asked for.
        #expect(outcome.peakRssKiB < 300 * 1024)
    }

    @Test(arguments: ["memory_children.py", "memory_shared.py", "memory_scratch.py"])
    func theMemoryLimitHoldsForTheWholeRun(_ fixture: String) throws {
        try #require(Checkout.isRoot, "needs root for the run's namespaces")
        // Per process each stays under 128 MiB (or is not counted by RLIMIT_DATA at all); the
        // grader adds up the run's memory and stops it once the total passes the limit.
        let outcome = try Checkout.run(fixture, profile: "python") { limits in
            limits.memory = ByteCount(bytes: 128 << 20)
            limits.wall = TimeSpan(milliseconds: 10_000)
        }
        #expect(outcome.status == "memory_limit", "\(outcome.statusText) \(outcome.stdout) \(outcome.stderr.suffix(300))")
        #expect(!outcome.stdout.contains("finished") && !outcome.stdout.contains("held"))
        // The reported peak is the run's total, not one process's.
        #expect(outcome.peakRssKiB >= 128 * 1024, "\(outcome.peakRssKiB) KiB")
        #expect(outcome.wallMs < 3000, "stopped as soon as the total passed the limit")
    }

    @Test func busyLoopEndsAsCPUTimeout() throws {
        let outcome = try Checkout.run("cpu_burn.py") {
            $0.cpu = TimeSpan(seconds: 1)
            $0.wall = TimeSpan(seconds: 10)
        }
        #expect(outcome.statusText == "timeout(cpu)")
        #expect(outcome.cpuMs >= 900)
        #expect(outcome.limits.cpuSeconds == 1)
    }

    @Test(arguments: ["sleep_forever.py", "stop_self.py"])
    func blockedProgramsEndAsWallTimeout(_ fixture: String) throws {
        let outcome = try Checkout.run(fixture) { $0.wall = TimeSpan(milliseconds: 1500) }
        #expect(outcome.statusText == "timeout(wall)")
        #expect(outcome.wallMs >= 1500)
        #expect(outcome.wallMs < 4000)
        #expect(Checkout.processes(ownedBy: outcome.isolation.uid).isEmpty || !Checkout.isRoot)
    }

    @Test(arguments: ["flood_stdout_lines.py", "flood_stdout_no_newline.py", "flood_stderr.py"])
    func outputFloodsEndAsOutputLimitWithBoundedGraderMemory(_ fixture: String) throws {
        let before = Checkout.graderPeakRSS()
        let outcome = try Checkout.run(fixture)
        #expect(outcome.status == "output_limit")
        let limits = outcome.limits
        #expect(outcome.stdout.utf8.count <= Int(limits.captureBytes))
        #expect(outcome.stderr.utf8.count <= Int(limits.captureBytes))
        #expect(outcome.stdoutBytes + outcome.stderrBytes > Int(limits.outputLimitBytes))
        #expect(outcome.stdoutTruncatedBytes + outcome.stderrTruncatedBytes > 0)
        // 256 MiB were offered; the grader kept 64 KiB per stream and read ~1 MiB in all.
        #expect(Checkout.graderPeakRSS() - before < 64 * 1024)
    }

    @Test func rlimitsAreAppliedAsReported() throws {
        let outcome = try Checkout.run("identity.py")
        #expect(outcome.statusText == "exited(0)")
        let report = try Checkout.json(outcome)
        let limits = try #require(report["limits"] as? [String: [Int]])
        let applied = outcome.limits
        #expect(limits["RLIMIT_CPU"] == [Int(applied.cpuSeconds), Int(applied.cpuSeconds) + 1])
        #expect(limits["RLIMIT_DATA"] == [Int(applied.memoryBytes), Int(applied.memoryBytes)])
        #expect(limits["RLIMIT_AS"] == [Int(applied.addressSpaceBytes), Int(applied.addressSpaceBytes)])
        #expect(limits["RLIMIT_STACK"] == [Int(applied.stackBytes), Int(applied.stackBytes)])
        #expect(limits["RLIMIT_FSIZE"] == [Int(applied.fileSizeBytes), Int(applied.fileSizeBytes)])
        #expect(limits["RLIMIT_NOFILE"] == [Int(applied.openFiles), Int(applied.openFiles)])
        #expect(limits["RLIMIT_NPROC"] == [Int(applied.processes), Int(applied.processes)])
        #expect(limits["RLIMIT_CORE"] == [0, 0])
        #expect(limits["RLIMIT_MEMLOCK"] == [0, 0])
    }
}
