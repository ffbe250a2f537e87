import CZlib
import Foundation

/// LiveCodeBench ships private tests as base64(zlib(pickle(json_text))). Unpickling is running
/// code, and the file is data from elsewhere, so Proctor never unpickles: it reads the pickle's
/// opcodes itself and accepts exactly one shape — a pickle whose only value is one string —
/// refusing every other opcode (globals, reductions, containers, …) with the opcode's name.
enum PickledString {
    /// The string inside `field`: base64, then zlib, then a pickle of one `str`.
    static func decode(base64Zlib field: String) throws(GradeError) -> String {
        guard let compressed = Data(base64Encoded: field.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw GradeError("not base64")
        }
        return try decode(pickle: try inflate(Array(compressed), limit: inflationLimit(compressed.count)))
    }

    /// How much a field may inflate to: `ratio` times its compressed size (plus 1 MiB), and never
    /// more than `absolute`. Real test data compresses a few times to a few dozen; zlib's
    /// worst case is ~1000×, which would let a 0.7 MB line hold half a gigabyte in the grader.
    static func inflationLimit(_ compressed: Int, ratio: Int = 200, absolute: Int = 256 << 20) -> Int {
        let (scaled, overflow) = compressed.multipliedReportingOverflow(by: ratio)
        return overflow ? absolute : min(absolute, scaled + (1 << 20))
    }

    /// zlib's format (not gzip's), at most `limit` bytes out.
    static func inflate(_ input: [UInt8], limit: Int = 256 << 20) throws(GradeError) -> [UInt8] {
        var stream = z_stream()
        guard inflateInit_(&stream, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { throw GradeError("zlib: cannot start") }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var source = input
        let status: Int32 = source.withUnsafeMutableBufferPointer { inputBuffer in
            stream.next_in = inputBuffer.baseAddress
            stream.avail_in = uInt(inputBuffer.count)
            while true {
                let code: Int32 = chunk.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress
                    stream.avail_out = uInt(out.count)
                    return CZlib.inflate(&stream, Z_NO_FLUSH)
                }
                let produced = chunk.count - Int(stream.avail_out)
                output += chunk[0..<produced]
                if output.count > limit { return Z_BUF_ERROR }
                if code == Z_STREAM_END { return Z_OK }
                if code != Z_OK || (produced == 0 && stream.avail_in == 0) { return code == Z_OK ? Z_DATA_ERROR : code }
            }
        }
        guard status != Z_BUF_ERROR || output.count <= limit else {
            throw GradeError("zlib: inflates past \(limit) bytes (from \(input.count)); refused as a decompression bomb")
        }
        guard status == Z_OK else { throw GradeError("zlib: the data is not a complete zlib stream (\(status))") }
        return output
    }

    /// The one string a pickle holds; anything else is refused.
    static func decode(pickle bytes: [UInt8]) throws(GradeError) -> String {
        var index = 0
        var value: String?
        func take(_ count: Int) throws(GradeError) -> ArraySlice<UInt8> {
            // Lengths come from the file: compared without arithmetic that could overflow.
            guard count >= 0, count <= bytes.count - index else { throw GradeError("pickle: truncated (a length of \(count) bytes)") }
            defer { index += count }
            return bytes[index..<(index + count)]
        }
        /// A little-endian length; one that does not fit an Int (8 bytes with the top bit set)
        /// is refused rather than wrapped.
        func integer(_ count: Int) throws(GradeError) -> Int {
            var value: UInt64 = 0
            for byte in try take(count).reversed() { value = value << 8 | UInt64(byte) }
            guard value <= UInt64(Int.max) else { throw GradeError("pickle: a length of \(value) bytes") }
            return Int(value)
        }
        func text(_ count: Int) throws(GradeError) -> String {
            guard value == nil else { throw GradeError("pickle: more than one value") }
            let raw = try take(count)
            guard let decoded = String(bytes: raw, encoding: .utf8) else { throw GradeError("pickle: a string that is not UTF-8") }
            return decoded
        }
        while index < bytes.count {
            let opcode = bytes[index]
            index += 1
            switch opcode {
            case 0x80: _ = try take(1)  // PROTO
            case 0x95: _ = try take(8)  // FRAME
            case 0x8c: value = try text(try integer(1))  // SHORT_BINUNICODE
            case 0x58: value = try text(try integer(4))  // BINUNICODE
            case 0x8d: value = try text(try integer(8))  // BINUNICODE8
            case 0x94: continue  // MEMOIZE
            case 0x71: _ = try take(1)  // BINPUT
            case 0x72: _ = try take(4)  // LONG_BINPUT
            case 0x2e:  // STOP
                guard let value, index == bytes.count else { throw GradeError("pickle: STOP without exactly one string") }
                return value
            default:
                let names: [UInt8: String] = [
                    0x63: "GLOBAL", 0x93: "STACK_GLOBAL", 0x52: "REDUCE", 0x69: "INST", 0x6f: "OBJ", 0x81: "NEWOBJ",
                    0x92: "NEWOBJ_EX", 0x62: "BUILD", 0x28: "MARK", 0x5d: "EMPTY_LIST", 0x7d: "EMPTY_DICT", 0x29: "EMPTY_TUPLE",
                ]
                throw GradeError(
                    "pickle: opcode \(names[opcode] ?? String(format: "0x%02x", opcode)) refused (only a pickle of one string is accepted; it is never unpickled)")
            }
        }
        throw GradeError("pickle: no STOP")
    }
}
