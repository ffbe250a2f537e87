import Foundation
import Grader

/// Reads a test log the way SWE-bench's per-repository parsers do, so that the names in an
/// instance's FAIL_TO_PASS / PASS_TO_PASS (which those parsers produced) match here too —
/// including their quirks: a pytest id is the first whitespace-separated word after the status
/// (a parametrized id with a space is cut there, as in the dataset), a later line for the same
/// test wins, and Django's runner is read from its `name ... ok` lines.
///
/// Re-implemented from the documented behaviour and checked against the official harness's
/// logs (`Tests/GraderTests/LogParserTests.swift`); the parser per repository is data
/// (`SWESpecs`), with SWE-bench's choice as the default.
public enum LogParser: String, Sendable, Codable, CaseIterable {
    /// `STATUS id` lines of pytest's `-rA` summary (FAILED lines lose their ` - message`).
    case pytest
    /// As `pytest`, with a parameter that is an absolute path cut to its last component.
    case pytestOptions = "pytest_options"
    /// As `pytest` after removing colour codes and control characters; also `id STATUS` lines
    /// (older pytest's verbose output).
    case pytestV2 = "pytest_v2"
    /// Django's `runtests.py --verbosity 2`: `name ... ok|skipped|FAIL|ERROR`, `FAIL:`/`ERROR:`
    /// headers, a result on a line of its own after printed output.
    case django
    /// sympy's `bin/test`: `test_x ok|F|E` lines and `___ path.py:name ___` failure headers.
    case sympy
    /// seaborn: pytest summary lines plus `id PASSED ...` progress lines.
    case seaborn
    /// matplotlib: pytest summary lines with `MouseButton.LEFT/RIGHT` written as 1/3.
    case matplotlib

    /// SWE-bench's parser for a repository (`owner/name`); pytest's for one it does not know.
    public static func standard(forRepository repository: String) -> LogParser {
        switch repository {
        case "django/django": .django
        case "sympy/sympy": .sympy
        case "mwaskom/seaborn": .seaborn
        case "matplotlib/matplotlib": .matplotlib
        case "psf/requests", "pydicom/pydicom", "pylint-dev/pylint": .pytestOptions
        case "astropy/astropy", "scikit-learn/scikit-learn", "sphinx-doc/sphinx": .pytestV2
        default: .pytest
        }
    }

    /// Whether the log is pytest's (so Proctor's pytest plugin can watch the same run).
    public var readsPytest: Bool { self != .django && self != .sympy }
    /// Which of Proctor's watchers streams what this suite's runner decides: pytest's plugin,
    /// the unittest watcher (Django's runner is unittest's), or none (sympy's own runner: its
    /// log alone decides, as in SWE-bench).
    public var watch: String? { readsPytest ? "pytest" : self == .django ? "unittest" : nil }

    /// Each test the log names, with its last status.
    public func parse(_ log: String) -> [String: TestStatus] {
        switch self {
        case .pytest: Self.pytestLines(log, option: false, clean: false)
        case .pytestOptions: Self.pytestLines(log, option: true, clean: false)
        case .pytestV2: Self.pytestLines(log, option: false, clean: true)
        case .matplotlib:
            Self.pytestLines(
                log.replacingOccurrences(of: "MouseButton.LEFT", with: "1").replacingOccurrences(of: "MouseButton.RIGHT", with: "3"),
                option: false, clean: false)
        case .seaborn: Self.seaborn(log)
        case .django: Self.django(log)
        case .sympy: Self.sympy(log)
        }
    }

    /// Lines split as Python's `str.split("\n")` does (a CR stays part of its line).
    private static func lines(_ log: String) -> [Substring] { log.split(separator: "\n", omittingEmptySubsequences: false) }

    /// Words split as Python's `str.split()` does: on runs of whitespace.
    private static func words<S: StringProtocol>(_ line: S) -> [Substring] {
        line.split(whereSeparator: { $0.isWhitespace || $0 == "\u{1c}" || $0 == "\u{1d}" || $0 == "\u{1e}" || $0 == "\u{1f}" })
            .map { Substring($0) }
    }

    private static func pytestLines(_ log: String, option: Bool, clean: Bool) -> [String: TestStatus] {
        var map: [String: TestStatus] = [:]
        for raw in lines(log) {
            var line = String(raw)
            if clean { line = removingEscapes(line) }
            if let status = TestStatus.prefixing(Substring(line)) {
                if status == .failed { line = line.replacingOccurrences(of: " - ", with: " ") }
                let parts = words(line)
                guard parts.count > 1 else { continue }
                var name = String(parts[1])
                if option { name = cutPathOption(name) }
                // The first word is the status as it stands: `ERROR: Wrong expression …` records
                // `ERROR:`, which is no status (SWE-bench stores the word verbatim).
                map[name] = TestStatus(rawValue: String(parts[0])) ?? .unknown
            } else if clean, TestStatus.allCases.contains(where: { $0 != .unknown && line.hasSuffix($0.rawValue) }) {
                // Older pytest: `path::name STATUS`; whatever the second word is stands for the status.
                let parts = words(line)
                if parts.count >= 2 { map[String(parts[0])] = TestStatus(rawValue: String(parts[1])) ?? .unknown }
            }
        }
        return map
    }

    /// Colour codes (`ESC[1m` leaves `[1m` once ESC is gone) and control characters removed.
    private static func removingEscapes(_ line: String) -> String {
        var text = line.replacingOccurrences(of: #"\[(\d+)m"#, with: "", options: .regularExpression)
        text.unicodeScalars.removeAll { $0.value >= 1 && $0.value < 32 }
        return text
    }

    /// `name[/abs/path/file]` becomes `name[/file]` (not for `//…` or globs).
    private static func cutPathOption(_ name: String) -> String {
        guard let open = name.firstIndex(of: "["), let close = name.lastIndex(of: "]"), open < close else { return name }
        let main = name[..<open]
        var option = String(name[name.index(after: open)..<close])
        if option.hasPrefix("/") && !option.hasPrefix("//") && !option.contains("*") {
            option = "/" + (option.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? "")
        }
        return "\(main)[\(option)]"
    }

    private static func seaborn(_ log: String) -> [String: TestStatus] {
        var map: [String: TestStatus] = [:]
        for line in lines(log) {
            let parts = words(line)
            if line.hasPrefix("FAILED"), parts.count > 1 {
                map[String(parts[1])] = .failed
            } else if line.contains(" PASSED ") {
                if parts.count > 1, parts[1] == "PASSED" { map[String(parts[0])] = .passed }
            } else if line.hasPrefix("PASSED"), parts.count > 1 {
                map[String(parts[1])] = .passed
            }
        }
        return map
    }

    private static func django(_ log: String) -> [String: TestStatus] {
        var map: [String: TestStatus] = [:]
        var previous: String?
        for raw in lines(log) {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.contains("--version is equivalent to version") { map["--version is equivalent to version"] = .passed }
            if let range = line.range(of: " ... ") { previous = String(line[..<range.lowerBound]) }
            for suffix in [" ... ok", " ... OK", " ...  OK"] where line.hasSuffix(suffix) {
                var text = line
                // One instance prints a migration line before the test's name on the same line.
                if text.hasPrefix("Applying sites.0002_alter_domain_unique...test_no_migrations"),
                    let dots = text.range(of: "...")
                {
                    text = text[dots.upperBound...].trimmingCharacters(in: .whitespaces)
                }
                if let range = text.range(of: suffix, options: .backwards) { map[String(text[..<range.lowerBound])] = .passed }
                break
            }
            if let range = line.range(of: " ... skipped") { map[String(line[..<range.lowerBound])] = .skipped }
            if line.hasSuffix(" ... FAIL"), let range = line.range(of: " ... FAIL") { map[String(line[..<range.lowerBound])] = .failed }
            if line.hasPrefix("FAIL:"), let name = words(line).dropFirst().first { map[String(name)] = .failed }
            if line.hasSuffix(" ... ERROR"), let range = line.range(of: " ... ERROR") { map[String(line[..<range.lowerBound])] = .error }
            if line.hasPrefix("ERROR:"), let name = words(line).dropFirst().first { map[String(name)] = .error }
            if line.hasPrefix("ok"), let previous {
                // Printed output came between the name and `ok`: the result is on its own line.
                map[previous] = .passed
            }
        }
        // Output a test printed, then `ok` at the start of the next line (three known shapes).
        let patterns = [
            #"^(.*?)\s\.\.\.\sTesting\ against\ Django\ installed\ in\ ((?s:.*?))\ silenced\)\.\nok$"#,
            #"^(.*?)\s\.\.\.\sInternal\ Server\ Error:\ \/(.*)\/\nok$"#,
            #"^(.*?)\s\.\.\.\sSystem check identified no issues \(0 silenced\)\nok$"#,
        ]
        for pattern in patterns {
            guard let expression = try? NSRegularExpression(pattern: pattern, options: [.anchorsMatchLines]) else { continue }
            let text = log as NSString
            for match in expression.matches(in: log, range: NSRange(location: 0, length: text.length)) {
                map[text.substring(with: match.range(at: 1))] = .passed
            }
        }
        return map
    }

    private static func sympy(_ log: String) -> [String: TestStatus] {
        var map: [String: TestStatus] = [:]
        if let expression = try? NSRegularExpression(pattern: #"(_*) (.*)\.py:(.*) (_*)"#) {
            let text = log as NSString
            for match in expression.matches(in: log, range: NSRange(location: 0, length: text.length)) {
                map["\(text.substring(with: match.range(at: 2))).py:\(text.substring(with: match.range(at: 3)))"] = .failed
            }
        }
        for raw in lines(log) {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            guard line.hasPrefix("test_"), let name = words(line).first.map(String.init) else { continue }
            if line.hasSuffix(" E") { map[name] = .error }
            if line.hasSuffix(" F") { map[name] = .failed }
            if line.hasSuffix(" ok") { map[name] = .passed }
        }
        return map
    }
}
