import Foundation
import Results
import Sandbox

/// One line of `results/samples.jsonl`: the sample's own fields, human-eval's `passed` and
/// `result`, Proctor's status and measurements, and an audit block that pins down exactly
/// what ran (hashes of problem, sample, program and profile; limits; versions; host; time).
/// A hidden task's row is never built here: `HiddenRecord` builds it from its allowlist.
public enum ResultRow {
    /// Keeps the end of captured output in rows (the sandbox keeps more in its outcome).
    static let tailBytes = 2048

    static func build(
        sample: Sample, problem: Problem, program: AssembledProgram, outcome: Outcome, verdict: Verdict, key: String,
        context: GradeContext
    ) -> [String: JSONValue] {
        var row = sample.fields
        row["task_id"] = .string(sample.taskID)
        row["completion_id"] = .string(sample.completionID)
        row.merge(verdictFields(verdict, source: program.line(verdict.errorLine, inTests: verdict.errorFile == "tests"))) { $1 }
        row.merge(outcomeFields(outcome)) { $1 }
        let limits = outcome.limits
        row["audit"] = .object([
            "key": .string(key),
            "problem_sha256": .string(problem.sha256),
            "sample_sha256": .string(sample.sha256),
            "program_sha256": .string(program.sha256),
            "profile": .string(context.profileName),
            "profile_sha256": .string(context.profileSHA256),
            "limits": .object([
                "cpu_s": .integer(Int64(limits.cpuSeconds)), "wall_ms": .integer(Int64(limits.wallMs)),
                "memory_bytes": .integer(Int64(limits.memoryBytes)), "output_limit_bytes": .integer(Int64(limits.outputLimitBytes)),
                "processes": .integer(Int64(limits.processes)), "file_size_bytes": .integer(Int64(limits.fileSizeBytes)),
            ]),
            "proctor_version": .string(context.proctorVersion),
            "pool": .string(context.pool),
            "python_version": .string(context.pythonVersion),
            "kernel": .string(context.kernel),
            "isolation": .string(isolationSummary(outcome.isolation)),
            "timestamp": .string(Timestamp.now()),
            "samples_line": .integer(Int64(sample.line)),
        ])
        return row
    }

    /// What a function task's row says of its verdict: passed, status, result, the tests'
    /// calls and the error (`source`: the line it points at, when known).
    static func verdictFields(_ verdict: Verdict, source: String?) -> [String: JSONValue] {
        [
            "passed": .bool(verdict.passed), "status": .string(verdict.status.rawValue), "result": .string(verdict.result),
            "tests_calls": .integer(Int64(verdict.calls)),
            "error": verdict.errorType == nil && verdict.errorMessage == nil
                ? .null
                : .object([
                    "type": verdict.errorType.map(JSONValue.string) ?? .null,
                    "message": verdict.errorMessage.map(JSONValue.string) ?? .null,
                    "line": verdict.errorLine.map { .integer(Int64($0)) } ?? .null,
                    "file": verdict.errorFile.map(JSONValue.string) ?? .null, "source": source.map(JSONValue.string) ?? .null,
                ]),
        ]
    }

    /// What a function task's row says of its one run: how it ended, its times and memory, the
    /// ends of its output (Python's rows and other languages' alike).
    static func outcomeFields(_ outcome: Outcome) -> [String: JSONValue] {
        [
            "sandbox_status": .string(outcome.statusText), "exit_code": outcome.exitCode.map { .integer(Int64($0)) } ?? .null,
            "signal": outcome.signalName.map(JSONValue.string) ?? .null,
            "blocked_syscall": outcome.blockedSyscall.map(JSONValue.string) ?? .null,
            "wall_ms": .number((outcome.wallMs * 1000).rounded() / 1000), "cpu_ms": .number((outcome.cpuMs * 1000).rounded() / 1000),
            "peak_rss_kib": .integer(Int64(outcome.peakRssKiB)), "stdout_tail": .string(tail(outcome.stdout)),
            "stderr_tail": .string(tail(outcome.stderr)), "stdout_bytes": .integer(Int64(outcome.stdoutBytes)),
            "stderr_bytes": .integer(Int64(outcome.stderrBytes)),
        ]
    }

    /// A row as written: with the results schema's version (every shape's rows pass here).
    static func encode(_ row: [String: JSONValue]) -> [UInt8] {
        var row = row
        row["schema_version"] = .integer(Int64(ResultsSchema.version))
        return JSONValue.object(row).compactBytes
    }

    private static func tail(_ text: String) -> String {
        let bytes = Array(text.utf8)
        guard bytes.count > tailBytes else { return text }
        return String(decoding: bytes[(bytes.count - tailBytes)...], as: UTF8.self)
    }

    private static func isolationSummary(_ isolation: IsolationReport) -> String {
        var parts = ["uid=\(isolation.uid)", "seccomp"]
        if let abi = isolation.landlockABI { parts.append("landlock=\(abi)") }
        if !isolation.namespaces.isEmpty { parts.append("ns=" + isolation.namespaces.joined(separator: ",")) }
        if isolation.privilegesDropped { parts.append("caps-dropped") }
        return parts.joined(separator: " ")
    }
}

/// What every row of one grading run shares.
public struct GradeContext: Sendable {
    public var profileName: String
    public var profileSHA256: String
    public var proctorVersion: String
    public var pythonVersion: String
    public var kernel: String
    /// `warm` or `cold`: how the samples got their interpreter.
    public var pool: String
}
