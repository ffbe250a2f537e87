import Crypto
import Foundation
import Results

/// A sealed problems file: the first line a header, then one line per problem in which the
/// prompt (what a model is asked) stays readable and everything else of the problem line —
/// tests, inputs, reference solution, generator — is AES-256-GCM ciphertext.
///
///     {"proctor_sealed":1,"cipher":"AES-256-GCM","key_id":"…","problems":N,"mac":"…"}
///     {"task_id":"…","prompt":"…","entry_point":"…","sealed":"BASE64(nonce ‖ ciphertext ‖ tag)"}
///
/// Each sealed line authenticates its own visible fields (they are the GCM additional data), so
/// a prompt cannot be swapped between problems; the header's MAC (HMAC-SHA256 under the key)
/// covers every line's identity in order — sealed lines by task id, public lines (`--keep-public`)
/// by their sha256 — so lines cannot be dropped, added or edited unnoticed.
public enum SealedProblems {
    static let additionalDataPrefix = "proctor-sealed-v1"

    /// True when `bytes` (a file's first line) is a sealed file's header.
    static func isHeader(_ object: [String: JSONValue]) -> Bool { object["proctor_sealed"] != nil }

    /// Seals `input` into `output` (the file's lines as read; `public` task ids left as they are).
    public static func seal(input: String, output: String, key: SealKey, keepPublic: Set<String> = []) throws(GradeError) -> (
        sealed: Int, kept: Int
    ) {
        let reader = try JSONLines(path: input)
        var lines: [[UInt8]] = []
        var identities: [String] = []
        var sealedCount = 0
        var seen: Set<String> = []
        while let (number, bytes) = try reader.next() {
            let object = try JSONInput.object(bytes, file: input, line: number)
            if isHeader(object) { throw GradeError(file: input, line: number, "this file is sealed already") }
            // Parsing it first refuses a problem Proctor could not grade (named by file:line now,
            // not by a worker after sealing).
            let problem = try Problem.parse(object: object, bytes: bytes, file: input, line: number)
            guard seen.insert(problem.taskID).inserted else { throw GradeError(file: input, line: number, "duplicate task_id '\(problem.taskID)'") }
            if keepPublic.contains(problem.taskID) {
                lines.append(bytes)
                identities.append("P:" + Digest.sha256(bytes))
                continue
            }
            var visible: [String: JSONValue] = ["task_id": .string(problem.taskID), "prompt": .string(problem.prompt)]
            if let entry = problem.entryPoint { visible["entry_point"] = .string(entry) }
            let box: AES.GCM.SealedBox
            do {
                box = try AES.GCM.seal(bytes, using: key.key, authenticating: additionalData(visible))
            } catch {
                throw GradeError(file: input, line: number, "sealing failed (\(error))")
            }
            visible["sealed"] = .string(box.combined!.base64EncodedString())
            lines.append(JSONValue.object(visible).compactBytes)
            identities.append("S:" + problem.taskID)
            sealedCount += 1
        }
        let header: [String: JSONValue] = [
            "proctor_sealed": .integer(1), "cipher": .string("AES-256-GCM"), "key_id": .string(key.id),
            "problems": .integer(Int64(lines.count)), "mac": .string(mac(identities, key: key)),
        ]
        var out = JSONValue.object(header).compactBytes + [UInt8(ascii: "\n")]
        for line in lines { out += line + [UInt8(ascii: "\n")] }
        try AtomicFile.write(out, to: output)
        return (sealedCount, lines.count - sealedCount)
    }

    /// The problem a sealed line holds (hidden), checked against its visible fields.
    static func open(_ object: [String: JSONValue], line bytes: [UInt8], key: SealKey, file: String, line: Int) throws(GradeError) -> Problem {
        guard let sealed = object["sealed"]?.string, let taskID = object["task_id"]?.string, let data = Data(base64Encoded: sealed) else {
            throw GradeError(file: file, line: line, "malformed sealed problem (needs task_id and sealed)")
        }
        var visible: [String: JSONValue] = ["task_id": .string(taskID), "prompt": object["prompt"] ?? .string("")]
        if let entry = object["entry_point"] { visible["entry_point"] = entry }
        let plain: Data
        do {
            plain = try AES.GCM.open(try AES.GCM.SealedBox(combined: data), using: key.key, authenticating: additionalData(visible))
        } catch {
            throw GradeError(file: file, line: line, "sealed problem '\(taskID)' fails authentication: the file was altered (or sealed with another key)")
        }
        let inner = try Problem.parse(Array(plain), file: file + " (sealed)", line: line)
        guard inner.taskID == taskID else {
            throw GradeError(file: file, line: line, "sealed problem's task_id does not match its visible one")
        }
        return inner.sealedCopy(sha256: Digest.sha256(bytes))
    }

    /// Refuses a key other than the one the header names (before any line is opened, so a wrong
    /// key is told apart from an altered line).
    static func checkKey(header: [String: JSONValue], key: SealKey, file: String) throws(GradeError) {
        if let id = header["key_id"]?.string, id != key.id {
            throw GradeError("\(file): sealed with key \(id); the key given is \(key.id) (wrong --key-file or \(SealKey.environmentVariable))")
        }
    }

    /// Checks a header against the lines that followed it.
    static func verify(header: [String: JSONValue], identities: [String], key: SealKey, file: String) throws(GradeError) {
        guard header["mac"]?.string == mac(identities, key: key), header["problems"]?.doubleValue == Double(identities.count) else {
            throw GradeError("\(file): the sealed file's lines were added, removed, reordered or edited since it was sealed")
        }
    }

    static func mac(_ identities: [String], key: SealKey) -> String {
        let message = Array((additionalDataPrefix + "|" + identities.joined(separator: "\n")).utf8)
        return HMAC<SHA256>.authenticationCode(for: message, using: key.key).map { String(format: "%02x", $0) }.joined()
    }

    private static func additionalData(_ visible: [String: JSONValue]) -> [UInt8] {
        Array(additionalDataPrefix.utf8) + [0] + JSONValue.object(visible).compactBytes
    }
}
