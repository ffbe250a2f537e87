import Foundation

/// The pretty, key-sorted JSON files runs leave behind (summary.json, report.json), written
/// atomically so a reader never sees half of one.
public enum JSONReport {
    public static func write<T: Encodable>(_ value: T, to path: String) throws(GradeError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data: Data
        do {
            data = try encoder.encode(value) + Data("\n".utf8)
        } catch {
            throw GradeError("\(path): cannot encode (\(error))")
        }
        try AtomicFile.write(Array(data), to: path)
    }
}
