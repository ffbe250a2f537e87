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
            guard let row = try? RowDecoder.decode(Resumable.self, from: bytes), let key = row.audit?.key,
                let status = SampleStatus(row: row.status), let passed = row.passed
            else { continue }
            rows[key] = Row(
                status: status, passed: passed, wallMs: row.wallMs ?? 0, cpuMs: row.cpuMs ?? 0, rssKiB: row.peakRssKiB ?? 0,
                basePassed: row.basePassed, hidden: row.hidden ?? false, measured: row.wallMs != nil)
            if keepLines { lines[key] = bytes }
        }
    }

    /// What resuming reads of a row (the rest is kept as the line itself).
    private struct Resumable: Decodable {
        struct Audit: Decodable { var key: String? }
        var audit: Audit?
        var status: String?
        var passed: Bool?
        var wallMs: Double?
        var cpuMs: Double?
        var peakRssKiB: Double?
        var basePassed: Bool?
        var hidden: Bool?

        enum CodingKeys: String, CodingKey {
            case audit, status, passed, wallMs = "wall_ms", cpuMs = "cpu_ms", peakRssKiB = "peak_rss_kib", basePassed = "base_passed"
            case hidden
        }
    }
}
