/// A test's status as SWE-bench's log parsers report it; the raw values are the words its logs
/// and reports use.
public enum TestStatus: String, Sendable, Codable, CaseIterable {
    case passed = "PASSED"
    case failed = "FAILED"
    case skipped = "SKIPPED"
    case error = "ERROR"
    case xfail = "XFAIL"
    /// A word in a status's place that is none of them (`name word PASSED` read by the pytest_v2
    /// parser): neither a pass nor a failure, as in SWE-bench, where such a test drops out of
    /// both lists.
    case unknown = "UNKNOWN"

    /// The status word a pytest `-rA` summary line starts with, if it starts with one. pytest
    /// also prints `XPASS`, which matches no status (SWE-bench's parsers ignore such lines too).
    static func prefixing(_ line: Substring) -> TestStatus? {
        allCases.first { $0 != .unknown && line.hasPrefix($0.rawValue) }
    }
}
