import Crypto
import Foundation
import Results

/// One benchmark problem: human-eval's shape (`prompt`, `entry_point`, `test` defining
/// `check(candidate)`) or MBPP's (`test_list` of assert lines, optional `test_setup_code`).
public struct Problem: Sendable {
    public enum Shape: String, Sendable, Codable {
        case humanEval = "human-eval"
        case mbpp
        /// Test cases on stdin/stdout (LiveCodeBench, CodeContests, APPS, Proctor's own): `stdio`.
        case stdio
        /// Inputs checked against a reference (EvalPlus's base/plus, Proctor's `inputs`, a generator).
        case inputs
        /// A function task in another language (MultiPL-E, HumanEval-X): `multilingual`.
        case multilingual
    }

    public let taskID: String
    public let shape: Shape
    public let prompt: String
    public let entryPoint: String?
    public let test: String
    public let testSetup: String
    public let canonicalSolution: String?
    /// sha256 of the problem's line as it appears in the file.
    public let sha256: String
    /// The test cases and how they are judged, for `stdio` problems.
    public var stdio: StdioTask? = nil
    /// The inputs and their reference, for `inputs` problems.
    public var differential: DifferentialTask? = nil
    /// The language, program layout and pass rule, for `multilingual` problems.
    public var multilingual: MultilingualTask? = nil
    /// Its tests came sealed (`proctor seal`): nothing of them may appear in any output.
    public var hidden = false

    /// Parses one line of a problem file; errors name `file:line`.
    static func parse(_ bytes: [UInt8], file: String, line: Int) throws(GradeError) -> Problem {
        try parse(object: try JSONInput.object(bytes, file: file, line: line), bytes: bytes, file: file, line: line)
    }

    /// A problem line already decoded (`bytes` as read, for its digest and for inputs problems).
    static func parse(object: [String: JSONValue], bytes: [UInt8], file: String, line: Int) throws(GradeError) -> Problem {
        func text(_ key: String) -> String? { object[key]?.string }
        // LiveCodeBench names problems by question_id, APPS by problem_id, CodeContests by name.
        guard let taskID = ["task_id", "question_id", "problem_id", "name"].lazy.compactMap({ object[$0]?.scalarText }).first else {
            throw GradeError(file: file, line: line, "missing field 'task_id'")
        }
        let digest = Digest.sha256(bytes)
        if let task = try StdioTask.parse(object, file: file, line: line) {
            return Problem(
                taskID: taskID, shape: .stdio, prompt: text("question_content") ?? text("description") ?? text("prompt") ?? "",
                entryPoint: nil, test: "", testSetup: "", canonicalSolution: nil, sha256: digest, stdio: task)
        }
        if let task = try MultilingualTask.parse(object, taskID: taskID, file: file, line: line) {
            var problem = Problem(
                taskID: taskID, shape: .multilingual, prompt: task.prompt, entryPoint: nil, test: task.tests, testSetup: "",
                canonicalSolution: text("canonical_solution"), sha256: digest)
            problem.multilingual = task
            return problem
        }
        if let task = try DifferentialTask.parse(object, line: bytes, file: file, number: line) {
            return Problem(
                taskID: taskID, shape: .inputs, prompt: text("prompt") ?? "", entryPoint: task.entryPoint, test: "", testSetup: "",
                canonicalSolution: text("canonical_solution"), sha256: digest, differential: task)
        }
        if let tests = object["test_list"]?.array {
            let lines = tests.compactMap(\.string)
            guard !lines.isEmpty, lines.count == tests.count else {
                throw GradeError(file: file, line: line, "'test_list' must be a non-empty list of strings")
            }
            let imports = object["test_imports"]?.array?.compactMap(\.string) ?? []
            let setup = ([text("test_setup_code") ?? ""] + imports).filter { !$0.isEmpty }.joined(separator: "\n")
            let reference = text("code") ?? text("canonical_solution")
            return Problem(
                taskID: taskID, shape: .mbpp, prompt: text("prompt") ?? text("text") ?? "",
                entryPoint: text("entry_point") ?? inferredEntryPoint(reference: reference, tests: lines),
                test: lines.joined(separator: "\n"), testSetup: setup, canonicalSolution: reference, sha256: digest)
        }
        for key in ["prompt", "entry_point", "test"] where text(key) == nil {
            throw GradeError(
                file: file, line: line,
                "missing field '\(key)' (human-eval problems need prompt, entry_point, test; MBPP problems need test_list)")
        }
        return Problem(
            taskID: taskID, shape: .humanEval, prompt: text("prompt")!, entryPoint: text("entry_point")!, test: text("test")!,
            testSetup: "", canonicalSolution: text("canonical_solution"), sha256: digest)
    }
}

/// MBPP rows name no entry point: it is the first function the reference code defines at the top
/// level that the tests call (`def sum(a, b)` with `assert sum(1, 2) == 3` → `sum`, even though a
/// builtin has that name), or nil when there is no reference code.
func inferredEntryPoint(reference: String?, tests: [String]) -> String? {
    guard let reference else { return nil }
    let calls = tests.joined(separator: "\n")
    for line in reference.split(separator: "\n") where line.hasPrefix("def ") {
        let name = line.dropFirst(4).prefix { $0.isLetter || $0.isNumber || $0 == "_" }
        guard !name.isEmpty else { continue }
        var searchFrom = calls.startIndex
        while let found = calls.range(of: name + "(", range: searchFrom..<calls.endIndex) {
            let before = found.lowerBound == calls.startIndex ? nil : calls[calls.index(before: found.lowerBound)]
            if before.map({ !($0.isLetter || $0.isNumber || $0 == "_" || $0 == ".") }) ?? true { return String(name) }
            searchFrom = found.upperBound
        }
    }
    return nil
}

extension Problem {
    /// Parses one problem line that came from elsewhere (a queue); errors name `source`. A
    /// sealed line needs `key`.
    public init(jsonLine bytes: [UInt8], source: String, key: SealKey? = nil) throws(GradeError) {
        self = try Self.parse(bytes, file: source, line: 1, key: key)
    }

    /// A problem line of any kind: plain, or sealed (opened with `key`, marked hidden).
    static func parse(_ bytes: [UInt8], file: String, line: Int, key: SealKey?) throws(GradeError) -> Problem {
        let object = try JSONInput.object(bytes, file: file, line: line)
        guard object["sealed"] != nil else { return try parse(object: object, bytes: bytes, file: file, line: line) }
        guard let key else {
            throw GradeError(file: file, line: line, "the problem is sealed: pass --key-file or set \(SealKey.environmentVariable)")
        }
        return try SealedProblems.open(object, line: bytes, key: key, file: file, line: line)
    }

    /// This problem as it came out of a sealed line: hidden, and named by the sealed line's hash
    /// (the plaintext's hash is never written anywhere).
    func sealedCopy(sha256 digest: String) -> Problem {
        var copy = Problem(
            taskID: taskID, shape: shape, prompt: prompt, entryPoint: entryPoint, test: test, testSetup: testSetup,
            canonicalSolution: canonicalSolution, sha256: digest, stdio: stdio, differential: differential)
        copy.multilingual = multilingual
        copy.hidden = true
        return copy
    }
}

/// Shared helpers for reading input lines.
public enum JSONInput {
    public static func object(_ bytes: [UInt8], file: String, line: Int) throws(GradeError) -> [String: JSONValue] {
        if let offset = firstInvalidUTF8(bytes) {
            throw GradeError(file: file, line: line, "invalid UTF-8 at byte \(offset + 1) of the line (0x\(String(bytes[offset], radix: 16)))")
        }
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
        } catch {
            // Python's json writes NaN and Infinity (EvalPlus inputs may hold them): read those
            // lines as JSON5, which has the same words, and nothing else more lenient.
            let text = String(decoding: bytes, as: UTF8.self)
            let decoder = JSONDecoder()
            decoder.allowsJSON5 = true
            guard text.contains("NaN") || text.contains("Infinity"), let lenient = try? decoder.decode(JSONValue.self, from: Data(bytes)) else {
                throw GradeError(file: file, line: line, "malformed JSON (\(describe(error)))")
            }
            value = lenient
        }
        guard case .object(let object) = value else {
            throw GradeError(file: file, line: line, "expected a JSON object")
        }
        return object
    }

    /// Where `bytes` stop being UTF-8 (overlong forms and surrogates included), or nil.
    static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
        var index = 0
        while index < bytes.count {
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            let length: Int
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0...0xEF: length = 3
            case 0xF0...0xF4: length = 4
            default: return index
            }
            guard index + length <= bytes.count, bytes[(index + 1)..<(index + length)].allSatisfy({ $0 & 0xC0 == 0x80 }) else {
                return index
            }
            let second = bytes[index + 1]
            if (lead == 0xE0 && second < 0xA0) || (lead == 0xED && second >= 0xA0) || (lead == 0xF0 && second < 0x90)
                || (lead == 0xF4 && second >= 0x90)
            {
                return index
            }
            index += length
        }
        return nil
    }

    private static func describe(_ error: any Error) -> String {
        if case DecodingError.dataCorrupted(let context) = error {
            let underlying = (context.underlyingError as NSError?)?.userInfo["NSDebugDescription"] as? String
            return underlying ?? context.debugDescription
        }
        return "\(error)"
    }
}

/// sha256 as lowercase hex.
public enum Digest {
    public static func sha256(_ bytes: [UInt8]) -> String { hex(SHA256.hash(data: bytes)) }

    /// sha256 of a whole file, read in blocks (a samples file can be larger than memory should hold).
    public static func sha256(file path: String) throws(GradeError) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw GradeError("\(path): cannot open for reading") }
        defer { try? handle.close() }
        var hasher = SHA256()
        while true {
            let block: Data
            do {
                block = try handle.read(upToCount: 1 << 20) ?? Data()
            } catch {
                throw GradeError(io: "\(path): read failed", errno: Int32((error as NSError).code))
            }
            if block.isEmpty { break }
            hasher.update(data: block)
        }
        return hex(hasher.finalize())
    }

    private static func hex(_ digest: SHA256.Digest) -> String {
        // Every result row carries several digests: hex by table, not String(format:) per byte.
        let digits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        hex.reserveCapacity(64)
        for byte in digest {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: hex, as: UTF8.self)
    }

    public static func sha256(_ text: String) -> String { sha256(Array(text.utf8)) }
}
