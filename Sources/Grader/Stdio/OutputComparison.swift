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
    /// LiveCodeBench's rule, as its `grade_stdio` applies it: the whole output stripped, split
    /// at `\n`, each line stripped (Python's whitespace); the same number of lines; a line
    /// matches when its text is equal, or when its whitespace-separated tokens are all decimals
    /// (`ExactDecimal`, exact at any length, whole tokens only) and equal one by one.
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
            let got = Self.strippedLines(output)
            let want = Self.strippedLines(expected)
            guard got.count == want.count else { return false }
            return zip(got, want).allSatisfy { got, want in
                if got.elementsEqual(want) { return true }
                let a = Self.pythonSplit(got).map(ExactDecimal.init)
                let b = Self.pythonSplit(want).map(ExactDecimal.init)
                guard a.count == b.count, !a.contains(nil), !b.contains(nil) else { return false }
                return a == b
            }
        }
    }

    /// Python's `str.isspace()` characters: what `strip()` and `split()` remove.
    static func isPythonSpace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: true
        default: false
        }
    }

    /// `text.strip().split("\n")`, each line stripped — on Unicode scalars, so `\r\n` is split
    /// as Python splits it (a Swift Character would hold both).
    static func strippedLines(_ text: String) -> [Substring.UnicodeScalarView] {
        let whole = pythonStrip(Substring(text).unicodeScalars)
        return whole.split(separator: "\n", omittingEmptySubsequences: false).map { pythonStrip($0) }
    }

    static func pythonStrip(_ scalars: Substring.UnicodeScalarView) -> Substring.UnicodeScalarView {
        guard let start = scalars.firstIndex(where: { !isPythonSpace($0) }), let end = scalars.lastIndex(where: { !isPythonSpace($0) }) else {
            return scalars[scalars.endIndex...]
        }
        return scalars[start...end]
    }

    /// `str.split()` with no argument: runs of Python whitespace separate, none at the ends.
    static func pythonSplit(_ scalars: Substring.UnicodeScalarView) -> [Substring.UnicodeScalarView] {
        scalars.split(whereSeparator: isPythonSpace)
    }

    static func tokens(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" || $0 == "\u{0B}" || $0 == "\u{0C}" })
            .map(String.init)
    }

    static func droppingOneNewline(_ text: String) -> Substring {
        text.hasSuffix("\n") ? text.dropLast() : Substring(text)
    }

    /// The first difference, for a row: the expected and the produced text around it, cut to `limit`.
    public static func difference(output: String, expected: String, limit: Int = 400) -> (expected: String, got: String) {
        (String(expected.prefix(limit)), String(output.prefix(limit)))
    }
}
