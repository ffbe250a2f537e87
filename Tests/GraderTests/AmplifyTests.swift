import Foundation
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
    }
}
