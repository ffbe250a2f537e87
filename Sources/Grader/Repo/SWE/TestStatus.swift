/// A test's status as SWE-bench's log parsers report it; the raw values are the words its logs
/// and reports use.
public enum TestStatus: String, Sendable, Codable, CaseIterable {
    case passed = "PASSED"
    case failed = "FAILED"
    case skipped = "SKIPPED"
    case error = "ERROR"
    case xfail = "XFAIL"

    /// The status word a pytest `-rA` summary line starts with, if it starts with one. pytest
    /// also prints `XPASS`, which matches no status (SWE-bench's parsers ignore such lines too).
    static func prefixing(_ line: Substring) -> TestStatus? {
        allCases.first { line.hasPrefix($0.rawValue) }
    }
}
