import Analysis
import ArgumentParser
import Foundation

/// Reads run directories given as `DIR` or `NAME=DIR` (the name labels the run in tables).
enum RunArguments {
    static func load(_ arguments: [String]) throws -> [RunResults] {
        guard !arguments.isEmpty else { throw CLIFailure.usage("proctor: give at least one run directory") }
        var results: [RunResults] = []
        for argument in arguments {
            var name: String?
            var directory = argument
            if let equals = argument.firstIndex(of: "="), !FileManager.default.fileExists(atPath: argument) {
                name = String(argument[..<equals])
                directory = String(argument[argument.index(after: equals)...])
            }
            do {
                results.append(try RunResults.load(directory, name: name))
            } catch {
                throw CLIFailure.usage("proctor: \(error)")
            }
        }
        let names = results.map(\.name)
        if Set(names).count != names.count {
            throw CLIFailure.usage("proctor: two runs are named alike (\(names.joined(separator: ", "))); label them NAME=DIR")
        }
        return results
    }

    static func write(_ text: String, to path: String?) throws {
        guard let path else { return print(text, terminator: text.hasSuffix("\n") ? "" : "\n") }
        do {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw CLIFailure.io("proctor: \(path): \(error.localizedDescription)")
        }
    }
}

/// `proctor report`: one self-contained HTML file (or Markdown, or JSON) from run directories.
public struct ReportCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a report of one or more graded runs: HTML (self-contained), Markdown or JSON.",
        discussion: """
            Reads each RUN_DIR's samples.jsonl and summary.json (from `proctor grade` or \
            `proctor results`) or a `proctor grade-repo` output directory. Runs are ranked by \
            pass@1; the HTML (one self-contained file, nothing fetched) has a sortable leaderboard, \
            a ranked chart, a key of colours and aliases, pass@k curves, a pairwise significance \
            matrix, one run-by-task heat map (sortable, labelled), status bars, latency/CPU/memory, \
            common errors, the audit, failing samples grouped by run, and search boxes for runs \
            and tasks. Charts hold up to 100 runs × 1,000 tasks (the JSON form has everything).

            With --irt (or --items FILE from `proctor irt`) it adds θ per run and each task's IRT \
            difficulty and discrimination.

            Example:
              proctor report base=results/base tuned=results/tuned --out report.html
              proctor report results/* --irt --out leaderboard.html
            """
    )

    @Argument(help: "Run directories, as DIR or NAME=DIR.")
    var runs: [String]

    @Flag(help: "Fit a two-parameter IRT model on the runs (two or more) and show θ and item difficulty.")
    var irt = false

    @Option(help: "Show the IRT figures of this items.json (from `proctor irt`) instead of fitting.")
    var items: String?

    @Option(help: "html, markdown or json.")
    var format: String = "html"

    @Option(help: "Where to write (default: standard output).")
    var out: String?

    public init() {}

    public func run() throws {
        guard ["html", "markdown", "json"].contains(format) else { throw CLIFailure.usage("proctor: --format: html, markdown or json") }
        let results = try RunArguments.load(runs)
        var model: ItemResponseModel?
        var source = "fitted"
        if let items {
            model = try ItemsDocument.read(items).model
            source = items
        } else if irt {
            guard results.count >= 2 else { throw CLIFailure.usage("proctor: --irt needs two runs or more") }
            let responses = ItemResponseModel.Responses(results)
            guard !responses.tasks.isEmpty else { throw CLIFailure.usage("proctor: --irt: the runs share no task") }
            model = ItemResponseModel.fit(responses)
        }
        let report = Report(results, model: model, modelSource: source)
        switch format {
        case "html": try RunArguments.write(HTMLReport.render(report), to: out)
        case "markdown": try RunArguments.write(MarkdownReport.render(report), to: out)
        default: try RunArguments.write(String(decoding: report.json, as: UTF8.self) + "\n", to: out)
        }
        if let out { FileHandle.standardError.write(Data("report: \(out)\n".utf8)) }
    }
}

/// `proctor compare A B`: is B better or worse than A, and is the difference real?
public struct CompareCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare two graded runs paired over their shared tasks.",
        discussion: """
            B − A in pass@1 (and pass@10, pass@100 where both have the samples) with a paired \
            bootstrap 95% interval over tasks, McNemar's exact test on the tasks each solves (at \
            least half its samples pass), the exact sign test on per-task pass rates, the tasks \
            that flipped, and warnings when problems, limits or profiles differ.

            Exit status: 0; 1 with --fail-if-worse D when B's pass@1 is more than D below A's; 64 bad input.

            Example:
              proctor compare results/baseline results/candidate --fail-if-worse 0.02
            """
    )

    @Argument(help: "The baseline run directory (DIR or NAME=DIR).")
    var a: String

    @Argument(help: "The run compared with it.")
    var b: String

    @Option(help: "Exit 1 when B's pass@1 is lower than A's by more than this (e.g. 0.02).")
    var failIfWorse: Double?

    @Option(help: "text or json.")
    var format: String = "text"

    public init() {}

    public func validate() throws {
        // nan would make every comparison false: a gate that never fails.
        if let failIfWorse, !failIfWorse.isFinite || failIfWorse < 0 {
            throw ValidationError("--fail-if-worse must be a finite number of pass@1 at or above 0 (e.g. 0.02)")
        }
        guard ["text", "json"].contains(format) else { throw ValidationError("--format: text or json") }
    }

    public func run() throws {
        let runs = try RunArguments.load([a, b])
        let comparison: Comparison
        do {
            comparison = try Comparison(runs[0], runs[1])
        } catch {
            throw CLIFailure.usage("proctor: \(error)")
        }
        if format == "json" {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(comparison), as: UTF8.self))
        } else {
            print(comparison.table)
        }
        if let failIfWorse, let one = comparison.differences.first, one.difference < -failIfWorse {
            FileHandle.standardError.write(
                Data(String(format: "proctor: %@ is worse than %@ by %.4f pass@1 (more than %.4f)\n", comparison.b, comparison.a, -one.difference, failIfWorse).utf8))
            throw ExitCode(1)
        }
    }
}

/// `proctor irt`: item response theory over many runs.
public struct IRTCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "irt",
        abstract: "Fit a 2PL item response model to many runs: task difficulty and discrimination, run ability.",
        discussion: """
            Marginal maximum likelihood (EM over a quadrature grid, θ ~ N(0,1), weak \
            priors keeping all-solved and never-solved tasks finite), several samples per task as \
            repeated responses. Writes items.json: per task a, b with standard errors and flags \
            (never_solved, always_solved, negative_discrimination, low_discrimination); per run θ \
            with its interval beside pass@1; with --select K the K most informative tasks over \
            the runs' ability range and the Kendall tau of the ranking they give against the full one.

            Example:
              proctor irt results/m1 results/m2 results/m3 --out items.json --select 40
            """
    )

    @Argument(help: "Run directories (DIR or NAME=DIR), two or more.")
    var runs: [String]

    @Option(help: "Where to write items.json.")
    var out: String = "items.json"

    @Option(help: "Also choose this many tasks with the most information (a cheaper benchmark).")
    var select: Int?

    public init() {}

    public func run() throws {
        let results = try RunArguments.load(runs)
        guard results.count >= 2 else { throw CLIFailure.usage("proctor: irt needs two runs or more") }
        let responses = ItemResponseModel.Responses(results)
        guard !responses.tasks.isEmpty else { throw CLIFailure.usage("proctor: the runs share no task") }
        let model = ItemResponseModel.fit(responses)
        var document = ItemsDocument(model: model, selection: nil)
        if let select {
            guard select >= 1 else { throw CLIFailure.usage("proctor: --select must be at least 1") }
            let chosen = model.select(min(select, model.items.count), responses: responses)
            document.selection = ItemsDocument.Selection(
                k: chosen.tasks.count, tasks: chosen.tasks, kendallTau: chosen.kendallTau,
                heldOut: HeldOutSelection.evaluate(responses, k: chosen.tasks.count))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try RunArguments.write(String(decoding: try encoder.encode(document), as: UTF8.self) + "\n", to: out)
        print("items: \(model.items.count) task(s) shared by \(results.count) runs; \(model.converged ? "converged" : "NOT converged") after \(model.iterations) EM steps")
        if let logLikelihood = model.logLikelihood {
            let gap = model.gap.map { String(format: "within %.1e of the optimum", $0) } ?? "no estimate of the distance to the optimum"
            print(String(format: "  log-likelihood %.4f, %@", logLikelihood, gap as NSString))
        }
        if let starts = model.starts, starts.count > 1 {
            if model.startSpread > 0.01 {
                print(String(format: "  %d starting points ended %.3f log-units apart (several optima): the best is kept", starts.count, model.startSpread))
            } else {
                print(String(format: "  %d starting points agree within %.1e", starts.count, model.startSpread))
            }
        }
        for ability in model.abilities.sorted(by: { $0.theta > $1.theta }) {
            print(String(format: "  %-24@ θ %+.3f [%+.3f, %+.3f]  pass@1 %.4f", ability.run as NSString, ability.theta, ability.low, ability.high, ability.passAt1))
        }
        let flagged = model.items.filter { !$0.flags.isEmpty }
        var counts: [String: Int] = [:]
        for item in flagged { for flag in item.flags { counts[flag, default: 0] += 1 } }
        for (flag, count) in counts.sorted(by: { $0.key < $1.key }) { print("  \(flag): \(count) task(s)") }
        if let selection = document.selection {
            print(String(format: "selected %d task(s); Kendall tau of their ranking against the full one: %.3f in sample (chosen and scored on the same runs)", selection.k, selection.kendallTau))
            if let held = selection.heldOut {
                print(
                    String(
                        format: "  held out (%d folds of runs): tau %.3f; random subsets of %d tasks: %.3f", held.folds, held.kendallTau, held.k,
                        held.randomKendallTau))
                if !held.beatsRandom {
                    print("  with \(results.count) runs, selecting does not beat random subsets here: more runs are needed before --select pays")
                }
            } else {
                print("  held-out tau needs four runs or more (two to fit on, two to rank)")
            }
        }
        print("wrote \(out)")
    }
}

/// items.json: the fitted model and, with --select, the chosen subset.
struct ItemsDocument: Codable {
    struct Selection: Codable {
        var k: Int
        var tasks: [String]
        /// In sample: the items chosen and scored on the same runs (it flatters).
        var kendallTau: Double
        /// Cross-validated over folds of runs, beside random subsets; nil with fewer than 4 runs.
        var heldOut: HeldOutSelection?

        enum CodingKeys: String, CodingKey { case k, tasks, kendallTau = "kendall_tau", heldOut = "held_out" }
    }

    var model: ItemResponseModel
    var selection: Selection?

    static func read(_ path: String) throws -> ItemsDocument {
        guard let data = FileManager.default.contents(atPath: path) else { throw CLIFailure.usage("proctor: \(path): cannot read") }
        do {
            return try JSONDecoder().decode(ItemsDocument.self, from: data)
        } catch {
            throw CLIFailure.usage("proctor: \(path): not an items file written by `proctor irt` (\(error))")
        }
    }
}

/// `proctor leaderboard`.
public struct LeaderboardCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "leaderboard",
        abstract: "Rank runs: pass@1 with its interval, IRT ability, median latency and CPU, significant leads.",
        discussion: """
            Example:
              proctor leaderboard results/* --format markdown
            """
    )

    @Argument(help: "Run directories (DIR or NAME=DIR).")
    var runs: [String]

    @Option(help: "markdown, html or json (every figure, with each lead's sign test p).")
    var format: String = "markdown"

    @Option(help: "Where to write (default: standard output).")
    var out: String?

    public init() {}

    public func run() throws {
        guard ["markdown", "html", "json"].contains(format) else { throw CLIFailure.usage("proctor: --format: markdown, html or json") }
        let board: Leaderboard
        do {
            board = try Leaderboard(try RunArguments.load(runs))
        } catch let error as AnalysisError {
            throw CLIFailure.usage("proctor: \(error)")
        }
        let text: String
        switch format {
        case "html": text = board.html
        case "json":
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            text = String(decoding: try encoder.encode(board), as: UTF8.self) + "\n"
        default: text = board.markdown
        }
        try RunArguments.write(text, to: out)
    }
}
