import Foundation
import Results
import Testing

@testable import Grader

/// The real HumanEval set from ../shared/datasets (skipped with a message when it is absent).
@Suite(.serialized, .enabled(if: Checkout.hasHumanEval, "HumanEval.jsonl.gz not found in ../shared/datasets"))
struct HumanEvalTests {
    /// One sample per task with `completion(problem)` as its completion.
    private func samples(_ name: String, _ completion: (String) -> String) throws -> String {
        let problems = try ProblemSet(path: Checkout.humanEval)
        let lines = try problems.order.map { task in
            let object: [String: String] = ["task_id": task, "completion": completion(task)]
            return String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        }
        #expect(lines.count == 164)
        return try Checkout.file(name, lines)
    }

    @Test func canonicalSolutionsAllPass() throws {
        let problems = try ProblemSet(path: Checkout.humanEval)
        let samples = try samples("canonical.jsonl") { problems.problems[$0]!.canonicalSolution! }
        let summary = try Checkout.grade(problems: Checkout.humanEval, samples: samples, out: Checkout.outDirectory("he-canonical"))
        #expect(summary.passed == 164)
        #expect(summary.passAtK[0].value == 1.0)
    }

    @Test func returnNoneNeverPasses() throws {
        let samples = try samples("none.jsonl") { _ in "    return None\n" }
        let summary = try Checkout.grade(problems: Checkout.humanEval, samples: samples, out: Checkout.outDirectory("he-none"))
        #expect(summary.passed == 0)
        #expect(summary.passAtK[0].value == 0.0)
    }
}
