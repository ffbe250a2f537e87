import Foundation
import Sandbox
import Testing

import Results

@testable import Grader

/// Inputs problems (EvalPlus-style): base/plus counting, the comparison rule, per-input time
/// limits, the reference computed once and cached, dynamic tasks' seeds, hostile task code.
@Suite(.serialized) struct DifferentialTests {
    static let fixtures = Checkout.root + "/Fixtures/function"

    static func expected(_ name: String) throws -> [[String: Any]] { try Checkout.rows(fixtures + "/" + name) }

    @Test(arguments: [PoolMode.warm, PoolMode.cold])
    func fixturesGetTheirVerdicts(pool: PoolMode) throws {
        let out = Checkout.outDirectory("differential-\(pool)")
        let summary = try Checkout.grade(
            problems: Self.fixtures + "/problems.jsonl", samples: Self.fixtures + "/samples.jsonl", out: out, pool: pool
        ) { $0.seed = 7 }
        let rows = try Checkout.rows(out + "/samples.jsonl")
        if pool == .warm { try RowsBefore.expectUnchanged(out, as: "function") }
        let expected = try Self.expected("expected.jsonl")
        #expect(rows.count == expected.count)
        for (row, want) in zip(rows, expected) {
            let name = "\(want["task_id"]!)#\(want["completion_id"]!)"
            #expect(row["status"] as? String == want["status"] as? String, "\(name): \(row["result"] ?? "")")
            #expect(row["base_passed"] as? Bool == want["base_passed"] as? Bool, "\(name) base")
            #expect(row["plus_passed"] as? Bool == want["plus_passed"] as? Bool, "\(name) plus")
        }
        // pass@1 over tasks: base counts base_passed (passed where a task has no base inputs),
        // the main score base and plus together.
        var byTask: [String: (n: Double, base: Double, both: Double)] = [:]
        for want in expected {
            let task = want["task_id"] as! String
            let passed = (want["status"] as! String) == "passed"
            var entry = byTask[task] ?? (0, 0, 0)
            entry.n += 1
            entry.base += (want["base_passed"] as? Bool ?? passed) ? 1 : 0
            entry.both += passed ? 1 : 0
            byTask[task] = entry
        }
        let base = byTask.values.map { $0.base / $0.n }.reduce(0, +) / Double(byTask.count)
        let both = byTask.values.map { $0.both / $0.n }.reduce(0, +) / Double(byTask.count)
        #expect(abs((summary.passAtKBase?.first?.value ?? -1) - base) < 1e-9)
        #expect(abs((summary.passAtK.first?.value ?? -1) - both) < 1e-9)
        #expect(summary.seed == "7")
        // The first failing input is named; a per-input timeout says which input and its limit.
        let naive = try #require(rows.first { $0["completion_id"] as? String == "naive" })
        let failing = try #require(naive["failing_input"] as? [String: Any])
        #expect(failing["group"] as? String == "plus" && failing["kind"] as? String == "timeout")
        #expect((naive["error"] as? [String: Any])?["message"] as? String ?? "" == "plus input #1 took longer than its limit of 1000 ms")
    }

    /// Expected values of tens of MB (EvalPlus's HumanEval/15 and /130 have such): the reference
    /// computes them under its own memory limit, the tests file keeps their digests, and a
    /// result matches only when it is the same value of the same type, to the last digit.
    @Test(arguments: [PoolMode.warm, PoolMode.cold])
    func largeExpectedValuesAreComparedExactly(pool: PoolMode) throws {
        let out = Checkout.outDirectory("differential-large-\(pool)")
        _ = try Checkout.grade(
            problems: Self.fixtures + "/large_problems.jsonl", samples: Self.fixtures + "/large_samples.jsonl", out: out, timeout: 20,
            pool: pool
        ) {
            $0.differential.cacheDirectory = nil
            // A 20 MB answer built from 3 million small strings: room for it, not the default's edge.
            $0.limits.memory = ByteCount(bytes: 1 << 30)
        }
        let rows = try Checkout.rows(out + "/samples.jsonl")
        let expected = try Self.expected("large_expected.jsonl")
        #expect(rows.count == expected.count)
        for (row, want) in zip(rows, expected) {
            let name = "\(want["task_id"]!)#\(want["completion_id"]!)"
            #expect(row["status"] as? String == want["status"] as? String, "\(name): \(want["why"]!) — \(row["result"] ?? "")")
            #expect(row["base_passed"] as? Bool == want["base_passed"] as? Bool, "\(name) base")
            #expect(row["plus_passed"] as? Bool == want["plus_passed"] as? Bool, "\(name) plus")
        }
        // A reference that cannot fit its memory says which task and how to give it more.
        let small = Checkout.outDirectory("differential-large-small-\(pool)")
        _ = try Checkout.grade(
            problems: Self.fixtures + "/large_problems.jsonl", samples: Self.fixtures + "/large_samples.jsonl", out: small, timeout: 20,
            pool: pool
        ) {
            $0.differential.cacheDirectory = nil
            $0.differential.referenceMemory = 64 << 20
        }
        let starved = try Checkout.rows(small + "/samples.jsonl")
        #expect(starved.allSatisfy { $0["status"] as? String == "reference_error" })
        #expect(starved.contains { ($0["result"] as? String ?? "").contains("large/sequence: reference run") && ($0["result"] as? String ?? "").contains("--reference-memory") })
    }

    @Test func referenceRunsOncePerTaskAndIsCached() throws {
        let cache = Checkout.outDirectory("differential-cache")
        func run(_ name: String) throws -> GradeSummary {
            try Checkout.grade(
                problems: Self.fixtures + "/problems.jsonl", samples: Self.fixtures + "/samples.jsonl", out: Checkout.outDirectory(name)
            ) {
                $0.seed = 11
                $0.differential.cacheDirectory = cache
            }
        }
        let first = try run("differential-cache-1")
        // 7 tasks, 23 samples: one reference run per task.
        #expect(first.references == GradeSummary.ReferenceCounts(computed: 7, cached: 0))
        let second = try run("differential-cache-2")
        #expect(second.references == GradeSummary.ReferenceCounts(computed: 0, cached: 7))
        #expect(second.passAtK.first?.value == first.passAtK.first?.value)
        // A cache file that was altered is not trusted: computed again.
        let files = try FileManager.default.contentsOfDirectory(atPath: cache).filter { $0.hasSuffix(".cases") }
        #expect(files.count == 7)
        try Data([0x4e]).write(to: URL(fileURLWithPath: cache + "/" + files[0]))
        let third = try run("differential-cache-3")
        #expect(third.references == GradeSummary.ReferenceCounts(computed: 1, cached: 6))
    }

    @Test func theSeedPicksTheTestsAndReproRegeneratesThem() throws {
        var outs: [String: String] = [:]
        func dynamicCases(seed: UInt64, _ name: String) throws -> [String: String] {
            let out = Checkout.outDirectory(name)
            outs[name] = out
            _ = try Checkout.grade(problems: Self.fixtures + "/problems.jsonl", samples: Self.fixtures + "/samples.jsonl", out: out) {
                $0.seed = seed
            }
            var cases: [String: String] = [:]
            for row in try Checkout.rows(out + "/samples.jsonl") where (row["task_id"] as! String).hasPrefix("dyn/") {
                let audit = row["audit"] as! [String: Any]
                #expect(audit["seed"] as? String == String(seed))
                cases[row["task_id"] as! String] = audit["reference_sha256"] as? String
            }
            return cases
        }
        let a = try dynamicCases(seed: 1, "differential-seed-1")
        let b = try dynamicCases(seed: 1, "differential-seed-1b")
        let c = try dynamicCases(seed: 2, "differential-seed-2")
        #expect(a.count == 2 && a == b)
        #expect(a["dyn/gcd"] != c["dyn/gcd"] && a["dyn/reverse_words"] != c["dyn/reverse_words"])
        // A resumed run without a seed keeps the earlier run's (the same tests).
        let resumed = try #require(outs["differential-seed-1b"])
        let again = try Checkout.grade(problems: Self.fixtures + "/problems.jsonl", samples: Self.fixtures + "/samples.jsonl", out: resumed)
        let sampleCount = try Self.expected("expected.jsonl").count
        #expect(again.seed == "1" && again.samplesReused == sampleCount)
        // repro: the recorded seed gives the same cases (their sha256) and the same verdict.
        let repro = try Repro(
            resultsPath: resumed + "/samples.jsonl", identifier: "dyn/reverse_words#split_space",
            problemsPath: Self.fixtures + "/problems.jsonl", sandboxesDirectory: Checkout.root + "/Sandboxes")
        let result = try repro.runInputs()
        #expect(result.sameTests && result.status == .failed && result.plusPassed == false)
    }

    /// EvalPlus's rule and ours where it is silent: floats within atol + 1e-7·|expected| (atol 0
    /// on a float means 1e-6); NaN equals NaN; -0.0 equals 0.0; 1 equals 1.0; containers element
    /// by element, of the same type.
    @Test func comparisonRule() throws {
        let cases: [(reference: String, candidate: String, atol: Double, passes: Bool)] = [
            ("0.1 + 0.2", "0.3", 0, true),
            ("0.1 + 0.2", "0.3001", 0, false),
            ("0.1 + 0.2", "0.3001", 1e-3, true),
            ("float('nan')", "float('nan')", 0, true),
            ("float('nan')", "0.0", 0, false),
            ("-0.0", "0.0", 0, true),
            ("1", "1.0", 0, true),
            ("[1.0, float('nan'), (2.0, 3.0)]", "[1.0000001, float('nan'), (2.0, 3.0)]", 0, true),
            ("[1.0, 2.0]", "(1.0, 2.0)", 0, false),
            ("float('inf')", "float('inf')", 0, true),
            ("float('inf')", "1e308", 0, false),
            ("{'a': 1}", "{'a': 1}", 0, true),
            ("[1, 2]", "[1, 2, 3]", 0, false),
        ]
        var problems: [String] = []
        var samples: [String] = []
        for (index, item) in cases.enumerated() {
            let problem: [String: Any] = [
                "task_id": "cmp/\(index)", "prompt": "def f():\n", "entry_point": "f",
                "canonical_solution": "    return \(item.reference)\n", "inputs": [[Any]()], "atol": item.atol,
            ]
            problems.append(String(decoding: try JSONSerialization.data(withJSONObject: problem), as: UTF8.self))
            samples.append(#"{"task_id": "cmp/\#(index)", "completion": "    return \#(item.candidate)\n"}"#)
        }
        let out = Checkout.outDirectory("differential-compare")
        _ = try Checkout.grade(problems: try Checkout.file("cmp.jsonl", problems), samples: try Checkout.file("cmp-s.jsonl", samples), out: out)
        for (row, item) in zip(try Checkout.rows(out + "/samples.jsonl"), cases) {
            #expect(row["passed"] as? Bool == item.passes, "\(item.reference) vs \(item.candidate) (atol \(item.atol)): \(row["result"] ?? "")")
        }
    }

    /// Task code is trusted to be right, never to be fast or quiet: each hostile task ends in a
    /// reference_error that says why, quickly, and no sample of it passes.
    @Test func hostileReferencesAndGenerators() throws {
        let out = Checkout.outDirectory("differential-hostile")
        let start = Date()
        let summary = try Checkout.grade(
            problems: Self.fixtures + "/hostile_tasks.jsonl", samples: Self.fixtures + "/hostile_samples.jsonl", out: out
        ) { $0.differential.referenceBudget = 1 }
        #expect(Date().timeIntervalSince(start) < 60)
        #expect(summary.passed == 0)
        for (row, want) in zip(try Checkout.rows(out + "/samples.jsonl"), try Self.expected("hostile_expected.jsonl")) {
            #expect(row["status"] as? String == "reference_error", "\(want["task_id"]!)")
            #expect((row["result"] as? String ?? "").contains(want["message_contains"] as! String), "\(row["result"] ?? "")")
        }
    }

    /// Python's json writes NaN and Infinity; EvalPlus-style files may hold them as inputs, and
    /// big integers beyond 64 bits reach the reference exactly (Python reads the line itself).
    @Test func nanInfinityAndBigIntegerInputs() throws {
        let problems = try Checkout.file(
            "nan.jsonl",
            [
                #"{"task_id": "n", "prompt": "def f(x):\n", "entry_point": "f", "canonical_solution": "    return x * 2\n", "base_input": [[NaN], [Infinity], [-Infinity], [123456789012345678901234567890]]}"#
            ])
        let samples = try Checkout.file(
            "nan-s.jsonl", [#"{"task_id": "n", "completion_id": "right", "completion": "    return x + x\n"}"#, #"{"task_id": "n", "completion_id": "float", "completion": "    return float(x) * 2\n"}"#])
        let out = Checkout.outDirectory("differential-nan")
        _ = try Checkout.grade(problems: problems, samples: samples, out: out)
        let rows = try Checkout.rows(out + "/samples.jsonl")
        #expect(rows.map { $0["status"] as? String } == ["passed", "failed"], "\(rows.map { $0["result"] ?? "" })")
    }

    @Test func malformedInputsAreNamedByLine() throws {
        let path = try Checkout.file(
            "bad-inputs.jsonl",
            [
                #"{"task_id": "a", "prompt": "def f(x):\n", "entry_point": "f", "canonical_solution": "    return x\n", "base_input": [[1]]}"#,
                #"{"task_id": "b", "prompt": "def f(x):\n", "entry_point": "f", "canonical_solution": "    return x\n", "base_input": [1, 2]}"#,
            ])
        do {
            _ = try ProblemSet(path: path)
            Issue.record("a malformed base_input was accepted")
        } catch {
            #expect(error.description.contains("bad-inputs.jsonl:2") && error.description.contains("list of argument lists"))
        }
        let noReference = try Checkout.file(
            "no-reference.jsonl", [#"{"task_id": "a", "prompt": "def f(x):\n", "entry_point": "f", "plus_input": [[1]]}"#])
        #expect(throws: GradeError.self) { try ProblemSet(path: noReference) }
    }
}
