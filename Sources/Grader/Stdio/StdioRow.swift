import Foundation
import Results
import Sandbox

/// The row of a judged stdin/stdout sample: the sample's own fields, the judge's status and
/// `passed`, the verdict per public test that ran, which public test failed first and the
/// expected and produced output there, the program that was extracted from the answer, totals
/// of time and memory over the public tests, and the same audit block as every row.
///
/// Private tests (`StdioTask.Test.hidden`, unless the grade reveals them) run after every public
/// one and add exactly one thing: `hidden_passed`, whether they all passed (null when they did
/// not run), with status `failed` when they did not — not which one, how, how long or how much
/// memory. A sealed problem's row is `HiddenRecord`'s.
enum StdioRow {
    static let diffBytes = 400

    static func build(
        sample: Sample, problem: Problem, task: StdioTask, code: String, fenced: Bool, judged: StdioJudge.Judged,
        options: StdioOptions, judgeMode: StdioOptions.JudgeMode, limits: ResourceLimits, testLimits: ResourceLimits, key: String,
        context: GradeContext, language: String? = nil, toolchain: String? = nil
    ) -> GradedSample {
        let settings: [String: JSONValue] = [
            "format": .string(task.format), "time_scale": .number(options.timeScale), "extract": .string(options.extract.rawValue),
            "all_tests": .bool(options.allTests), "reveal_private": .bool(options.revealPrivate), "judge": .string(judgeMode.rawValue),
            "time_limit": .string("cpu"),
        ]
        let ran = Array(zip(judged.order, judged.results))
        let allPassed = judged.compile == nil && ran.count == task.tests.count && ran.allSatisfy { $0.1.verdict == .accepted }
        if problem.hidden {
            let outcomes = (judged.compile.map { [$0] } ?? judged.results).compactMap(\.outcome)
            // The sandbox failing a run (not a checker failing on the output) is the machine's.
            let sandboxFailed = outcomes.contains { $0.runStatus.isInternalError }
            let hidden = HiddenRecord.Outcome(passed: allPassed, sandboxFailed: sandboxFailed)
            var row = HiddenRecord.row(
                sample: sample, problem: problem, outcome: hidden, key: key, context: context, limits: limits,
                candidateSHA256: Digest.sha256(code), settings: settings)
            row["extracted"] = .bool(fenced)
            return HiddenRecord.graded(
                row, taskID: sample.taskID, outcome: hidden, wallMs: outcomes.map(\.wallMs).reduce(0, +),
                cpuMs: outcomes.map(\.cpuMs).reduce(0, +), peakRssKiB: Double(outcomes.map(\.peakRssKiB).max() ?? 0))
        }
        func isPrivate(_ index: Int) -> Bool { !options.revealPrivate && task.tests[index].hidden }
        let visible = ran.filter { !isPrivate($0.0) }
        let privateRan = ran.filter { isPrivate($0.0) }
        let privateTotal = task.tests.indices.filter(isPrivate).count
        let privatePassed = privateRan.filter { $0.1.verdict == .accepted }.count
        let publicFailure = visible.first { $0.1.verdict != .accepted }
        let privateFailed = privateRan.contains { $0.1.verdict != .accepted }
        let visiblePassed = visible.filter { $0.1.verdict == .accepted }.count

        var row = sample.fields
        row["task_id"] = .string(sample.taskID)
        row["completion_id"] = .string(sample.completionID)
        row["extracted"] = .bool(fenced)
        row["program"] = .string(code)
        let privateOutcome = HiddenRecord.Outcome(
            passed: !privateFailed, sandboxFailed: privateRan.contains { $0.1.outcome?.runStatus.isInternalError == true })
        let status: SampleStatus =
            judged.compile?.verdict ?? publicFailure?.1.verdict ?? (privateFailed ? privateOutcome.status : .accepted)
        row["passed"] = .bool(allPassed)
        row["status"] = .string(status.rawValue)
        let place = judged.compile != nil ? "" : publicFailure.map { " on test \($0.0 + 1)" } ?? ""
        row["result"] = .string(
            allPassed
                ? ResultText.passed
                : judged.compile == nil && publicFailure == nil
                    ? ResultText.failed("a private test failed") : ResultText.failed(status.rawValue + place))
        row["tests_total"] = .integer(Int64(task.tests.count))
        row["tests_run"] = .integer(Int64(judged.compile == nil ? visible.count : 0))
        row["tests_passed"] = .integer(Int64(judged.compile == nil ? visiblePassed : 0))
        if privateTotal > 0 {
            row["hidden_tests"] = .integer(Int64(privateTotal))
            row["hidden_passed"] =
                privateRan.isEmpty || judged.compile != nil ? .null : .bool(!privateFailed && privateRan.count == privateTotal)
        }
        if options.allTests {
            let passedCount = judged.compile == nil ? visiblePassed + privatePassed : 0
            row["fraction_passed"] = .number(Double(passedCount) / Double(task.tests.count))
        }
        row["compare"] = .string(task.checker == nil ? task.comparison.name : "checker")
        row["tests"] = .array(
            judged.compile == nil
                ? visible.map { index, result in
                    .object([
                        "test": .integer(Int64(index + 1)), "verdict": .string(result.verdict.rawValue),
                        "wall_ms": .number(((result.outcome?.wallMs ?? 0) * 1000).rounded() / 1000),
                        "cpu_ms": .number(((result.outcome?.cpuMs ?? 0) * 1000).rounded() / 1000),
                        "peak_rss_kib": .integer(Int64(result.outcome?.peakRssKiB ?? 0)),
                    ])
                } : [])
        if let compile = judged.compile {
            row["first_failed_test"] = .null
            row["error"] = .object(["type": .string(status.rawValue), "message": compile.detail.map(JSONValue.string) ?? .null])
        } else if let (index, result) = publicFailure {
            let test = task.tests[index]
            row["first_failed_test"] = .integer(Int64(index + 1))
            row["error"] = .object(["type": .string(result.verdict.rawValue), "message": result.detail.map(JSONValue.string) ?? .null])
            if result.verdict == .wrongAnswer, let outcome = result.outcome {
                let difference = OutputComparison.difference(output: outcome.stdout, expected: test.output, limit: diffBytes)
                row["diff"] = .object([
                    "input": .string(String(test.input.prefix(diffBytes))), "expected": .string(difference.expected),
                    "got": .string(difference.got),
                ])
            }
            if let outcome = result.outcome { row["stderr_tail"] = .string(String(outcome.stderr.suffix(2048))) }
            if result.budgetEnded { row["budget_ended"] = .bool(true) }
        } else {
            row["first_failed_test"] = .null
            row["error"] = .null
        }
        // A language other than Python: which, and its compile step apart from the tests' runs.
        if let language {
            row["language"] = .string(language)
            if let milliseconds = judged.compileMs { row["compile_ms"] = .number((milliseconds * 1000).rounded() / 1000) }
            if let cached = judged.compileCached { row["compile_cached"] = .bool(cached) }
        }
        // Measured over what is public: the syntax check, or the public tests.
        let outcomes = judged.compile.map { [$0.outcome].compactMap { $0 } } ?? visible.compactMap(\.1.outcome)
        let wall = outcomes.map(\.wallMs).reduce(0, +)
        let cpu = outcomes.map(\.cpuMs).reduce(0, +)
        let rss = outcomes.map(\.peakRssKiB).max() ?? 0
        let last = judged.compile?.outcome ?? publicFailure?.1.outcome ?? (privateFailed ? nil : outcomes.last)
        row["sandbox_status"] = last.map { .string($0.statusText) } ?? .null
        // No public run, no figures (zeros would read as a measurement).
        if !outcomes.isEmpty {
            row["wall_ms"] = .number((wall * 1000).rounded() / 1000)
            row["cpu_ms"] = .number((cpu * 1000).rounded() / 1000)
            row["peak_rss_kib"] = .integer(Int64(rss))
        }
        var audit: [String: JSONValue] = [
            "key": .string(key), "problem_sha256": .string(problem.sha256), "sample_sha256": .string(sample.sha256),
            "program_sha256": .string(Digest.sha256(code)), "profile": .string(context.profileName),
            "profile_sha256": .string(context.profileSHA256), "proctor_version": .string(context.proctorVersion),
            "python_version": .string(context.pythonVersion), "kernel": .string(context.kernel), "pool": .string(context.pool),
            "samples_line": .integer(Int64(sample.line)), "limits": HiddenRecord.limitsObject(limits),
            // Each test's own: CPU the time limit, the wall clock twice that plus a second.
            "test_limits": .object([
                "cpu_ms": .integer(Int64(testLimits.cpu.milliseconds)), "wall_ms": .integer(Int64(testLimits.wall.milliseconds)),
                "memory_bytes": .integer(Int64(testLimits.memory.bytes)),
            ]),
        ]
        if let toolchain { audit["toolchain"] = .string(toolchain) }
        // When the row was written says when its private tests ended: only rows without them.
        if privateRan.isEmpty { audit["timestamp"] = .string(Timestamp.now()) }
        audit.merge(settings) { $1 }
        row["audit"] = .object(audit)
        var graded = GradedSample(
            taskID: sample.taskID, status: status, passed: allPassed, wallMs: wall, cpuMs: cpu, peakRssKiB: Double(rss),
            line: ResultRow.encode(row))
        graded.measured = !outcomes.isEmpty
        return graded
    }
}
