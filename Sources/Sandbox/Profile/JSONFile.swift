import Foundation

/// Reading JSON data files (profiles, policies) with errors that name the file and line.
enum JSONFile {
    static func read(_ path: String) throws(SandboxError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SandboxError(.profileNotFound, "cannot read \(path)")
        }
        return [UInt8](data)
    }

    static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], path: String) throws(SandboxError) -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(bytes))
        } catch let error as DecodingError {
            throw SandboxError(.invalidProfile, describe(error, path: path, text: bytes))
        } catch {
            throw SandboxError(.invalidProfile, "\(path): \(error)")
        }
    }

    /// 1-based line of the first `"key"` in `text`, or 1 when it does not occur.
    static func line(of key: String, in text: [UInt8]) -> Int {
        let needle = Array("\"\(key)\"".utf8)
        guard needle.count <= text.count else { return 1 }
        var line = 1
        for index in 0...(text.count - needle.count) {
            if text[index] == UInt8(ascii: "\n") { line += 1 }
            if text[index] == needle[0] && Array(text[index..<index + needle.count]) == needle { return line }
        }
        return 1
    }

    private static func describe(_ error: DecodingError, path: String, text: [UInt8]) -> String {
        func at(_ codingPath: [any CodingKey]) -> (line: Int, keyPath: String) {
            let keyPath = codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            let lastKey = codingPath.last(where: { $0.intValue == nil })?.stringValue
            return (lastKey.map { line(of: $0, in: text) } ?? 1, keyPath)
        }
        switch error {
        case .keyNotFound(let key, let context):
            let (line, keyPath) = at(context.codingPath)
            return "\(path):\(line): missing field '\(key.stringValue)'\(keyPath.isEmpty ? "" : " in \(keyPath)")"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            let (line, keyPath) = at(context.codingPath)
            return "\(path):\(line): \(keyPath): \(context.debugDescription)"
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                // A syntax error: Foundation puts the position in the underlying error's text.
                let underlying = (context.underlyingError as NSError?)?.userInfo["NSDebugDescription"] as? String
                return "\(path): invalid JSON: \(underlying ?? context.debugDescription)"
            }
            let (line, keyPath) = at(context.codingPath)
            return "\(path):\(line): \(keyPath): \(context.debugDescription)"
        @unknown default:
            return "\(path): \(error)"
        }
    }
}
