/// An optional that a document always carries: encoded as `null` when there is no value, where
/// Swift's synthesised `Codable` would leave the key out.
///
/// Why: readers of `compare --format json`, `leaderboard --format json` and adaptive.json find
/// every key in every object (a leaderboard's last entry leads nobody: `lead_sign_p` is null, not
/// missing), without each type hand-writing an `encode(to:)` that lists its keys a second time.
/// Decoding accepts the key absent or null alike.
@propertyWrapper
public struct ExplicitNull<Value: Codable & Sendable>: Codable, Sendable {
    public var wrappedValue: Value?

    public init(wrappedValue: Value?) { self.wrappedValue = wrappedValue }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        wrappedValue = container.decodeNil() ? nil : try container.decode(Value.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue { try container.encode(wrappedValue) } else { try container.encodeNil() }
    }
}

extension ExplicitNull: Equatable where Value: Equatable {}

extension KeyedDecodingContainer {
    /// A missing key is a nil value (synthesised decoding would call it an error).
    public func decode<Value>(_ type: ExplicitNull<Value>.Type, forKey key: Key) throws -> ExplicitNull<Value> {
        try decodeIfPresent(type, forKey: key) ?? ExplicitNull(wrappedValue: nil)
    }
}
