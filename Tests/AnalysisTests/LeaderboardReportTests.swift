import Estimates
import Foundation
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

@testable import Analysis

/// The HTML report at a leaderboard's size, read as XML: ranked, keyed, every run's numbers its
/// own, model text escaped everywhere, nothing fetched, and bounded in size.
@Suite struct LeaderboardReportTests {
    static func data(_ document: XMLDocument) throws -> [String: Any] {
        let text = try #require(try document.nodes(forXPath: "//*[@id='report-data']").first?.stringValue)
        return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func twelveRunsRankedKeyedAndTheirOwnNumbers() throws {
        let results = LeaderboardFixture.runs(12, tasks: 40)
        let report = Report(results)
        let html = HTMLReport.render(report)
        let document = try XMLDocument(data: Data(html.utf8), options: [])
        for id in [
            "leaderboard", "chart-ranked", "key", "chart-curves", "significance", "heatmap", "heatmap-runs", "sort-tasks", "sort-runs",
            "chart-status", "distributions", "chart-latency_ms", "errors", "audit-shared", "filter-runs", "filter-tasks",
        ] {
            #expect(try !document.nodes(forXPath: "//*[@id='\(id)']").isEmpty, "missing #\(id)")
        }
        // Ranked by pass@1, ties sharing a rank; the table, the chart and the key in that order.
        let passAt1 = results.map { $0.passAtK(1)!.value }
        let ranked = results.indices.sorted { passAt1[$0] > passAt1[$1] || (passAt1[$0] == passAt1[$1] && $0 < $1) }
        #expect(report.runs.map(\.name) == ranked.map { results[$0].name })
        for (index, run) in report.runs.enumerated() {
            let tied = index > 0 && passAt1[ranked[index - 1]] == passAt1[ranked[index]]
            let expected: Int = tied ? report.runs[index - 1].rank : index + 1
            #expect(run.rank == expected)
            #expect(run.alias == "R\(index + 1)")
        }
        let rows = try document.nodes(forXPath: "//*[@id='leaderboard']//*[local-name()='tbody']/*[local-name()='tr']")
        #expect(rows.count == 12)
        let values = try document.nodes(forXPath: "//*[local-name()='g'][@class='ranked-row']/@data-value").compactMap { Double($0.stringValue ?? "") }
        #expect(values.count == 12 && values == values.sorted(by: >), "\(values)")
        for (index, run) in report.runs.enumerated() {
            #expect(abs(values[index] - run.passAtK["pass@1"]!.value) < 1e-6)
        }
        let key = try document.nodes(forXPath: "//*[@id='key']/*[local-name()='li']/@data-run").map { $0.stringValue ?? "" }
        #expect(key == report.runs.map(\.name), "the key names every run, in rank order, in full")
        // Colours: one per run, all different.
        #expect(Set((0..<100).map(HTMLReport.runColor)).count == 100)
        // Status bars add up to each run's samples.
        for (index, run) in report.runs.enumerated() {
            let counts = try document.nodes(forXPath: "//*[local-name()='g'][@data-run-index='\(index)']/*[local-name()='rect'][@class='status']/@data-count")
            #expect(counts.compactMap { Int($0.stringValue ?? "") }.reduce(0, +) == run.samples)
        }
        // The script's data: every run's rates are that run's, per task, within the 1/255 code.
        let data = try Self.data(document)
        let rates = try #require(data["rates"] as? [String])
        let tasks = try #require(data["tasks"] as? [[String: Any]])
        #expect(rates.count == 12 && tasks.count == report.tasks.count)
        for (r, row) in rates.enumerated() {
            #expect(row.count == 2 * report.tasks.count)
            for (t, task) in report.tasks.enumerated() {
                let start = row.index(row.startIndex, offsetBy: 2 * t)
                let code = String(row[start..<row.index(start, offsetBy: 2)])
                guard let rate = task.passRates[r] else {
                    #expect(code == "--")
                    continue
                }
                #expect(abs(Double(Int(code, radix: 16)!) / 255 - rate) <= 0.5 / 255 + 1e-12)
            }
        }
        #expect((data["pairs"] as? [[Double]])?.count == 66)
        // pass@k curves for the runs with ten samples; a point for the others.
        let tenSamples = report.runs.filter { $0.samples == 400 }
        #expect(!tenSamples.isEmpty && tenSamples.allSatisfy { $0.passAtKCurve.map(\.k) == [1, 2, 3, 5, 7, 10] })
        #expect(report.runs.filter { $0.samples == 40 }.allSatisfy { $0.passAtKCurve.map(\.k) == [1] })
        for run in tenSamples {
            #expect(abs(run.passAtKCurve[0].value - run.passAtK["pass@1"]!.value) < 1e-12)
            #expect(zip(run.passAtKCurve, run.passAtKCurve.dropFirst()).allSatisfy { $0.value <= $1.value + 1e-12 })
        }
        // Failing samples grouped by run, each group named.
        let groups = try document.nodes(forXPath: "//*[local-name()='details'][@class='run-failures']/@data-run-index").map { $0.stringValue ?? "" }
        #expect(groups.count >= 10 && groups == groups.sorted { Int($0)! < Int($1)! })
    }

    /// Markup in a run name, a task's failure message and an error example is text wherever it
    /// lands: in markup, in the script's JSON, in titles; the script has no way out of its element.
    @Test func modelTextStaysEscapedAndNothingIsFetched() throws {
        let results = LeaderboardFixture.runs(3, tasks: 12)
        let html = HTMLReport.render(Report(results))
        let document = try XMLDocument(data: Data(html.utf8), options: [])
        #expect(!html.contains("<script>alert"), "raw markup from a name or a message reached the page")
        #expect(html.contains("evil &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;run&#39;"))
        let json = try #require(try document.nodes(forXPath: "//*[@id='report-data']").first?.stringValue)
        #expect(!json.contains("<") && !json.contains(">") && !json.contains("&"))
        #expect(((try Self.data(document))["runs"] as? [[String: Any]])?.contains { ($0["name"] as? String) == LeaderboardFixture.name(1) } == true)
        // One script element of code and one of data; the code cannot close its element early.
        #expect(html.components(separatedBy: "<script").count == 3)
        #expect(!HTMLReportScript.source.contains("</") && !HTMLReportScript.source.contains("]]>"))
        #expect(!HTMLReportScript.source.contains("innerHTML") && !HTMLReportScript.source.contains("insertAdjacentHTML"))
        // Nothing fetched: no src, no external link, no CSS url(), no request from the script.
        for forbidden in ["src=", "href=\"http", "url(", "fetch(", "XMLHttpRequest", "import(", "@import"] {
            #expect(!html.contains(forbidden), "\(forbidden)")
        }
        // The escape for script JSON, directly.
        #expect(HTMLReport.scriptJSON(["a": "</script><!-- & \u{2028}"]) == #"{"a":"\u003c\/script\u003e\u003c!-- \u0026 \u2028"}"#)
    }

    /// The matrix's shared resamples give each pair the interval `compare` gives it.
    @Test func significanceMatrixAgreesWithCompare() throws {
        let results = LeaderboardFixture.runs(4, tasks: 60, seed: 3)
        let matrix = try #require(SignificanceMatrix(results))
        #expect(matrix.pairs.count == 6 && matrix.tasks == 60 && matrix.resamples == 2000)
        for pair in matrix.pairs {
            let comparison = try Comparison(results[pair.b], results[pair.a])
            let one = try #require(comparison.differences.first)
            #expect(abs(one.difference - pair.difference) < 1e-12)
            #expect(abs(one.low - pair.low) < 1e-9 && abs(one.high - pair.high) < 1e-9, "\(pair) vs \(one)")
        }
        #expect(SignificanceMatrix([results[0]]) == nil)
    }

    /// IRT figures when fitted: θ per run, b and a per task, in the table, the data and the map.
    @Test func itemResponseFiguresWhenFitted() throws {
        let results = LeaderboardFixture.runs(6, tasks: 30)
        let model = ItemResponseModel.fit(ItemResponseModel.Responses(results))
        let report = Report(results, model: model)
        #expect(report.runs.allSatisfy { $0.theta != nil } && report.tasks.allSatisfy { $0.difficulty != nil })
        let html = HTMLReport.render(report)
        let document = try XMLDocument(data: Data(html.utf8), options: [])
        #expect(try document.nodes(forXPath: "//*[local-name()='circle'][@class='item']").count == 30)
        #expect(try !document.nodes(forXPath: "//*[local-name()='option'][@value='difficulty']").isEmpty)
        #expect(html.contains("θ [95% CI]"))
        // Without a model: no θ column, no difficulty sort.
        let plain = HTMLReport.render(Report(results))
        #expect(!plain.contains("θ [95% CI]") && !plain.contains("value=\"difficulty\""))
    }

    /// The bound: past 100 runs × 1,000 tasks the charts keep the first 100 runs and the 1,000
    /// hardest tasks and say so, and the page stays well under 10 MB.
    @Test func sizeIsBoundedAtAHundredRunsByAThousandTasks() throws {
        let results = LeaderboardFixture.runs(101, tasks: 1001, seed: 5)
        // Resamples do not change the page's size; fewer keep a debug build's test short.
        let report = Report(results, resamples: 100)
        let html = HTMLReport.render(report)
        #expect(html.utf8.count < 10_000_000, "\(html.utf8.count) bytes")
        let document = try XMLDocument(data: Data(html.utf8), options: [])
        #expect(try document.nodes(forXPath: "//*[@id='key']/*[local-name()='li']").count == 100)
        #expect(html.contains("the first 100 of 101 runs") && html.contains("1000 hardest of 1001 tasks"))
        let data = try Self.data(document)
        #expect((data["rates"] as? [String])?.allSatisfy { $0.count == 2000 } == true)
        print("report of 101 runs × 1001 tasks: \(html.utf8.count) bytes")
    }
}
