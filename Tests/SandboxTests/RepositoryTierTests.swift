import Foundation
import Testing

@testable import Sandbox

/// The `repository` seccomp tier (the `swe` profile): real test suites' scientific libraries make
/// NUMA calls about their own memory that must fail softly, not kill the run, while a call on
/// another process's pages is still killed and named. Needs Debian's python3-numpy (make setup).
@Suite(.serialized)
struct RepositoryTierTests {
    private static let numpy = FileManager.default.fileExists(atPath: "/usr/lib/python3/dist-packages/numpy/__init__.py")

    @Test func numpysOpenBLASRunsUnderTheRepositoryProfile() throws {
        try #require(Self.numpy, "Debian's python3-numpy is missing: run make setup")
        let outcome = try Checkout.run("numpy_matmul.py", profile: "swe")
        #expect(outcome.statusText == "exited(0)", "\(outcome.statusText): \(outcome.stderr)")
        #expect(outcome.stdout.hasPrefix("ok ") && outcome.stdout.hasSuffix(" True\n"), "\(outcome.stdout)")
    }

    @Test func ownNUMACallsAreRefusedSoftly() throws {
        let outcome = try Checkout.run("numa_calls.py", profile: "swe", arguments: ["own"])
        #expect(outcome.statusText == "exited(0)", "\(outcome.statusText): \(outcome.stderr)")
        for name in ["mbind", "set_mempolicy", "get_mempolicy", "migrate_pages", "move_pages"] {
            #expect(outcome.stdout.contains("\(name) -1 EPERM"), "\(name): \(outcome.stdout)")
        }
    }

    @Test func anotherProcesssPagesAreStillKilled() throws {
        let outcome = try Checkout.run("numa_calls.py", profile: "swe", arguments: ["other"])
        #expect(outcome.statusText == "blocked_syscall(move_pages)", "\(outcome.statusText): \(outcome.stdout)")
    }

    /// The other profiles keep the whole dangerous set killed: only repository runs need this.
    @Test(arguments: ["python-strict", "python"])
    func theOtherProfilesStillKillMbind(_ profile: String) throws {
        let outcome = try Checkout.run("numa_calls.py", profile: profile, arguments: ["own"])
        #expect(outcome.statusText == "blocked_syscall(mbind)", "\(outcome.statusText): \(outcome.stdout)")
    }

    /// `RunRequest.rootFiles`: files the caller puts at paths of the run's own root (a container's
    /// cgroup files), readable and nothing more; a path with `..` is refused.
    @Test func rootFilesAreReadOnlyFilesOfTheRunsOwnRoot() throws {
        let sandbox = try Checkout.sandbox("swe")
        let program = """
            import os
            print(open("/sys/fs/cgroup/cpu.max").read().strip())
            try:
                open("/sys/fs/cgroup/cpu.max", "w")
                print("written")
            except OSError as error:
                print("refused", error.errno)
            try:
                print(sorted(os.listdir("/sys/fs/cgroup")))
            except OSError as error:
                print("unlistable", error.errno)

            """
        var request = RunRequest(source: program, programName: "root_files.py")
        request.rootFiles = ["/sys/fs/cgroup/cpu.max": Array("200000 100000\n".utf8)]
        let outcome = sandbox.run(request)
        #expect(outcome.statusText == "exited(0)", "\(outcome.stderr)")
        let lines = outcome.stdout.split(separator: "\n")
        #expect(lines.first == "200000 100000" && lines.dropFirst().first?.hasPrefix("refused") == true, "\(outcome.stdout)")
        // Nothing else of the host's /sys is there: at most the file itself shows.
        #expect(lines.last == "['cpu.max']" || lines.last?.hasPrefix("unlistable") == true, "\(outcome.stdout)")
        var bad = RunRequest(source: "print(1)\n", programName: "bad.py")
        bad.rootFiles = ["/sys/../etc/passwd": Array("x".utf8)]
        #expect(sandbox.run(bad).status == "internal_error")
    }
}
