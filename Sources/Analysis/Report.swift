import Estimates
import Foundation
import Results

/// Everything a report shows, computed once from the runs (the HTML, Markdown and JSON forms
/// are renderings of this). Aggregates only: per run, per task, per status; a few failing
/// examples per task; never every row.
public struct Report: Sendable, Codable {
    public struct Distribution: Sendable, Codable, Equatable {
        public var p50: Double
        public var p90: Double
        public var p99: Double
        public var max: Double
        /// Counts per bin of `Report.bins` for this metric.
        public var histogram: [Int]
    }

    public struct TaskFigure: Sendable, Codable, Equatable {
        public var task: String
        public var value: Double
    }

    public struct ErrorType: Sendable, Codable, Equatable {
        public var type: String
        public var count: Int
        public var example: String
    }

    public struct CurvePoint: Sendable, Codable, Equatable {
        public var k: Int
        public var value: Double
    }

    public struct Run: Sendable, Codable {
        public var name: String
        /// 1 for the highest pass@1; runs with the same pass@1 share a rank (1, 1, 3).
        public var rank: Int
        /// A short name unique in the report (R1, R2, … in rank order), used where a full name
        /// does not fit; the key maps each back to its name.
        public var alias: String
        public var samples: Int
        public var tasks: Int
        /// `pass@K` → estimate with 95% interval.
        public var passAtK: [String: Estimate]
        public var statusCounts: [String: Int]
        public var latencyMs: Distribution?
        public var cpuMs: Distribution?
        public var peakRssKiB: Distribution?
        /// Tasks by mean wall time per sample, and by peak memory (top 10).
        public var slowestTasks: [TaskFigure]
        public var hungriestTasks: [TaskFigure]
        public var errorTypes: [ErrorType]
        public var audit: RunResults.Audit
        /// pass@k (unbiased estimator, mean over tasks) at k = 1, 2, 3, 5, 7, 10, 15, 20, 30, 50,
        /// 70, 100, … up to the fewest samples any task has.
        public var passAtKCurve: [CurvePoint]
        /// IRT ability with its 95% interval, when a model was fitted or given.
        public var theta: Estimate?

        enum CodingKeys: String, CodingKey {
            case name, rank, alias, passAtKCurve = "pass_at_k_curve", theta
            case samples, tasks, passAtK = "pass_at_k", statusCounts = "status_counts", latencyMs = "latency_ms", cpuMs = "cpu_ms"
            case peakRssKiB = "peak_rss_kib", slowestTasks = "slowest_tasks", hungriestTasks = "hungriest_tasks", errorTypes = "error_types"
            case audit
        }
    }

    public struct Task: Sendable, Codable {
        public var task: String
        /// Mean pass rate over the runs that graded it (lower: harder).
        public var meanPassRate: Double
        /// Per run (in `runs` order): pass rate, or nil when that run did not grade the task.
        public var passRates: [Double?]
        /// Per run: up to three failing samples.
        public var failures: [[RunResults.Failure]]
        /// IRT difficulty and discrimination with the item's flags, when a model was fitted or given.
        public var difficulty: Double?
        public var discrimination: Double?
        public var flags: [String]?

        enum CodingKeys: String, CodingKey {
            case task, meanPassRate = "mean_pass_rate", passRates = "pass_rates", failures, difficulty, discrimination, flags
        }
    }

    /// Where the IRT figures came from.
    public struct ItemResponseSummary: Sendable, Codable {
        /// `fitted` (here, on these runs) or the items file's path.
        public var source: String
        public var converged: Bool
        public var gap: Double?

        enum CodingKeys: String, CodingKey { case source, converged, gap }
    }

    /// Ranked: highest pass@1 first.
    public var runs: [Run]
    /// Hardest first.
    public var tasks: [Task]
    /// Histogram bin edges per metric (`latency_ms`, `cpu_ms`, `peak_rss_kib`), log-spaced.
    public var bins: [String: [Double]]
    /// Every pair of runs compared over the tasks they all graded (nil for one run).
    public var significance: SignificanceMatrix?
    public var itemResponse: ItemResponseSummary?
    public var generatedAt: String

    enum CodingKeys: String, CodingKey {
        case runs, tasks, bins, significance, itemResponse = "item_response", generatedAt = "generated_at"
    }

    /// A report of `results`, ranked by pass@1. `model`: IRT figures to show (fitted on these
    /// runs or read from an items file, named by `modelSource`); abilities are matched by run name
    /// and difficulties by task.
    /// `resamples`: the significance matrix's bootstrap resamples (2,000, as `compare`).
    public init(_ unranked: [RunResults], model: ItemResponseModel? = nil, modelSource: String = "fitted", resamples: Int = 2000) {
        let pass1 = unranked.map { $0.passAtK(1)?.value ?? -1 }
        let order = unranked.indices.sorted { pass1[$0] > pass1[$1] || (pass1[$0] == pass1[$1] && $0 < $1) }
        let results = order.map { unranked[$0] }
        var ranks: [Int] = []
        for (index, position) in order.enumerated() {
            ranks.append(index > 0 && pass1[order[index - 1]] == pass1[position] ? ranks[index - 1] : index + 1)
        }
        let abilities = Dictionary((model?.abilities ?? []).map { ($0.run, $0) }, uniquingKeysWith: { first, _ in first })
        let items = Dictionary((model?.items ?? []).map { ($0.task, $0) }, uniquingKeysWith: { first, _ in first })
        var bins: [String: [Double]] = [:]
        for (metric, values) in [("latency_ms", results.flatMap(\.wallMs)), ("cpu_ms", results.flatMap(\.cpuMs)), ("peak_rss_kib", results.flatMap(\.peakRssKiB))] {
            let positive = values.filter { $0 > 0 }
            guard let low = positive.min(), let high = positive.max() else { continue }
            let (l, h) = (log10(low), log10(max(high, low * 1.0001)))
            bins[metric] = (0...20).map { pow(10, l + (h - l) * Double($0) / 20) }
        }
        func distribution(_ values: [Double], _ metric: String) -> Distribution? {
            let sorted = values.sorted()
            guard let p50 = Statistics.percentile(sorted, 50), let edges = bins[metric] else { return nil }
            var histogram = [Int](repeating: 0, count: edges.count - 1)
            for value in sorted {
                let index = edges.lastIndex { $0 <= value } ?? 0
                histogram[min(max(index, 0), histogram.count - 1)] += 1
            }
            return Distribution(
                p50: p50, p90: Statistics.percentile(sorted, 90)!, p99: Statistics.percentile(sorted, 99)!, max: sorted.last!, histogram: histogram)
        }
        runs = results.enumerated().map { (position: Int, run: RunResults) -> Run in
            var passAtK: [String: Estimate] = [:]
            for k in run.ks { passAtK["pass@\(k)"] = run.passAtK(k) }
            let perSample: [TaskFigure] = run.taskOrder.map { task in
                let tally = run.tasks[task]!
                return TaskFigure(task: task, value: tally.wallTotal / Double(max(1, tally.n)))
            }
            let memory: [TaskFigure] = run.taskOrder.map { TaskFigure(task: $0, value: run.tasks[$0]!.maxRss) }
            var errors: [ErrorType] = run.errorTypes.map { ErrorType(type: $0.key, count: $0.value.count, example: $0.value.example) }
            errors.sort { (x: ErrorType, y: ErrorType) -> Bool in x.count != y.count ? x.count > y.count : x.type < y.type }
            let counts = run.counts
            let fewest = counts.map(\.n).min() ?? 0
            let curve = Self.curveKs(upTo: fewest).compactMap { k in PassAtK.mean(counts, k: k).map { CurvePoint(k: k, value: $0) } }
            let ability = abilities[run.name]
            return Run(
                name: run.name, rank: ranks[position], alias: "R\(position + 1)", samples: run.samples, tasks: run.taskOrder.count, passAtK: passAtK, statusCounts: run.statusCounts,
                latencyMs: distribution(run.wallMs, "latency_ms"), cpuMs: distribution(run.cpuMs, "cpu_ms"),
                peakRssKiB: distribution(run.peakRssKiB, "peak_rss_kib"), slowestTasks: Self.top(perSample), hungriestTasks: Self.top(memory),
                errorTypes: Array(errors.prefix(10)), audit: run.audit, passAtKCurve: curve,
                theta: ability.map { Estimate(value: $0.theta, low: $0.low, high: $0.high) })
        }
        var taskOrder: [String] = []
        var seen = Set<String>()
        for run in results { for task in run.taskOrder where seen.insert(task).inserted { taskOrder.append(task) } }
        tasks = taskOrder.map { (task: String) -> Task in
            let rates = results.map { $0.tasks[task]?.passRate }
            let present = rates.compactMap { $0 }
            let item = items[task]
            return Task(
                task: task, meanPassRate: present.reduce(0, +) / Double(max(1, present.count)), passRates: rates,
                failures: results.map { $0.tasks[task]?.failures ?? [] }, difficulty: item?.b, discrimination: item?.a, flags: item?.flags)
        }.sorted { $0.meanPassRate < $1.meanPassRate || ($0.meanPassRate == $1.meanPassRate && $0.task < $1.task) }
        self.bins = bins
        significance = SignificanceMatrix(results, resamples: resamples)
        itemResponse = model.map { ItemResponseSummary(source: modelSource, converged: $0.converged, gap: $0.gap) }
        let formatter = ISO8601DateFormatter()
        generatedAt = formatter.string(from: Date())
    }

    /// The k a pass@k curve is drawn at: 1, 2, 3, 5, 7 times powers of ten, up to `limit`.
    static func curveKs(upTo limit: Int) -> [Int] {
        var ks: [Int] = []
        var scale = 1
        while scale <= max(1, limit) {
            for step in [1, 2, 3, 5, 7] where step * scale <= limit { ks.append(step * scale) }
            scale *= 10
        }
        return ks
    }

    static func top(_ figures: [TaskFigure]) -> [TaskFigure] {
        Array(figures.sorted { (x: TaskFigure, y: TaskFigure) -> Bool in x.value > y.value }.prefix(10))
    }

    /// The JSON form.
    public var json: Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return (try? encoder.encode(self)) ?? Data("{}".utf8)
    }

    /// Statuses in a fixed order (passed first), then any others alphabetically.
    var statuses: [String] {
        let known = SampleStatus.allCases.map(\.rawValue)
        let present = Set(runs.flatMap { $0.statusCounts.keys })
        return known.filter(present.contains) + present.subtracting(known).sorted()
    }
}
