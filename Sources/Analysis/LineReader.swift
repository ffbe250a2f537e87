import Crypto
import Foundation

/// Reads a file line by line in blocks, so a results file of any size streams through.
enum LineReader {
    static func forEachLine(of path: String, _ body: ([UInt8], Int) throws(AnalysisError) -> Void) throws(AnalysisError) {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw AnalysisError("\(path): cannot open for reading") }
        defer { try? handle.close() }
        var pending: [UInt8] = []
        var number = 0
        while true {
            let block: Data
            do {
                block = try handle.read(upToCount: 1 << 20) ?? Data()
            } catch {
                throw AnalysisError("\(path): read failed (\(error.localizedDescription))")
            }
            if block.isEmpty { break }
            pending.append(contentsOf: block)
            var start = 0
            while let newline = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
                number += 1
                try body(Array(pending[start..<newline]), number)
                start = newline + 1
            }
            pending.removeFirst(start)
        }
        if !pending.isEmpty { try body(pending, number + 1) }
    }
}

/// sha256 as lowercase hex (audit digests).
enum Digest {
    static func of(_ text: String) -> String { SHA256.hash(data: Array(text.utf8)).map { String(format: "%02x", $0) }.joined() }
}
