import Foundation
import Grader
import Testing

@testable import Repository

/// Repository tasks, host side: the fixture project becomes a git repository with a fixed
/// commit id; each fixture prediction gets a worktree with its patch applied by the recorded
/// strategy, the tests restored and the test patch on top, and test configuration put back.
@Suite(.serialized)
struct RepoWorkspaceTests {
    static let fixtures =
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path + "/Fixtures/repos"

    /// Builds Fixtures/repos/mathkit into a git repository (scripts/build-fixture-repo) under a
    /// fresh directory; returns its path.
    static func buildRepository() throws -> String {
        let base = NSTemporaryDirectory() + "proctor-repos-\(UInt32.random(in: 0...UInt32.max))"
        let script = Process()
        script.executableURL = URL(fileURLWithPath: fixtures + "/../../scripts/build-fixture-repo")
        script.arguments = [base]
        script.standardOutput = FileHandle.nullDevice
        try script.run()
        script.waitUntilExit()
        try #require(script.terminationStatus == 0, "scripts/build-fixture-repo failed")
        return base + "/mathkit"
    }

    static func file(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "<missing>" }

    @Test func fixtureInstancesAndPredictionsParse() throws {
        let instances = try RepoInstance.read(path: Self.fixtures + "/instances.jsonl")
        let predictions = try RepoPrediction.read(path: Self.fixtures + "/predictions.jsonl")
        #expect(instances.count == 28 && predictions.count == 28)
        // JSON-string lists (as SWE-bench ships them) and plain lists read the same.
        #expect(Set(instances.map(\.failToPass)).count == 1)
        #expect(instances[0].failToPass.count == 3 && instances[0].passToPass.count == 2)
        #expect(predictions.first { $0.instanceID.hasSuffix("-empty") }?.isEmpty == true)
    }

    @Test func malformedInstancesNameFileAndLine() throws {
        let path = NSTemporaryDirectory() + "proctor-bad-instances-\(getpid()).jsonl"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try """
        {"instance_id": "a", "repo": "r", "base_commit": "abc123", "test_patch": "", "FAIL_TO_PASS": [], "PASS_TO_PASS": []}
        {"instance_id": "b", "repo": "r", "base_commit": "abc123", "test_patch": "", "FAIL_TO_PASS": "not json", "PASS_TO_PASS": []}
        """.write(toFile: path, atomically: true, encoding: .utf8)
        let error = #expect(throws: GradeError.self) { try RepoInstance.read(path: path) }
        #expect(error?.description.contains("\(path):2") == true, "\(error?.description ?? "")")
        #expect(error?.description.contains("FAIL_TO_PASS") == true)
    }

    @Test func eachPredictionGetsItsPatchTheRealTestsAndNoTestConfiguration() throws {
        let repo = try Self.buildRepository()
        defer { try? FileManager.default.removeItem(atPath: (repo as NSString).deletingLastPathComponent) }
        let instances = try RepoInstance.read(path: Self.fixtures + "/instances.jsonl")
        let head = try String(contentsOfFile: repo + "/.git/refs/heads/main", encoding: .utf8).trimmingCharacters(
            in: .whitespacesAndNewlines)
        #expect(head == instances[0].baseCommit, "the fixture repository must build to the recorded commit")
        let predictions = Dictionary(
            uniqueKeysWithValues: try RepoPrediction.read(path: Self.fixtures + "/predictions.jsonl").map { ($0.instanceID, $0) })
        let modules = try PatchPolicy.protectedModules(file: Self.fixtures + "/../../Sandboxes/python/protected_modules.txt")
        let baseOps = try String(contentsOfFile: repo + "/src/mathkit/ops.py", encoding: .utf8)
        var seen: [String: RepoWorkspace] = [:]
        for instance in instances {
            let name = String(instance.instanceID.dropFirst("mathkit__mathkit-".count))
            let workspace = try RepoWorkspace.prepare(
                instance: instance, prediction: predictions[instance.instanceID]!, repository: repo,
                in: (repo as NSString).deletingLastPathComponent + "/w-" + name, protectedModules: modules)
            defer { workspace.remove(repository: repo) }
            seen[name] = workspace
            #expect(workspace.testFiles == ["tests/test_ops.py"])
            // The host never applies a patch: every worktree is the base commit as it is.
            #expect(Self.file(workspace.path + "/src/mathkit/ops.py") == baseOps, "\(name)")
            #expect(!FileManager.default.fileExists(atPath: workspace.path + "/conftest.py"), "\(name)")
            // What the sandbox applies never touches the tests or test configuration.
            let applied = try PatchSet.parse(workspace.modelPatch.isEmpty ? workspace.testPatch : workspace.modelPatch)
            if !workspace.modelPatch.isEmpty {
                #expect(!applied.paths.contains { $0.hasPrefix("tests/") || $0.hasSuffix("conftest.py") }, "\(name)")
            }
        }
        #expect(seen["gold"]?.modelPatch.contains("raise ValueError") == true && seen["gold"]?.droppedChanges == [])
        #expect(seen["empty"]?.emptyPatch == true && seen["empty"]?.modelPatch == "")
        #expect(seen["conftest"]?.droppedChanges == ["conftest.py: test configuration"])
        #expect(seen["edits-tests"]?.droppedChanges.first?.hasPrefix("tests/test_ops.py: a test file") == true)
        // No worktree is left registered in the source repository.
        let list = try String(contentsOfFile: repo + "/.git/HEAD", encoding: .utf8)
        #expect(list.contains("refs/heads/main"))
        let worktrees = (try? FileManager.default.contentsOfDirectory(atPath: repo + "/.git/worktrees")) ?? []
        #expect(worktrees.isEmpty)
    }
}
