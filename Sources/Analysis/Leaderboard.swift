import Estimates
import Foundation
import Results

/// Runs ranked by pass@1, with its interval, IRT ability (when there are two runs or more),
/// median latency and CPU per sample, and whether each run's lead over the next is significant
/// (paired over their shared tasks: the bootstrap interval of the difference excludes 0).
public struct Leaderboard: Sendable, Codable {
    /// Every key in every entry, null where there is no figure (the last entry leads nobody).
    public struct Entry: Sendable, Codable {
        public var rank: Int
        public var run: String
        public var passAt1: Estimate
        @ExplicitNull public var theta: Double?
        @ExplicitNull public var thetaLow: Double?
        @ExplicitNull public var thetaHigh: Double?
        @ExplicitNull public var medianLatencyMs: Double?
        @ExplicitNull public var medianCpuMs: Double?
        /// Against the next entry: the paired difference's interval, sign test p, and verdict.
        @ExplicitNull public var leadLow: Double?
        @ExplicitNull public var leadHigh: Double?
        @ExplicitNull public var leadSignP: Double?
        @ExplicitNull public var significantLead: Bool?

        enum CodingKeys: String, CodingKey {
            case rank, run, passAt1 = "pass_at_1", theta, thetaLow = "theta_low", thetaHigh = "theta_high"
            case medianLatencyMs = "median_latency_ms", medianCpuMs = "median_cpu_ms", leadLow = "lead_low", leadHigh = "lead_high"
            case leadSignP = "lead_sign_p", significantLead = "significant_lead"
        }
    }

    public var entries: [Entry]

    public init(_ results: [RunResults]) throws(AnalysisError) {
        let scored = results.compactMap { run in run.passAtK(1).map { (run, $0) } }.sorted { $0.1.value > $1.1.value }
        let model = results.count >= 2 ? ItemResponseModel.fit(ItemResponseModel.Responses(results)) : nil
        var entries: [Entry] = []
        for (index, (run, estimate)) in scored.enumerated() {
            let ability = model?.abilities.first { $0.run == run.name }
            // Runs with the same pass@1 share a rank (1, 2, 2, 4): a tie is not a lead.
            let rank = index > 0 && scored[index - 1].1.value == estimate.value ? entries[index - 1].rank : index + 1
            var entry = Entry(
                rank: rank, run: run.name, passAt1: estimate, theta: ability?.theta, thetaLow: ability?.low, thetaHigh: ability?.high,
                medianLatencyMs: RunResults.median(run.wallMs), medianCpuMs: RunResults.median(run.cpuMs))
            if index + 1 < scored.count, let comparison = try? Comparison(scored[index + 1].0, run), let one = comparison.differences.first {
                entry.leadLow = one.low
                entry.leadHigh = one.high
                entry.leadSignP = comparison.signTestP
                entry.significantLead = one.low > 0
            }
            entries.append(entry)
        }
        self.entries = entries
    }

    public var markdown: String {
        let f = HTMLReport.f
        var lines = ["| rank | run | pass@1 [95% CI] | θ [95% CI] | median wall ms | median CPU ms | lead over next |", "|---:|---|---|---|---:|---:|---|"]
        for e in entries {
            let theta = e.theta.map { "\(f($0, 2)) [\(f(e.thetaLow!, 2)), \(f(e.thetaHigh!, 2))]" } ?? "-"
            let lead = e.significantLead.map { ($0 ? "significant " : "not significant ") + "[\(f(e.leadLow!, 3)), \(f(e.leadHigh!, 3))]" } ?? "-"
            lines.append(
                "| \(e.rank) | \(MarkdownReport.cell(e.run)) | \(f(e.passAt1.value, 4)) [\(f(e.passAt1.low, 4)), \(f(e.passAt1.high, 4))] | \(theta) | \(e.medianLatencyMs.map { f($0, 1) } ?? "-") | \(e.medianCpuMs.map { f($0, 1) } ?? "-") | \(lead) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public var html: String {
        let f = HTMLReport.f
        let e = HTMLReport.escape
        var out = "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\"><head><meta charset=\"utf-8\"/><title>Proctor leaderboard</title>"
        out += "<style>body { font-family: sans-serif; margin: 24px; } table { border-collapse: collapse; } td, th { border: 1px solid #e2e8f0; padding: 4px 10px; } .num { text-align: right; }</style></head><body>\n<h1>Leaderboard</h1>\n"
        out += "<table id=\"leaderboard\"><tr><th>rank</th><th>run</th><th>pass@1 [95% CI]</th><th>θ [95% CI]</th><th>median wall ms</th><th>median CPU ms</th><th>lead over next</th></tr>\n"
        for entry in entries {
            let theta = entry.theta.map { "\(f($0, 2)) [\(f(entry.thetaLow!, 2)), \(f(entry.thetaHigh!, 2))]" } ?? "-"
            let lead = entry.significantLead.map { ($0 ? "significant " : "not significant ") + "[\(f(entry.leadLow!, 3)), \(f(entry.leadHigh!, 3))]" } ?? "-"
            out += "<tr data-run=\"\(e(entry.run))\" data-pass-at-1=\"\(f(entry.passAt1.value, 6))\"><td class=\"num\">\(entry.rank)</td><td>\(e(entry.run))</td><td class=\"num\">\(f(entry.passAt1.value, 4)) [\(f(entry.passAt1.low, 4)), \(f(entry.passAt1.high, 4))]</td><td class=\"num\">\(theta)</td><td class=\"num\">\(entry.medianLatencyMs.map { f($0, 1) } ?? "-")</td><td class=\"num\">\(entry.medianCpuMs.map { f($0, 1) } ?? "-")</td><td>\(lead)</td></tr>\n"
        }
        return out + "</table>\n</body></html>\n"
    }
}
