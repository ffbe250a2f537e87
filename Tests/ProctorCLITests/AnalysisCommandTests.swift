import Foundation
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// `proctor report | compare | irt | leaderboard` and `grade --adaptive` on real graded runs of
/// the fixture benchmark, as a user runs them.
@Suite(.serialized) struct AnalysisCommandTests {
    static let benchmark = ProctorExecutable.root + "/Fixtures/benchmark"

    /// Three "models": every sample, the first sample of each task, the last one.
    static func gradedRuns() throws -> (directory: String, all: String, first: String, last: String) {
        let directory = NSTemporaryDirectory() + "proctor-analysis-cli-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let lines = try String(contentsOfFile: benchmark + "/samples.jsonl", encoding: .utf8).split(separator: "\n").map(String.init)
        var firsts: [String: String] = [:]
        var lasts: [String: String] = [:]
        var order: [String] = []
        for line in lines {
            let task = (try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any])["task_id"] as! String
            if firsts[task] == nil { firsts[task] = line; order.append(task) }
            lasts[task] = line
        }
        try (order.map { firsts[$0]! }.joined(separator: "\n") + "\n").write(toFile: directory + "/first.jsonl", atomically: true, encoding: .utf8)
        try (order.map { lasts[$0]! }.joined(separator: "\n") + "\n").write(toFile: directory + "/last.jsonl", atomically: true, encoding: .utf8)
        for (name, samples) in [("all", benchmark + "/samples.jsonl"), ("first", directory + "/first.jsonl"), ("last", directory + "/last.jsonl")] {
            let graded = try ProctorExecutable.run([
                "grade", "--problems", benchmark + "/problems.jsonl", "--samples", samples, "--out", directory + "/" + name, "--k", "1", "--quiet",
            ])
            try #require(graded.status == 0, "\(graded.stderr)")
        }
        return (directory, directory + "/all", directory + "/first", directory + "/last")
    }

    @Test func reportCompareIRTLeaderboardAndAdaptive() throws {
        try #require(ProctorExecutable.isBuilt)
        let runs = try Self.gradedRuns()
        // report: HTML with the summary's own pass@1, Markdown, JSON.
        let html = runs.directory + "/report.html"
        let report = try ProctorExecutable.run(["report", "all=" + runs.all, "first=" + runs.first, "--out", html])
        #expect(report.status == 0, "\(report.stderr)")
        let document = try XMLDocument(contentsOf: URL(fileURLWithPath: html), options: [])
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: runs.all + "/summary.json"))) as! [String: Any]
        let passAt1 = ((summary["pass_at_k"] as! [[String: Any]]).first { $0["k"] as? Int == 1 }!["value"] as! Double)
        let shown = try #require(try document.nodes(forXPath: "//*[local-name()='g'][@class='ranked-row'][@data-run='all']/@data-value").first?.stringValue)
        #expect(abs(Double(shown)! - passAt1) < 1e-6)
        let markdown = try ProctorExecutable.run(["report", runs.all, "--format", "markdown"])
        #expect(markdown.status == 0 && markdown.stdout.contains("| all |"))
        let json = try ProctorExecutable.run(["report", runs.all, "--format", "json"])
        let parsed = try? JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(json.status == 0 && parsed != nil)

        // compare: the exit status follows --fail-if-worse.
        let compare = try ProctorExecutable.run(["compare", "all=" + runs.all, "first=" + runs.first])
        #expect(compare.status == 0 && compare.stdout.contains("McNemar exact p"), "\(compare.stdout)\(compare.stderr)")
        let worse = try ProctorExecutable.run(["compare", "first=" + runs.first, "last=" + runs.last, "--fail-if-worse", "0"])
        let better = try ProctorExecutable.run(["compare", "last=" + runs.last, "first=" + runs.first, "--fail-if-worse", "0"])
        // One of the two directions is a drop (first and last samples differ on some task).
        #expect(Set([worse.status, better.status]) == [0, 1], "\(worse.stdout)\n\(better.stdout)")

        // irt over the three runs, then adaptive grading with its items.
        let items = runs.directory + "/items.json"
        let irt = try ProctorExecutable.run(["irt", "all=" + runs.all, "first=" + runs.first, "last=" + runs.last, "--out", items, "--select", "5"])
        #expect(irt.status == 0 && irt.stdout.contains("selected 5 task(s)"), "\(irt.stdout)\(irt.stderr)")
        let fitted = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: items))) as! [String: Any]
        let model = fitted["model"] as! [String: Any]
        #expect((model["items"] as! [Any]).count == 13)
        // Convergence is reported: the log-likelihood, the gap to the optimum, each start.
        #expect(model["log_likelihood"] is Double && model["gap"] is Double && (model["starts"] as? [Any])?.count == 3)
        #expect(irt.stdout.contains("log-likelihood") && irt.stdout.contains("starting points"), "\(irt.stdout)")
        // The report shows θ and difficulty from that file, or fits its own with --irt.
        for extra in [["--items", items], ["--irt"]] {
            let withIRT = try ProctorExecutable.run(["report", "all=" + runs.all, "first=" + runs.first, "last=" + runs.last, "--out", html] + extra)
            #expect(withIRT.status == 0, "\(withIRT.stderr)")
            let page = try String(contentsOfFile: html, encoding: .utf8)
            #expect(page.contains("θ [95% CI]") && page.contains("id=\"chart-items\""), "\(extra)")
        }
        let oneRun = try ProctorExecutable.run(["report", runs.all, "--irt"])
        #expect(oneRun.status == 64 && oneRun.stderr.contains("two runs"), "\(oneRun.stderr)")
        let adaptive = try ProctorExecutable.run([
            "grade", "--problems", Self.benchmark + "/problems.jsonl", "--samples", runs.directory + "/first.jsonl", "--items", items,
            "--adaptive", "4", "--out", runs.directory + "/adaptive",
        ])
        #expect(adaptive.status == 0 && adaptive.stdout.contains("after 4 of 13 tasks"), "\(adaptive.stdout)\(adaptive.stderr)")
        let trace = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: runs.directory + "/adaptive/adaptive.json"))) as! [String: Any]
        #expect((trace["steps"] as! [Any]).count == 4)
        let rows = try String(contentsOfFile: runs.directory + "/adaptive/samples.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(rows.count == 4)  // one sample per task in first.jsonl

        // leaderboard, both formats.
        let board = try ProctorExecutable.run(["leaderboard", "all=" + runs.all, "first=" + runs.first, "last=" + runs.last])
        #expect(board.status == 0 && board.stdout.contains("| 1 |"), "\(board.stdout)\(board.stderr)")
        let boardHTML = try ProctorExecutable.run(["leaderboard", runs.all, runs.first, "--format", "html"])
        #expect(boardHTML.status == 0 && boardHTML.stdout.contains("<table id=\"leaderboard\">"))
        // JSON as the README documents it: every entry, each lead with its sign test's p.
        let boardJSON = try ProctorExecutable.run(["leaderboard", runs.all, runs.first, "--format", "json"])
        #expect(boardJSON.status == 0, "\(boardJSON.stderr)")
        let boardObject = try JSONSerialization.jsonObject(with: Data(boardJSON.stdout.utf8)) as? [String: Any]
        let entries = try #require(boardObject?["entries"] as? [[String: Any]])
        #expect(entries.count == 2 && entries[0]["rank"] as? Int == 1 && entries[0]["pass_at_1"] != nil)
        #expect(entries[0].keys.contains("lead_sign_p"))
        // A gate of nan would never fail: refused, as are other non-finite numbers.
        for flag in [["compare", runs.all, runs.first, "--fail-if-worse", "nan"], ["compare", runs.all, runs.first, "--fail-if-worse", "inf"]] {
            let refused = try ProctorExecutable.run(flag)
            #expect(refused.status == 64, "\(flag): \(refused.stderr)")
        }

        // Bad input: a directory with no results; two runs named alike.
        let empty = try ProctorExecutable.run(["report", runs.directory + "/nothing"])
        #expect(empty.status == 64 && empty.stderr.contains("no samples.jsonl"))
        let twice = try ProctorExecutable.run(["compare", runs.all, runs.all])
        #expect(twice.status == 64 && twice.stderr.contains("NAME=DIR"))
    }
}
