import Foundation
import Results
import Sandbox
import Testing

@testable import Grader

/// `proctor amplify`: every reference passes its own amplified tests (no false failures),
/// `return None` fails them, and they catch wrong answers the original tests let through.
@Suite(.serialized) struct AmplifyTests {
    func amplify(_ problems: String, out: String, perTask: Int) throws -> [Amplifier.TaskReport] {
        var amplifier = Amplifier()
        amplifier.perTask = perTask
        amplifier.seed = 3
        let profile = try Checkout.profile()
        return try amplifier.run(problemsPath: problems, outPath: out, profile: profile, limits: profile.definition.limits)
    }

    /// Samples whose completion is each task's reference, or `return None`.
    func samples(_ problems: ProblemSet, _ name: String, none: Bool) throws -> String {
        try Checkout.file(
            name,
            problems.order.compactMap { task in
                guard let reference = problems.problems[task]?.canonicalSolution else { return nil }
                let code = none ? "    return None\n" : reference
                let fields: [String: String] =
                    problems.problems[task]!.shape == .mbpp ? ["task_id": task, "solution": code] : ["task_id": task, "completion": code]
                return String(decoding: try JSONSerialization.data(withJSONObject: fields), as: UTF8.self)
            })
    }

    @Test func ownBenchmarkIsAmplifiedWithoutFalseFailures() throws {
        let dir = Checkout.outDirectory("amplify-own")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let amplified = dir + "/problems.jsonl"
        let reports = try amplify(Checkout.benchmark + "/problems.jsonl", out: amplified, perTask: 15)
        let done = reports.filter { $0.skipped == nil }
        #expect(done.count >= 10, "\(reports.filter { $0.skipped != nil }.map { "\($0.taskID): \($0.skipped!)" })")
        #expect(done.allSatisfy { $0.base >= 1 && $0.plus >= 1 })
        let problems = try ProblemSet(path: amplified)
        #expect(done.allSatisfy { problems.problems[$0.taskID]?.shape == .inputs })
        let right = try Checkout.grade(
            problems: amplified, samples: try samples(problems, "amp-right.jsonl", none: false), out: dir + "/right", allowPartial: true)
        #expect(right.passed == right.samplesGraded, "a reference failed its own amplified tests")
        let none = try Checkout.grade(
            problems: amplified, samples: try samples(problems, "amp-none.jsonl", none: true), out: dir + "/none", allowPartial: true)
        #expect(none.passed == 0)
        // The same seed gives the same file.
        _ = try amplify(Checkout.benchmark + "/problems.jsonl", out: dir + "/again.jsonl", perTask: 15)
        #expect(FileManager.default.contents(atPath: amplified) == FileManager.default.contents(atPath: dir + "/again.jsonl"))
    }

    /// EvalPlus's `contract` asserts keep mutants inside the task's stated rules; what the
    /// task's own tests have in common keeps them inside its unstated ones.
    @Test func mutantsStayInsideTheContract() throws {
        let dir = Checkout.outDirectory("amplify-contract")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let problems = try Checkout.file(
            "contract-problems.jsonl",
            [
                #"{"task_id": "c/halve", "prompt": "def halve(n):\n    \"\"\"n // 2 for an even non-negative n.\"\"\"\n", "entry_point": "halve", "canonical_solution": "    return n // 2\n", "contract": "assert n % 2 == 0, 'invalid inputs'", "test": "def check(candidate):\n    assert candidate(4) == 2\n    assert candidate(10) == 5\n    assert candidate(0) == 0\n"}"#,
                #"{"task_id": "c/xor", "prompt": "def xor(a, b):\n    \"\"\"Bitwise XOR of two equal-length strings of 0s and 1s.\"\"\"\n", "entry_point": "xor", "canonical_solution": "    return ''.join('0' if x == y else '1' for x, y in zip(a, b))\n", "test": "def check(candidate):\n    assert candidate('0101', '0011') == '0110'\n    assert candidate('1', '1') == '0'\n    assert candidate('111000', '101010') == '010010'\n"}"#,
            ])
        let out = dir + "/amplified.jsonl"
        let reports = try amplify(problems, out: out, perTask: 15)
        #expect(reports.allSatisfy { $0.skipped == nil && $0.plus >= 1 }, "\(reports.map { "\($0.taskID): \($0.skipped ?? "") \($0.plus)" })")
        let amplified = try Checkout.rows(out)
        let halve = try #require(amplified.first { $0["task_id"] as? String == "c/halve" })
        for input in halve["plus_input"] as? [[Any]] ?? [] {
            let n = input.first as? Int ?? 1
            #expect(n % 2 == 0 && n >= 0, "c/halve got \(input)")  // the contract, and never negative
        }
        #expect((reports.first { $0.taskID == "c/halve" }?.rejected["contract"] ?? 0) > 0)
        let xor = try #require(amplified.first { $0["task_id"] as? String == "c/xor" })
        for input in xor["plus_input"] as? [[Any]] ?? [] {
            let a = input.first as? String ?? "", b = input.last as? String ?? "x"
            #expect(a.count == b.count && !a.isEmpty && (a + b).allSatisfy { $0 == "0" || $0 == "1" }, "c/xor got \(input)")
        }
        // A correct program that fails outside the contract passes every amplified test.
        let samples = try Checkout.file(
            "contract-samples.jsonl",
            [
                #"{"task_id": "c/halve", "completion": "    assert n % 2 == 0 and n >= 0\n    return n >> 1\n"}"#,
                #"{"task_id": "c/xor", "completion": "    return format(int(a, 2) ^ int(b, 2), '0%db' % len(a))\n"}"#,
            ])
        let graded = try Checkout.grade(problems: out, samples: samples, out: dir + "/graded")
        #expect(graded.passed == 2)
    }

    @Test(.enabled(if: Checkout.hasHumanEval, "needs ../shared/datasets/HumanEval.jsonl.gz"))
    func humanEvalAmplifiedCatchesWhatItsTestsMiss() throws {
        let dir = Checkout.outDirectory("amplify-humaneval")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let amplified = dir + "/he.jsonl"
        let reports = try amplify(Checkout.humanEval, out: amplified, perTask: 20)
        #expect(reports.filter { $0.skipped == nil }.count >= 155)
        let problems = try ProblemSet(path: amplified)
        let right = try Checkout.grade(
            problems: amplified, samples: try samples(problems, "he-right.jsonl", none: false), out: dir + "/right", timeout: 10)
        #expect(right.passed == 164, "references failing their own amplified tests: \(164 - right.passed)")
        let subtle = Checkout.root + "/Fixtures/function/humaneval_subtle.jsonl"
        let original = try Checkout.grade(problems: Checkout.humanEval, samples: subtle, out: dir + "/orig", allowPartial: true)
        let stronger = try Checkout.grade(problems: amplified, samples: subtle, out: dir + "/amp", allowPartial: true)
        #expect(original.passed == 8)  // every subtle answer passes HumanEval's own tests
        #expect(stronger.passed <= 5, "the amplified tests caught only \(8 - stronger.passed) of 8")
        // Correct programs that differ from the reference only outside the task's contract
        // (negatives or zero where every test is positive, non-binary or unequal strings) pass:
        // an amplified test that fails a correct program is worse than none.
        let variants = Checkout.root + "/Fixtures/function/humaneval_variants.jsonl"
        let checked = try Checkout.grade(problems: amplified, samples: variants, out: dir + "/variants", allowPartial: true, timeout: 10)
        let failing = try Checkout.rows(dir + "/variants/samples.jsonl").filter { $0["passed"] as? Bool != true }.map {
            "\($0["task_id"]!)#\($0["completion_id"]!): \($0["result"] ?? "")"
        }
        #expect(checked.passed == checked.samplesGraded, "correct variants failed amplified tests: \(failing)")
        // Mutants outside the contract were dropped, and the report says why.
        let dropped = reports.reduce(into: [String: Int]()) { total, report in total.merge(report.rejected) { $0 + $1 } }
        #expect((dropped["not_positive"] ?? 0) > 0 && (dropped["alphabet"] ?? 0) > 0 && (dropped["lengths"] ?? 0) > 0, "\(dropped)")
    }
}
