import Foundation
import Results
import Testing

/// Rows as Proctor wrote them before the results schema was one (results schema 1, kept in
/// Fixtures/results-v1, written by `make demo` at the commit before), against rows written now:
/// equal apart from `schema_version` and what no two runs share — time and memory, output
/// tails, the host's versions, the timestamp, the profile's digest and the cache key made from
/// it, what a dynamic task's fresh seed draws, and how a time limit was caught.
enum RowsBefore {
    static let directory = Checkout.root + "/Fixtures/results-v1"

    private static let volatile: Set<String> = [
        "schema_version", "wall_ms", "cpu_ms", "peak_rss_kib", "stdout_bytes", "stderr_bytes", "stdout_tail", "stderr_tail",
    ]
    private static let volatileAudit: Set<String> = [
        "key", "profile_sha256", "timestamp", "isolation", "kernel", "python_version", "proctor_version", "pool", "seed",
        "task_seed", "reference_sha256",
    ]

    /// `row` without what varies from run to run (the same projection made Fixtures/results-v1).
    static func stable(_ row: [String: Any]) -> NSDictionary {
        let seeded = (row["audit"] as? [String: Any])?["seed"] != nil
        let limited = ["timeout", "time_limit"].contains(row["status"] as? String ?? "")
        var out: [String: Any] = [:]
        for (key, value) in row where !volatile.contains(key) {
            if seeded && ["result", "error", "failing_input"].contains(key) { continue }
            switch (key, value) {
            case ("audit", let audit as [String: Any]):
                out[key] = audit.filter { !volatileAudit.contains($0.key) }
            case ("tests", let tests as [[String: Any]]):
                out[key] = tests.map { $0.filter { !["wall_ms", "cpu_ms", "peak_rss_kib"].contains($0.key) } }
            case ("error", var error as [String: Any]):
                if limited {
                    // How a limit was caught (the monitor's measurement or the kernel's SIGXCPU
                    // first) depends on the machine's load; that it was is the status.
                    error["message"] = nil
                } else if let message = error["message"] as? String {
                    error["message"] = message.replacingOccurrences(of: "[0-9]+ ms", with: "N ms", options: .regularExpression)
                }
                out[key] = error
            default:
                out[key] = value
            }
        }
        return out as NSDictionary
    }

    /// Expects the rows in `out` to be `set`'s rows of before, row by row, and to say this schema.
    static func expectUnchanged(_ out: String, as set: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let now = try Checkout.rows(out + "/samples.jsonl")
        let before = try Checkout.rows(directory + "/\(set).jsonl")
        #expect(now.count == before.count, sourceLocation: sourceLocation)
        for (row, old) in zip(now, before) {
            #expect(row["schema_version"] as? Int == ResultsSchema.version, sourceLocation: sourceLocation)
            let stable = stable(row)
            #expect(
                stable.isEqual(old as NSDictionary),
                "\(row["task_id"] ?? "?")#\(row["completion_id"] ?? "?"): now \(stable) before \(old)", sourceLocation: sourceLocation)
        }
    }
}
