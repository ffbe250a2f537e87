import Foundation
import Testing

/// `proctor grade-repo` on the fixture instances, run the way a user runs it: every instance
/// gets its expected verdict, hostile patches are contained, and the per-instance directories
/// hold what is needed to rerun a failure.
@Suite(.serialized)
struct GradeRepoCommandTests {
    static let fixtures = ProctorExecutable.root + "/Fixtures/repos"

    @Test func everyFixtureInstanceGetsItsExpectedResult() throws {
        try #require(ProctorExecutable.isBuilt)
        let base = NSTemporaryDirectory() + "proctor-grade-repo-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: base) }
        let built = try ProctorExecutable.runTool(ProctorExecutable.root + "/scripts/build-fixture-repo", [base + "/repos"])
        #expect(built.hasPrefix("7312c10b297b86ea888d7795d7f636bc7aeb3dc4"))
        let invocation = try ProctorExecutable.run([
            "grade-repo", "--instances", Self.fixtures + "/instances.jsonl", "--predictions", Self.fixtures + "/predictions.jsonl",
            "--repos", base + "/repos", "--out", base + "/out", "--timeout", "6s", "--workers", "2",
        ])
        #expect(invocation.status == 0, "\(invocation.stderr)")
        let expected = try String(contentsOfFile: Self.fixtures + "/expected.jsonl", encoding: .utf8).split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
        for want in expected {
            let id = want["instance_id"] as! String
            let data = try #require(FileManager.default.contents(atPath: base + "/out/\(id)/report.json"), "\(id): no report")
            let report = try JSONSerialization.jsonObject(with: data) as! [String: Any]
            #expect(report["resolution"] as? String == want["resolved"] as? String, "\(id): \(report)")
            #expect(report["resolved"] as? Bool == (want["resolved"] as? String == "FULL"), "SWE-bench's boolean")
            switch id.dropFirst("mathkit__mathkit-".count) {
            case "gold":
                #expect((report["FAIL_TO_PASS"] as? [String: [String]])?["failure"]?.isEmpty == true)
                #expect(report["apply_strategy"] as? String == "git apply")
                #expect(FileManager.default.fileExists(atPath: base + "/out/\(id)/junit.xml"), "the JUnit report is kept")
            case "fuzzy":
                #expect(report["apply_strategy"] as? String == "patch --fuzz" && report["fuzzy_apply"] as? Bool == true)
            case "noapply":
                #expect(report["patch_successfully_applied"] as? Bool == false && report["error"] != nil)
            case "empty":
                #expect(report["empty_patch"] as? Bool == true)
            case "conftest":
                #expect(report["dropped_changes"] as? [String] == ["conftest.py: test configuration"])
            case "hang":
                #expect((report["sandbox_status"] as? String)?.hasPrefix("timeout") == true)
                // Said as what it is, not as the half-written report it left.
                #expect((report["error"] as? String)?.contains("the tests did not finish (wall limit 6s, CPU limit 6s)") == true)
            case "forkbomb":
                #expect(report["sandbox_status"] as? String == "exited(1)", "contained: the run ended on its own")
            case "diskflood":
                #expect(report["sandbox_status"] as? String == "exited(1)", "contained: the run ended on its own")
                let output = try String(contentsOfFile: base + "/out/\(id)/test_output.txt", encoding: .utf8)
                #expect(output.contains("OSError: [Errno 28] No space left on device"), "the run's quota did not stop the flood")
            case "gitdir", "dotgit-space", "symlink", "edscript", "binary", "rename-into-git":
                // Refused before anything touched a tree: never applied, never run.
                #expect((report["error"] as? String)?.hasPrefix("patch refused") == true, "\(id): \(report)")
                #expect(report["sandbox_status"] == nil || report["sandbox_status"] is NSNull, "\(id)")
            case "atexit-report", "report-monkeypatch":
                #expect((report["error"] as? String)?.contains("disagrees") == true, "\(id): \(report)")
                #expect((report["suspicious"] as? [String])?.isEmpty == false, "\(id)")
            case "sender-rewrite":
                // The plugin's sender rewritten, forged records on the pipe, the JUnit file
                // rewritten: what no key signed is counted and nothing is believed.
                #expect((report["error"] as? String)?.contains("not sent by Proctor's stream") == true, "\(id): \(report)")
                #expect((report["suspicious"] as? [String])?.contains { $0.hasPrefix("stream: ") } == true, "\(id)")
                #expect((report["suspicious"] as? [String])?.contains { $0.hasPrefix("audit: writes_report") } == true, "\(id)")
            case "runner-rebind":
                #expect((report["suspicious"] as? [String])?.contains("audit: patches_test_machinery: _pytest.runner.call_runtest_hook was rebound") == true, "\(id): \(report)")
                #expect((report["FAIL_TO_PASS"] as? [String: [String]])?["success"]?.isEmpty == true, "\(id)")
            case "stream-cut", "exit-after-report":
                #expect((report["error"] as? String)?.contains("never finished") == true, "\(id): \(report)")
            case "gitignore-conftest", "tests-init", "distinfo-plugin", "shadow-pytest", "usercustomize":
                #expect((report["dropped_changes"] as? [String])?.isEmpty == false, "\(id): \(report)")
                #expect(report["error"] == nil || report["error"] is NSNull, "\(id): \(report)")
            default: break
            }
        }
        // No planted git configuration ran anything on the host, and the source repository's
        // git directory holds only what git itself wrote.
        #expect(!FileManager.default.fileExists(atPath: "/tmp/proctor-canary-fsmonitor"))
        #expect(!FileManager.default.fileExists(atPath: "/tmp/proctor-canary-ed"))
        let config = try String(contentsOfFile: base + "/repos/mathkit/.git/config", encoding: .utf8)
        #expect(!config.contains("fsmonitor"))
        let summary =
            try JSONSerialization.jsonObject(with: try #require(FileManager.default.contents(atPath: base + "/out/report.json")))
            as! [String: Any]
        #expect(summary["total_instances"] as? Int == 28)
        #expect(summary["submitted_instances"] as? Int == 28)
        #expect(summary["resolved_instances"] as? Int == 2)
        #expect(summary["empty_patch_instances"] as? Int == 1)
        // The patch that does not apply, the hang, six refused patches, three tampered reports,
        // three tampered streams.
        #expect(summary["error_instances"] as? Int == 14)
        #expect(summary["completed_instances"] as? Int == 13)
        #expect((summary["suspicious_ids"] as? [String])?.contains("mathkit__mathkit-gold-tracing") == true)
        // What a rerun needs is on disk; nothing of the runs is left behind.
        for file in ["model.patch", "apply.log", "test_command.sh", "test_output.txt"] {
            #expect(FileManager.default.fileExists(atPath: base + "/out/mathkit__mathkit-partial/" + file), "\(file)")
        }
        let worktrees = (try? FileManager.default.contentsOfDirectory(atPath: base + "/repos/mathkit/.git/worktrees")) ?? []
        #expect(worktrees.isEmpty)

        // Any instance can be rerun from its directory alone; a doctored record is caught.
        let repro = try ProctorExecutable.run(["repro", base + "/out/mathkit__mathkit-partial"])
        #expect(repro.status == 0, "\(repro.stdout)\(repro.stderr)")
        #expect(repro.stdout.contains("recorded PARTIAL, now PARTIAL"))
        let partialReport = base + "/out/mathkit__mathkit-partial/report.json"
        let original = try String(contentsOfFile: partialReport, encoding: .utf8)
        try original.replacingOccurrences(of: "\"PARTIAL\"", with: "\"FULL\"").write(
            toFile: partialReport, atomically: true, encoding: .utf8)
        let doctored = try ProctorExecutable.run(["repro-repo", base + "/out/mathkit__mathkit-partial"])
        #expect(doctored.status == 3)
        try original.write(toFile: partialReport, atomically: true, encoding: .utf8)
        // repro-repo takes the same path: a hostile instance reruns contained, to the same verdict.
        for hostile in ["mathkit__mathkit-report-monkeypatch", "mathkit__mathkit-gitdir"] {
            let rerun = try ProctorExecutable.run(["repro-repo", base + "/out/" + hostile])
            #expect(rerun.status == 0, "\(hostile): \(rerun.stdout)\(rerun.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: "/tmp/proctor-canary-fsmonitor"))

        // Resume: a second run reuses every instance's report.
        let again = try ProctorExecutable.run([
            "grade-repo", "--instances", Self.fixtures + "/instances.jsonl", "--predictions", Self.fixtures + "/predictions.jsonl",
            "--repos", base + "/repos", "--out", base + "/out", "--timeout", "6s",
        ])
        #expect(again.status == 0)
        #expect(again.stdout.contains("resolved  2 FULL, 2 PARTIAL"))

        // --strict: the suspicious fix is unresolved, the clean one still resolves.
        let strictPredictions = base + "/strict-predictions.jsonl"
        let lines = try String(contentsOfFile: Self.fixtures + "/predictions.jsonl", encoding: .utf8).split(separator: "\n")
            .filter { $0.contains("\"mathkit__mathkit-gold\"") || $0.contains("\"mathkit__mathkit-gold-tracing\"") }
        try (lines.joined(separator: "\n") + "\n").write(toFile: strictPredictions, atomically: true, encoding: .utf8)
        let strict = try ProctorExecutable.run([
            "grade-repo", "--instances", Self.fixtures + "/instances.jsonl", "--predictions", strictPredictions,
            "--repos", base + "/repos", "--out", base + "/strict", "--timeout", "6s", "--strict",
        ])
        #expect(strict.status == 0, "\(strict.stderr)")
        let tracing = try JSONSerialization.jsonObject(
            with: try #require(FileManager.default.contents(atPath: base + "/strict/mathkit__mathkit-gold-tracing/report.json")))
            as! [String: Any]
        #expect(tracing["resolution"] as? String == "NO", "\(tracing)")
        #expect((tracing["suspicious"] as? [String])?.contains { $0.hasPrefix("audit: trace_hook") } == true, "\(tracing)")
        #expect(strict.stdout.contains("mathkit__mathkit-gold\n") || strict.stdout.contains("FULL     mathkit__mathkit-gold"))
    }

    @Test func infrastructureErrorsAreGradedAgainOnResumeVerdictsAreNot() throws {
        try #require(ProctorExecutable.isBuilt)
        let base = NSTemporaryDirectory() + "proctor-grade-repo-resume-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: base) }
        // The gold instance, pointing at a repository that is not there yet.
        let instance = try #require(
            try String(contentsOfFile: Self.fixtures + "/instances.jsonl", encoding: .utf8).split(separator: "\n").first)
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        try (instance.replacingOccurrences(of: "\"repo\": \"mathkit\"", with: "\"repo\": \"later/mathkit\"") + "\n")
            .write(toFile: base + "/instances.jsonl", atomically: true, encoding: .utf8)
        let prediction = try #require(
            try String(contentsOfFile: Self.fixtures + "/predictions.jsonl", encoding: .utf8).split(separator: "\n").first)
        try (prediction + "\n").write(toFile: base + "/predictions.jsonl", atomically: true, encoding: .utf8)
        let arguments = [
            "grade-repo", "--instances", base + "/instances.jsonl", "--predictions", base + "/predictions.jsonl", "--out",
            base + "/out", "--timeout", "10s",
        ]
        let first = try ProctorExecutable.run(arguments)
        #expect(first.stdout.contains("ERROR    mathkit__mathkit-gold"), "\(first.stdout)\(first.stderr)")
        // The repository appears: the same --out grades the instance instead of reusing the error.
        _ = try ProctorExecutable.runTool(ProctorExecutable.root + "/scripts/build-fixture-repo", [base + "/later"])
        let second = try ProctorExecutable.run(arguments)
        #expect(second.stdout.contains("FULL     mathkit__mathkit-gold"), "\(second.stdout)\(second.stderr)")
        // A verdict is reused (the report is not rewritten).
        let report = base + "/out/mathkit__mathkit-gold/report.json"
        let before = try FileManager.default.attributesOfItem(atPath: report)[.modificationDate] as? Date
        let third = try ProctorExecutable.run(arguments)
        #expect(third.stdout.contains("FULL     mathkit__mathkit-gold"))
        #expect(try FileManager.default.attributesOfItem(atPath: report)[.modificationDate] as? Date == before)
    }

    @Test func swebenchShapesGoldSubsetsAndJSONPredictions() throws {
        try #require(ProctorExecutable.isBuilt)
        let base = NSTemporaryDirectory() + "proctor-grade-repo-swe-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: base) }
        _ = try ProctorExecutable.runTool(ProctorExecutable.root + "/scripts/build-fixture-repo", [base + "/repos"])
        // SWE-bench's validation run: each instance's own patch, on a subset.
        let gold = try ProctorExecutable.run([
            "grade-repo", "--instances", Self.fixtures + "/instances.jsonl", "--predictions", "gold", "--instance-ids",
            "mathkit__mathkit-partial,mathkit__mathkit-hang", "--repos", base + "/repos", "--out", base + "/gold", "--timeout", "10s",
        ])
        #expect(gold.status == 0, "\(gold.stderr)")
        #expect(gold.stdout.contains("resolved  2 FULL"), "\(gold.stdout)")
        let run = try JSONSerialization.jsonObject(with: try #require(FileManager.default.contents(atPath: base + "/gold/report.json")))
            as! [String: Any]
        #expect(run["schema_version"] as? Int == 2)
        #expect(Set(run["submitted_ids"] as? [String] ?? []) == ["mathkit__mathkit-partial", "mathkit__mathkit-hang"])
        #expect((run["completed_ids"] as? [String])?.count == 2 && (run["incomplete_ids"] as? [String]) == [])
        let instance = try JSONSerialization.jsonObject(
            with: try #require(FileManager.default.contents(atPath: base + "/gold/mathkit__mathkit-hang/report.json"))) as! [String: Any]
        #expect(instance["resolved"] as? Bool == true && instance["resolution"] as? String == "FULL")
        let status = try #require(instance["tests_status"] as? [String: [String: [String]]])
        #expect(Set(status.keys) == ["FAIL_TO_PASS", "PASS_TO_PASS", "FAIL_TO_FAIL", "PASS_TO_FAIL"])
        #expect(status["FAIL_TO_PASS"]?["success"]?.count == 3)
        let log = try String(contentsOfFile: base + "/gold/mathkit__mathkit-hang/run_instance.log", encoding: .utf8)
        #expect(log.contains("result: FULL"), "\(log)")
        // Predictions as one JSON list (SWE-bench's .json files), graded like JSON Lines.
        let lines = try String(contentsOfFile: Self.fixtures + "/predictions.jsonl", encoding: .utf8).split(separator: "\n").prefix(2)
        try ("[\n" + lines.joined(separator: ",\n") + "\n]\n").write(toFile: base + "/preds.json", atomically: true, encoding: .utf8)
        let list = try ProctorExecutable.run([
            "grade-repo", "--instances", Self.fixtures + "/instances.jsonl", "--predictions", base + "/preds.json", "--repos",
            base + "/repos", "--out", base + "/list", "--timeout", "10s",
        ])
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.stdout.contains("FULL     mathkit__mathkit-gold") && list.stdout.contains("EMPTY    mathkit__mathkit-empty"), "\(list.stdout)")
        let unknown = try ProctorExecutable.run([
            "grade-repo", "--instances", Self.fixtures + "/instances.jsonl", "--predictions", "gold", "--instance-ids", "nope",
            "--out", base + "/none",
        ])
        #expect(unknown.status == 64 && unknown.stderr.contains("--instance-ids: no prediction for 'nope'"), "\(unknown.stderr)")
    }

    @Test func badInputNamesFileAndLine() throws {
        try #require(ProctorExecutable.isBuilt)
        let path = NSTemporaryDirectory() + "proctor-bad-predictions-\(getpid()).jsonl"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "{\"instance_id\": \"mathkit__mathkit-gold\", \"model_patch\": \"\"}\n{broken\n".write(
            toFile: path, atomically: true, encoding: .utf8)
        let invocation = try ProctorExecutable.run([
            "grade-repo", "--instances", Self.fixtures + "/instances.jsonl", "--predictions", path, "--out",
            NSTemporaryDirectory() + "unused",
        ])
        #expect(invocation.status == 64)
        #expect(invocation.stderr.contains("\(path):2"), "\(invocation.stderr)")
    }
}
