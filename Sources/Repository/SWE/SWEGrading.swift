import Foundation
import Grader

/// SWE-bench's verdict from a parsed log, by the rules of the harness version the user compares
/// with (`Rules`):
///
/// - 4.1 (`swebench` 4.1.0's `grading.py`, the default): a test succeeds when it PASSED or
///   XFAILed and fails when it is missing, FAILED or ERROR; anything else (SKIPPED, a status word
///   stored verbatim such as `ERROR:`) is in neither list — for FAIL_TO_PASS and PASS_TO_PASS
///   alike. Ids are looked up exactly. The test command's exit status plays no part.
/// - 5 (the harness after 4.x): a FAIL_TO_PASS test that was SKIPPED fails (a patch that makes its
///   target tests skip has not fixed them) and a skipped PASS_TO_PASS test is maintained; an id
///   cut short inside its `[parameters]` matches the tests it is a prefix of, and succeeds only if
///   they all do; a failing exit status while the log shows no failure makes the log worthless.
///
/// Both: FULL / PARTIAL / NO as `RepoResolution` over the tests in a list (an empty list counts
/// as all passed), and no test parsed at all means the suite never ran: no verdict.
public struct SWEGrading: Sendable, Equatable {
    public var resolved: RepoResolution.Resolved
    public var failToPassSuccess: [String] = []
    public var failToPassFailure: [String] = []
    public var passToPassSuccess: [String] = []
    public var passToPassFailure: [String] = []
    /// Why the log gives no verdict; nil when it does.
    public var invalid: String?

    /// Which SWE-bench harness's rules (`--swe-rules`).
    public enum Rules: String, Sendable, Codable, CaseIterable {
        case swebench4 = "4.1"
        case swebench5 = "5"
    }

    public init(statuses: [String: TestStatus], failToPass: [String], passToPass: [String], exitCode: Int32?, rules: Rules = .swebench4) {
        if statuses.isEmpty {
            resolved = .no
            invalid = "no test results in the log (the test command ran no tests, or its output is not in the form this repository's parser reads)"
            return
        }
        if rules == .swebench5, let exitCode, exitCode != 0, !statuses.values.contains(where: { $0 == .failed || $0 == .error }) {
            resolved = .no
            invalid = "the test command exited with status \(exitCode) but the log shows no failed test: the log cannot be trusted"
            return
        }
        func status(_ name: String) -> TestStatus? { rules == .swebench5 ? Self.status(of: name, in: statuses) : statuses[name] }
        for name in failToPass {
            switch status(name) {
            case .passed, .xfail: failToPassSuccess.append(name)
            case .failed, .error, nil: failToPassFailure.append(name)
            case .skipped where rules == .swebench5: failToPassFailure.append(name)
            case .skipped, .unknown: continue  // neither
            }
        }
        for name in passToPass {
            switch status(name) {
            case .passed, .xfail: passToPassSuccess.append(name)
            case .skipped where rules == .swebench5: passToPassSuccess.append(name)
            case .failed, .error, nil: passToPassFailure.append(name)
            case .skipped, .unknown: continue
            }
        }
        let maintained = passToPassFailure.isEmpty
        if maintained && failToPassFailure.isEmpty {
            resolved = .full
        } else if maintained && !failToPassSuccess.isEmpty {
            resolved = .partial
        } else {
            resolved = .no
        }
    }

    /// The status of `name` by the 5 rules: its own, or for an id cut inside its parameters, the
    /// worst status of the ids it begins (nil: not in the log).
    static func status(of name: String, in statuses: [String: TestStatus]) -> TestStatus? {
        if let status = statuses[name] { return status }
        let opened = name.filter { $0 == "[" }.count
        guard opened > name.filter({ $0 == "]" }).count else { return nil }
        let matching = statuses.filter { $0.key.hasPrefix(name) }.map(\.value)
        guard !matching.isEmpty else { return nil }
        for worst in [TestStatus.error, .failed, .skipped, .unknown, .xfail] where matching.contains(worst) { return worst }
        return .passed
    }
}
