import Crypto
import Foundation

/// A 256-bit AES-GCM key for sealed problems files. Read from a key file (64 hex digits, or 32
/// raw bytes) or from `PROCTOR_SEAL_KEY` (hex); never written into any file it opens.
public struct SealKey: Sendable {
    private let bytes: [UInt8]
    var key: SymmetricKey { SymmetricKey(data: bytes) }

    /// The environment variable a key may come from instead of `--key-file`.
    public static let environmentVariable = "PROCTOR_SEAL_KEY"

    init(bytes: [UInt8]) { self.bytes = bytes }

    /// A short public name for the key (a hash of it), so a file can say which key sealed it and
    /// a wrong key is told apart from a tampered file.
    public var id: String {
        let digest = SHA256.hash(data: Array("proctor-seal-key-id|".utf8) + bytes)
        return digest.map { String(format: "%02x", $0) }.joined().prefix(16).description
    }

    public static func generate() -> SealKey { SealKey(bytes: (0..<32).map { _ in UInt8.random(in: 0...255) }) }

    /// The key as the key file holds it: 64 lowercase hex digits and a newline.
    public var fileText: String { bytes.map { String(format: "%02x", $0) }.joined() + "\n" }

    public static func read(file path: String) throws(GradeError) -> SealKey {
        guard let data = FileManager.default.contents(atPath: path) else { throw GradeError("\(path): cannot read the key file") }
        if data.count == 32 { return SealKey(bytes: Array(data)) }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let key = parse(hex: text) else {
            throw GradeError("\(path): not a key (expected 64 hex digits or 32 bytes; `proctor seal --new-key` makes one)")
        }
        return key
    }

    /// `--key-file` when given, else `PROCTOR_SEAL_KEY`, else nil.
    public static func from(file path: String?) throws(GradeError) -> SealKey? {
        if let path { return try read(file: path) }
        guard let text = ProcessInfo.processInfo.environment[environmentVariable], !text.isEmpty else { return nil }
        guard let key = parse(hex: text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw GradeError("\(environmentVariable): not a key (expected 64 hex digits)")
        }
        return key
    }

    static func parse(hex text: String) -> SealKey? {
        let digits = Array(text.utf8)
        guard digits.count == 64 else { return nil }
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: 64, by: 2) {
            guard let byte = UInt8(String(decoding: digits[index..<index + 2], as: UTF8.self), radix: 16) else { return nil }
            bytes.append(byte)
        }
        return SealKey(bytes: bytes)
    }
}
