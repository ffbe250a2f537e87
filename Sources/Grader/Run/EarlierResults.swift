import Foundation
import Results

/// Rows an earlier run left in `samples.jsonl`, by their audit key, for resuming.
struct EarlierResults {
    struct Row {
        var status: SampleStatus
        var passed: Bool
        var wallMs: Double
        var cpuMs: Double
        var rssKiB: Double
        var basePassed: Bool?
        var hidden: Bool
        var measured: Bool
    }

    private(set) var rows: [String: Row] = [:]
    /// The raw lines by key (only with `keepLines`).
    private(set) var lines: [String: [UInt8]] = [:]

    init(path: String, keepLines: Bool = false) throws(GradeError) {
        guard FileManager.default.fileExists(atPath: path) else { return }
        let reader = try JSONLines(path: path)
        while let (_, bytes) = try reader.next() {
            // A half-written last line (a crash mid-write) is simply graded again.
            guard let object = try? JSONInput.object(bytes, file: path, line: 0),
                case .object(let audit)? = object["audit"], let key = audit["key"]?.string,
                let status = SampleStatus(row: object["status"]?.string), case .bool(let passed)? = object["passed"]
            else { continue }
            func number(_ key: String) -> Double {
                switch object[key] {
                case .number(let value)?: value
                case .integer(let value)?: Double(value)
                default: 0
                }
            }
            rows[key] = Row(
                status: status, passed: passed, wallMs: number("wall_ms"), cpuMs: number("cpu_ms"), rssKiB: number("peak_rss_kib"),
                basePassed: object["base_passed"].flatMap { if case .bool(let value) = $0 { value } else { nil } },
                hidden: object["hidden"]?.boolValue ?? false, measured: object["wall_ms"] != nil)
            if keepLines { lines[key] = bytes }
        }
    }
}
