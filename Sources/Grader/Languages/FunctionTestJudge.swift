import Foundation
import Results
import Sandbox

/// Grades a function task in another language (`MultilingualTask`): the program assembled as
/// the suite assembles it, the language's completion-record code around it, compiled once (or
/// found compiled), run once with a per-run nonce on stdin.
///
/// Why a completion record: the tests run in the candidate's own process, so the exit status
/// alone says nothing — `exit(0)`, `process.exit(0)` or `abort` in the candidate would end the
/// tests early and look like a pass. The record (`completed NONCE 1` on fd 3) is written only
/// after the tests returned; the verdict is `Verdict`'s, the rule every Python task follows.
struct FunctionTestJudge {
    let runtime: LanguageRuntime
    let artifacts: ArtifactCache
    let limits: ResourceLimits

    struct Judged {
        var verdict: Verdict?
        var outcome: Outcome?
        /// A compile error, or the sandbox failing before any test ran.
        var compile: (status: SampleStatus, message: String)?
        var compileMs: Double?
        var compileCached: Bool?
        var program: String
    }

    func judge(_ sample: Sample, task: MultilingualTask) -> Judged {
        let assembled = task.program(completion: sample.code)
        switch runtime.compile(build(assembled, task: task), cache: artifacts) {
        case .error(let message, let milliseconds, let outcome):
            return Judged(
                compile: (.compileError, message), compileMs: milliseconds, compileCached: outcome == nil, program: assembled)
        case .failure(let message, _):
            return Judged(compile: (.internalError, message), program: assembled)
        case .program(let bytes, let milliseconds, let cached):
            let nonce = SampleGrader.nonce()
            let outcome = runtime.run(bytes, stdin: Array((nonce + "\n").utf8), limits: limits)
            var verdict = Verdict(outcome: outcome, nonce: nonce)
            // HumanEval-X's JavaScript harness: anything printed is a failure (console.assert
            // prints, it does not throw).
            if task.failsOnOutput, verdict.passed, !(outcome.stdout.isEmpty && outcome.stderr.isEmpty) {
                verdict.fail(
                    type: "AssertionError", message: String((outcome.stderr.isEmpty ? outcome.stdout : outcome.stderr).prefix(300)))
            }
            return Judged(verdict: verdict, outcome: outcome, compileMs: milliseconds, compileCached: cached, program: assembled)
        }
    }

    /// The program with the language's completion-record code, its support files and steps,
    /// their `{entry}`, `{package}` and `{secret}` filled in.
    func build(_ assembled: String, task: MultilingualTask) -> LanguageRuntime.Build {
        let definition = runtime.definition
        let tests = definition.functionTests
        let values = ["{entry}": task.entry, "{package}": task.package(of: assembled), "{secret}": runtime.secret]
        func fill(_ text: String) -> String {
            values.reduce(text) { $0.replacingOccurrences(of: $1.key, with: $1.value) }
        }
        return LanguageRuntime.Build(
            source: fill(tests?.prefix ?? "") + assembled + fill(tests?.suffix ?? ""), sourceName: tests?.source ?? definition.source,
            files: runtime.supportFiles.mapValues(fill), steps: (tests?.steps ?? definition.compile?.steps ?? []).map { $0.map(fill) })
    }

    /// The row: the shape of a Python function task's, with the language and its compile step.
    static func row(
        _ judged: Judged, sample: Sample, problem: Problem, language: String, toolchain: String, key: String, context: GradeContext,
        limits: ResourceLimits
    ) -> GradedSample {
        var row = sample.fields
        row["task_id"] = .string(sample.taskID)
        row["completion_id"] = .string(sample.completionID)
        row["language"] = .string(language)
        if let milliseconds = judged.compileMs { row["compile_ms"] = .number((milliseconds * 1000).rounded() / 1000) }
        if let cached = judged.compileCached { row["compile_cached"] = .bool(cached) }
        let status: SampleStatus
        let passed: Bool
        if let (compileStatus, message) = judged.compile {
            status = compileStatus
            passed = false
            row["result"] = .string(ResultText.failed(compileStatus == .compileError ? "compilation error" : message))
            row["error"] = .object([
                "type": .string(compileStatus.rawValue), "message": .string(message), "line": .null, "file": .null, "source": .null,
            ])
            row["tests_calls"] = .integer(0)
        } else if let verdict = judged.verdict, let outcome = judged.outcome {
            status = verdict.status
            passed = verdict.passed
            row.merge(ResultRow.verdictFields(verdict, source: nil)) { $1 }
            row.merge(ResultRow.outcomeFields(outcome)) { $1 }
        } else {
            status = .internalError
            passed = false
            row["result"] = .string(ResultText.failed("internal error"))
            row["error"] = .null
        }
        row["passed"] = .bool(passed)
        row["status"] = .string(status.rawValue)
        row["audit"] = .object([
            "key": .string(key), "problem_sha256": .string(problem.sha256), "sample_sha256": .string(sample.sha256),
            "program_sha256": .string(Digest.sha256(judged.program)), "profile": .string(context.profileName),
            "profile_sha256": .string(context.profileSHA256), "limits": HiddenRecord.limitsObject(limits),
            "proctor_version": .string(context.proctorVersion), "pool": .string("cold"), "python_version": .string(context.pythonVersion),
            "toolchain": .string(toolchain), "kernel": .string(context.kernel), "timestamp": .string(Timestamp.now()),
            "samples_line": .integer(Int64(sample.line)),
        ])
        return GradedSample(
            taskID: sample.taskID, status: status, passed: passed, wallMs: judged.outcome?.wallMs ?? 0, cpuMs: judged.outcome?.cpuMs ?? 0,
            peakRssKiB: Double(judged.outcome?.peakRssKiB ?? 0), line: ResultRow.encode(row))
    }
}
