import Foundation

/// The pretty, key-sorted JSON files runs leave behind (summary.json, report.json), written
/// atomically so a reader never sees half of one.
public enum JSONReport {
    public static func write<T: Encodable>(_ value: T, to path: String) throws(GradeError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            try (encoder.encode(value) + Data("\n".utf8)).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw GradeError("\(path): cannot write (\(error.localizedDescription))")
        }
    }
}
