import Foundation
import Results
import Testing

@testable import Grader

/// The fixture benchmark: every sample gets exactly the verdict recorded in expected.jsonl.
@Suite(.serialized)
struct BenchmarkFixtureTests {
    @Test(arguments: PoolMode.allCases)
    func everySampleGetsItsExpectedVerdict(_ mode: PoolMode) throws {
        let out = Checkout.outDirectory("fixture")
        let summary = try Checkout.grade(
            problems: Checkout.benchmark + "/problems.jsonl", samples: Checkout.benchmark + "/samples.jsonl", out: out, ks: [1, 2, 5],
            pool: mode)
        let rows = try Checkout.rows(out + "/samples.jsonl")
        // The rows are the rows written before the one results schema (recorded with the warm
        // pool: a cold run names a blocked syscall the warm pool cannot, and a killed run's signal).
        if mode == .warm { try RowsBefore.expectUnchanged(out, as: "benchmark") }
        let expected = try Checkout.rows(Checkout.benchmark + "/expected.jsonl")
        #expect(rows.count == expected.count)
        for (row, want) in zip(rows, expected) {
            // Same order as the input, and the recorded verdict.
            #expect(row["task_id"] as? String == want["task_id"] as? String)
            #expect(row["completion_id"] as? String == want["completion_id"] as? String)
            #expect(
                row["status"] as? String == want["status"] as? String,
                "\(want["task_id"]!)#\(want["completion_id"]!): \(want["why"]!) → \(row["result"]!)")
            #expect(row["passed"] as? Bool == want["passed"] as? Bool)
        }
        let passes = expected.filter { $0["passed"] as? Bool == true }.count
        #expect(summary.passed == passes)
        #expect(summary.statusCounts["timeout"] == expected.filter { $0["status"] as? String == "timeout" }.count)
        #expect(summary.passAtK[2].value == nil)  // some tasks have fewer than 5 samples
        #expect(FileManager.default.fileExists(atPath: out + "/summary.json"))
    }

    @Test func rowsCarryHumanEvalFieldsAndAnAuditBlock() throws {
        let out = Checkout.outDirectory("rows")
        _ = try Checkout.grade(
            problems: Checkout.benchmark + "/problems.jsonl", samples: Checkout.benchmark + "/samples.jsonl", out: out)
        let rows = try Checkout.rows(out + "/samples.jsonl")
        let wrong = try #require(rows.first { $0["task_id"] as? String == "Fixture/0" && $0["completion_id"] as? String == "1" })
        #expect(wrong["result"] as? String == "failed: ")
        #expect(wrong["completion"] as? String == "    return a - b\n")
        // Every row and the summary say which results schema they are written in.
        #expect(rows.allSatisfy { $0["schema_version"] as? Int == ResultsSchema.version })
        let summary = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/summary.json"))) as? [String: Any])
        #expect(summary["schema_version"] as? Int == ResultsSchema.version)
        // Every status a row holds is a word of the one vocabulary.
        #expect(rows.allSatisfy { SampleStatus(row: $0["status"] as? String) != nil })
        let error = try #require(wrong["error"] as? [String: Any])
        #expect(error["type"] as? String == "AssertionError")
        #expect(error["source"] as? String == "assert candidate(1, 2) == 3")
        let audit = try #require(wrong["audit"] as? [String: Any])
        for key in [
            "problem_sha256", "sample_sha256", "program_sha256", "profile_sha256", "limits", "proctor_version",
            "python_version", "kernel", "timestamp",
        ] {
            #expect(audit[key] != nil, "audit lacks \(key)")
        }
        let timeout = try #require(rows.first { $0["status"] as? String == "timeout" })
        #expect(timeout["result"] as? String == "timed out")
        let exited = try #require(rows.first { $0["status"] as? String == "no_verdict" })
        #expect(exited["passed"] as? Bool == false)
    }

    @Test func resumingSkipsGradedSamplesAndRegradesChangedOnes() throws {
        let problems = Checkout.benchmark + "/problems.jsonl"
        let first = try Checkout.file(
            "samples.jsonl",
            [
                #"{"task_id": "Fixture/0", "completion": "    return a + b\n"}"#,
                #"{"task_id": "Fixture/0", "completion": "    return a - b\n"}"#,
                #"{"task_id": "Fixture/6", "completion": "    return 1\n"}"#,
            ])
        let out = Checkout.outDirectory("resume")
        let initial = try Checkout.grade(problems: problems, samples: first, out: out, allowPartial: true)
        #expect(initial.samplesGraded == 3 && initial.samplesReused == 0)
        let again = try Checkout.grade(problems: problems, samples: first, out: out, allowPartial: true)
        #expect(again.samplesGraded == 0 && again.samplesReused == 3)
        #expect(again.passed == initial.passed)
        // Change the second sample: only it is graded again, and the file keeps one row per sample, in order.
        let changed = try Checkout.file(
            "samples.jsonl",
            [
                #"{"task_id": "Fixture/0", "completion": "    return a + b\n"}"#,
                #"{"task_id": "Fixture/0", "completion": "    return b + a\n"}"#,
                #"{"task_id": "Fixture/6", "completion": "    return 1\n"}"#,
            ])
        let third = try Checkout.grade(problems: problems, samples: changed, out: out, allowPartial: true)
        #expect(third.samplesGraded == 1 && third.samplesReused == 2)
        #expect(third.passed == 2)
        let rows = try Checkout.rows(out + "/samples.jsonl")
        #expect(rows.map { $0["completion_id"] as? String } == ["0", "1", "0"])
        #expect(rows[1]["completion"] as? String == "    return b + a\n")
    }
}

/// A sample killed for its wall time is still accounted: the CPU it burned and the memory it
/// held are in its row, in both pool modes.
struct KilledSampleAccountingTests {
    @Test(arguments: PoolMode.allCases)
    func aWallTimeoutKeepsTheSamplesCPUAndMemory(_ pool: PoolMode) throws {
        let samples = try Checkout.file(
            "samples.jsonl",
            [
                #"{"task_id": "Fixture/0", "completion": "    import time\n    block = bytearray(24 << 20)\n    end = time.process_time() + 0.5\n    while time.process_time() < end:\n        pass\n    time.sleep(30)\n"}"#
            ])
        let out = Checkout.outDirectory("killed")
        _ = try Checkout.grade(
            problems: Checkout.benchmark + "/problems.jsonl", samples: samples, out: out, allowPartial: true, timeout: 1.5, pool: pool)
        let row = try #require(try Checkout.rows(out + "/samples.jsonl").first)
        #expect(row["status"] as? String == "timeout", "\(row)")
        #expect((row["cpu_ms"] as? Double ?? 0) >= 400, "\(pool): cpu_ms \(row["cpu_ms"] ?? "?")")
        #expect((row["peak_rss_kib"] as? Double ?? Double(row["peak_rss_kib"] as? Int ?? 0)) >= 24 * 1024, "\(pool): \(row["peak_rss_kib"] ?? "?")")
    }
}

/// Standard-library containers cross as the real stdlib types, in both pool modes.
struct StdlibValueTests {
    @Test(arguments: PoolMode.allCases)
    func stdlibContainersCrossAsThemselves(_ pool: PoolMode) throws {
        let fixtures = Checkout.root + "/Fixtures/stdlib"
        let out = Checkout.outDirectory("stdlib")
        _ = try Checkout.grade(problems: fixtures + "/problems.jsonl", samples: fixtures + "/samples.jsonl", out: out, pool: pool)
        let rows = try Checkout.rows(out + "/samples.jsonl")
        let expected = try Checkout.rows(fixtures + "/expected.jsonl")
        #expect(rows.count == expected.count)
        for (row, want) in zip(rows, expected) {
            #expect(row["status"] as? String == want["status"] as? String, "\(pool) \(want["why"] ?? ""): \(row["result"] ?? "")")
        }
    }
}

/// What a failing row says about where it failed.
struct FailureRowTests {
    @Test(arguments: PoolMode.allCases)
    func aFailedRowCountsItsCallsAndQuotesTheWholeStatement(_ pool: PoolMode) throws {
        let problems = try Checkout.file(
            "problems.jsonl",
            [
                #"{"task_id": "Multi/0", "prompt": "def add(a, b):\n", "entry_point": "add", "test": "def check(candidate):\n    assert candidate(1, 1) == 2\n    assert candidate(\n        2,\n        3) == 5\n"}"#
            ])
        let samples = try Checkout.file("samples.jsonl", [#"{"task_id": "Multi/0", "completion": "    return 2\n"}"#])
        let out = Checkout.outDirectory("failure-row")
        _ = try Checkout.grade(problems: problems, samples: samples, out: out, pool: pool)
        let row = try #require(try Checkout.rows(out + "/samples.jsonl").first)
        #expect(row["status"] as? String == "failed")
        #expect(row["tests_calls"] as? Int == 2, "\(row)")
        let error = try #require(row["error"] as? [String: Any])
        #expect(error["source"] as? String == "assert candidate(\n2,\n3) == 5", "\(error)")
    }
}
