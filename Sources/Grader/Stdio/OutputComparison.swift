import Foundation

/// How a program's output is compared with the expected answer, in the grader, outside the
/// sandbox (the program never sees an answer).
public enum OutputComparison: Sendable, Equatable {
    /// Byte for byte, after one trailing newline on each side.
    case exact
    /// Whitespace-separated tokens equal (Codeforces checkers' default): line breaks and runs of
    /// spaces do not matter.
    case tokens
    /// Tokens equal, numbers within an absolute or relative tolerance.
    case numbers(tolerance: Double)
    /// LiveCodeBench's rule: line by line (blank lines at the ends ignored, each line stripped);
    /// a line matches when its text is equal, or when its tokens all read as decimals and are
    /// equal as decimals.
    case liveCodeBench

    /// The mode a name gives (`exact`, `tokens`, `numbers`, `numbers:1e-9`, `lcb`), nil if unknown.
    public init?(name: String) {
        switch name {
        case "exact": self = .exact
        case "tokens": self = .tokens
        case "lcb", "livecodebench": self = .liveCodeBench
        case "numbers": self = .numbers(tolerance: 1e-6)
        default:
            guard name.hasPrefix("numbers:"), let tolerance = Double(name.dropFirst(8)), tolerance >= 0 else { return nil }
            self = .numbers(tolerance: tolerance)
        }
    }

    public var name: String {
        switch self {
        case .exact: "exact"
        case .tokens: "tokens"
        case .numbers(let tolerance): "numbers:\(tolerance)"
        case .liveCodeBench: "lcb"
        }
    }

    public func matches(output: String, expected: String) -> Bool {
        switch self {
        case .exact:
            return Self.droppingOneNewline(output) == Self.droppingOneNewline(expected)
        case .tokens:
            return Self.tokens(output) == Self.tokens(expected)
        case .numbers(let tolerance):
            let got = Self.tokens(output)
            let want = Self.tokens(expected)
            guard got.count == want.count else { return false }
            return zip(got, want).allSatisfy { got, want in
                if got == want { return true }
                guard let a = Double(got), let b = Double(want), a.isFinite, b.isFinite else { return false }
                return abs(a - b) <= tolerance || abs(a - b) <= tolerance * abs(b)
            }
        case .liveCodeBench:
            let got = Self.lines(output)
            let want = Self.lines(expected)
            guard got.count == want.count else { return false }
            return zip(got, want).allSatisfy { got, want in
                if got == want { return true }
                let a = Self.tokens(got).map { Decimal(string: $0, locale: Locale(identifier: "en_US_POSIX")) }
                let b = Self.tokens(want).map { Decimal(string: $0, locale: Locale(identifier: "en_US_POSIX")) }
                guard a.count == b.count, !a.contains(nil), !b.contains(nil) else { return false }
                return a == b
            }
        }
    }

    static func tokens(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" || $0 == "\u{0B}" || $0 == "\u{0C}" })
            .map(String.init)
    }

    static func lines(_ text: String) -> [String] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        while lines.last?.isEmpty == true { lines.removeLast() }
        while lines.first?.isEmpty == true { lines.removeFirst() }
        return lines
    }

    static func droppingOneNewline(_ text: String) -> Substring {
        text.hasSuffix("\n") ? text.dropLast() : Substring(text)
    }

    /// The first difference, for a row: the expected and the produced text around it, cut to `limit`.
    public static func difference(output: String, expected: String, limit: Int = 400) -> (expected: String, got: String) {
        (String(expected.prefix(limit)), String(output.prefix(limit)))
    }
}
