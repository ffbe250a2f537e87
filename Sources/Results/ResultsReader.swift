import Foundation
import Synchronization

/// Streams the rows of a `samples.jsonl` as `SampleRecord`s: the file is read in blocks of a
/// few mebibytes, the block's lines decoded on every core, and the rows handed on in file
/// order, so a results file of any size costs one block of memory. A line that is not a row,
/// or a row of a later schema version, stops the read with an error naming the file and line.
public enum ResultsReader {
    /// Bytes read at a time: enough lines that decoding them in parallel pays.
    static let blockBytes = 4 << 20

    /// Calls `body` with every row of `path` and its line number (blank lines are skipped).
    public static func forEachRow(
        in path: String, _ body: (SampleRecord, Int) throws(ResultsError) -> Void
    ) throws(ResultsError) {
        let parts = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8))
        try forEachBlock(of: path) { (block, lines, firstNumber) throws(ResultsError) in
            // Each part decodes a contiguous run of the block's lines; results come back in order.
            let decoded = Mutex<[[Result<SampleRecord?, ResultsError>]]>(Array(repeating: [], count: parts))
            let share = (lines.count + parts - 1) / parts
            DispatchQueue.concurrentPerform(iterations: lines.count < 64 ? 1 : parts) { part in
                let range = lines.count < 64 ? lines.indices : (part * share)..<min(lines.count, (part + 1) * share)
                var out: [Result<SampleRecord?, ResultsError>] = []
                out.reserveCapacity(range.count)
                for index in range {
                    out.append(Result { () throws(ResultsError) in try row(block[lines[index]], path: path, number: firstNumber + index) })
                }
                decoded.withLock { $0[part] = out }
            }
            var number = firstNumber
            for part in decoded.withLock({ $0 }) {
                for result in part {
                    if let record = try result.get() { try body(record, number) }
                    number += 1
                }
            }
        }
    }

    /// One line as a row (nil for a blank line).
    static func row(_ line: ArraySlice<UInt8>, path: String, number: Int) throws(ResultsError) -> SampleRecord? {
        guard line.contains(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\t") }) else {
            return nil
        }
        let record: SampleRecord
        do {
            record = try RowDecoder.decode(SampleRecord.self, from: line)
        } catch {
            throw ResultsError("\(path):\(number): not a results row (\(Self.reason(error)))")
        }
        if let refused = ResultsSchema.unreadable(version: record.schemaVersion, in: "\(path):\(number)") {
            throw ResultsError(refused)
        }
        return record
    }

    /// Decodes a whole JSON document of `type` (a summary, a report), naming `path` when it fails.
    public static func document<T: Decodable>(_ type: T.Type, at path: String) throws(ResultsError) -> T {
        guard let data = FileManager.default.contents(atPath: path) else { throw ResultsError("\(path): cannot read it") }
        do {
            return try RowDecoder.decode(type, from: Array(data))
        } catch {
            throw ResultsError("\(path): not a readable \(T.self) (\(Self.reason(error)))")
        }
    }

    /// Calls `body` with each block of whole lines of `path`: the bytes, each line's range in
    /// them (without its newline), and the number of the block's first line.
    static func forEachBlock(
        of path: String, _ body: ([UInt8], [Range<Int>], Int) throws(ResultsError) -> Void
    ) throws(ResultsError) {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw ResultsError("\(path): cannot open for reading") }
        defer { try? handle.close() }
        var pending: [UInt8] = []
        var number = 1
        while true {
            let block: Data
            do {
                block = try handle.read(upToCount: blockBytes) ?? Data()
            } catch {
                throw ResultsError("\(path): read failed (\(error.localizedDescription))")
            }
            pending.append(contentsOf: block)
            var lines: [Range<Int>] = []
            var start = 0
            while let newline = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
                lines.append(start..<newline)
                start = newline + 1
            }
            // At the end of the file the last line needs no newline.
            if block.isEmpty && start < pending.count { lines.append(start..<pending.count) }
            if !lines.isEmpty { try body(pending, lines, number) }
            number += lines.count
            if block.isEmpty { return }
            pending.removeFirst(start)
        }
    }

    /// The decoder's complaint, short: which field and what was wrong with it.
    static func reason(_ error: any Error) -> String {
        switch error as? DecodingError {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .keyNotFound(_, let context), .dataCorrupted(let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return (path.isEmpty ? "" : "field \(path): ") + context.debugDescription
        default:
            return "\(error)"
        }
    }
}

/// Why results could not be read: names the file (and line) and what was wrong.
public struct ResultsError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
