import Foundation
import Grader

/// SWE-bench's verdict from a parsed log (its harness's current rules):
/// - a FAIL_TO_PASS test succeeds when it PASSED or XFAILed; missing, FAILED, ERROR or SKIPPED
///   is a failure (a patch that makes its target tests skip has not fixed them);
/// - a PASS_TO_PASS test is maintained when it PASSED, XFAILed or was SKIPPED;
/// - an id cut short inside its `[parameters]` (the dataset has such ids) matches the tests it
///   is a prefix of, and succeeds only if they all do;
/// - FULL / PARTIAL / NO as `RepoResolution`, an empty list counting as all passed.
///
/// Two checks make a log worthless rather than a verdict: no test parsed at all (the suite never
/// ran: an import error, a missing environment), and a failing exit status of the test command
/// while the log shows no failure (output forged to look like a pass, or a crash after the
/// summary).
public struct SWEGrading: Sendable, Equatable {
    public var resolved: RepoResolution.Resolved
    public var failToPassSuccess: [String] = []
    public var failToPassFailure: [String] = []
    public var passToPassSuccess: [String] = []
    public var passToPassFailure: [String] = []
    /// Why the log gives no verdict; nil when it does.
    public var invalid: String?

    public init(statuses: [String: TestStatus], failToPass: [String], passToPass: [String], exitCode: Int32?) {
        if statuses.isEmpty {
            resolved = .no
            invalid = "no test results in the log (the test command ran no tests, or its output is not in the form this repository's parser reads)"
            return
        }
        if let exitCode, exitCode != 0, !statuses.values.contains(where: { $0 == .failed || $0 == .error }) {
            resolved = .no
            invalid = "the test command exited with status \(exitCode) but the log shows no failed test: the log cannot be trusted"
            return
        }
        for name in failToPass {
            switch Self.status(of: name, in: statuses) {
            case .passed, .xfail: failToPassSuccess.append(name)
            case .unknown: continue  // neither, as in SWE-bench
            default: failToPassFailure.append(name)
            }
        }
        for name in passToPass {
            switch Self.status(of: name, in: statuses) {
            case .passed, .xfail, .skipped: passToPassSuccess.append(name)
            case .unknown: continue
            default: passToPassFailure.append(name)
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

    /// The status of `name`: its own, or for an id cut inside its parameters, the worst status of
    /// the ids it begins (nil: not in the log).
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
