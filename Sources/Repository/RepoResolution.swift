/// Whether a prediction resolved its instance, by SWE-bench's rule: FULL when every
/// FAIL_TO_PASS and every PASS_TO_PASS test passed; PARTIAL when some (not all) FAIL_TO_PASS
/// tests passed and every PASS_TO_PASS test did; NO otherwise. A test absent from the report
/// counts as failed.
public struct RepoResolution: Sendable, Equatable {
    public enum Resolved: String, Sendable {
        case full = "FULL", partial = "PARTIAL", no = "NO"
    }

    public var resolved: Resolved
    public var failToPassSuccess: [String]
    public var failToPassFailure: [String]
    public var passToPassSuccess: [String]
    public var passToPassFailure: [String]

    public init(instance: RepoInstance, report: JUnitReport?) {
        func split(_ names: [String]) -> ([String], [String]) {
            let passed = names.filter { report?.tests[$0] == .passed }
            return (passed, names.filter { report?.tests[$0] != .passed })
        }
        (failToPassSuccess, failToPassFailure) = split(instance.failToPass)
        (passToPassSuccess, passToPassFailure) = split(instance.passToPass)
        let passToPassHolds = passToPassFailure.isEmpty
        // SWE-bench counts an empty list as fully passed.
        if passToPassHolds && failToPassFailure.isEmpty {
            resolved = .full
        } else if passToPassHolds && !failToPassSuccess.isEmpty {
            resolved = .partial
        } else {
            resolved = .no
        }
    }
}
