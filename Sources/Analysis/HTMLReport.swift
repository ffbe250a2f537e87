import Foundation
import Results

/// The report as one self-contained HTML file that scales to a leaderboard (bounded at 100 runs ×
/// 1,000 tasks): no fonts, no network, nothing fetched. Runs are ranked by pass@1 and each has a
/// colour and a short alias (R1, R2, …) that a key maps back to its full name.
///
/// Static where the markup stays small (tables, the ranked chart, pass@k curves, status bars, the
/// item map: inline SVG), drawn by the inline script where it would not (the run × task heat map
/// and the pairwise significance matrix: 100,000 and 10,000 cells, from one JSON block). The page
/// is well-formed XML too (every tag closed, the script in CDATA), so a test can parse it.
///
/// Why everything model-controlled stays escaped: task ids, run names and failure messages come
/// from model output and from files a user was handed; in markup they go through `escape`, in
/// the JSON block through `scriptJSON` (no `<`, `>`, `&` or line separator survives raw), and the
/// script only ever sets them as `textContent`, never as markup.
public enum HTMLReport {
    static let colors: [SampleStatus: String] = [
        .passed: "#38a169", .accepted: "#38a169", .resolved: "#38a169", .failed: "#e53e3e", .wrongAnswer: "#e53e3e",
        .unresolved: "#e53e3e", .timeout: "#dd6b20", .timeLimit: "#dd6b20", .memoryLimit: "#805ad5", .outputLimit: "#d69e2e",
        .runtimeError: "#d53f8c", .compileError: "#2d3748", .blockedSyscall: "#1a202c", .signaled: "#718096", .noVerdict: "#ed64a6",
        .referenceError: "#4a5568", .internalError: "#a0aec0", .error: "#a0aec0", .jobFailed: "#cbd5e0",
    ]
    /// A status word's colour (a word of no status: grey).
    static func color(_ status: String) -> String? { SampleStatus(row: status).flatMap { colors[$0] } }

    /// The report holds at most this many runs and tasks in its charts (the JSON form has all).
    public static let maxRuns = 100
    public static let maxTasks = 1000
    /// Failing samples listed per run (the rows file has the rest).
    static let failuresPerRun = 40

    /// Run `index`'s colour: hues a golden angle apart, at three lightnesses, so neighbours in
    /// rank never look alike and 100 runs get 100 different colours.
    static func runColor(_ index: Int) -> String {
        let hue = (Double(index) * 137.508).truncatingRemainder(dividingBy: 360)
        let lightness = [42, 58, 32][index % 3]
        return "hsl(\(f(hue, 1)), 68%, \(lightness)%)"
    }

    public static func render(_ report: Report) -> String {
        let runs = Array(report.runs.prefix(maxRuns))
        let tasks = Array(report.tasks.prefix(maxTasks))
        var html = """
            <!DOCTYPE html>
            <html xmlns="http://www.w3.org/1999/xhtml" lang="en"><head><meta charset="utf-8"/>
            <title>Proctor report: \(report.runs.count) run(s), \(report.tasks.count) task(s)</title>
            <style>
            \(style)
            </style></head><body>
            <h1>Proctor report</h1>
            <p class="muted">\(report.runs.count) run(s), \(report.tasks.count) task(s), generated \(escape(report.generatedAt)). Runs are ranked by pass@1 (ties share a rank); each has a colour and an alias (R1 is ranked first) that the key maps to its name.</p>

            """
        if report.runs.count > runs.count || report.tasks.count > tasks.count {
            html +=
                "<p class=\"warning\">This report shows the first \(runs.count) of \(report.runs.count) runs (by rank) and the \(tasks.count) hardest of \(report.tasks.count) tasks; `--format json` has them all.</p>\n"
        }
        html += """
            <div id="controls"><label>Runs: <input id="filter-runs" type="search" placeholder="filter by name or alias"/></label>
            <label>Tasks: <input id="filter-tasks" type="search" placeholder="filter by task id"/></label>
            <span class="muted" id="filter-status"></span></div>

            """
        html += section("Leaderboard", "leaderboard-section", leaderboardTable(report, runs) + "<p class=\"muted\">Click a column's header to sort by it.</p>")
        html += section("Ranked pass@1 with 95% intervals", "ranked-section", rankedChart(report, runs))
        html += section("Key", "key-section", key(runs))
        html += section("pass@k curves", "curves-section", curves(runs))
        html += section("Pairwise significance", "significance-section", significance(report, runs))
        html += section("Per-task pass rate, run by task", "heatmap-section", heatMap(report, runs, tasks))
        if report.itemResponse != nil { html += section("Ability (θ) and item difficulty", "irt-section", itemResponse(report, runs, tasks)) }
        html += section("Status", "status-section", statusChart(report, runs))
        html += section("Latency, CPU and peak memory", "distributions-section", distributions(report, runs))
        html += section("Slowest and most memory-hungry tasks", "extremes-section", extremes(runs))
        html += section("Most common errors", "errors-section", errors(runs))
        html += section("Audit: how these numbers were made", "audit-section", audit(runs))
        html += section("Failing samples by run", "failures-section", failures(runs, tasks))
        html += "<div id=\"tooltip\" role=\"tooltip\"></div>\n"
        html += "<script type=\"application/json\" id=\"report-data\">\(scriptJSON(data(report, runs, tasks)))</script>\n"
        html += "<script>//<![CDATA[\n\(HTMLReportScript.source)\n//]]></script>\n"
        html += "</body></html>\n"
        return html
    }

    static let style = """
        body { font-family: sans-serif; margin: 24px; color: #1a202c; max-width: 1180px; }
        h1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 32px; border-bottom: 1px solid #e2e8f0; }
        table { border-collapse: collapse; font-size: 13px; margin: 8px 0; }
        td, th { border: 1px solid #e2e8f0; padding: 3px 8px; text-align: left; vertical-align: top; }
        th { background: #f7fafc; } th[data-sort] { cursor: pointer; } th[data-sort]:hover { background: #edf2f7; }
        .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        .name { overflow-wrap: anywhere; min-width: 260px; max-width: 420px; }
        .ci { display: block; color: #718096; font-size: 11px; }
        .chart { margin: 8px 0; display: block; } .muted { color: #718096; font-size: 12px; }
        .warning { background: #fffbea; border: 1px solid #f6e05e; padding: 6px 10px; font-size: 13px; }
        .scroll { overflow-x: auto; max-width: 100%; }
        details { margin: 2px 0; font-size: 13px; } code { font-size: 12px; overflow-wrap: anywhere; }
        .swatch { display: inline-block; width: 11px; height: 11px; margin-right: 5px; vertical-align: -1px; border-radius: 2px; }
        .alias { font-weight: bold; font-variant-numeric: tabular-nums; margin-right: 6px; }
        ol.legend { list-style: none; padding: 0; margin: 6px 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(270px, 1fr)); gap: 3px 14px; }
        ol.legend li { font-size: 12px; overflow-wrap: anywhere; line-height: 15px; }
        #controls { position: sticky; top: 0; background: #ffffffee; padding: 6px 0; z-index: 2; font-size: 13px; border-bottom: 1px solid #e2e8f0; }
        #controls input { width: 220px; margin-right: 14px; }
        .heat { display: flex; align-items: flex-start; } .heat canvas { display: block; }
        #tooltip { position: fixed; display: none; background: #1a202c; color: #fff; font-size: 12px; padding: 4px 7px; border-radius: 3px; pointer-events: none; z-index: 5; max-width: 420px; overflow-wrap: anywhere; }
        .hidden { display: none !important; }
        table.audit { table-layout: fixed; width: 100%; } table.audit td { overflow-wrap: anywhere; }
        """

    static func section(_ title: String, _ id: String, _ body: String) -> String {
        "<section id=\"\(id)\"><h2>\(escape(title))</h2>\n\(body)\n</section>\n"
    }

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
                if scalar.value < 0x20 && scalar != "\n" && scalar != "\t" || (0xFFFE...0xFFFF).contains(scalar.value) {
                    out += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// JSON safe inside a `<script>` element of HTML and of XML alike: nothing that could end the
    /// element, open a tag or an entity, or end a JavaScript line survives unescaped.
    static func scriptJSON<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let text = String(decoding: (try? encoder.encode(value)) ?? Data("{}".utf8), as: UTF8.self)
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "<": out += "\\u003c"
            case ">": out += "\\u003e"
            case "&": out += "\\u0026"
            case "\u{2028}": out += "\\u2028"
            case "\u{2029}": out += "\\u2029"
            case "\u{FFFE}": out += "\\ufffe"
            case "\u{FFFF}": out += "\\uffff"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static func f(_ value: Double, _ digits: Int = 4) -> String { String(format: "%.\(digits)f", value) }

    static func anchor(_ task: String) -> String {
        "task-" + task.unicodeScalars.map { CharacterSet.alphanumerics.contains($0) && $0.isASCII ? String($0) : "_" + String($0.value, radix: 16) }.joined()
    }

    static func ks(_ report: Report) -> [String] {
        Set(report.runs.flatMap { $0.passAtK.keys }).sorted { Int($0.dropFirst(5))! < Int($1.dropFirst(5))! }
    }

    /// A run's colour swatch and alias, then its full name.
    static func label(_ run: Report.Run, _ index: Int) -> String {
        "<span class=\"swatch\" style=\"background:\(runColor(index))\"></span><span class=\"alias\">\(run.alias)</span>\(escape(run.name))"
    }

    // MARK: tables

    static func leaderboardTable(_ report: Report, _ runs: [Report.Run]) -> String {
        let keys = ks(report)
        let hasTheta = runs.contains { $0.theta != nil }
        var out = "<div class=\"scroll\"><table id=\"leaderboard\" class=\"sortable\"><thead><tr><th data-sort=\"num\">rank</th><th data-sort=\"text\">run</th>"
        out += "<th data-sort=\"num\">tasks</th><th data-sort=\"num\">samples</th>"
        out += keys.map { "<th data-sort=\"num\">\($0) [95% CI]</th>" }.joined()
        if hasTheta { out += "<th data-sort=\"num\">θ [95% CI]</th>" }
        out += "<th data-sort=\"num\">passed</th><th data-sort=\"num\">median wall ms</th><th data-sort=\"num\">median CPU ms</th></tr></thead><tbody>\n"
        for (index, run) in runs.enumerated() {
            out += "<tr data-run-index=\"\(index)\"><td class=\"num\" data-v=\"\(run.rank)\">\(run.rank)</td><td class=\"name\" data-v=\"\(escape(run.name))\">\(label(run, index))</td>"
            out += "<td class=\"num\" data-v=\"\(run.tasks)\">\(run.tasks)</td><td class=\"num\" data-v=\"\(run.samples)\">\(run.samples)</td>"
            for key in keys {
                if let e = run.passAtK[key] {
                    out += "<td class=\"num\" data-k=\"\(key)\" data-v=\"\(f(e.value, 6))\">\(f(e.value))<span class=\"ci\">[\(f(e.low, 3)), \(f(e.high, 3))]</span></td>"
                } else {
                    out += "<td class=\"muted num\" data-v=\"-1\">–</td>"
                }
            }
            if hasTheta {
                out += run.theta.map { "<td class=\"num\" data-v=\"\(f($0.value, 6))\">\(f($0.value, 2))<span class=\"ci\">[\(f($0.low, 2)), \(f($0.high, 2))]</span></td>" } ?? "<td class=\"muted\" data-v=\"-1e9\">-</td>"
            }
            let passed = run.statusCounts.filter { SampleStatus(row: $0.key)?.countsAsPassed == true }.map(\.value).reduce(0, +)
            out += "<td class=\"num\" data-v=\"\(passed)\">\(passed) / \(run.samples)</td>"
            out += "<td class=\"num\" data-v=\"\(run.latencyMs.map { f($0.p50, 3) } ?? "-1")\">\(run.latencyMs.map { f($0.p50, 1) } ?? "-")</td>"
            out += "<td class=\"num\" data-v=\"\(run.cpuMs.map { f($0.p50, 3) } ?? "-1")\">\(run.cpuMs.map { f($0.p50, 1) } ?? "-")</td></tr>\n"
        }
        return out + "</tbody></table></div>\n"
    }

    static func key(_ runs: [Report.Run]) -> String {
        var out = "<ol id=\"key\" class=\"legend\">"
        for (index, run) in runs.enumerated() {
            out += "<li class=\"legend-entry\" data-run-index=\"\(index)\" data-run=\"\(escape(run.name))\">\(label(run, index))</li>"
        }
        return out + "</ol>\n<p class=\"muted\">The charts below name runs by alias; hover over a mark for its figures.</p>\n"
    }

    // MARK: charts

    /// One row per run in rank order, its full name beside the bar (cut with … past 56
    /// characters, the whole name in the row's tooltip and in the key).
    static func rankedChart(_ report: Report, _ runs: [Report.Run]) -> String {
        let row = runs.count > 30 ? 15 : 20
        let width = 1100, labelWidth = 430.0, right = 70.0
        let height = 26 + row * runs.count
        let span = Double(width) - labelWidth - right
        func x(_ value: Double) -> Double { labelWidth + span * min(1, max(0, value)) }
        var svg = "<svg id=\"chart-ranked\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" role=\"img\">\n"
        for tick in stride(from: 0.0, through: 1.0, by: 0.25) {
            svg += "<line x1=\"\(f(x(tick), 1))\" x2=\"\(f(x(tick), 1))\" y1=\"14\" y2=\"\(height)\" stroke=\"#e2e8f0\"/><text x=\"\(f(x(tick), 1))\" y=\"10\" font-size=\"10\" text-anchor=\"middle\">\(f(tick, 2))</text>"
        }
        svg += "\n"
        for (index, run) in runs.enumerated() {
            guard let e = run.passAtK["pass@1"] else { continue }
            let y = 16 + index * row
            let name = run.name.count > 56 ? String(run.name.prefix(55)) + "…" : run.name
            let bar = row - 4
            svg += "<g class=\"ranked-row\" data-run-index=\"\(index)\" data-run=\"\(escape(run.name))\" data-value=\"\(f(e.value, 6))\"><title>\(run.alias) \(escape(run.name)): pass@1 \(f(e.value)) [\(f(e.low)), \(f(e.high))]</title>"
            svg += "<text x=\"4\" y=\"\(y + bar - 2)\" font-size=\"\(row > 15 ? 12 : 11)\"><tspan font-weight=\"bold\">\(run.rank). \(run.alias)</tspan> \(escape(name))</text>"
            svg += "<rect class=\"bar\" x=\"\(f(labelWidth, 1))\" y=\"\(y)\" width=\"\(f(x(e.value) - labelWidth, 1))\" height=\"\(bar)\" fill=\"\(runColor(index))\"/>"
            svg += "<line x1=\"\(f(x(e.low), 1))\" x2=\"\(f(x(e.high), 1))\" y1=\"\(y + bar / 2)\" y2=\"\(y + bar / 2)\" stroke=\"#1a202c\" stroke-width=\"1.5\"/>"
            svg += "<text x=\"\(f(x(e.high) + 4, 1))\" y=\"\(y + bar - 2)\" font-size=\"10\">\(f(e.value, 3))</text></g>\n"
        }
        return svg + "</svg>\n"
    }

    static func curves(_ runs: [Report.Run]) -> String {
        let ks = Set(runs.flatMap { $0.passAtKCurve.map(\.k) }).sorted()
        guard let top = ks.last, top > 1 else {
            return "<p class=\"muted\" id=\"curves-none\">pass@k curves need two samples per task or more; these runs have one.</p>\n"
        }
        let width = 1000, height = 340
        let plot = (left: 50.0, right: Double(width) - 20, top: 14.0, bottom: Double(height) - 36)
        func x(_ k: Int) -> Double { plot.left + (plot.right - plot.left) * log(Double(k)) / log(Double(top)) }
        func y(_ v: Double) -> Double { plot.bottom - (plot.bottom - plot.top) * v }
        var svg = "<svg id=\"chart-curves\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" role=\"img\">\n"
        for tick in stride(from: 0.0, through: 1.0, by: 0.25) {
            svg += "<line x1=\"\(plot.left)\" x2=\"\(plot.right)\" y1=\"\(f(y(tick), 1))\" y2=\"\(f(y(tick), 1))\" stroke=\"#e2e8f0\"/><text x=\"\(plot.left - 6)\" y=\"\(f(y(tick) + 4, 1))\" font-size=\"11\" text-anchor=\"end\">\(f(tick, 2))</text>"
        }
        for k in ks {
            svg += "<text x=\"\(f(x(k), 1))\" y=\"\(height - 20)\" font-size=\"11\" text-anchor=\"middle\">\(k)</text>"
        }
        svg += "<text x=\"\(f((plot.left + plot.right) / 2, 1))\" y=\"\(height - 4)\" font-size=\"11\" text-anchor=\"middle\">k (log scale)</text>\n"
        for (index, run) in runs.enumerated() where !run.passAtKCurve.isEmpty {
            let points = run.passAtKCurve.map { "\(f(x($0.k), 1)),\(f(y($0.value), 1))" }.joined(separator: " ")
            svg += "<g class=\"curve\" data-run-index=\"\(index)\" data-run=\"\(escape(run.name))\"><title>\(run.alias) \(escape(run.name)): " + run.passAtKCurve.map { "pass@\($0.k) \(f($0.value, 3))" }.joined(separator: ", ") + "</title>"
            if run.passAtKCurve.count == 1, let only = run.passAtKCurve.first {
                // One sample per task: a point at k = 1, no curve.
                svg += "<circle cx=\"\(f(x(only.k), 1))\" cy=\"\(f(y(only.value), 1))\" r=\"3\" fill=\"\(runColor(index))\"/>"
            } else {
                svg += "<polyline fill=\"none\" stroke=\"\(runColor(index))\" stroke-width=\"2\" points=\"\(points)\"/>"
            }
            if let last = run.passAtKCurve.last, runs.count <= 12 {
                svg += "<text x=\"\(f(x(last.k) - 4, 1))\" y=\"\(f(y(last.value) - 4, 1))\" font-size=\"10\" text-anchor=\"end\" fill=\"\(runColor(index))\">\(run.alias)</text>"
            }
            svg += "</g>\n"
        }
        return svg + "</svg>\n<p class=\"muted\">The unbiased estimator, averaged over tasks, at each k up to the fewest samples a task has in that run; colours as in the key.</p>\n"
    }

    static func significance(_ report: Report, _ runs: [Report.Run]) -> String {
        guard let matrix = report.significance else {
            return "<p class=\"muted\">Needs two runs or more that share a task.</p>\n"
        }
        let significant = matrix.pairs.filter(\.significant).count
        return """
            <p class="muted">Row run minus column run in pass@1 over the \(matrix.tasks) task(s) every run graded, with a paired bootstrap 95% interval (\(matrix.resamples) resamples of tasks): \(significant) of \(matrix.pairs.count) pairs differ significantly.</p>
            <ol class="legend" id="significance-legend"><li class="legend-entry"><span class="swatch" style="background:#2f855a"></span>row ahead (interval above 0)</li><li class="legend-entry"><span class="swatch" style="background:#c53030"></span>row behind (interval below 0)</li><li class="legend-entry"><span class="swatch" style="background:#e2e8f0"></span>no significant difference</li></ol>
            <div class="scroll"><canvas id="significance" data-pairs="\(matrix.pairs.count)" data-significant="\(significant)"></canvas></div>

            """
    }

    static func heatMap(_ report: Report, _ runs: [Report.Run], _ tasks: [Report.Task]) -> String {
        let byDifficulty = tasks.contains { $0.difficulty != nil }
        return """
            <p><label>Tasks: <select id="sort-tasks"><option value="hardest">hardest first</option><option value="easiest">easiest first</option><option value="id">by id</option>\(byDifficulty ? "<option value=\"difficulty\">by IRT difficulty</option><option value=\"discrimination\">by IRT discrimination</option>" : "")<option value="spread">most disagreement first</option></select></label>
            <label>Runs: <select id="sort-runs"><option value="rank">by rank</option><option value="name">by name</option><option value="alias">by alias</option></select></label></p>
            <ol class="legend" id="heatmap-legend"><li class="legend-entry"><span class="swatch" style="background:hsl(0,65%,50%)"></span>no sample passed</li><li class="legend-entry"><span class="swatch" style="background:hsl(60,65%,50%)"></span>half passed</li><li class="legend-entry"><span class="swatch" style="background:hsl(120,65%,40%)"></span>every sample passed</li><li class="legend-entry"><span class="swatch" style="background:#edf2f7"></span>not graded in that run</li></ol>
            <div class="heat"><canvas id="heatmap-runs"></canvas><div class="scroll" id="heatmap-scroll"><canvas id="heatmap" data-runs="\(runs.count)" data-tasks="\(tasks.count)"></canvas></div></div>
            <p class="muted">One row per run, one column per task (labelled above it); hover for the figures, click a cell for that run's failing samples of the task.</p>

            """
    }

    static func itemResponse(_ report: Report, _ runs: [Report.Run], _ tasks: [Report.Task]) -> String {
        guard let summary = report.itemResponse else { return "" }
        var out = "<p class=\"muted\">Two-parameter IRT model (\(summary.source == "fitted" ? "fitted on these runs" : "read from " + escape(summary.source)); \(summary.converged ? "converged" : "NOT converged")\(summary.gap.map { String(format: ", within %.1e log-units of the optimum", $0) } ?? "")). θ is in the leaderboard; each task's difficulty b against its discrimination a below.</p>\n"
        let points = tasks.compactMap { task in task.difficulty.flatMap { b in task.discrimination.map { (task, b, $0) } } }
        guard !points.isEmpty else { return out }
        let width = 900, height = 320
        let bs = points.map { max(-6, min(6, $0.1)) }, as_ = points.map { max(-1, min(4, $0.2)) }
        let (bLow, bHigh) = (min(-3, bs.min()!), max(3, bs.max()!))
        let (aLow, aHigh) = (min(0, as_.min()!), max(2, as_.max()!))
        func x(_ b: Double) -> Double { 50 + Double(width - 70) * (b - bLow) / (bHigh - bLow) }
        func y(_ a: Double) -> Double { Double(height - 34) - Double(height - 50) * (a - aLow) / (aHigh - aLow) }
        var svg = "<svg id=\"chart-items\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" role=\"img\">\n"
        svg += "<text x=\"\(width / 2)\" y=\"\(height - 4)\" font-size=\"11\" text-anchor=\"middle\">difficulty b (harder →)</text><text x=\"12\" y=\"\(height / 2)\" font-size=\"11\" transform=\"rotate(-90 12 \(height / 2))\" text-anchor=\"middle\">discrimination a</text>"
        for tick in stride(from: ceil(bLow), through: floor(bHigh), by: 1) {
            svg += "<line x1=\"\(f(x(tick), 1))\" x2=\"\(f(x(tick), 1))\" y1=\"10\" y2=\"\(height - 34)\" stroke=\"#edf2f7\"/><text x=\"\(f(x(tick), 1))\" y=\"\(height - 20)\" font-size=\"10\" text-anchor=\"middle\">\(Int(tick))</text>"
        }
        for tick in stride(from: ceil(aLow), through: floor(aHigh), by: 1) {
            svg += "<text x=\"44\" y=\"\(f(y(tick) + 3, 1))\" font-size=\"10\" text-anchor=\"end\">\(Int(tick))</text>"
        }
        for (index, (task, _, _)) in points.enumerated() {
            let flagged = !(task.flags ?? []).isEmpty
            svg += "<circle class=\"item\" data-task=\"\(escape(task.task))\" cx=\"\(f(x(bs[index]), 1))\" cy=\"\(f(y(as_[index]), 1))\" r=\"3\" fill=\"\(flagged ? "#c53030" : "#2b6cb0")\" fill-opacity=\"0.7\"><title>\(escape(task.task)): b \(f(task.difficulty!, 2)), a \(f(task.discrimination!, 2))\((task.flags ?? []).isEmpty ? "" : " — " + escape((task.flags ?? []).joined(separator: ", ")))</title></circle>"
        }
        svg += "</svg>\n"
        out += svg
        out += "<ol class=\"legend\" id=\"items-legend\"><li class=\"legend-entry\"><span class=\"swatch\" style=\"background:#2b6cb0\"></span>task</li><li class=\"legend-entry\"><span class=\"swatch\" style=\"background:#c53030\"></span>flagged task (never or always solved, negative or low discrimination)</li></ol>\n"
        return out
    }

    static func statusChart(_ report: Report, _ runs: [Report.Run]) -> String {
        let statuses = report.statuses
        var legend = "<ol class=\"legend\" id=\"status-legend\">"
        for status in statuses {
            legend += "<li class=\"legend-entry\" data-status=\"\(escape(status))\"><span class=\"swatch\" style=\"background:\(color(status) ?? "#a0aec0")\"></span>\(escape(status))</li>"
        }
        legend += "</ol>\n"
        let width = 1100
        let row = runs.count > 30 ? 14 : 20
        let height = 6 + row * runs.count
        let left = 300.0, span = Double(width) - left - 10
        var svg = "<svg id=\"chart-status\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" role=\"img\">\n"
        for (index, run) in runs.enumerated() {
            let y = 4 + index * row
            let name = run.name.count > 38 ? String(run.name.prefix(37)) + "…" : run.name
            svg += "<g class=\"status-row\" data-run-index=\"\(index)\" data-run=\"\(escape(run.name))\"><text x=\"4\" y=\"\(y + row - 5)\" font-size=\"11\"><tspan font-weight=\"bold\">\(run.alias)</tspan> \(escape(name))<title>\(escape(run.name))</title></text>"
            var x = left
            for status in statuses {
                let count = run.statusCounts[status] ?? 0
                guard count > 0 else { continue }
                let w = span * Double(count) / Double(max(1, run.samples))
                svg += "<rect class=\"status\" data-status=\"\(escape(status))\" data-count=\"\(count)\" x=\"\(f(x, 1))\" y=\"\(y)\" width=\"\(f(w, 1))\" height=\"\(row - 3)\" fill=\"\(color(status) ?? "#a0aec0")\"><title>\(run.alias) \(escape(status)): \(count)</title></rect>"
                x += w
            }
            svg += "</g>\n"
        }
        return legend + svg + "</svg>\n"
    }

    static func distributions(_ report: Report, _ runs: [Report.Run]) -> String {
        var out = "<div class=\"scroll\"><table id=\"distributions\" class=\"sortable\"><thead><tr><th data-sort=\"num\">rank</th><th data-sort=\"text\">run</th>"
        for label in ["wall ms", "CPU ms", "peak RSS KiB"] {
            out += "<th data-sort=\"num\">\(label) p50</th><th data-sort=\"num\">p90</th><th data-sort=\"num\">p99</th><th data-sort=\"num\">max</th>"
        }
        out += "</tr></thead><tbody>\n"
        for (index, run) in runs.enumerated() {
            out += "<tr data-run-index=\"\(index)\" data-p50=\"\(run.latencyMs.map { f($0.p50, 3) } ?? "")\"><td class=\"num\" data-v=\"\(run.rank)\">\(run.rank)</td><td class=\"name\" data-v=\"\(escape(run.name))\">\(label(run, index))</td>"
            for distribution in [run.latencyMs, run.cpuMs, run.peakRssKiB] {
                for value in [distribution?.p50, distribution?.p90, distribution?.p99, distribution?.max] {
                    out += "<td class=\"num\" data-v=\"\(value.map { f($0, 3) } ?? "-1")\">\(value.map { f($0, 1) } ?? "-")</td>"
                }
            }
            out += "</tr>\n"
        }
        out += "</tbody></table></div>\n"
        // One histogram per metric, every run's samples pooled (per-run figures are the table's).
        let metrics: [(String, String, KeyPath<Report.Run, Report.Distribution?>)] = [
            ("latency_ms", "wall ms", \.latencyMs), ("cpu_ms", "CPU ms", \.cpuMs), ("peak_rss_kib", "peak RSS KiB", \.peakRssKiB),
        ]
        out += "<div class=\"histograms\">"
        for (key, label, path) in metrics {
            guard let edges = report.bins[key] else { continue }
            var pooled = [Int](repeating: 0, count: edges.count - 1)
            for run in runs { for (i, count) in (run[keyPath: path]?.histogram ?? []).enumerated() where i < pooled.count { pooled[i] += count } }
            let width = 360, height = 170
            let peak = max(1, pooled.max() ?? 1)
            let binWidth = Double(width - 20) / Double(pooled.count)
            var svg = "<svg id=\"chart-\(key)\" class=\"chart\" style=\"display:inline-block\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" role=\"img\">"
            svg += "<text x=\"4\" y=\"13\" font-size=\"12\">\(label), log scale</text>"
            svg += "<rect x=\"\(width - 150)\" y=\"4\" width=\"10\" height=\"10\" fill=\"#4a5568\"/><text class=\"legend-text\" x=\"\(width - 136)\" y=\"13\" font-size=\"11\">samples of all \(runs.count) run(s)</text>"
            for (i, count) in pooled.enumerated() where count > 0 {
                let h = Double(height - 60) * Double(count) / Double(peak)
                svg += "<rect x=\"\(f(10 + binWidth * Double(i), 1))\" y=\"\(f(Double(height - 28) - h, 1))\" width=\"\(f(binWidth - 1, 1))\" height=\"\(f(h, 1))\" fill=\"#4a5568\"><title>\(f(edges[i], 1))–\(f(edges[i + 1], 1)): \(count)</title></rect>"
            }
            svg += "<text x=\"10\" y=\"\(height - 12)\" font-size=\"10\">\(f(edges.first!, 1))</text><text x=\"\(width - 10)\" y=\"\(height - 12)\" font-size=\"10\" text-anchor=\"end\">\(f(edges.last!, 1))</text>"
            out += svg + "</svg>"
        }
        return out + "</div>\n"
    }

    static func extremes(_ runs: [Report.Run]) -> String {
        var out = "<p class=\"muted\">Per run, the five slowest tasks (mean wall ms per sample) and the five with the highest peak RSS (KiB).</p><div class=\"scroll\"><table id=\"extremes\"><thead><tr><th>run</th><th>slowest</th><th>most memory</th></tr></thead><tbody>\n"
        for (index, run) in runs.enumerated() {
            let slow = run.slowestTasks.prefix(5).map { "\(link($0.task)) \(f($0.value, 1))" }.joined(separator: "; ")
            let hungry = run.hungriestTasks.prefix(5).map { "\(link($0.task)) \(f($0.value, 0))" }.joined(separator: "; ")
            out += "<tr data-run-index=\"\(index)\"><td class=\"name\"><span class=\"alias\">\(run.alias)</span>\(escape(run.name))</td><td><code>\(slow)</code></td><td><code>\(hungry)</code></td></tr>\n"
        }
        return out + "</tbody></table></div>\n"
    }

    static func link(_ task: String) -> String { "<a href=\"#\(anchor(task))\">\(escape(task))</a>" }

    static func errors(_ runs: [Report.Run]) -> String {
        var out = "<div class=\"scroll\"><table id=\"errors\" class=\"sortable\"><thead><tr><th data-sort=\"text\">run</th><th data-sort=\"text\">error type</th><th data-sort=\"num\">samples</th><th>example</th></tr></thead><tbody>\n"
        for (index, run) in runs.enumerated() {
            for error in run.errorTypes.prefix(5) {
                out += "<tr data-run-index=\"\(index)\"><td class=\"name\" data-v=\"\(escape(run.name))\"><span class=\"alias\">\(run.alias)</span>\(escape(run.name))</td><td data-v=\"\(escape(error.type))\">\(escape(error.type))</td><td class=\"num\" data-v=\"\(error.count)\">\(error.count)</td><td><code>\(escape(String(error.example.prefix(160))))</code></td></tr>\n"
            }
        }
        return out + "</tbody></table></div>\n"
    }

    /// Values every run shares are said once; the table has only the columns that differ.
    static func audit(_ runs: [Report.Run]) -> String {
        let columns: [(String, (RunResults.Audit) -> String?)] = [
            ("proctor", \.proctorVersion), ("profile", \.profile), ("profile sha256", { $0.profileSHA256.map { String($0.prefix(16)) } }),
            ("limits", { $0.limits.isEmpty ? nil : $0.limits.sorted { $0.key < $1.key }.map { "\($0.key)=\(Comparison.format($0.value))" }.joined(separator: " ") }),
            ("python", \.pythonVersion), ("kernel", \.kernel), ("pool", \.pool), ("problems", \.problems),
            ("problems sha256", { $0.problemsSHA256.map { String($0.prefix(16)) } }), ("samples", \.samples),
            ("samples sha256", { $0.samplesSHA256.map { String($0.prefix(16)) } }), ("seed", \.seed),
        ]
        var shared: [(String, String)] = []
        var differing: [(String, (RunResults.Audit) -> String?)] = []
        for (name, value) in columns {
            let values = Set(runs.map { value($0.audit) ?? "-" })
            if values.count == 1 { shared.append((name, values.first!)) } else { differing.append((name, value)) }
        }
        var out = "<table id=\"audit-shared\"><tbody>"
        for (name, value) in shared { out += "<tr><th>\(escape(name))</th><td><code>\(escape(value))</code></td></tr>" }
        out += "</tbody></table>\n"
        guard !differing.isEmpty else { return out + "<p class=\"muted\">Every run was made the same way (all \(runs.count) share the values above).</p>\n" }
        out += "<p class=\"muted\">Above: shared by every run. Below: what differs between runs.</p>\n"
        out += "<table id=\"audit\" class=\"audit\"><thead><tr><th>run</th>" + differing.map { "<th>\(escape($0.0))</th>" }.joined() + "</tr></thead><tbody>\n"
        for (index, run) in runs.enumerated() {
            out += "<tr data-run-index=\"\(index)\"><td><span class=\"alias\">\(run.alias)</span>\(escape(run.name))</td>" + differing.map { "<td><code>\(escape($0.1(run.audit) ?? "-"))</code></td>" }.joined() + "</tr>\n"
        }
        return out + "</tbody></table>\n"
    }

    /// Per run (in rank order), its failing samples task by task, hardest task first, at most
    /// `failuresPerRun` each; every task's first entry carries the anchor the task links use.
    static func failures(_ runs: [Report.Run], _ tasks: [Report.Task]) -> String {
        var out = ""
        var anchored = Set<String>()
        for (index, run) in runs.enumerated() {
            var items = ""
            var shown = 0
            var total = 0
            for task in tasks {
                guard let position = runIndex(task, index), !task.failures[position].isEmpty else { continue }
                total += 1
                guard shown < failuresPerRun else { continue }
                shown += 1
                let anchorID = anchor(task.task)
                let id = anchored.insert(anchorID).inserted ? " id=\"\(anchorID)\"" : ""
                items += "<li data-task=\"\(escape(task.task))\"\(id)><span id=\"fail-\(index)-\(anchorID)\"><b>\(escape(task.task))</b></span> (pass rate \(f(task.passRates[position] ?? 0, 2))): "
                items += task.failures[position].map { "#\(escape($0.completion)) \(escape($0.status)): <code>\(escape(String($0.message.prefix(240))))</code>" }.joined(separator: "; ")
                items += "</li>"
            }
            guard total > 0 else { continue }
            out += "<details class=\"run-failures\" data-run-index=\"\(index)\"><summary>\(label(run, index)) — \(total) task(s) with failing samples\(total > shown ? " (the hardest \(shown) shown; the rest are in its samples.jsonl)" : "")</summary><ul>\(items)</ul></details>\n"
        }
        return out.isEmpty ? "<p>No failing samples.</p>\n" : out
    }

    /// `task.passRates` and `task.failures` are in the report's run order, which `runs` keeps.
    static func runIndex(_ task: Report.Task, _ index: Int) -> Int? { index < task.passRates.count ? index : nil }

    // MARK: the script's data

    struct ScriptData: Encodable {
        struct Run: Encodable {
            var alias: String
            var name: String
            var color: String
            var rank: Int
        }

        struct Task: Encodable {
            var id: String
            var anchor: String
            var mean: Double
            var b: Double?
            var a: Double?
        }

        var runs: [Run]
        var tasks: [Task]
        /// Per run, two hex digits per task: round(rate × 255), `--` where not graded.
        var rates: [String]
        /// Significance pairs as [a, b, difference, low, high].
        var pairs: [[Double]]
    }

    static func data(_ report: Report, _ runs: [Report.Run], _ tasks: [Report.Task]) -> ScriptData {
        let shownRuns = runs.count
        let hex = Array("0123456789abcdef")
        let rates = (0..<shownRuns).map { r -> String in
            var row = ""
            row.reserveCapacity(tasks.count * 2)
            for task in tasks {
                guard let rate = task.passRates[r] else {
                    row += "--"
                    continue
                }
                let code = Int((min(1, max(0, rate)) * 255).rounded())
                row.append(hex[code >> 4])
                row.append(hex[code & 15])
            }
            return row
        }
        let pairs = (report.significance?.pairs ?? []).filter { $0.a < shownRuns && $0.b < shownRuns }.map {
            [Double($0.a), Double($0.b), $0.difference, $0.low, $0.high]
        }
        return ScriptData(
            runs: runs.enumerated().map { ScriptData.Run(alias: $0.element.alias, name: $0.element.name, color: runColor($0.offset), rank: $0.element.rank) },
            tasks: tasks.map { ScriptData.Task(id: $0.task, anchor: anchor($0.task), mean: $0.meanPassRate, b: $0.difficulty, a: $0.discrimination) },
            rates: rates, pairs: pairs)
    }
}
