import Foundation
import Grader
import Sandbox
import SchemaCheck
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Attacks specific to stdin/stdout judging (Fixtures/adversarial/stdio): another test's answer,
/// the expected outputs looked for on disk, the test index learned across runs, floods below
/// and above the cap, sleeping just under the limit on every test, fd 1 closed, answers on
/// stderr, a child left to answer later, huge inputs. Each gets the verdict its fixture names,
/// nothing outlives the runs, and the sample's budget bounds the total time.
@Suite(.serialized)
struct StdioCorpusTests {
    static let corpus = AdversarialCorpusTests.root + "/Fixtures/adversarial/stdio"

    @Test func everyAttackGetsItsVerdict() throws {
        let expected = try String(contentsOfFile: Self.corpus + "/expected.jsonl", encoding: .utf8).split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
        let out = "/tmp/proctor-adversarial-stdio-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: out) }
        let profile = try SandboxProfile.load(named: "python-strict", sandboxesDirectory: AdversarialCorpusTests.root + "/Sandboxes")
        var options = GradeOptions(
            problemsPath: Self.corpus + "/problems.jsonl", samplesPath: Self.corpus + "/samples.jsonl", outDirectory: out,
            profile: profile, limits: profile.definition.limits)
        options.ks = [1]
        options.workers = 2
        _ = try GradeRun(options).run()
        SchemaCheck.expectConforming(out)
        let rows = try String(contentsOfFile: out + "/samples.jsonl", encoding: .utf8).split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
        #expect(rows.count == expected.count)
        for (row, want) in zip(rows, expected) {
            #expect(row["status"] as? String == want["status"] as? String, "'\(want["attack"]!)': got \(row["status"] ?? "?") (\(row["error"] ?? ""))")
        }
        // Sleeping 0.25 s on each of 30 tests of 0.3 s: no CPU, so it passes; it held the worker
        // no longer than the sample's budget, (0.3 + 1) s × 30 + 5 s.
        let sleeper = rows[0]
        #expect((sleeper["tests_run"] as? Int ?? 0) == 30 && (sleeper["wall_ms"] as? Double ?? 1e9) < 1300 * 30 + 5000)
        // What the file finder saw: its own program and scratch, no expected output, no other test.
        let seen = ((rows[2]["diff"] as? [String: String])?["got"]) ?? ""
        #expect(!seen.isEmpty && !seen.contains("answer") && !seen.contains("expected") && !seen.contains("input"))
        // Hidden tests leave no data in rows.
        for row in rows where (row["diff"] as? [String: Any])?["hidden"] != nil {
            #expect(row["stderr_tail"] == nil)
        }
        #expect(AdversarialCorpusTests.slotProcesses().isEmpty, "processes of the runs outlived them")
    }
}
