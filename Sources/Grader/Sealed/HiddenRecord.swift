import Foundation
import Results
import Sandbox

/// The one place a hidden test's result becomes something that leaves the grader.
///
/// A sample runs on hidden inputs and may choose, from them, anything it controls: its exit
/// status, a signal, how long it takes, how much memory it holds, which exception it raises,
/// which test it fails, what it prints. Each of those would be a channel out of the sealed set,
/// so a hidden record is built here from scratch out of an allowlist — never by taking a full
/// row and removing fields — and the only values in it that a sample can move are booleans:
/// passed or not, overall and (for inputs problems) per group of hidden inputs. Everything
/// else is the sample's own line, the task's identity and the run's settings, none of which a
/// run can change. Time and memory of hidden runs stay in memory for the summary's run-level
/// aggregate (`SummaryAccumulator`), which appears only over `HiddenRecord.aggregateMinimum`
/// samples and holds no maximum.
///
/// Every hidden-facing record goes through here: rows (`ResultRow`, `StdioRow`,
/// `DifferentialJudge`), the figures a `GradedSample` carries to the summary and the queue,
/// the leakage report's rows and `proctor repro`'s report.
public enum HiddenRecord {
    /// What a hidden run may say about itself.
    public enum Outcome: Sendable {
        case passed
        case failed
        /// The task's reference could not be run (inputs problems): decided before any sample
        /// ran, the same for every sample of the task, so nothing a sample chose.
        case referenceError
        /// The sandbox itself failed to run the sample (the machine's fault, retried by a
        /// queue). Kept apart from `failed` so a hiccup never fails a sample for good; a sample
        /// that could cause it would have found a sandbox bug, and the README says so.
        case internalError

        public var status: SampleStatus {
            switch self {
            case .passed: .passed
            case .failed: .failed
            case .referenceError: .referenceError
            case .internalError: .internalError
            }
        }

        var result: String {
            switch self {
            case .passed: ResultText.passed
            case .failed: ResultText.failedHidden
            case .referenceError: ResultText.failed("the task's reference could not be run [hidden]")
            case .internalError: ResultText.failed("the sandbox failed to run it [hidden]")
            }
        }

        public init(passed: Bool, sandboxFailed: Bool = false) { self = passed ? .passed : sandboxFailed ? .internalError : .failed }
    }

    /// Below this many hidden samples a run reports no time or memory figures for them.
    public static let aggregateMinimum = 20

    /// Settings of the run an audit block may echo: fixed before any sample ran.
    static let runSettings: Set<String> = [
        "format", "time_scale", "extract", "all_tests", "reveal_private", "judge", "time_limit", "time_factor", "time_floor_s", "seed",
        "task_seed",
    ]

    /// A hidden sample's row. `candidateSHA256` names the sample's own code (what repro checks
    /// it rebuilt), never a digest over the hidden tests (a digest of a low-entropy test can be
    /// matched against guesses). `limits` are the run's configured limits, not a run's outcome.
    /// `groups`: per group of hidden inputs (`base_passed`, `plus_passed`), passed or not.
    static func row(
        sample: Sample, problem: Problem, outcome: Outcome, key: String, context: GradeContext, limits: ResourceLimits,
        candidateSHA256: String, settings: [String: JSONValue] = [:], groups: [String: Bool] = [:]
    ) -> [String: JSONValue] {
        var row = sample.fields
        row["task_id"] = .string(sample.taskID)
        row["completion_id"] = .string(sample.completionID)
        row["passed"] = .bool(outcome == .passed)
        row["status"] = .string(outcome.status.rawValue)
        row["result"] = .string(outcome.result)
        row["hidden"] = .bool(true)
        for (name, passed) in groups { row[name] = .bool(passed) }
        var audit: [String: JSONValue] = [
            "key": .string(key), "problem_sha256": .string(problem.sha256), "sample_sha256": .string(sample.sha256),
            "candidate_sha256": .string(candidateSHA256), "profile": .string(context.profileName),
            "profile_sha256": .string(context.profileSHA256), "proctor_version": .string(context.proctorVersion),
            "pool": .string(context.pool), "python_version": .string(context.pythonVersion), "kernel": .string(context.kernel),
            "samples_line": .integer(Int64(sample.line)), "limits": limitsObject(limits),
        ]
        for (name, value) in settings where runSettings.contains(name) { audit[name] = value }
        row["audit"] = .object(audit)
        return row
    }

    /// What a hidden sample hands to the summary and the queue: its `row`, the allowlisted
    /// status and `passed` of `outcome`; its time and memory kept (for the run-level aggregate
    /// only) and marked hidden.
    static func graded(
        _ row: [String: JSONValue], taskID: String, outcome: Outcome, wallMs: Double = 0, cpuMs: Double = 0, peakRssKiB: Double = 0,
        basePassed: Bool? = nil
    ) -> GradedSample {
        var graded = GradedSample(
            taskID: taskID, status: outcome.status, passed: outcome == .passed, wallMs: wallMs, cpuMs: cpuMs, peakRssKiB: peakRssKiB,
            line: ResultRow.encode(row), basePassed: basePassed)
        graded.hidden = true
        return graded
    }

    /// The leakage report's row for a hidden task: flagged or not, nothing of where or how much.
    static func leakageRow(sample: Sample, flagged: Bool) -> [String: JSONValue] {
        [
            "task_id": .string(sample.taskID), "completion_id": .string(sample.completionID), "hidden": .bool(true),
            "flagged": .bool(flagged),
        ]
    }

    /// What `proctor repro` says of a hidden sample unless the user reveals it: the verdict now
    /// and as recorded, nothing of the run (its output, exception, status or time would spell
    /// the hidden case out to whoever reads the terminal).
    public static func reproReport(identifier: String, passedNow: Bool, recordedPassed: Bool) -> String {
        func word(_ passed: Bool) -> String { ResultText.word(passed) }
        return """
            == \(identifier)  (hidden tests: only the verdict is shown; pass --reveal, with the key, to see the run)
            == verdict now:      \(word(passedNow))
            == verdict recorded: \(word(recordedPassed))
            == matches: \(passedNow == recordedPassed ? "yes" : "no")
            """
    }

    static func limitsObject(_ limits: ResourceLimits) -> JSONValue {
        .object([
            "cpu_s": .integer(Int64((limits.cpu.milliseconds + 999) / 1000)), "wall_ms": .integer(Int64(limits.wall.milliseconds)),
            "memory_bytes": .integer(Int64(limits.memory.bytes)), "output_limit_bytes": .integer(Int64(limits.outputLimit.bytes)),
            "processes": .integer(Int64(limits.processes)), "file_size_bytes": .integer(Int64(limits.fileSize.bytes)),
        ])
    }
}
