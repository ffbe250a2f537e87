import Foundation
import Sandbox

/// The row of a judged stdin/stdout sample: the sample's own fields, the judge's status and
/// `passed`, the verdict per test that ran, which test failed first and (unless it is hidden) the
/// expected and produced output there, the program that was extracted from the answer, totals
/// of time and memory, and the same audit block as every row.
enum StdioRow {
    static let diffBytes = 400

    static func build(
        sample: Sample, problem: Problem, task: StdioTask, code: String, fenced: Bool,
        judged: (results: [StdioJudge.TestResult], compile: StdioJudge.TestResult?), options: StdioOptions, key: String,
        context: GradeContext
    ) -> (row: [String: JSONValue], status: String, passed: Bool, wallMs: Double, cpuMs: Double, peakRssKiB: Double) {
        var row = sample.fields
        row["task_id"] = .string(sample.taskID)
        row["completion_id"] = .string(sample.completionID)
        row["extracted"] = .bool(fenced)
        row["program"] = .string(code)
        let results = judged.compile.map { [$0] } ?? judged.results
        let firstFailure = results.firstIndex { $0.verdict != .accepted }
        let passedTests = results.filter { $0.verdict == .accepted }.count
        let passed = judged.compile == nil && passedTests == task.tests.count
        let status = judged.compile?.verdict.rawValue ?? firstFailure.map { results[$0].verdict.rawValue } ?? "accepted"
        row["passed"] = .bool(passed)
        row["status"] = .string(status)
        let place = judged.compile == nil ? firstFailure.map { " on test \($0 + 1)" } ?? "" : ""
        row["result"] = .string(passed ? "passed" : "failed: \(status)" + place)
        row["tests_total"] = .integer(Int64(task.tests.count))
        row["tests_run"] = .integer(Int64(judged.compile == nil ? results.count : 0))
        row["tests_passed"] = .integer(Int64(judged.compile == nil ? passedTests : 0))
        if options.allTests { row["fraction_passed"] = .number(Double(judged.compile == nil ? passedTests : 0) / Double(task.tests.count)) }
        row["compare"] = .string(task.checker == nil ? task.comparison.name : "checker")
        row["tests"] = .array(
            judged.compile == nil
                ? results.enumerated().map { index, result in
                    .object([
                        "test": .integer(Int64(index + 1)), "verdict": .string(result.verdict.rawValue),
                        "wall_ms": .number(((result.outcome?.wallMs ?? 0) * 1000).rounded() / 1000),
                        "cpu_ms": .number(((result.outcome?.cpuMs ?? 0) * 1000).rounded() / 1000),
                        "peak_rss_kib": .integer(Int64(result.outcome?.peakRssKiB ?? 0)),
                    ])
                } : [])
        if let compile = judged.compile {
            row["first_failed_test"] = .null
            row["error"] = .object(["type": .string(status), "message": compile.detail.map(JSONValue.string) ?? .null])
        } else if let index = firstFailure {
            let result = results[index]
            let test = task.tests[index]
            row["first_failed_test"] = .integer(Int64(index + 1))
            row["error"] = .object(["type": .string(result.verdict.rawValue), "message": result.detail.map(JSONValue.string) ?? .null])
            if test.hidden || problem.hidden {
                row["diff"] = .object(["hidden": .bool(true)])
            } else if result.verdict == .wrongAnswer, let outcome = result.outcome {
                let difference = OutputComparison.difference(output: outcome.stdout, expected: test.output, limit: diffBytes)
                row["diff"] = .object([
                    "input": .string(String(test.input.prefix(diffBytes))), "expected": .string(difference.expected),
                    "got": .string(difference.got),
                ])
            }
            if !test.hidden && !problem.hidden, let outcome = result.outcome {
                row["stderr_tail"] = .string(String(outcome.stderr.suffix(2048)))
            }
        } else {
            row["first_failed_test"] = .null
            row["error"] = .null
        }
        let outcomes = results.compactMap(\.outcome)
        let wall = outcomes.map(\.wallMs).reduce(0, +)
        let cpu = outcomes.map(\.cpuMs).reduce(0, +)
        let rss = outcomes.map(\.peakRssKiB).max() ?? 0
        let last = firstFailure.flatMap { results[$0].outcome } ?? outcomes.last
        row["sandbox_status"] = last.map { .string($0.statusText) } ?? .null
        row["wall_ms"] = .number((wall * 1000).rounded() / 1000)
        row["cpu_ms"] = .number((cpu * 1000).rounded() / 1000)
        row["peak_rss_kib"] = .integer(Int64(rss))
        var audit: [String: JSONValue] = [
            "key": .string(key), "problem_sha256": .string(problem.sha256), "sample_sha256": .string(sample.sha256),
            "program_sha256": .string(Digest.sha256(code)), "profile": .string(context.profileName),
            "profile_sha256": .string(context.profileSHA256), "proctor_version": .string(context.proctorVersion),
            "python_version": .string(context.pythonVersion), "kernel": .string(context.kernel), "pool": .string(context.pool),
            "timestamp": .string(Timestamp.now()), "samples_line": .integer(Int64(sample.line)),
            "format": .string(task.format), "time_scale": .number(options.timeScale),
            "extract": .string(options.extract.rawValue), "all_tests": .bool(options.allTests),
        ]
        if let limits = last?.limits {
            audit["limits"] = .object([
                "cpu_s": .integer(Int64(limits.cpuSeconds)), "wall_ms": .integer(Int64(limits.wallMs)),
                "memory_bytes": .integer(Int64(limits.memoryBytes)), "output_limit_bytes": .integer(Int64(limits.outputLimitBytes)),
            ])
        }
        if problem.hidden { ResultRow.redact(&row) }
        row["audit"] = .object(audit)
        return (row, status, passed, wall, cpu, Double(rss))
    }
}
