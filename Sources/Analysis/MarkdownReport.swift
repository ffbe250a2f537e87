import Foundation

/// The report as Markdown (a pull request or a model card): the tables, no charts.
public enum MarkdownReport {
    public static func render(_ report: Report) -> String {
        let f = HTMLReport.f
        var lines = ["# Proctor report", "", "\(report.runs.count) run(s), \(report.tasks.count) task(s).", "", "## pass@k (95% bootstrap CI over tasks)", ""]
        let keys = HTMLReport.ks(report)
        lines.append("| run | tasks | samples | " + keys.joined(separator: " | ") + " |")
        lines.append("|---|---:|---:|" + keys.map { _ in "---:|" }.joined())
        for run in report.runs {
            let cells = keys.map { key in run.passAtK[key].map { "\(f($0.value, 4)) [\(f($0.low, 4)), \(f($0.high, 4))]" } ?? "n/a" }
            lines.append("| \(cell(run.name)) | \(run.tasks) | \(run.samples) | " + cells.joined(separator: " | ") + " |")
        }
        lines += ["", "## Status", ""]
        let statuses = report.statuses
        lines.append("| run | " + statuses.joined(separator: " | ") + " |")
        lines.append("|---|" + statuses.map { _ in "---:|" }.joined())
        for run in report.runs { lines.append("| \(cell(run.name)) | " + statuses.map { "\(run.statusCounts[$0] ?? 0)" }.joined(separator: " | ") + " |") }
        lines += ["", "## Latency, CPU, memory (p50 / p90 / max)", "", "| run | wall ms | CPU ms | peak RSS KiB |", "|---|---:|---:|---:|"]
        for run in report.runs {
            func d(_ x: Report.Distribution?) -> String { x.map { "\(f($0.p50, 1)) / \(f($0.p90, 1)) / \(f($0.max, 1))" } ?? "-" }
            lines.append("| \(cell(run.name)) | \(d(run.latencyMs)) | \(d(run.cpuMs)) | \(d(run.peakRssKiB)) |")
        }
        lines += ["", "## Hardest tasks", "", "| task | mean pass rate |", "|---|---:|"]
        for task in report.tasks.prefix(15) { lines.append("| \(cell(task.task)) | \(f(task.meanPassRate, 2)) |") }
        lines += ["", "## Most common errors", "", "| run | type | samples |", "|---|---|---:|"]
        for run in report.runs { for error in run.errorTypes.prefix(5) { lines.append("| \(cell(run.name)) | \(cell(error.type)) | \(error.count) |") } }
        lines += ["", "## Audit", "", "| run | proctor | profile | profile sha256 | problems sha256 |", "|---|---|---|---|---|"]
        for run in report.runs {
            let a = run.audit
            lines.append("| \(cell(run.name)) | \(a.proctorVersion ?? "-") | \(a.profile ?? "-") | \(a.profileSHA256.map { String($0.prefix(16)) } ?? "-") | \(a.problemsSHA256.map { String($0.prefix(16)) } ?? "-") |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func cell(_ text: String) -> String { text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ") }
}
