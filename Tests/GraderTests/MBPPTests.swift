import Foundation
import Results
import Testing

@testable import Grader

/// MBPP as its own harnesses run it: a completion is a whole program (the English prompt is
/// never glued in front), in both layouts MBPP ships, and an entry point named like a builtin
/// still reaches the tests.
@Suite(.serialized)
struct MBPPTests {
    static let fixtures = Checkout.root + "/Fixtures/mbpp"

    @Test(arguments: ["problems_raw.jsonl", "problems_sanitized.jsonl"], PoolMode.allCases)
    func referenceSolutionsPassInBothLayouts(_ layout: String, _ pool: PoolMode) throws {
        let out = Checkout.outDirectory("mbpp")
        let summary = try Checkout.grade(problems: Self.fixtures + "/" + layout, samples: Self.fixtures + "/samples.jsonl", out: out, pool: pool)
        let rows = try Checkout.rows(out + "/samples.jsonl")
        #expect(rows.count == 11)
        for row in rows.dropLast() {
            #expect(row["passed"] as? Bool == true, "\(layout) \(pool): \(row["task_id"] ?? "?") \(row["result"] ?? "")")
        }
        #expect(rows.last?["passed"] as? Bool == false, "the wrong answer to task 1 passed")
        #expect(summary.passed == 10)
    }

    @Test func theEntryPointIsInferredFromTheReferenceAndTheTests() throws {
        let problems = try ProblemSet(path: Self.fixtures + "/problems_raw.jsonl")
        #expect(problems.problems["1"]?.entryPoint == "sum")
        #expect(problems.problems["3"]?.entryPoint == "count_vowels", "the helper is_vowel is not called by the tests")
        #expect(problems.problems["2"]?.testSetup.contains("import math") == true)
        let sanitized = try ProblemSet(path: Self.fixtures + "/problems_sanitized.jsonl")
        #expect(sanitized.problems["2"]?.testSetup.contains("import math") == true, "test_imports are part of the setup")
        #expect(sanitized.problems["4"]?.testSetup.contains("FACTOR = 2") == true)
    }

    @Test func aSampleWithBothKindsIsGradedAsItsSolutionWithAWarning() throws {
        let problems = try ProblemSet(path: Self.fixtures + "/problems_raw.jsonl")
        let path = try Checkout.file(
            "samples.jsonl",
            [#"{"task_id": 1, "completion": "oops", "solution": "def sum(a, b):\n    return a + b\n"}"#])
        let file = try SampleFile(path: path, problems: problems)
        #expect(file.warnings.count == 1 && file.warnings[0].contains("\(path):1: both 'completion' and 'solution'"))
        let wrongType = try Checkout.file("samples.jsonl", [#"{"task_id": 1, "completion": 42}"#])
        let error = #expect(throws: GradeError.self) { try SampleFile(path: wrongType, problems: problems) }
        #expect(error?.description == "\(wrongType):1: 'completion' must be a string (it is a number)")
    }
}
