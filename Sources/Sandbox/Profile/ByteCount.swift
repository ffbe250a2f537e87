/// A size written the way people write it in profiles and flags: `"256MiB"`, `"64KiB"`, `"1GiB"`,
/// `"1000000"` (bytes), or a plain JSON number.
public struct ByteCount: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    public var bytes: UInt64

    public init(bytes: UInt64) { self.bytes = bytes }

    private static let units: [(String, UInt64)] = [
        ("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("TiB", 1 << 40),
        ("KB", 1_000), ("MB", 1_000_000), ("GB", 1_000_000_000), ("K", 1 << 10), ("M", 1 << 20), ("G", 1 << 30),
        ("B", 1),
    ]

    /// Parses `text`; nil when it is not a size.
    public init?(parsing text: String) {
        let trimmed = text.trimmingWhitespace()
        for (suffix, factor) in Self.units where trimmed.hasSuffix(suffix) {
            guard let value = Double(trimmed.dropLast(suffix.count).trimmingWhitespace()), value >= 0 else { return nil }
            self.bytes = UInt64(value * Double(factor))
            return
        }
        guard let value = UInt64(trimmed) else { return nil }
        self.bytes = value
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(UInt64.self) {
            bytes = number
            return
        }
        let text = try container.decode(String.self)
        guard let parsed = ByteCount(parsing: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not a size (e.g. 256MiB)")
        }
        self = parsed
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(bytes)
    }

    public var description: String {
        for (suffix, factor) in [("GiB", UInt64(1) << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)]
        where bytes >= factor && bytes % factor == 0 {
            return "\(bytes / factor)\(suffix)"
        }
        return "\(bytes)B"
    }

    public static func < (lhs: ByteCount, rhs: ByteCount) -> Bool { lhs.bytes < rhs.bytes }
}

extension String {
    func trimmingWhitespace() -> String {
        var slice = Substring(self)
        while let first = slice.first, first.isWhitespace { slice = slice.dropFirst() }
        while let last = slice.last, last.isWhitespace { slice = slice.dropLast() }
        return String(slice)
    }
}

extension Substring {
    func trimmingWhitespace() -> String { String(self).trimmingWhitespace() }
}
