import Foundation
import Testing

@testable import Analysis

/// The leaderboard report in a real browser (Debian's chromium, headless) at 3, 12 and 89 runs:
/// a measuring script appended to a copy of the page reads the laid-out DOM — every legend entry
/// on screen, whole, unclipped and not under another; the ranked chart in rank order and inside
/// the page; the heat map and matrix drawn for every run; search, sort and filter working; no
/// request made — and `--dump-dom` hands the figures back.
///
/// With PROCTOR_REPORT_SCREENSHOTS=DIR set (`make report-screenshots`), it also writes the
/// screenshots `docs/` shows.
@Suite(.serialized) struct ReportBrowserTests {
    static let chromium = BrowserTests.chromium

    static let measuring = #"""
        <script>//<![CDATA[
        window.addEventListener("load", function () {
          var out = {};
          var doc = document.documentElement;
          out.viewport = doc.clientWidth;
          out.pageWidth = doc.scrollWidth;
          function box(e) { var r = e.getBoundingClientRect(); return { l: r.left, r: r.right, t: r.top + window.scrollY, b: r.bottom + window.scrollY, w: r.width, h: r.height }; }
          var entries = Array.prototype.slice.call(document.querySelectorAll(".legend-entry"));
          out.legend = entries.map(function (e) {
            var style = getComputedStyle(e);
            return { list: e.parentNode.id, run: e.getAttribute("data-run"), text: e.textContent, box: box(e),
              shown: style.visibility === "visible" && style.display !== "none" && parseFloat(style.opacity) > 0,
              clipped: e.scrollWidth > e.clientWidth + 1 };
          });
          out.hits = entries.map(function (e) {
            e.scrollIntoView({ block: "center" });
            var r = e.getBoundingClientRect();
            var hit = document.elementFromPoint(r.left + Math.min(r.width / 2, 16), r.top + r.height / 2);
            return !!hit && (hit === e || e.contains(hit));
          });
          window.scrollTo(0, 0);
          out.ranked = Array.prototype.map.call(document.querySelectorAll("g.ranked-row"), function (g) { return parseFloat(g.getAttribute("data-value")); });
          out.rankedChart = box(document.getElementById("chart-ranked"));
          var heat = document.getElementById("heatmap"), matrix = document.getElementById("significance");
          out.heat = { runs: +heat.getAttribute("data-drawn-runs"), tasks: +heat.getAttribute("data-drawn-tasks"), w: heat.width, h: heat.height };
          out.matrix = matrix ? { runs: +matrix.getAttribute("data-drawn-runs"), w: matrix.width } : null;
          var sortTasks = document.getElementById("sort-tasks");
          sortTasks.value = "id"; sortTasks.dispatchEvent(new Event("change"));
          out.byId = heat.getAttribute("data-order").split("\n");
          sortTasks.value = "hardest"; sortTasks.dispatchEvent(new Event("change"));
          out.hardest = heat.getAttribute("data-order").split("\n");
          function visibleRows() { return Array.prototype.filter.call(document.querySelectorAll("#leaderboard tbody tr"), function (r) { return r.offsetParent !== null; }).length; }
          var filter = document.getElementById("filter-runs");
          var data = JSON.parse(document.getElementById("report-data").textContent);
          filter.value = data.runs[data.runs.length - 1].name; filter.dispatchEvent(new Event("input"));
          out.filtered = { rows: visibleRows(), heat: +heat.getAttribute("data-drawn-runs"), key: Array.prototype.filter.call(document.querySelectorAll("#key li"), function (e) { return e.offsetParent !== null; }).length };
          filter.value = ""; filter.dispatchEvent(new Event("input"));
          out.unfiltered = visibleRows();
          var tasksFilter = document.getElementById("filter-tasks");
          tasksFilter.value = data.tasks[0].id; tasksFilter.dispatchEvent(new Event("input"));
          out.taskFiltered = +heat.getAttribute("data-drawn-tasks");
          tasksFilter.value = ""; tasksFilter.dispatchEvent(new Event("input"));
          var header = document.querySelectorAll("#leaderboard thead th")[1];
          header.click();
          out.sortedNames = Array.prototype.map.call(document.querySelectorAll("#leaderboard tbody tr"), function (r) { return r.cells[1].getAttribute("data-v"); });
          var r = heat.getBoundingClientRect();
          heat.dispatchEvent(new MouseEvent("mousemove", { clientX: r.left + 3, clientY: r.bottom - 4, bubbles: true }));
          out.tooltip = document.getElementById("tooltip").textContent;
          out.scripts = document.scripts.length;
          out.requests = performance.getEntriesByType("resource").length;
          out.offsets = { heatmap: document.getElementById("heatmap-section").offsetTop, significance: document.getElementById("significance-section").offsetTop };
          document.body.setAttribute("data-measurements", btoa(unescape(encodeURIComponent(JSON.stringify(out)))));
        });
        //]]></script>
        """#

    static func run(_ arguments: [String], in directory: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: chromium!)
        process.arguments =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run", "--disable-extensions",
                "--user-data-dir=\(directory)/profile-\(UInt32.random(in: 0...UInt32.max))",
            ] + arguments
        let output = directory + "/chromium.out"
        FileManager.default.createFile(atPath: output, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(120)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    /// Renders `runs` runs × 164 tasks, measures the page in chromium, returns the figures.
    static func measure(runs: Int) throws -> (report: Report, html: String, figures: [String: Any], directory: String) {
        let results = LeaderboardFixture.runs(runs, tasks: 164)
        let report = Report(results)
        let html = HTMLReport.render(report)
        let directory = SyntheticRuns.root + "/browser-\(runs)-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try html.write(toFile: directory + "/report.html", atomically: true, encoding: .utf8)
        let measured = html.replacingOccurrences(of: "</body></html>", with: measuring + "</body></html>")
        try measured.write(toFile: directory + "/measured.html", atomically: true, encoding: .utf8)
        try run(["--window-size=1280,1000", "--virtual-time-budget=10000", "--dump-dom", "file://\(directory)/measured.html"], in: directory)
        let dom = try String(contentsOfFile: directory + "/chromium.out", encoding: .utf8)
        guard let start = dom.range(of: "data-measurements=\""), let end = dom[start.upperBound...].firstIndex(of: "\"") else {
            Issue.record("chromium produced no measurements (\(dom.prefix(300)))")
            return (report, html, [:], directory)
        }
        let decoded = try #require(Data(base64Encoded: String(dom[start.upperBound..<end])))
        let figures = try #require(try JSONSerialization.jsonObject(with: decoded) as? [String: Any])
        if let target = ProcessInfo.processInfo.environment["PROCTOR_REPORT_SCREENSHOTS"], !target.isEmpty {
            try screenshots(directory: directory, html: html, figures: figures, runs: runs, target: target)
        }
        return (report, html, figures, directory)
    }

    /// The top of the page and, past a dozen runs, the heat map and the matrix.
    static func screenshots(directory: String, html: String, figures: [String: Any], runs: Int, target: String) throws {
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        var shots: [(String, Int)] = [("report-\(runs)-runs.png", 0)]
        if runs > 12, let offsets = figures["offsets"] as? [String: Double] {
            shots.append(("report-\(runs)-runs-significance.png", Int(offsets["significance"] ?? 0)))
            shots.append(("report-\(runs)-runs-heatmap.png", Int(offsets["heatmap"] ?? 0)))
        }
        for (name, offset) in shots {
            let shifted = html.replacingOccurrences(of: "</style>", with: "body { position: relative; top: -\(offset)px; }</style>")
            try shifted.write(toFile: directory + "/shot.html", atomically: true, encoding: .utf8)
            try run(["--window-size=1280,1500", "--virtual-time-budget=5000", "--screenshot=\(target)/\(name)", "file://\(directory)/shot.html"], in: directory)
        }
    }

    @Test(.enabled(if: chromium != nil, "needs Debian's chromium (make setup installs it)"), arguments: [3, 12, 89])
    func leaderboardReportInChromium(runs: Int) throws {
        let (report, html, figures, _) = try Self.measure(runs: runs)
        guard !figures.isEmpty else { return }
        #expect(html.utf8.count < 10_000_000)
        let viewport = try #require(figures["viewport"] as? Double)
        #expect((figures["pageWidth"] as? Double ?? .infinity) <= viewport, "the page scrolls sideways")
        // Every legend entry: shown, whole, inside the page, not clipped, not under another
        // element, not overlapping another entry; the key names every run in full.
        let legend = try #require(figures["legend"] as? [[String: Any]])
        let hits = try #require(figures["hits"] as? [Bool])
        #expect(legend.count == hits.count && !legend.isEmpty)
        for (index, entry) in legend.enumerated() {
            let box = try #require(entry["box"] as? [String: Double])
            let label = "\(entry["list"] ?? "?") entry \(index) (\(entry["text"] ?? ""))"
            #expect(entry["shown"] as? Bool == true, "\(label) is hidden")
            #expect(entry["clipped"] as? Bool == false, "\(label) is clipped")
            #expect(box["w"]! > 0 && box["h"]! > 0, "\(label) has no size")
            #expect(box["l"]! >= 0 && box["r"]! <= viewport, "\(label) runs off the page: \(box)")
            #expect(hits[index], "\(label) is covered by another element")
        }
        let key = legend.filter { $0["list"] as? String == "key" }
        #expect(key.count == runs)
        #expect(key.compactMap { $0["run"] as? String } == report.runs.map(\.name))
        for (entry, run) in zip(key, report.runs) {
            #expect((entry["text"] as? String)?.contains(run.name) == true, "the key does not show \(run.name) in full")
        }
        var overlaps = 0
        for i in legend.indices {
            for j in legend.indices where j > i && legend[i]["list"] as? String == legend[j]["list"] as? String {
                let a = legend[i]["box"] as! [String: Double], b = legend[j]["box"] as! [String: Double]
                if a["l"]! < b["r"]! - 0.5 && b["l"]! < a["r"]! - 0.5 && a["t"]! < b["b"]! - 0.5 && b["t"]! < a["b"]! - 0.5 { overlaps += 1 }
            }
        }
        #expect(overlaps == 0, "\(overlaps) legend entries overlap")
        // The ranked chart: one row per run, best first, inside the page.
        let ranked = try #require(figures["ranked"] as? [Double])
        #expect(ranked.count == runs && ranked == ranked.sorted(by: >))
        let chart = try #require(figures["rankedChart"] as? [String: Double])
        #expect(chart["r"]! <= viewport)
        // The heat map and the matrix: every run, every task; sorting and filtering redraw them.
        let heat = try #require(figures["heat"] as? [String: Double])
        #expect(heat["runs"] == Double(runs) && heat["tasks"] == 164 && heat["w"]! > 0 && heat["h"]! > 0)
        #expect((figures["matrix"] as? [String: Double])?["runs"] == Double(runs))
        let byId = try #require(figures["byId"] as? [String])
        #expect(byId.count == 164 && byId == byId.sorted())
        let hardest = try #require(figures["hardest"] as? [String])
        #expect(hardest == report.tasks.map(\.task))
        let filtered = try #require(figures["filtered"] as? [String: Double])
        #expect(filtered["rows"] == 1 && filtered["heat"] == 1 && filtered["key"] == 1, "\(filtered)")
        #expect(figures["unfiltered"] as? Double == Double(runs))
        #expect(figures["taskFiltered"] as? Double == 1)
        let names = try #require(figures["sortedNames"] as? [String])
        #expect(names == report.runs.map(\.name).sorted { $0.lowercased() > $1.lowercased() }, "sorted by name: \(names.prefix(3))")
        // The tooltip is text (the markup in a name stays characters), and no script was added.
        let tooltip = try #require(figures["tooltip"] as? String)
        #expect(tooltip.hasPrefix("R\(runs) ") && tooltip.contains(" \u{2014} HumanEval/"), "tooltip: \(tooltip)")
        #expect(figures["scripts"] as? Double == 3)
        #expect(figures["requests"] as? Double == 0, "the page made requests")
    }
}
