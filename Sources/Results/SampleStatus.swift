/// How a graded sample ended: the one vocabulary every task shape, the queue and every reader of
/// results share. The raw values are what rows and summaries hold (`status`, `status_counts`);
/// no other module spells them. The cases are in the order reports list them: passes first.
///
/// A sample *passes* only as `passed` (a function-test or inputs sample whose tests all
/// completed), `accepted` (a stdin/stdout sample whose every test case matched) or `resolved`
/// (a repository instance SWE-bench would count resolved); every other status is a failure of
/// some kind, named so that a reader can tell the sample's fault from the task's and the
/// machine's.
public enum SampleStatus: String, Sendable, Codable, CaseIterable, Hashable, CustomStringConvertible {
    /// Function tests (human-eval, MBPP) and inputs problems (EvalPlus): every test completed —
    /// the supervisor wrote the completion record with the run's nonce.
    case passed
    /// stdin/stdout problems: every test case's output matched.
    case accepted
    /// Repository tasks, as a report counts them: FULL by SWE-bench's rules.
    case resolved
    /// An exception in the program or its tests, or a non-zero exit.
    case failed
    /// stdin/stdout: a test case's output did not match.
    case wrongAnswer = "wrong_answer"
    /// Repository tasks, as a report counts them: PARTIAL or NO.
    case unresolved
    /// The run (or one input) went past its time limit.
    case timeout
    /// stdin/stdout: a test case went past its CPU limit (or its wall clock, or the sample's budget).
    case timeLimit = "time_limit"
    /// The run used more memory than its limit.
    case memoryLimit = "memory_limit"
    /// The run printed more than its output limit.
    case outputLimit = "output_limit"
    /// stdin/stdout: a test case's run ended with an exception or a non-zero exit.
    case runtimeError = "runtime_error"
    /// The program does not compile: no test ran.
    case compileError = "compile_error"
    /// The run made a system call the sandbox stops (named in the row).
    case blockedSyscall = "blocked_syscall"
    /// The run was killed by a signal it did not ask for.
    case signaled
    /// The program ended before its tests completed, without an error (`sys.exit(0)`, `os._exit`).
    case noVerdict = "no_verdict"
    /// The task's own reference could not be run: the task's fault; no sample of it passes.
    case referenceError = "reference_error"
    /// The sandbox or the grader failed under the run: the machine's fault, retried by a queue.
    case internalError = "internal_error"
    /// Repository tasks, as a report counts them: no verdict (the run or its log could not be used).
    case error
    /// A queue job that could not be graded at all (malformed, or failed on every attempt).
    case jobFailed = "job_failed"

    /// The word rows hold, wherever the status is printed.
    public var description: String { rawValue }

    /// Whether the status is a pass (`passed`, `accepted`, `resolved`).
    public var countsAsPassed: Bool { self == .passed || self == .accepted || self == .resolved }

    /// A repository verdict as a status: FULL is `resolved`; PARTIAL, NO and an empty patch are
    /// `unresolved`; no verdict is `error`.
    public init(resolution: String, error: Bool) {
        self = error ? .error : resolution == "FULL" ? .resolved : .unresolved
    }

    /// The status a row spells, or nil for a word that is none of them.
    public init?(row text: String?) {
        guard let text, let status = SampleStatus(rawValue: text) else { return nil }
        self = status
    }
}
