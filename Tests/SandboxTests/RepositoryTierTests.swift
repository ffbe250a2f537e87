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
}
