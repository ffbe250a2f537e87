/// Decodes one JSON document (a results row) into a `Decodable` type without building the
/// document first: an object is scanned once for where each member's value starts, and only
/// the members the type asks for are read; the rest (a row's program, its output tails, the
/// fields a sample carried in) are stepped over. Foundation's `JSONDecoder` and
/// `JSONSerialization` both build every value of every row, which was most of a report's time
/// over 100,000 rows.
///
/// Syntax is checked as it is stepped over (strings closed, brackets matched, literals and
/// numbers well formed, nothing after the value), so a broken line is an error, not a guess.
public enum RowDecoder {
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        try decode(type, from: bytes[...])
    }

    /// Decodes the document `bytes` holds (a line of a larger block: nothing is copied).
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: ArraySlice<UInt8>) throws -> T {
        let document = Document(bytes)
        let start = document.skipSpace(bytes.startIndex)
        let end: Int
        if start < bytes.endIndex, bytes[start] == UInt8(ascii: "{") {
            // The object's scan is kept for the container the type asks for: one pass over the row.
            let scan = try document.scanObject(start, path: [])
            document.top = (start, scan)
            end = scan.end
        } else {
            end = try document.skipValue(start, path: [])
        }
        guard document.skipSpace(end) == bytes.endIndex else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "unexpected text after the value at byte \(end)"))
        }
        return try T(from: ValueDecoder(document: document, start: start, codingPath: []))
    }
}

/// The bytes of one document and the scanning over them.
private final class Document {
    let bytes: ArraySlice<UInt8>
    /// Where the document ends (indices are the enclosing block's).
    let end: Int
    /// The top-level object's members, scanned while checking the document.
    var top: (start: Int, scan: ObjectScan)?
    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        self.end = bytes.endIndex
    }

    /// One member of an object: its name's bytes (between the quotes), a hash of them, where
    /// its value starts.
    struct Member {
        var name: Range<Int>
        var hash: UInt64
        var value: Int
        var escaped: Bool
    }

    struct ObjectScan {
        var members: [Member]
        var end: Int
    }

    /// FNV-1a: cheap, and enough to tell a row's member names apart before comparing bytes.
    static func hash<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }

    /// The members of the object whose `{` is at `index`, its syntax checked on the way.
    func scanObject(_ index: Int, path: [any CodingKey]) throws -> ObjectScan {
        var members: [Member] = []
        var at = skipSpace(index + 1)
        if at < end, bytes[at] == UInt8(ascii: "}") { return ObjectScan(members: [], end: at + 1) }
        while true {
            guard at < end, bytes[at] == UInt8(ascii: "\"") else { throw corrupt(path, "a member name expected", at: at) }
            let nameEnd = try skipString(at, path: path)
            let name = (at + 1)..<(nameEnd - 1)
            let escaped = bytes[name].contains(UInt8(ascii: "\\"))
            let hash = escaped ? Self.hash(try string(at, path: path).utf8) : Self.hash(bytes[name])
            at = skipSpace(nameEnd)
            guard at < end, bytes[at] == UInt8(ascii: ":") else { throw corrupt(path, "':' expected", at: at) }
            let value = skipSpace(at + 1)
            members.append(Member(name: name, hash: hash, value: value, escaped: escaped))
            at = skipSpace(try skipValue(value, path: path))
            guard at < end else { throw corrupt(path, "'}' expected", at: at) }
            if bytes[at] == UInt8(ascii: "}") { return ObjectScan(members: members, end: at + 1) }
            guard bytes[at] == UInt8(ascii: ",") else { throw corrupt(path, "',' or '}' expected", at: at) }
            at = skipSpace(at + 1)
        }
    }

    func skipSpace(_ index: Int) -> Int {
        var index = index
        while index < end {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return index
            }
        }
        return index
    }

    func corrupt(_ path: [any CodingKey], _ what: String, at index: Int) -> DecodingError {
        .dataCorrupted(.init(codingPath: path, debugDescription: "\(what) at byte \(index)"))
    }

    /// The index just past the value that starts at `index`.
    /// Containers nested deeper than this are refused, as Foundation's decoders refuse them: a
    /// row's fields a sample carried in could otherwise nest deep enough to exhaust the stack.
    static let maximumDepth = 512

    func skipValue(_ index: Int, path: [any CodingKey], depth: Int = 0) throws -> Int {
        guard index < end else { throw corrupt(path, "a value expected", at: index) }
        guard depth < Self.maximumDepth else { throw corrupt(path, "nesting deeper than \(Self.maximumDepth)", at: index) }
        switch bytes[index] {
        case UInt8(ascii: "\""): return try skipString(index, path: path)
        case UInt8(ascii: "{"):
            var at = skipSpace(index + 1)
            if at < end, bytes[at] == UInt8(ascii: "}") { return at + 1 }
            while true {
                guard at < end, bytes[at] == UInt8(ascii: "\"") else { throw corrupt(path, "a member name expected", at: at) }
                at = skipSpace(try skipString(at, path: path))
                guard at < end, bytes[at] == UInt8(ascii: ":") else { throw corrupt(path, "':' expected", at: at) }
                at = skipSpace(try skipValue(skipSpace(at + 1), path: path, depth: depth + 1))
                guard at < end else { throw corrupt(path, "'}' expected", at: at) }
                if bytes[at] == UInt8(ascii: "}") { return at + 1 }
                guard bytes[at] == UInt8(ascii: ",") else { throw corrupt(path, "',' or '}' expected", at: at) }
                at = skipSpace(at + 1)
            }
        case UInt8(ascii: "["):
            var at = skipSpace(index + 1)
            if at < end, bytes[at] == UInt8(ascii: "]") { return at + 1 }
            while true {
                at = skipSpace(try skipValue(at, path: path, depth: depth + 1))
                guard at < end else { throw corrupt(path, "']' expected", at: at) }
                if bytes[at] == UInt8(ascii: "]") { return at + 1 }
                guard bytes[at] == UInt8(ascii: ",") else { throw corrupt(path, "',' or ']' expected", at: at) }
                at = skipSpace(at + 1)
            }
        case UInt8(ascii: "t"): return try skipLiteral(index, "true", path: path)
        case UInt8(ascii: "f"): return try skipLiteral(index, "false", path: path)
        case UInt8(ascii: "n"): return try skipLiteral(index, "null", path: path)
        default:
            let end = numberEnd(index)
            guard end > index else { throw corrupt(path, "a value expected", at: index) }
            return end
        }
    }

    func skipLiteral(_ index: Int, _ word: StaticString, path: [any CodingKey]) throws -> Int {
        let count = word.utf8CodeUnitCount
        guard index + count <= end else { throw corrupt(path, "'\(word)' expected", at: index) }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] {
            throw corrupt(path, "'\(word)' expected", at: index)
        }
        return index + count
    }

    /// The index past a JSON number's text starting at `index` (== `index` when there is none).
    func numberEnd(_ index: Int) -> Int {
        var at = index
        while at < end {
            switch bytes[at] {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."), UInt8(ascii: "e"),
                UInt8(ascii: "E"):
                at += 1
            default: return at
            }
        }
        return at
    }

    /// The index just past the string whose opening quote is at `index`.
    func skipString(_ index: Int, path: [any CodingKey]) throws -> Int {
        var at = index + 1
        while at < end {
            switch bytes[at] {
            case UInt8(ascii: "\""): return at + 1
            case UInt8(ascii: "\\"):
                guard at + 1 < end else { break }
                switch bytes[at + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"),
                    UInt8(ascii: "r"), UInt8(ascii: "t"):
                    at += 2
                case UInt8(ascii: "u"):
                    _ = try hex4(at + 2, path: path)
                    at += 6
                default: throw corrupt(path, "a bad escape", at: at)
                }
            default: at += 1
            }
        }
        throw corrupt(path, "an unterminated string", at: index)
    }

    /// The string whose opening quote is at `index`, escapes resolved.
    func string(_ index: Int, path: [any CodingKey]) throws -> String {
        let end = try skipString(index, path: path) - 1
        let body = bytes[(index + 1)..<end]
        guard body.contains(UInt8(ascii: "\\")) else { return String(decoding: body, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(body.count)
        var at = index + 1
        while at < end {
            let byte = bytes[at]
            guard byte == UInt8(ascii: "\\") else {
                out.append(byte)
                at += 1
                continue
            }
            let escaped = bytes[at + 1]
            at += 2
            switch escaped {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "u"):
                var scalar = try hex4(at, path: path)
                at += 4
                // A surrogate pair spells one scalar in two escapes.
                if (0xD800..<0xDC00).contains(scalar), at + 6 <= end, bytes[at] == UInt8(ascii: "\\"), bytes[at + 1] == UInt8(ascii: "u") {
                    let low = try hex4(at + 2, path: path)
                    if (0xDC00..<0xE000).contains(low) {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        at += 6
                    }
                }
                out.append(contentsOf: Array(String(Unicode.Scalar(scalar).map(Character.init) ?? "\u{FFFD}").utf8))
            default: out.append(escaped)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    func hex4(_ index: Int, path: [any CodingKey]) throws -> UInt32 {
        guard index + 4 <= end else { throw corrupt(path, "a \\u escape cut short", at: index) }
        var value: UInt32 = 0
        for byte in bytes[index..<(index + 4)] {
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw corrupt(path, "a bad \\u escape", at: index)
            }
            value = value * 16 + digit
        }
        return value
    }

    /// Whether `member`'s name spells `name` (whose hash is `hash`).
    func nameEquals(_ member: Member, _ name: String, hash: UInt64) -> Bool {
        guard member.hash == hash else { return false }
        if member.escaped { return (try? string(member.name.lowerBound - 1, path: [])) == name }
        return bytes[member.name].elementsEqual(name.utf8)
    }

    func isNull(_ index: Int) -> Bool { index < end && bytes[index] == UInt8(ascii: "n") }
}

/// Decodes the value starting at `start`.
private struct ValueDecoder: Decoder {
    let document: Document
    let start: Int
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(try ObjectContainer<Key>(document: document, start: start, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try ArrayContainer(document: document, start: start, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        ScalarContainer(document: document, start: start, codingPath: codingPath)
    }
}

/// Reads scalars at one position: the primitives every container delegates to.
private struct ScalarContainer: SingleValueDecodingContainer {
    let document: Document
    let start: Int
    /// The path to the value's container, and the value's own key: the full path is only built
    /// when something asks (an error, a nested container), not for every member read.
    let parentPath: [any CodingKey]
    let key: (any CodingKey)?

    init(document: Document, start: Int, codingPath: [any CodingKey]) {
        self.document = document
        self.start = start
        self.parentPath = codingPath
        self.key = nil
    }

    init(document: Document, start: Int, parentPath: [any CodingKey], key: any CodingKey) {
        self.document = document
        self.start = start
        self.parentPath = parentPath
        self.key = key
    }

    var codingPath: [any CodingKey] { key.map { parentPath + [$0] } ?? parentPath }

    private func mismatch(_ type: Any.Type, _ expected: String) -> DecodingError {
        .typeMismatch(type, .init(codingPath: codingPath, debugDescription: "expected \(expected)"))
    }

    func decodeNil() -> Bool { document.isNull(start) }

    func decode(_ type: Bool.Type) throws -> Bool {
        guard start < document.end else { throw mismatch(type, "a boolean") }
        switch document.bytes[start] {
        case UInt8(ascii: "t"): return true
        case UInt8(ascii: "f"): return false
        default: throw mismatch(type, "a boolean")
        }
    }

    func decode(_ type: String.Type) throws -> String {
        guard start < document.end, document.bytes[start] == UInt8(ascii: "\"") else { throw mismatch(type, "a string") }
        return try document.string(start, path: codingPath)
    }

    private func numberText() throws -> String {
        let end = document.numberEnd(start)
        guard end > start else { throw mismatch(Double.self, "a number") }
        return String(decoding: document.bytes[start..<end], as: UTF8.self)
    }

    func decode(_ type: Double.Type) throws -> Double {
        guard let value = Double(try numberText()) else { throw mismatch(type, "a number") }
        return value
    }

    func decode(_ type: Float.Type) throws -> Float { Float(try decode(Double.self)) }

    func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        let text = try numberText()
        if let value = T(text) { return value }
        // 3.0 and 1e3 are whole numbers too.
        if let double = Double(text), double == double.rounded(), let value = T(exactly: double) { return value }
        throw mismatch(type, "a whole number")
    }

    func decode(_ type: Int.Type) throws -> Int { try integer(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try T(from: ValueDecoder(document: document, start: start, codingPath: codingPath))
    }
}

/// An object's members: where each name and value starts, found in one pass.
private struct ObjectContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let document: Document
    let codingPath: [any CodingKey]
    private let members: [Document.Member]

    init(document: Document, start: Int, codingPath: [any CodingKey]) throws {
        self.document = document
        self.codingPath = codingPath
        guard start < document.end, document.bytes[start] == UInt8(ascii: "{") else {
            throw DecodingError.typeMismatch([String: Any].self, .init(codingPath: codingPath, debugDescription: "expected an object"))
        }
        if let top = document.top, top.start == start {
            members = top.scan.members
        } else {
            members = try document.scanObject(start, path: codingPath).members
        }
    }

    private func valueStart(_ key: Key) throws -> Int? {
        let name = key.stringValue
        let hash = Document.hash(name.utf8)
        // The first of repeated names wins, as in Foundation's JSONDecoder.
        for member in members where document.nameEquals(member, name, hash: hash) {
            return member.value
        }
        return nil
    }

    private func scalar(_ key: Key) throws -> ScalarContainer {
        guard let value = try valueStart(key) else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "no member \(key.stringValue)"))
        }
        return ScalarContainer(document: document, start: value, parentPath: codingPath, key: key)
    }

    var allKeys: [Key] {
        members.compactMap { member in (try? document.string(member.name.lowerBound - 1, path: codingPath)).flatMap(Key.init(stringValue:)) }
    }

    func contains(_ key: Key) -> Bool { (try? valueStart(key)) != nil }

    func decodeNil(forKey key: Key) throws -> Bool {
        guard let value = try valueStart(key) else { return true }
        return document.isNull(value)
    }

    /// One lookup for a member that may be absent or null (the default asks three times).
    private func present(_ key: Key) throws -> ScalarContainer? {
        guard let value = try valueStart(key), !document.isNull(value) else { return nil }
        return ScalarContainer(document: document, start: value, parentPath: codingPath, key: key)
    }

    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try present(key)?.decode(type) }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { try present(key)?.decode(type) }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { try present(key)?.decode(type) }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try present(key)?.decode(type) }
    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { try present(key)?.decode(type) }
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? { try present(key)?.decode(type) }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try scalar(key).decode(type) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try scalar(key).decode(type) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try scalar(key).decode(type) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try scalar(key).decode(type) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try scalar(key).decode(type) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try scalar(key).decode(type) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try scalar(key).decode(type) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try scalar(key).decode(type) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try scalar(key).decode(type) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try scalar(key).decode(type) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try scalar(key).decode(type) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try scalar(key).decode(type) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try scalar(key).decode(type) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try scalar(key).decode(type) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try scalar(key).decode(type) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        let value = try scalar(key)
        return KeyedDecodingContainer(try ObjectContainer<NestedKey>(document: document, start: value.start, codingPath: value.codingPath))
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        let value = try scalar(key)
        return try ArrayContainer(document: document, start: value.start, codingPath: value.codingPath)
    }

    func superDecoder() throws -> any Decoder {
        // A key type with no "super" (an enum of a type's own keys) has no super member to read.
        guard let key = Key(stringValue: "super") else {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "\(Key.self) has no key \"super\""))
        }
        return try superDecoder(forKey: key)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        let value = try scalar(key)
        return ValueDecoder(document: document, start: value.start, codingPath: value.codingPath)
    }
}

/// An array's elements, read in order.
private struct ArrayContainer: UnkeyedDecodingContainer {
    let document: Document
    let codingPath: [any CodingKey]
    private var elements: [Int] = []
    private(set) var currentIndex = 0
    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    private struct Index: CodingKey {
        var stringValue: String
        var intValue: Int?
        init(_ index: Int) {
            stringValue = "\(index)"
            intValue = index
        }
        init?(stringValue: String) { nil }
        init?(intValue: Int) { self.init(intValue) }
    }

    init(document: Document, start: Int, codingPath: [any CodingKey]) throws {
        self.document = document
        self.codingPath = codingPath
        let bytes = document.bytes
        guard start < document.end, bytes[start] == UInt8(ascii: "[") else {
            throw DecodingError.typeMismatch([Any].self, .init(codingPath: codingPath, debugDescription: "expected a list"))
        }
        var at = document.skipSpace(start + 1)
        if bytes[at] == UInt8(ascii: "]") { return }
        while true {
            elements.append(at)
            at = document.skipSpace(try document.skipValue(at, path: codingPath))
            if bytes[at] == UInt8(ascii: "]") { return }
            at = document.skipSpace(at + 1)
        }
    }

    private mutating func next() throws -> ScalarContainer {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(Any.self, .init(codingPath: codingPath, debugDescription: "the list has no more elements"))
        }
        defer { currentIndex += 1 }
        return ScalarContainer(document: document, start: elements[currentIndex], parentPath: codingPath, key: Index(currentIndex))
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, document.isNull(elements[currentIndex]) else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try next().decode(type) }
    mutating func decode(_ type: String.Type) throws -> String { try next().decode(type) }
    mutating func decode(_ type: Double.Type) throws -> Double { try next().decode(type) }
    mutating func decode(_ type: Float.Type) throws -> Float { try next().decode(type) }
    mutating func decode(_ type: Int.Type) throws -> Int { try next().decode(type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try next().decode(type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try next().decode(type) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try next().decode(type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try next().decode(type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try next().decode(type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try next().decode(type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try next().decode(type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try next().decode(type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try next().decode(type) }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next().decode(type) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let value = try next()
        return KeyedDecodingContainer(try ObjectContainer<NestedKey>(document: document, start: value.start, codingPath: value.codingPath))
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let value = try next()
        return try ArrayContainer(document: document, start: value.start, codingPath: value.codingPath)
    }

    mutating func superDecoder() throws -> any Decoder {
        let value = try next()
        return ValueDecoder(document: document, start: value.start, codingPath: value.codingPath)
    }
}
