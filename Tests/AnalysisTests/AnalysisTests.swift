import CZlib
import Estimates
import Foundation
import Results

#if canImport(FoundationXML)
    import FoundationXML
#endif
import Testing

@testable import Analysis

/// Run directories written the way `proctor grade` writes them (rows with an audit block and a
/// summary), from per-task pass counts: the analysis layer reads files, nothing else.
enum SyntheticRuns {
    static let root = NSTemporaryDirectory() + "proctor-analysis-tests"

    /// `passes[task]` of `n` samples pass; failures alternate between two error types.
    static func write(_ name: String, passes: [Int], n: Int, problemSalt: String = "", limits: [String: Int] = ["wall_ms": 3000]) throws -> String {
        let directory = root + "/\(name)-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var lines: [String] = []
        for (task, passed) in passes.enumerated() {
            for sample in 0..<n {
                let ok = sample < passed
                let row: [String: Any] = [
                    "task_id": "T/\(task)", "completion_id": "\(sample)", "passed": ok, "status": ok ? "passed" : (sample % 2 == 0 ? "failed" : "timeout"),
                    "result": ok ? "passed" : "failed: wrong <answer> & \"quotes\"", "wall_ms": Double(10 + task % 7 * 5 + sample),
                    "cpu_ms": Double(5 + task % 3), "peak_rss_kib": 11000 + task * 10,
                    "error": ok ? NSNull() : ["type": sample % 2 == 0 ? "AssertionError" : "TimeoutError", "message": "wrong <answer> & \"quotes\""],
                    "audit": ["problem_sha256": "p\(task)\(problemSalt)", "profile": "python-strict", "profile_sha256": "abc", "limits": limits,
                              "proctor_version": "0.1.0", "python_version": "3.11.2", "kernel": "6.1", "pool": "warm"],
                ]
                lines.append(String(decoding: try JSONSerialization.data(withJSONObject: row), as: UTF8.self))
            }
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: directory + "/samples.jsonl", atomically: true, encoding: .utf8)
        try #"{"problems": "/data/problems.jsonl", "samples": "/data/samples.jsonl", "profile": "python-strict", "proctor_version": "0.1.0"}"#
            .write(toFile: directory + "/summary.json", atomically: true, encoding: .utf8)
        return directory
    }
}

@Suite struct NumericsTests {
    /// McNemar's exact test against the binomial sums (textbook discordant tables).
    @Test func mcNemarExact() {
        #expect(abs(PairedTests.mcNemarExact(b: 15, c: 5) - 0.04138946533203125) < 1e-12)
        #expect(abs(PairedTests.mcNemarExact(b: 2, c: 12) - 0.012939453125) < 1e-12)
        #expect(abs(PairedTests.mcNemarExact(b: 9, c: 1) - 0.021484375) < 1e-12)
        #expect(PairedTests.mcNemarExact(b: 10, c: 10) == 1)
        #expect(PairedTests.mcNemarExact(b: 0, c: 0) == 1)
        // Thousands of pairs stay finite (log space).
        let large = PairedTests.exactBinomialTwoSided(successes: 4800, trials: 10000)
        #expect(large > 0 && large < 1e-3)
    }

    @Test func pairedBootstrapIsSeededAndCentred() throws {
        let differences = (0..<200).map { Double($0 % 5) / 10 - 0.1 }  // mean 0.1
        let first = try #require(PairedTests.pairedBootstrapInterval(differences))
        let second = try #require(PairedTests.pairedBootstrapInterval(differences))
        #expect(first == second)
        #expect(first.low < 0.1 && 0.1 < first.high && first.high - first.low < 0.05)
        #expect(PairedTests.pairedBootstrapInterval([0.25, 0.25])! == (0.25, 0.25))
    }

    @Test func kendallTau() {
        #expect(PairedTests.kendallTau([1, 2, 3, 4], [10, 20, 30, 40]) == 1)
        #expect(PairedTests.kendallTau([1, 2, 3, 4], [4, 3, 2, 1]) == -1)
        #expect(abs(PairedTests.kendallTau([1, 2, 3, 4], [1, 3, 2, 4]) - 2.0 / 3) < 1e-12)
    }

    @Test func quadratureIntegratesTheNormal() {
        for grid in [ItemResponseModel.grid, ItemResponseModel.fine] {
            #expect(abs(grid.weights.reduce(0, +) - 1) < 1e-12)
            #expect(abs(zip(grid.nodes, grid.weights).reduce(0) { $0 + $1.0 * $1.1 }) < 1e-12)
            #expect(abs(zip(grid.nodes, grid.weights).reduce(0) { $0 + $1.0 * $1.0 * $1.1 } - 1) < 1e-6)
            #expect(abs(zip(grid.nodes, grid.weights).reduce(0) { $0 + pow($1.0, 4) * $1.1 } - 3) < 1e-4)
        }
    }
}

@Suite struct ItemResponseTests {
    /// Simulates `models` × `items` from a known 2PL model, `n` samples per cell.
    static func simulate(models: Int, items: Int, n: Int, seed: UInt64) -> (ItemResponseModel.Responses, thetas: [Double], a: [Double], b: [Double]) {
        var random = SplitMix64(seed: seed)
        func uniform() -> Double { Double(random.next() >> 11) / Double(1 << 53) }
        func normal() -> Double { (-2 * log(max(uniform(), 1e-300))).squareRoot() * cos(2 * .pi * uniform()) }
        let thetas = (0..<models).map { -2 + 4 * Double($0) / Double(models - 1) }  // spread over the range
        let a = (0..<items).map { _ in 0.6 + 1.6 * uniform() }
        let b = (0..<items).map { _ in normal() }
        var counts: [[(n: Int, c: Int)?]] = []
        for theta in thetas {
            counts.append(
                (0..<items).map { j in
                    let p = 1 / (1 + exp(-a[j] * (theta - b[j])))
                    return (n, (0..<n).filter { _ in uniform() < p }.count)
                })
        }
        let responses = ItemResponseModel.Responses(runs: (0..<models).map { "m\($0)" }, tasks: (0..<items).map { "T/\($0)" }, counts: counts)
        return (responses, thetas, a, b)
    }

    static func correlation(_ x: [Double], _ y: [Double]) -> Double {
        let mx = x.reduce(0, +) / Double(x.count), my = y.reduce(0, +) / Double(y.count)
        let sxy = zip(x, y).reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) }
        let sxx = x.reduce(0) { $0 + ($1 - mx) * ($1 - mx) }, syy = y.reduce(0) { $0 + ($1 - my) * ($1 - my) }
        return sxy / (sxx * syy).squareRoot()
    }

    @Test func recoversAKnownModel() {
        let (responses, thetas, a, b) = Self.simulate(models: 24, items: 164, n: 5, seed: 42)
        let model = ItemResponseModel.fit(responses)
        #expect(model.converged, "not converged after \(model.iterations) iterations")
        #expect(model.iterations < 300, "\(model.iterations) EM iterations")
        let fittedB = model.items.map(\.b)
        // Items solved by every model or none have no information about b beyond the prior.
        let informative = model.items.indices.filter { model.items[$0].flags.isEmpty }
        let rb = Self.correlation(informative.map { b[$0] }, informative.map { fittedB[$0] })
        #expect(rb >= 0.9, "correlation of true and fitted difficulty \(rb)")
        let ra = Self.correlation(informative.map { a[$0] }, informative.map { model.items[$0].a })
        #expect(ra >= 0.5, "correlation of true and fitted discrimination \(ra)")
        // Abilities: ranked as the truth, and no two models whose intervals do not overlap are
        // in the wrong order; most intervals hold the true value.
        let fitted = model.abilities.map(\.theta)
        #expect(PairedTests.kendallTau(thetas, fitted) >= 0.9)
        for i in 0..<thetas.count {
            for j in 0..<thetas.count where model.abilities[i].low > model.abilities[j].high {
                #expect(thetas[i] > thetas[j], "m\(i) is placed above m\(j) with non-overlapping intervals, wrongly")
            }
        }
        // The scale of θ is fixed by the model's N(0, 1) only up to a linear map (the simulated
        // abilities are spread uniformly over [−2, 2]): put the fit on the truth's scale by least
        // squares, then most intervals must hold the true value.
        let mean = (fitted.reduce(0, +) / Double(fitted.count), thetas.reduce(0, +) / Double(thetas.count))
        let slope = zip(fitted, thetas).reduce(0) { $0 + ($1.0 - mean.0) * ($1.1 - mean.1) } / fitted.reduce(0) { $0 + ($1 - mean.0) * ($1 - mean.0) }
        let covered = model.abilities.enumerated().filter { index, ability in
            let (low, high) = (mean.1 + slope * (ability.low - mean.0), mean.1 + slope * (ability.high - mean.0))
            return low <= thetas[index] && thetas[index] <= high
        }.count
        #expect(covered >= 20, "only \(covered) of 24 intervals hold the true ability: \(model.abilities.enumerated().map { String(format: "%.2f→%.2f±%.2f", thetas[$0.offset], mean.1 + slope * ($0.element.theta - mean.0), slope * $0.element.se) })")
        // Standard errors are finite for informative items.
        #expect(informative.allSatisfy { model.items[$0].bSE.isFinite && model.items[$0].bSE > 0 })
    }

    @Test func flagsBrokenAndSaturatedItems() {
        var (responses, _, _, _) = Self.simulate(models: 20, items: 30, n: 4, seed: 7)
        // Item 0: nobody solves it; item 1: everybody does; item 2: the weaker models solve it,
        // the stronger ones fail it (a mislabeled test).
        for run in 0..<20 {
            responses.counts[run][0] = (4, 0)
            responses.counts[run][1] = (4, 4)
            responses.counts[run][2] = (4, run < 10 ? 4 : 0)
        }
        let model = ItemResponseModel.fit(responses)
        #expect(model.items[0].flags == ["never_solved"])
        #expect(model.items[1].flags == ["always_solved"])
        #expect(model.items[2].flags == ["negative_discrimination"], "\(model.items[2])")
        #expect(model.items[0].b > 3 && model.items[1].b < -3)
    }

    @Test func selectionAndAdaptiveTesting() {
        let (responses, thetas, _, _) = Self.simulate(models: 24, items: 164, n: 5, seed: 11)
        let model = ItemResponseModel.fit(responses)
        let chosen = model.select(40, responses: responses)
        #expect(chosen.tasks.count == 40 && Set(chosen.tasks).count == 40)
        #expect(chosen.kendallTau >= 0.8, "40 most informative items rank the models with tau \(chosen.kendallTau)")
        // Adaptive: a model answering as the strongest simulated one does ends high, with far
        // fewer items than the benchmark.
        let strongest = responses.runs.count - 1
        var test = AdaptiveTest(items: model.items, maxItems: 30, targetSE: 0.25)
        test.run(available: Set(responses.tasks)) { task in
            let j = responses.tasks.firstIndex(of: task)!
            return responses.counts[strongest][j]!
        }
        #expect(test.steps.count <= 30 && test.steps.count >= 5)
        #expect(test.theta > 1, "adaptive θ \(test.theta) for a model of true θ \(thetas[strongest])")
        #expect(test.se < 0.6)
        // Each step took an item not taken before.
        #expect(Set(test.steps.map(\.task)).count == test.steps.count)
    }
}

@Suite struct ReportTests {
    @Test func comparisonOfTwoRuns() throws {
        let passesA = (0..<40).map { $0 % 2 == 0 ? 1 : 0 }
        var passesB = passesA
        for task in [1, 3, 5, 7, 9, 11] { passesB[task] = 1 }  // B solves six more
        passesB[0] = 0  // and loses one
        let a = try RunResults.load(try SyntheticRuns.write("a", passes: passesA, n: 1), name: "A")
        let b = try RunResults.load(try SyntheticRuns.write("b", passes: passesB, n: 1, problemSalt: "x", limits: ["wall_ms": 5000]), name: "B")
        let comparison = try Comparison(a, b)
        #expect(comparison.sharedTasks == 40)
        let one = try #require(comparison.differences.first)
        #expect(abs(one.difference - 5.0 / 40) < 1e-12)
        #expect(one.low <= one.difference && one.difference <= one.high)
        #expect(comparison.solvedOnlyByB.count == 6 && comparison.solvedOnlyByA == ["T/0"])
        #expect(abs(comparison.mcNemarP - PairedTests.mcNemarExact(b: 1, c: 6)) < 1e-15)
        #expect(comparison.warnings.contains { $0.contains("different problems") })
        #expect(comparison.warnings.contains { $0.contains("different limits") && $0.contains("wall_ms 3000 vs 5000") })
    }

    /// The HTML parsed as XML: every chart is there and its numbers are the runs' own.
    @Test func htmlHoldsEveryChartAndTheRightNumbers() throws {
        let first = try RunResults.load(try SyntheticRuns.write("r1", passes: (0..<30).map { $0 % 4 }, n: 3), name: "first & <one>")
        let second = try RunResults.load(try SyntheticRuns.write("r2", passes: (0..<30).map { min(3, $0 % 5) }, n: 3), name: "second")
        let report = Report([first, second])
        let html = HTMLReport.render(report)
        let document = try XMLDocument(data: Data(html.utf8), options: [])
        for id in [
            "leaderboard", "chart-ranked", "key", "chart-curves", "significance", "heatmap", "chart-status", "chart-latency_ms", "chart-cpu_ms",
            "chart-peak_rss_kib", "errors", "audit-shared", "distributions", "report-data",
        ] {
            #expect(try !document.nodes(forXPath: "//*[@id='\(id)']").isEmpty, "missing #\(id)")
        }
        for run in [first, second] {
            let expected = try #require(run.passAtK(1))
            let rows = try document.nodes(forXPath: "//*[local-name()='g'][@class='ranked-row'][@data-run='\(run.name)']/@data-value")
            #expect(rows.count == 1, "\(run.name): \(rows.count) rows in the ranked chart")
            #expect(abs((Double(rows.first?.stringValue ?? "") ?? -1) - expected.value) < 1e-6)
            let index = try #require(report.runs.firstIndex { $0.name == run.name })
            var statuses = 0
            for node in try document.nodes(forXPath: "//*[local-name()='g'][@data-run-index='\(index)']/*[local-name()='rect'][@class='status']/@data-count") {
                statuses += Int(node.stringValue ?? "") ?? 0
            }
            #expect(statuses == run.samples)
            // Three samples per task: pass@1, 2, 3 on its curve, pass@1 first.
            #expect(report.runs[index].passAtKCurve.map(\.k) == [1, 2, 3])
            #expect(abs(report.runs[index].passAtKCurve[0].value - expected.value) < 1e-12)
        }
        // Hardest task first; every failing-sample entry a task link points at exists.
        #expect(report.tasks.first!.meanPassRate <= report.tasks.last!.meanPassRate)
        for link in try document.nodes(forXPath: "//*[local-name()='a']/@href").compactMap(\.stringValue).filter({ $0.hasPrefix("#task-") }).prefix(20) {
            let rate = report.tasks.first { "#" + HTMLReport.anchor($0.task) == link }?.meanPassRate ?? 0
            if rate < 1 { #expect(try !document.nodes(forXPath: "//*[@id='\(link.dropFirst())']").isEmpty, "\(link)") }
        }
        // Self-contained: nothing fetched (no src, no external link, no CSS url()).
        #expect(!html.contains("src=") && !html.contains("href=\"http") && !html.contains("url("))
        #expect(html.contains("first &amp; &lt;one&gt;"))
        let markdown = MarkdownReport.render(report)
        #expect(markdown.contains("| first & <one> |") && markdown.contains("pass@1"))
        let json = try JSONSerialization.jsonObject(with: report.json) as! [String: Any]
        #expect((json["runs"] as! [Any]).count == 2)
        #expect((json["significance"] as? [String: Any])?["pairs"] as? [Any] != nil)
    }

    /// 100,000 rows: the report aggregates, so the file stays small (its speed is `make bench`'s).
    @Test func aLargeRunMakesASmallReport() throws {
        let directory = try SyntheticRuns.write("large", passes: (0..<1000).map { $0 % 101 }, n: 100)
        let run = try RunResults.load(directory)
        let html = HTMLReport.render(Report([run]))
        #expect(run.samples == 100_000 && run.taskOrder.count == 1000)
        #expect(html.utf8.count < 3_000_000, "\(html.utf8.count) bytes")
    }

    /// A `grade-repo` output: OUT/report.json and one instance directory with report.json each.
    @Test func repositoryRunsAreReadToo() throws {
        let directory = SyntheticRuns.root + "/repo-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try "{}".write(toFile: directory + "/report.json", atomically: true, encoding: .utf8)
        for (id, resolved, resolution) in [("a__b-1", true, "FULL"), ("a__b-2", false, "NO"), ("a__b-3", false, "PARTIAL")] {
            try FileManager.default.createDirectory(atPath: directory + "/" + id, withIntermediateDirectories: true)
            let report: [String: Any] = ["instance_id": id, "model_name_or_path": "gold", "resolved": resolved, "resolution": resolution, "wall_ms": 1200.5]
            try JSONSerialization.data(withJSONObject: report).write(to: URL(fileURLWithPath: directory + "/" + id + "/report.json"))
        }
        let run = try RunResults.load(directory)
        #expect(run.samples == 3 && run.taskOrder.count == 3)
        #expect(run.statusCounts == ["resolved": 1, "unresolved": 2])
        #expect(abs(run.passAtK(1)!.value - 1.0 / 3) < 1e-12)
        #expect(run.wallMs == [1200.5, 1200.5, 1200.5])
    }

    @Test func leaderboardRanksAndMarksSignificance() throws {
        let strong = try RunResults.load(try SyntheticRuns.write("s", passes: (0..<60).map { $0 % 10 < 8 ? 2 : 0 }, n: 2), name: "strong")
        let middle = try RunResults.load(try SyntheticRuns.write("m", passes: (0..<60).map { $0 % 10 < 4 ? 2 : 0 }, n: 2), name: "middle")
        let close = try RunResults.load(try SyntheticRuns.write("c", passes: (0..<60).map { $0 % 10 < 4 ? ($0 % 20 == 0 ? 1 : 2) : 0 }, n: 2), name: "close")
        let board = try Leaderboard([middle, close, strong])
        #expect(board.entries.map(\.run) == ["strong", "middle", "close"])
        #expect(board.entries[0].significantLead == true)
        #expect(board.entries[1].significantLead == false)
        #expect(board.entries[2].significantLead == nil)
        #expect(board.entries[0].theta! > board.entries[2].theta!)
        #expect(board.markdown.contains("| 1 | strong |"))
        _ = try XMLDocument(data: Data(board.html.utf8), options: [])
    }

    @Test func tiedRunsShareARank() throws {
        let passes = (0..<40).map { $0 % 10 < 5 ? 1 : 0 }
        let a = try RunResults.load(try SyntheticRuns.write("tie-a", passes: passes, n: 1), name: "a")
        let b = try RunResults.load(try SyntheticRuns.write("tie-b", passes: passes, n: 1), name: "b")
        let low = try RunResults.load(try SyntheticRuns.write("tie-low", passes: passes.map { _ in 0 }, n: 1), name: "low")
        let board = try Leaderboard([a, low, b])
        #expect(board.entries.map(\.rank) == [1, 1, 3])
        #expect(board.entries.last?.run == "low")
    }
}

/// The report in a real headless browser (Debian's chromium): rendered to a PNG that is not blank.
@Suite struct BrowserTests {
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }

    @Test(.enabled(if: chromium != nil, "needs Debian's chromium (make setup installs it)"))
    func reportRendersInChromium() throws {
        let first = try RunResults.load(try SyntheticRuns.write("b1", passes: (0..<50).map { $0 % 4 }, n: 3), name: "base")
        let second = try RunResults.load(try SyntheticRuns.write("b2", passes: (0..<50).map { min(3, $0 % 6) }, n: 3), name: "tuned")
        let directory = SyntheticRuns.root + "/browser-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try HTMLReport.render(Report([first, second])).write(toFile: directory + "/report.html", atomically: true, encoding: .utf8)
        let png = directory + "/report.png"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.chromium!)
        process.arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run", "--disable-extensions",
            "--user-data-dir=\(directory)/profile", "--window-size=1200,1600", "--screenshot=\(png)", "file://\(directory)/report.html",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(120)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        if process.isRunning { process.terminate() }
        let data = try Data(contentsOf: URL(fileURLWithPath: png))
        let pixels = try PNG.colours(data)
        #expect(pixels.width == 1200 && pixels.height == 1600)
        // Not blank: many distinct colours (bars, heat-map cells, text), and a good share of
        // the page is not background white.
        #expect(pixels.distinct > 50, "only \(pixels.distinct) colours")
        #expect(pixels.nonWhite > 0.05, "only \(pixels.nonWhite) of the page is not white")
    }
}

/// Just enough PNG reading to count colours: 8-bit RGB or RGBA, non-interlaced (what chromium writes).
enum PNG {
    static func colours(_ data: Data) throws -> (width: Int, height: Int, distinct: Int, nonWhite: Double) {
        let bytes = [UInt8](data)
        guard bytes.count > 33, bytes[0..<8] == [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] else { throw AnalysisError("not a PNG") }
        func u32(_ i: Int) -> Int { Int(bytes[i]) << 24 | Int(bytes[i + 1]) << 16 | Int(bytes[i + 2]) << 8 | Int(bytes[i + 3]) }
        var offset = 8
        var width = 0, height = 0, channels = 0
        var compressed: [UInt8] = []
        while offset + 8 <= bytes.count {
            let length = u32(offset)
            let type = String(decoding: bytes[(offset + 4)..<(offset + 8)], as: UTF8.self)
            let body = Array(bytes[(offset + 8)..<(offset + 8 + length)])
            if type == "IHDR" {
                width = Int(body[0]) << 24 | Int(body[1]) << 16 | Int(body[2]) << 8 | Int(body[3])
                height = Int(body[4]) << 24 | Int(body[5]) << 16 | Int(body[6]) << 8 | Int(body[7])
                guard body[8] == 8, body[12] == 0 else { throw AnalysisError("unsupported PNG (depth \(body[8]), interlace \(body[12]))") }
                channels = body[9] == 6 ? 4 : body[9] == 2 ? 3 : 0
                guard channels > 0 else { throw AnalysisError("unsupported PNG colour type \(body[9])") }
            } else if type == "IDAT" {
                compressed += body
            }
            offset += 12 + length
        }
        let stride = width * channels
        var raw = [UInt8](repeating: 0, count: (stride + 1) * height)
        var destinationLength = uLongf(raw.count)
        let status = raw.withUnsafeMutableBufferPointer { out in
            compressed.withUnsafeBufferPointer { input in uncompress(out.baseAddress, &destinationLength, input.baseAddress, uLong(input.count)) }
        }
        guard status == Z_OK else { throw AnalysisError("PNG data does not inflate (\(status))") }
        var previous = [UInt8](repeating: 0, count: stride)
        var colours = Set<UInt32>()
        var nonWhite = 0
        for row in 0..<height {
            let filter = raw[row * (stride + 1)]
            var line = Array(raw[(row * (stride + 1) + 1)..<((row + 1) * (stride + 1))])
            for i in 0..<stride {
                let left = i >= channels ? Int(line[i - channels]) : 0
                let up = Int(previous[i])
                let upLeft = i >= channels ? Int(previous[i - channels]) : 0
                let predictor: Int
                switch filter {
                case 1: predictor = left
                case 2: predictor = up
                case 3: predictor = (left + up) / 2
                case 4:
                    let p = left + up - upLeft
                    let (pa, pb, pc) = (abs(p - left), abs(p - up), abs(p - upLeft))
                    predictor = pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft
                default: predictor = 0
                }
                line[i] = UInt8((Int(line[i]) + predictor) & 0xff)
            }
            for x in 0..<width {
                let r = line[x * channels], g = line[x * channels + 1], b = line[x * channels + 2]
                colours.insert(UInt32(r) << 16 | UInt32(g) << 8 | UInt32(b))
                if r < 240 || g < 240 || b < 240 { nonWhite += 1 }
            }
            previous = line
        }
        return (width, height, colours.count, Double(nonWhite) / Double(width * height))
    }
}

/// The results' schema version: rows and summaries of a later version are refused with a message
/// naming the file and line, rows without one (written before versions were) are read.
@Suite struct ResultsSchemaTests {
    @Test func aLaterSchemaVersionIsRefusedAndAnOlderOneRead() throws {
        let directory = try SyntheticRuns.write("schema", passes: [1, 0], n: 2)
        #expect(try RunResults.load(directory).samples == 4)  // no schema_version: read as before
        let rows = directory + "/samples.jsonl"
        var lines = try String(contentsOfFile: rows, encoding: .utf8).split(separator: "\n").map(String.init)
        lines[1] = String(lines[1].dropLast()) + ", \"schema_version\": \(ResultsSchema.version + 1)}"
        try (lines.joined(separator: "\n") + "\n").write(toFile: rows, atomically: true, encoding: .utf8)
        do {
            _ = try RunResults.load(directory)
            Issue.record("a row of a later schema was read")
        } catch {
            #expect(error.message.contains("samples.jsonl:2") && error.message.contains("schema version \(ResultsSchema.version + 1)"), "\(error.message)")
        }
    }

    @Test func theVocabularyIsOneAndItsPassesAreThree() {
        #expect(Set(SampleStatus.allCases.map(\.rawValue)).count == SampleStatus.allCases.count)
        #expect(SampleStatus.allCases.filter(\.countsAsPassed) == [.passed, .accepted, .resolved])
        #expect("\(SampleStatus.noVerdict)" == "no_verdict" && SampleStatus(row: "wrong_answer") == .wrongAnswer)
        #expect(SampleStatus(row: "FULL") == nil && SampleStatus(resolution: "FULL", error: false) == .resolved)
        #expect(SampleStatus(resolution: "PARTIAL", error: false) == .unresolved && SampleStatus(resolution: "NO", error: true) == .error)
    }
}

/// The test `compare` prints for two runs with different numbers of samples per task: a model
/// against itself must not come out significant more often than α says, at 1, 5 and 10 samples
/// per task against 50 (where the sign test rejected in 98.8% and 61.5% of splits).
@Suite struct RelabellingLevelTests {
    /// Tasks of one model: per-task pass probabilities, then each run's samples drawn from them.
    static func runs(
        tasks: Int, few: Int, many: Int, shift: Double = 0, using generator: inout SplitMix64
    ) -> [SampleRelabelling.Task] {
        func passes(_ n: Int, _ p: Double, _ generator: inout SplitMix64) -> Int {
            var count = 0
            for _ in 0..<n where Double(generator.next() % 1_000_000) / 1_000_000 < p { count += 1 }
            return count
        }
        return (0..<tasks).map { _ in
            let p = Double(generator.next() % 1000) / 1000 * 0.8
            return SampleRelabelling.Task(nA: few, cA: passes(few, p, &generator), nB: many, cB: passes(many, p + shift, &generator))
        }
    }

    @Test(arguments: [1, 5, 10])
    func aModelAgainstItselfRejectsAtMostSixPercent(_ few: Int) {
        var generator = SplitMix64(seed: 2026 + UInt64(few))
        // Enough replicates that 6% is well above the 5% an exact test keeps (sd ~0.7%).
        let replicates = 1000
        var relabelling = 0
        var sign = 0
        for _ in 0..<replicates {
            let tasks = Self.runs(tasks: 40, few: few, many: 50, using: &generator)
            if SampleRelabelling.pValue(tasks, draws: 200, seed: generator.next()) < 0.05 { relabelling += 1 }
            let rose = tasks.filter { Double($0.cB) / 50 > Double($0.cA) / Double(few) }.count
            let fell = tasks.filter { Double($0.cB) / 50 < Double($0.cA) / Double(few) }.count
            if PairedTests.exactBinomialTwoSided(successes: min(rose, fell), trials: rose + fell) < 0.05 { sign += 1 }
        }
        #expect(Double(relabelling) / Double(replicates) <= 0.06, "relabelling rejected \(relabelling) of \(replicates)")
        // The sign test on the same splits: well above its level (why compare no longer shows it).
        if few == 1 { #expect(Double(sign) / Double(replicates) > 0.1, "the sign test rejected only \(sign)") }
    }

    @Test func aRealDifferenceIsFound() {
        var generator = SplitMix64(seed: 7)
        var found = 0
        for _ in 0..<50 where SampleRelabelling.pValue(Self.runs(tasks: 60, few: 5, many: 50, shift: 0.15, using: &generator), draws: 400, seed: generator.next()) < 0.05 {
            found += 1
        }
        #expect(found >= 45, "found \(found) of 50")
    }

    @Test func compareShowsNoSignTestForUnequalCountsAndTheRelabellingTestAlways() throws {
        let once = try RunResults.load(try SyntheticRuns.write("once", passes: (0..<40).map { $0 % 2 }, n: 1), name: "once")
        let many = try RunResults.load(try SyntheticRuns.write("many", passes: (0..<40).map { _ in 25 }, n: 50), name: "many")
        let comparison = try Comparison(once, many)
        #expect(comparison.signTestP == nil && comparison.unequalSamples == "1 vs 50")
        #expect(comparison.relabellingP > 0.05)
        #expect(comparison.table.contains("sign test: not shown"))
        let json = String(decoding: try JSONEncoder().encode(comparison), as: UTF8.self)
        #expect(json.contains("\"sign_test_p\":null") && json.contains("\"relabelling_p\""))
        let same = try Comparison(once, once)
        #expect(same.signTestP != nil && same.unequalSamples == nil)
    }
}

/// Adaptive grading past the runs its items were fitted on: a bound, not a number.
@Suite struct AdaptiveExtrapolationTests {
    static func items(_ count: Int) -> [ItemResponseModel.Item] {
        (0..<count).map { ItemResponseModel.Item(task: "T/\($0)", a: 1.5, b: -1 + Double($0 % 5) * 0.4, aSE: 0.1, bSE: 0.1, passes: 0, samples: 0, flags: []) }
    }

    @Test func aRunStrongerThanEveryFittedRunGetsOnlyALowerBound() {
        var test = AdaptiveTest(items: Self.items(20), maxItems: 20, targetSE: 0)
        test.run(available: Set((0..<20).map { "T/\($0)" })) { _ in (10, 10) }  // everything passes
        let fitted = [-1.2, -0.3, 0.4, 0.9]
        #expect(test.extrapolation(fitted: fitted) == .above)
        let interval = test.interval(fitted: fitted)
        #expect(interval.high == nil && interval.low != nil)
    }

    @Test func insideTheFittedRangeTheIntervalStands() {
        var test = AdaptiveTest(items: Self.items(20), maxItems: 20, targetSE: 0)
        test.run(available: Set((0..<20).map { "T/\($0)" })) { task in (10, Int(task.dropFirst(2))! % 2 == 0 ? 6 : 4) }
        let fitted = [-2.0, 0.0, 2.0]
        #expect(test.extrapolation(fitted: fitted) == nil)
        let interval = test.interval(fitted: fitted)
        #expect(interval.low != nil && interval.high != nil && interval.low! < test.theta && test.theta < interval.high!)
    }
}

/// `--select` judged on runs it never saw, beside random subsets of the same size.
@Suite struct HeldOutSelectionTests {
    static func responses(runs: Int, tasks: Int, seed: UInt64) -> ItemResponseModel.Responses {
        var generator = SplitMix64(seed: seed)
        let thetas = (0..<runs).map { -2 + 4 * Double($0) / Double(max(1, runs - 1)) }
        let items = (0..<tasks).map { j in (a: 0.3 + Double(j % 7) * 0.35, b: -2.5 + 5 * Double((j * 37) % tasks) / Double(tasks)) }
        let counts: [[(n: Int, c: Int)?]] = thetas.map { theta in
            items.map { item in
                let p = 1 / (1 + exp(-item.a * (theta - item.b)))
                let c = (0..<5).filter { _ in Double(generator.next() % 1_000_000) / 1_000_000 < p }.count
                return (5, c)
            }
        }
        return ItemResponseModel.Responses(runs: (0..<runs).map { "m\($0)" }, tasks: (0..<tasks).map { "T/\($0)" }, counts: counts)
    }

    @Test func heldOutTauIsMeasuredOnUnseenRunsAndSetAgainstRandomSubsets() throws {
        let responses = Self.responses(runs: 16, tasks: 80, seed: 3)
        let held = try #require(HeldOutSelection.evaluate(responses, k: 15, randomDraws: 5))
        #expect(held.folds == 5 && held.k == 15)
        #expect(held.kendallTau > 0.5 && held.kendallTau <= 1)
        #expect(held.beatsRandom == (held.kendallTau > held.randomKendallTau))
        let model = ItemResponseModel.fit(responses)
        let inSample = model.select(15, responses: responses).kendallTau
        #expect(inSample >= held.kendallTau - 0.05, "in sample \(inSample), held out \(held.kendallTau)")
    }

    @Test func fewerThanFourRunsGiveNoHeldOutTau() {
        #expect(HeldOutSelection.evaluate(Self.responses(runs: 3, tasks: 20, seed: 1), k: 5) == nil)
    }
}
