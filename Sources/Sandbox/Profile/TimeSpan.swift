/// A duration written as `"2s"`, `"1500ms"`, `"1.5s"`, `"2m"` or a JSON number of seconds.
public struct TimeSpan: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    public var milliseconds: UInt64

    public init(milliseconds: UInt64) { self.milliseconds = milliseconds }
    public init(seconds: Double) { self.milliseconds = UInt64((seconds * 1000).rounded()) }

    public var seconds: Double { Double(milliseconds) / 1000 }

    /// Parses `text`; nil when it is not a duration.
    public init?(parsing text: String) {
        let trimmed = text.trimmingWhitespace()
        for (suffix, factor) in [("ms", 1.0), ("s", 1000.0), ("m", 60_000.0), ("h", 3_600_000.0)] where trimmed.hasSuffix(suffix) {
            guard let value = Double(trimmed.dropLast(suffix.count).trimmingWhitespace()), value > 0 else { return nil }
            self.init(milliseconds: UInt64((value * factor).rounded()))
            return
        }
        guard let value = Double(trimmed), value > 0 else { return nil }
        self.init(seconds: value)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Double.self) {
            self.init(seconds: number)
            return
        }
        let text = try container.decode(String.self)
        guard let parsed = TimeSpan(parsing: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not a duration (e.g. 2s, 500ms)")
        }
        self = parsed
    }

    /// Encodes as text ("3s", "1500ms"): a bare number decodes as seconds (profiles write
    /// `"cpu": 2`), so the text form is the one that survives a round trip.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    public var description: String {
        milliseconds % 1000 == 0 ? "\(milliseconds / 1000)s" : "\(milliseconds)ms"
    }

    public static func < (lhs: TimeSpan, rhs: TimeSpan) -> Bool { lhs.milliseconds < rhs.milliseconds }
}
