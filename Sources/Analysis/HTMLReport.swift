import Foundation
import Results

/// The report as one self-contained HTML file: no scripts, no fonts, no network; every chart an
/// inline SVG drawn here. Well-formed XML too (every tag closed, only XML's entities), so a test
/// can parse it and read the numbers back from `data-*` attributes.
public enum HTMLReport {
    static let palette = ["#2b6cb0", "#dd6b20", "#2f855a", "#9b2c2c", "#6b46c1", "#b7791f", "#2c7a7b", "#97266d"]
    static let colors: [SampleStatus: String] = [
        .passed: "#38a169", .accepted: "#38a169", .resolved: "#38a169", .failed: "#e53e3e", .wrongAnswer: "#e53e3e",
        .unresolved: "#e53e3e", .timeout: "#dd6b20", .timeLimit: "#dd6b20", .memoryLimit: "#805ad5", .outputLimit: "#d69e2e",
        .runtimeError: "#d53f8c", .compileError: "#2d3748", .blockedSyscall: "#1a202c", .signaled: "#718096", .noVerdict: "#ed64a6",
        .referenceError: "#4a5568", .internalError: "#a0aec0", .error: "#a0aec0", .jobFailed: "#cbd5e0",
    ]
    /// A status word's colour (a word of no status: grey).
    static func color(_ status: String) -> String? { SampleStatus(row: status).flatMap { colors[$0] } }

    public static func render(_ report: Report) -> String {
        var html = """
            <!DOCTYPE html>
            <html xmlns="http://www.w3.org/1999/xhtml" lang="en"><head><meta charset="utf-8"/>
            <title>Proctor report: \(escape(report.runs.map(\.name).joined(separator: ", ")))</title>
            <style>
            body { font-family: sans-serif; margin: 24px; color: #1a202c; max-width: 1200px; }
            h1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 32px; border-bottom: 1px solid #e2e8f0; }
            table { border-collapse: collapse; font-size: 13px; margin: 8px 0; }
            td, th { border: 1px solid #e2e8f0; padding: 3px 8px; text-align: left; vertical-align: top; }
            th { background: #f7fafc; } .num { text-align: right; font-variant-numeric: tabular-nums; }
            .chart { margin: 8px 0; } .muted { color: #718096; font-size: 12px; }
            details { margin: 2px 0; font-size: 13px; } code { font-size: 12px; }
            </style></head><body>
            <h1>Proctor report</h1>
            <p class="muted">\(report.runs.count) run(s), \(report.tasks.count) task(s), generated \(escape(report.generatedAt)).</p>

            """
        html += section("pass@k", passAtKTable(report) + passAtKChart(report))
        html += section("Status", statusChart(report))
        html += section("Per-task pass rate (hardest first; a cell links to its failing samples)", heatMap(report))
        html += section("Latency, CPU and peak memory", distributions(report))
        html += section("Slowest and most memory-hungry tasks", extremes(report))
        html += section("Most common errors", errors(report))
        html += section("Audit: how these numbers were made", audit(report))
        html += section("Failing samples by task", failures(report))
        html += "</body></html>\n"
        return html
    }

    static func section(_ title: String, _ body: String) -> String { "<h2>\(escape(title))</h2>\n\(body)\n" }

    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                // Control characters are not allowed in XML: shown as their code.
                if scalar.value < 0x20 && scalar != "\n" && scalar != "\t" { out += "\\u{\(String(scalar.value, radix: 16))}" } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }

    static func f(_ value: Double, _ digits: Int = 4) -> String { String(format: "%.\(digits)f", value) }

    static func anchor(_ task: String) -> String {
        "task-" + task.unicodeScalars.map { CharacterSet.alphanumerics.contains($0) ? String($0) : "_" + String($0.value, radix: 16) }.joined()
    }

    static func ks(_ report: Report) -> [String] {
        Set(report.runs.flatMap { $0.passAtK.keys }).sorted { Int($0.dropFirst(5))! < Int($1.dropFirst(5))! }
    }

    static func passAtKTable(_ report: Report) -> String {
        let keys = ks(report)
        var rows = "<table id=\"pass-at-k\"><tr><th>run</th><th>tasks</th><th>samples</th>" + keys.map { "<th>\($0) [95% CI]</th>" }.joined() + "</tr>\n"
        for run in report.runs {
            rows += "<tr><td>\(escape(run.name))</td><td class=\"num\">\(run.tasks)</td><td class=\"num\">\(run.samples)</td>"
            for key in keys {
                if let e = run.passAtK[key] {
                    rows += "<td class=\"num\" data-run=\"\(escape(run.name))\" data-k=\"\(key)\" data-value=\"\(f(e.value, 6))\">\(f(e.value)) [\(f(e.low)), \(f(e.high))]</td>"
                } else {
                    rows += "<td class=\"muted\">n/a</td>"
                }
            }
            rows += "</tr>\n"
        }
        return rows + "</table>\n"
    }

    static func passAtKChart(_ report: Report) -> String {
        let keys = ks(report)
        let groupWidth = 40 + 34 * report.runs.count
        let width = 80 + groupWidth * max(1, keys.count)
        let height = 260
        let plot = (top: 20.0, bottom: Double(height) - 40, left: 50.0)
        func y(_ value: Double) -> Double { plot.bottom - (plot.bottom - plot.top) * value }
        var svg = "<svg id=\"chart-pass-at-k\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" role=\"img\">\n"
        for tick in stride(from: 0.0, through: 1.0, by: 0.25) {
            svg += "<line x1=\"\(plot.left)\" x2=\"\(width - 10)\" y1=\"\(f(y(tick), 1))\" y2=\"\(f(y(tick), 1))\" stroke=\"#e2e8f0\"/>"
            svg += "<text x=\"\(plot.left - 6)\" y=\"\(f(y(tick) + 4, 1))\" font-size=\"11\" text-anchor=\"end\">\(f(tick, 2))</text>\n"
        }
        for (g, key) in keys.enumerated() {
            let x0 = plot.left + 20 + Double(g * groupWidth)
            svg += "<text x=\"\(f(x0 + Double(34 * report.runs.count) / 2, 1))\" y=\"\(height - 18)\" font-size=\"12\" text-anchor=\"middle\">\(key)</text>\n"
            for (r, run) in report.runs.enumerated() {
                guard let e = run.passAtK[key] else { continue }
                let x = x0 + Double(r * 34)
                let color = palette[r % palette.count]
                svg += "<rect class=\"bar\" data-run=\"\(escape(run.name))\" data-k=\"\(key)\" data-value=\"\(f(e.value, 6))\" x=\"\(f(x, 1))\" y=\"\(f(y(e.value), 1))\" width=\"26\" height=\"\(f(plot.bottom - y(e.value), 1))\" fill=\"\(color)\"><title>\(escape(run.name)) \(key) \(f(e.value)) [\(f(e.low)), \(f(e.high))]</title></rect>"
                svg += "<line x1=\"\(f(x + 13, 1))\" x2=\"\(f(x + 13, 1))\" y1=\"\(f(y(e.low), 1))\" y2=\"\(f(y(e.high), 1))\" stroke=\"#1a202c\" stroke-width=\"1.5\"/>"
                svg += "<line x1=\"\(f(x + 8, 1))\" x2=\"\(f(x + 18, 1))\" y1=\"\(f(y(e.low), 1))\" y2=\"\(f(y(e.low), 1))\" stroke=\"#1a202c\"/>"
                svg += "<line x1=\"\(f(x + 8, 1))\" x2=\"\(f(x + 18, 1))\" y1=\"\(f(y(e.high), 1))\" y2=\"\(f(y(e.high), 1))\" stroke=\"#1a202c\"/>\n"
            }
        }
        svg += legend(report, x: Int(plot.left), y: height - 6)
        return svg + "</svg>\n"
    }

    static func legend(_ report: Report, x: Int, y: Int) -> String {
        var out = ""
        var position = x
        for (r, run) in report.runs.enumerated() {
            out += "<rect x=\"\(position)\" y=\"\(y - 9)\" width=\"10\" height=\"10\" fill=\"\(palette[r % palette.count])\"/>"
            out += "<text x=\"\(position + 14)\" y=\"\(y)\" font-size=\"11\">\(escape(run.name))</text>"
            position += 24 + 7 * run.name.count
        }
        return out + "\n"
    }

    static func statusChart(_ report: Report) -> String {
        let statuses = report.statuses
        let width = 760
        let rowHeight = 26
        let height = 30 + rowHeight * report.runs.count + 30
        var svg = "<svg id=\"chart-status\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" role=\"img\">\n"
        let left = 160.0, span = Double(width) - left - 20
        for (r, run) in report.runs.enumerated() {
            let y = 10 + r * rowHeight
            svg += "<text x=\"\(left - 8)\" y=\"\(y + 15)\" font-size=\"12\" text-anchor=\"end\">\(escape(String(run.name.prefix(22))))</text>"
            var x = left
            for status in statuses {
                let count = run.statusCounts[status] ?? 0
                guard count > 0 else { continue }
                let w = span * Double(count) / Double(max(1, run.samples))
                svg += "<rect class=\"status\" data-run=\"\(escape(run.name))\" data-status=\"\(escape(status))\" data-count=\"\(count)\" x=\"\(f(x, 1))\" y=\"\(y)\" width=\"\(f(w, 1))\" height=\"20\" fill=\"\(color(status) ?? "#a0aec0")\"><title>\(escape(status)): \(count)</title></rect>"
                x += w
            }
            svg += "\n"
        }
        // The legend, wrapped onto as many lines as it needs.
        var legend = ""
        var x = 10
        var y = 12
        for status in statuses {
            let step = 24 + 7 * status.count
            if x + step > width { (x, y) = (10, y + 16) }
            legend += "<rect x=\"\(x)\" y=\"\(y - 9)\" width=\"10\" height=\"10\" fill=\"\(color(status) ?? "#a0aec0")\"/><text x=\"\(x + 14)\" y=\"\(y)\" font-size=\"11\">\(escape(status))</text>"
            x += step
        }
        svg += "<g transform=\"translate(0, \(height - 24))\">\(legend)</g>"
        return svg.replacingOccurrences(of: "height=\"\(height)\" role", with: "height=\"\(height + y)\" role") + "\n</svg>\n"
    }

    static func heatMap(_ report: Report) -> String {
        let tasks = report.tasks
        let columns = max(1, min(tasks.count, 100))
        let cell = max(6, min(16, 900 / columns))
        let rowsPerRun = (tasks.count + columns - 1) / columns
        let blockHeight = rowsPerRun * cell + 22
        let width = 20 + columns * cell
        let height = 10 + blockHeight * report.runs.count
        var svg = "<svg id=\"chart-tasks\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" role=\"img\">\n"
        for (r, run) in report.runs.enumerated() {
            let top = 10 + r * blockHeight
            svg += "<text x=\"0\" y=\"\(top + 12)\" font-size=\"12\">\(escape(run.name))</text>\n"
            for (index, task) in tasks.enumerated() {
                let x = (index % columns) * cell
                let y = top + 18 + (index / columns) * cell
                guard let rate = task.passRates[r] else {
                    svg += "<rect x=\"\(x)\" y=\"\(y)\" width=\"\(cell - 1)\" height=\"\(cell - 1)\" fill=\"#edf2f7\"/>"
                    continue
                }
                // Red (0) through yellow to green (1).
                let hue = Int(rate * 120)
                svg += "<a href=\"#\(anchor(task.task))\"><rect class=\"cell\" data-run=\"\(escape(run.name))\" data-task=\"\(escape(task.task))\" data-rate=\"\(f(rate, 4))\" x=\"\(x)\" y=\"\(y)\" width=\"\(cell - 1)\" height=\"\(cell - 1)\" fill=\"hsl(\(hue), 65%, 50%)\"><title>\(escape(task.task)): \(f(rate, 2))</title></rect></a>"
            }
            svg += "\n"
        }
        return svg + "</svg>\n<p class=\"muted\">Each square is a task (\(tasks.count)); colour from red (no sample passed) to green (all passed); grey: not graded in that run.</p>\n"
    }

    static func distributions(_ report: Report) -> String {
        var out = "<table id=\"distributions\"><tr><th>run</th><th>metric</th><th>p50</th><th>p90</th><th>p99</th><th>max</th></tr>\n"
        let metrics: [(String, String, KeyPath<Report.Run, Report.Distribution?>)] = [
            ("latency_ms", "wall ms", \.latencyMs), ("cpu_ms", "CPU ms", \.cpuMs), ("peak_rss_kib", "peak RSS KiB", \.peakRssKiB),
        ]
        for run in report.runs {
            for (key, label, path) in metrics {
                guard let d = run[keyPath: path] else { continue }
                out += "<tr data-run=\"\(escape(run.name))\" data-metric=\"\(key)\" data-p50=\"\(f(d.p50, 3))\"><td>\(escape(run.name))</td><td>\(label)</td><td class=\"num\">\(f(d.p50, 1))</td><td class=\"num\">\(f(d.p90, 1))</td><td class=\"num\">\(f(d.p99, 1))</td><td class=\"num\">\(f(d.max, 1))</td></tr>\n"
            }
        }
        out += "</table>\n"
        for (key, label, path) in metrics {
            guard let edges = report.bins[key] else { continue }
            let width = 420, height = 150
            var svg = "<svg id=\"chart-\(key)\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" role=\"img\">"
            svg += "<text x=\"4\" y=\"14\" font-size=\"12\">\(label) (log scale)</text>"
            let peak = report.runs.compactMap { $0[keyPath: path]?.histogram.max() }.max() ?? 1
            let binWidth = Double(width - 20) / Double(edges.count - 1)
            for (r, run) in report.runs.enumerated() {
                guard let histogram = run[keyPath: path]?.histogram else { continue }
                var points: [String] = []
                for (i, count) in histogram.enumerated() {
                    let x = 10 + binWidth * (Double(i) + 0.5)
                    let y = Double(height - 24) - Double(height - 48) * Double(count) / Double(max(1, peak))
                    points.append("\(f(x, 1)),\(f(y, 1))")
                }
                svg += "<polyline fill=\"none\" stroke=\"\(palette[r % palette.count])\" stroke-width=\"2\" points=\"\(points.joined(separator: " "))\"/>"
            }
            svg += "<text x=\"10\" y=\"\(height - 6)\" font-size=\"10\">\(f(edges.first!, 1))</text><text x=\"\(width - 10)\" y=\"\(height - 6)\" font-size=\"10\" text-anchor=\"end\">\(f(edges.last!, 1))</text>"
            out += svg + "</svg>\n"
        }
        return out
    }

    static func extremes(_ report: Report) -> String {
        var out = ""
        for run in report.runs {
            out += "<table><tr><th colspan=\"2\">\(escape(run.name)): slowest (mean wall ms per sample)</th><th colspan=\"2\">most memory (peak RSS KiB)</th></tr>\n"
            for i in 0..<max(run.slowestTasks.count, run.hungriestTasks.count) {
                let slow = i < run.slowestTasks.count ? run.slowestTasks[i] : nil
                let hungry = i < run.hungriestTasks.count ? run.hungriestTasks[i] : nil
                out += "<tr><td>\(slow.map { link($0.task) } ?? "")</td><td class=\"num\">\(slow.map { f($0.value, 1) } ?? "")</td>"
                out += "<td>\(hungry.map { link($0.task) } ?? "")</td><td class=\"num\">\(hungry.map { f($0.value, 0) } ?? "")</td></tr>\n"
            }
            out += "</table>\n"
        }
        return out
    }

    static func link(_ task: String) -> String { "<a href=\"#\(anchor(task))\">\(escape(task))</a>" }

    static func errors(_ report: Report) -> String {
        var out = "<table id=\"errors\"><tr><th>run</th><th>error type</th><th>samples</th><th>example</th></tr>\n"
        for run in report.runs {
            for error in run.errorTypes {
                out += "<tr><td>\(escape(run.name))</td><td>\(escape(error.type))</td><td class=\"num\">\(error.count)</td><td><code>\(escape(String(error.example.prefix(160))))</code></td></tr>\n"
            }
        }
        return out + "</table>\n"
    }

    static func audit(_ report: Report) -> String {
        var out = "<table id=\"audit\"><tr><th>run</th><th>proctor</th><th>profile</th><th>profile sha256</th><th>limits</th><th>python</th><th>kernel</th><th>problems</th><th>problems sha256</th><th>samples</th><th>samples sha256</th><th>seed</th></tr>\n"
        for run in report.runs {
            let a = run.audit
            let limits = a.limits.sorted { $0.key < $1.key }.map { "\($0.key)=\(Comparison.format($0.value))" }.joined(separator: " ")
            let cells = [a.proctorVersion, a.profile, a.profileSHA256.map { String($0.prefix(16)) }, limits, a.pythonVersion, a.kernel, a.problems, a.problemsSHA256.map { String($0.prefix(16)) }, a.samples, a.samplesSHA256.map { String($0.prefix(16)) }, a.seed]
            out += "<tr><td>\(escape(run.name))</td>" + cells.map { "<td>\(escape($0 ?? "-"))</td>" }.joined() + "</tr>\n"
        }
        return out + "</table>\n"
    }

    static func failures(_ report: Report) -> String {
        var out = ""
        var shown = 0
        for task in report.tasks where task.failures.contains(where: { !$0.isEmpty }) {
            // Bounded: a huge benchmark's report stays small (the rows file has the rest).
            guard shown < 2000 else {
                out += "<p class=\"muted\">… failing samples of further tasks are in each run's samples.jsonl.</p>\n"
                break
            }
            shown += 1
            out += "<details id=\"\(anchor(task.task))\"><summary>\(escape(task.task)) — pass rate " + task.passRates.map { $0.map { f($0, 2) } ?? "-" }.joined(separator: " / ") + "</summary><ul>"
            for (r, failures) in task.failures.enumerated() {
                for failure in failures {
                    out += "<li><b>\(escape(report.runs[r].name))</b> #\(escape(failure.completion)) \(escape(failure.status)): <code>\(escape(String(failure.message.prefix(300))))</code></li>"
                }
            }
            out += "</ul></details>\n"
        }
        return out.isEmpty ? "<p>No failing samples.</p>\n" : out
    }
}
