/// A number read as Python's `decimal.Decimal(text)` reads it, exactly and at any length:
/// LiveCodeBench compares output tokens this way. Only whole tokens are numbers (`12abc` is
/// not), digits may be any Unicode decimal digits with single underscores between them (as
/// Python accepts), and two values are equal when they are the same number (`7.0` equals `7`,
/// `-0` equals `0`); a NaN equals nothing. No floating point and no fixed precision: a wrong
/// 48-digit answer differs from the right one in its last digit.
struct ExactDecimal: Equatable {
    enum Kind: Equatable {
        /// `coefficient` (no leading or trailing zeros; empty for zero) × 10^`exponent`.
        case finite(negative: Bool, coefficient: [UInt8], exponent: Int)
        case infinity(negative: Bool)
        case notANumber
    }

    let kind: Kind

    /// nil when `text` is not one decimal as Python reads it.
    init?(_ text: Substring.UnicodeScalarView) {
        var scalars = Array(text)
        guard !scalars.isEmpty else { return nil }
        var negative = false
        if scalars[0] == "+" || scalars[0] == "-" {
            negative = scalars[0] == "-"
            scalars.removeFirst()
        }
        let word = String(String.UnicodeScalarView(scalars)).lowercased()
        if word == "inf" || word == "infinity" {
            kind = .infinity(negative: negative)
            return
        }
        if word.hasPrefix("nan") || word.hasPrefix("snan") {
            // A NaN may carry diagnostic digits; it is a number that equals nothing.
            let digits = word.drop { $0.isLetter }
            guard Self.digitRun(Array(digits.unicodeScalars)) != nil || digits.isEmpty else { return nil }
            kind = .notANumber
            return
        }
        // digits [. digits] | . digits, then [e|E [sign] digits]
        var mantissa = scalars[...]
        var exponentPart: ArraySlice<Unicode.Scalar> = []
        if let marker = scalars.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = scalars[..<marker]
            exponentPart = scalars[(marker + 1)...]
            guard !exponentPart.isEmpty else { return nil }
        }
        var integerPart = mantissa
        var fractionPart: ArraySlice<Unicode.Scalar> = []
        if let point = mantissa.firstIndex(of: ".") {
            integerPart = mantissa[..<point]
            fractionPart = mantissa[(point + 1)...]
        }
        guard !integerPart.isEmpty || !fractionPart.isEmpty else { return nil }
        guard let integerDigits = integerPart.isEmpty ? [] : Self.digitRun(Array(integerPart)),
            let fractionDigits = fractionPart.isEmpty ? [] : Self.digitRun(Array(fractionPart))
        else { return nil }
        var exponent = 0
        if !exponentPart.isEmpty {
            var exponentNegative = false
            if exponentPart.first == "+" || exponentPart.first == "-" {
                exponentNegative = exponentPart.first == "-"
                exponentPart = exponentPart.dropFirst()
            }
            guard let digits = Self.digitRun(Array(exponentPart)), !digits.isEmpty else { return nil }
            for digit in digits.drop(while: { $0 == 0 }) {
                let (times, overflow1) = exponent.multipliedReportingOverflow(by: 10)
                let (plus, overflow2) = times.addingReportingOverflow(Int(digit))
                guard !overflow1, !overflow2, plus < Int.max / 4 else { return nil }
                exponent = plus
            }
            if exponentNegative { exponent = -exponent }
        }
        var coefficient = Array((integerDigits + fractionDigits).drop(while: { $0 == 0 }))
        exponent -= fractionDigits.count
        while coefficient.last == 0 {
            coefficient.removeLast()
            exponent += 1
        }
        kind = coefficient.isEmpty ? .finite(negative: false, coefficient: [], exponent: 0) : .finite(negative: negative, coefficient: coefficient, exponent: exponent)
    }

    init?(_ text: String) { self.init(Substring(text).unicodeScalars) }

    static func == (a: ExactDecimal, b: ExactDecimal) -> Bool {
        if a.kind == .notANumber || b.kind == .notANumber { return false }
        return a.kind == b.kind
    }

    /// The values of a run of decimal digits with single underscores between them (PEP 515);
    /// nil when anything else is in it. Digits of any script count, as they do for Python.
    static func digitRun(_ scalars: [Unicode.Scalar]) -> [UInt8]? {
        var digits: [UInt8] = []
        var previousWasDigit = false
        for (index, scalar) in scalars.enumerated() {
            if scalar == "_" {
                guard previousWasDigit, index + 1 < scalars.count else { return nil }
                previousWasDigit = false
                continue
            }
            guard scalar.properties.numericType == .decimal, let value = scalar.properties.numericValue, value >= 0, value <= 9 else {
                return nil
            }
            digits.append(UInt8(value))
            previousWasDigit = true
        }
        return digits
    }
}
