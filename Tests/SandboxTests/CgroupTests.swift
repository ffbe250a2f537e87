import Foundation
import Testing

@testable import Sandbox

/// `--cgroup`: exact accounting in a cgroup v2 subtree delegated to the grader. The tests that
/// run programs need such a subtree and are skipped without one: set PROCTOR_TEST_CGROUP to a
/// delegated, empty cgroup v2 directory (e.g. one systemd made with Delegate=yes). Nothing is
/// ever created outside it; the machine's own hierarchy is the host's.
@Suite(.serialized)
struct CgroupTests {
    static let delegated = ProcessInfo.processInfo.environment["PROCTOR_TEST_CGROUP"]

    /// A path that is not a cgroup v2 directory is refused before anything is touched, with
    /// the reason, whatever this host's hierarchy is.
    @Test func aPathThatIsNotADelegatedCgroupV2DirectoryIsRefused() throws {
        for path in [Checkout.workBase, "/proc", "/nonexistent-proctor-cgroup"] {
            #expect(throws: SandboxError.self) { try CgroupDelegation(path: path) }
            do {
                _ = try CgroupDelegation(path: path)
            } catch {
                #expect("\(error)".contains("--cgroup \(path)"), "\(error)")
            }
        }
    }

    /// In a delegated subtree: twenty children of 40 MiB each (800 MiB together, each under the
    /// per-process limits) under a 256 MiB limit are stopped by the kernel's account as
    /// memory_limit, the run's cgroup is named in the outcome and removed after it.
    @Test(.enabled(if: delegated != nil, "set PROCTOR_TEST_CGROUP to a delegated cgroup v2 directory to run this"))
    func aRunIsChargedAndStoppedByItsOwnCgroup() throws {
        let delegation = try CgroupDelegation(path: Self.delegated!)
        let sandbox = try Sandbox(
            profile: SandboxProfile.load(named: "python", sandboxesDirectory: Checkout.sandboxes), workBase: Checkout.workBase,
            cgroup: delegation)
        var limits = sandbox.profile.definition.limits
        limits.memory = .init(bytes: 256 << 20)
        let outcome = sandbox.run(
            RunRequest(program: Checkout.fixture("memory_children.py"), programName: "memory_children.py", limits: limits))
        #expect(outcome.statusText == "memory_limit", "\(outcome.statusText) \(outcome.stderr)")
        let cgroup = try #require(outcome.isolation.cgroup)
        #expect(cgroup.hasPrefix(Self.delegated! + "/"))
        #expect(!FileManager.default.fileExists(atPath: cgroup), "the run's cgroup is removed with it")
        // A quiet run in the same subtree ends normally.
        let normal = sandbox.run(RunRequest(program: Checkout.fixture("normal.py"), programName: "normal.py", limits: limits))
        #expect(normal.statusText == "exited(0)", "\(normal.stderr)")
    }
}
