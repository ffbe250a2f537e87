import CZlib
import Foundation

/// Reads a JSON Lines file one line at a time, plain or gzip-compressed (zlib's gzread passes
/// plain files through unchanged), so memory stays flat however long the file is.
public final class JSONLines {
    let path: String
    private let file: gzFile
    private var buffer = [UInt8](repeating: 0, count: 1 << 16)
    private var pending: [UInt8] = []
    private var start = 0
    private var end = 0
    private var finished = false
    /// 1-based number of the line last returned.
    private(set) var lineNumber = 0
    /// The longest line read (a problem with large tests can be tens of MiB; a line of a
    /// compressed file can inflate a thousandfold, so the reader stops here instead).
    public static let maximumLineBytes = 512 << 20

    public init(path: String) throws(GradeError) {
        guard FileManager.default.isReadableFile(atPath: path), let file = gzopen(path, "rb") else {
            throw GradeError("\(path): cannot open for reading")
        }
        self.path = path
        self.file = file
        gzbuffer(file, 1 << 17)
    }

    deinit { gzclose(file) }

    /// The next non-blank line and its number, or nil at the end of the file.
    public func next() throws(GradeError) -> (line: Int, bytes: [UInt8])? {
        while true {
            guard let raw = try nextRaw() else { return nil }
            if raw.contains(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") && $0 != UInt8(ascii: "\r") }) {
                return (lineNumber, raw)
            }
        }
    }

    private func nextRaw() throws(GradeError) -> [UInt8]? {
        while true {
            if let newline = buffer[start..<end].firstIndex(of: UInt8(ascii: "\n")) {
                var line = pending
                line.append(contentsOf: buffer[start..<newline])
                pending = []
                start = newline + 1
                lineNumber += 1
                return line
            }
            pending.append(contentsOf: buffer[start..<end])
            guard pending.count <= Self.maximumLineBytes else {
                throw GradeError("\(path):\(lineNumber + 1): line longer than \(Self.maximumLineBytes >> 20) MiB; refused")
            }
            start = 0
            end = 0
            if finished {
                guard !pending.isEmpty else { return nil }
                let line = pending
                pending = []
                lineNumber += 1
                return line
            }
            let count = buffer.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32($0.count)) }
            if count < 0 {
                var code: Int32 = 0
                let message = gzerror(file, &code).map { String(cString: $0) } ?? "read error"
                throw GradeError("\(path): \(message)")
            }
            if count == 0 {
                // A gzip file cut short (even exactly at a line end) reads as a clean end unless
                // its trailer is checked: zlib reports the missing trailer here.
                var code: Int32 = 0
                let message = gzerror(file, &code).map { String(cString: $0) } ?? ""
                if code != 0 {
                    throw GradeError("\(path): truncated or corrupt compressed file (\(message.isEmpty ? "zlib error \(code)" : message))")
                }
                finished = true
            }
            end = Int(count)
        }
    }
}
