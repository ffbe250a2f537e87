import Foundation
import Results

/// `results/summary.json`: pass@k with confidence intervals, counts, latency and resources.
public struct GradeSummary: Codable, Sendable {
    public struct PassAtKEntry: Codable, Sendable {
        public var k: Int
        /// nil when some task has fewer than k samples (then `tasksWithTooFewSamples` says which).
        public var value: Double?
        public var ci95Low: Double?
        public var ci95High: Double?
        public var tasksWithTooFewSamples: [String]

        enum CodingKeys: String, CodingKey {
            case k, value, ci95Low = "ci95_low", ci95High = "ci95_high", tasksWithTooFewSamples = "tasks_with_too_few_samples"
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(k, forKey: .k)
            try container.encode(value, forKey: .value)
            try container.encode(ci95Low, forKey: .ci95Low)
            try container.encode(ci95High, forKey: .ci95High)
            try container.encode(tasksWithTooFewSamples, forKey: .tasksWithTooFewSamples)
        }
    }

    public struct Distribution: Codable, Sendable {
        public var p50: Double
        public var p90: Double
        public var p99: Double
        public var max: Double
    }

    public var problems: String
    public var samples: String
    public var profile: String
    public var profileSHA256: String
    public var tasks: Int
    public var samplesGraded: Int
    public var samplesReused: Int
    public var passed: Int
    public var passAtK: [PassAtKEntry]
    public var statusCounts: [String: Int]
    public var latencyMs: Distribution?
    public var cpuMs: Distribution?
    public var peakRssKiB: Distribution?
    public var samplesPerSecond: Double
    public var wallSeconds: Double
    public var workers: Int
    public var missingTasks: [String]
    public var interrupted: Bool
    public var proctorVersion: String
    public var finishedAt: String
    /// Inputs problems (EvalPlus-style): pass@k on the base inputs alone; `pass_at_k` is then
    /// base and plus together (EvalPlus's "plus" score). nil when no problem has inputs.
    public var passAtKBase: [PassAtKEntry]? = nil
    /// The seed dynamic tasks drew their tests from (nil when no problem has a generator).
    public var seed: String? = nil
    /// Reference runs made for inputs problems, and reference results found in the cache.
    public var references: ReferenceCounts? = nil
    /// The results schema this summary is written in (`ResultsSchema`); nil when read from a
    /// summary written before versions were.
    public var schemaVersion: Int? = ResultsSchema.version

    /// Time and memory of hidden tasks' samples (`HiddenRecord`), over the whole run: medians
    /// and 90th percentiles only, and only when at least `HiddenRecord.aggregateMinimum` hidden
    /// samples were graded in this run (rows never carry them, so resumed or queued rows add
    /// nothing). nil otherwise. `latency_ms`, `cpu_ms` and `peak_rss_kib` above are over public
    /// samples only.
    public var hiddenAggregate: HiddenAggregate? = nil

    public struct HiddenAggregate: Codable, Sendable, Equatable {
        public var samples: Int
        public var latencyMs: Quantiles
        public var cpuMs: Quantiles
        public var peakRssKiB: Quantiles

        public struct Quantiles: Codable, Sendable, Equatable {
            public var p50: Double
            public var p90: Double
        }

        enum CodingKeys: String, CodingKey {
            case samples, latencyMs = "latency_ms", cpuMs = "cpu_ms", peakRssKiB = "peak_rss_kib"
        }
    }

    public struct ReferenceCounts: Codable, Sendable, Equatable {
        public var computed: Int
        public var cached: Int
    }

    /// pass@k within groups of tasks the problems name (`difficulty`, `platform`): dimension →
    /// group → figures; nil when no problem names one.
    public var byGroup: [String: [String: GroupEntry]]? = nil

    public struct GroupEntry: Codable, Sendable, Equatable {
        public var tasks: Int
        /// `pass@K` → the mean estimate over the group's tasks (absent where a task has fewer than K samples).
        public var passAtK: [String: Double]

        enum CodingKeys: String, CodingKey {
            case tasks, passAtK = "pass_at_k"
        }
    }

    enum CodingKeys: String, CodingKey {
        case problems, samples, profile, profileSHA256 = "profile_sha256", tasks, samplesGraded = "samples_graded"
        case samplesReused = "samples_reused", passed, passAtK = "pass_at_k", statusCounts = "status_counts"
        case latencyMs = "latency_ms", cpuMs = "cpu_ms", peakRssKiB = "peak_rss_kib", samplesPerSecond = "samples_per_second"
        case wallSeconds = "wall_seconds", workers, missingTasks = "missing_tasks", interrupted
        case proctorVersion = "proctor_version", finishedAt = "finished_at", byGroup = "by_group"
        case passAtKBase = "pass_at_k_base", seed, references, hiddenAggregate = "hidden_aggregate"
        case schemaVersion = "schema_version"
    }

    /// A summary with the run's identity and nothing counted yet (`SummaryAccumulator` fills it).
    public static func empty(
        problems: String, samples: String, profile: String, profileSHA256: String, workers: Int, proctorVersion: String,
        wallSeconds: Double = 0, samplesPerSecond: Double = 0, missingTasks: [String] = [], interrupted: Bool = false
    ) -> GradeSummary {
        GradeSummary(
            problems: problems, samples: samples, profile: profile, profileSHA256: profileSHA256, tasks: 0, samplesGraded: 0,
            samplesReused: 0, passed: 0, passAtK: [], statusCounts: [:], latencyMs: nil, cpuMs: nil, peakRssKiB: nil,
            samplesPerSecond: samplesPerSecond, wallSeconds: wallSeconds, workers: workers, missingTasks: missingTasks,
            interrupted: interrupted, proctorVersion: proctorVersion, finishedAt: Timestamp.now())
    }

    /// The table `proctor grade` prints.
    public var table: String {
        var lines: [String] = []
        lines.append("pass@k (\(tasks) tasks, \(samplesGraded + samplesReused) samples, 95% bootstrap CI over tasks)")
        for entry in passAtK {
            if let value = entry.value, let low = entry.ci95Low, let high = entry.ci95High {
                lines.append(String(format: "  pass@%-4d %.4f   [%.4f, %.4f]", entry.k, value, low, high))
            } else {
                let few = entry.tasksWithTooFewSamples
                let shown = few.prefix(3).joined(separator: ", ") + (few.count > 3 ? ", …" : "")
                lines.append("  pass@\(entry.k)  not computed: \(few.count) task(s) have fewer than \(entry.k) samples (\(shown))")
            }
        }
        if let baseEntries = passAtKBase {
            lines.append("inputs problems: pass@k on base inputs | base+plus (EvalPlus's base and plus)")
            for entry in baseEntries {
                guard let value = entry.value, let both = passAtK.first(where: { $0.k == entry.k })?.value else { continue }
                lines.append(String(format: "  pass@%-4d base %.4f   base+plus %.4f", entry.k, value, both))
            }
        }
        if let seed { lines.append("seed \(seed) (dynamic tasks; pass --seed \(seed) to face the same tests)") }
        if let references {
            lines.append("reference results: \(references.computed) computed, \(references.cached) from the cache")
        }
        lines.append("status")
        for (status, count) in statusCounts.sorted(by: { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }) {
            lines.append("  \(status.padding(toLength: 16, withPad: " ", startingAt: 0)) \(count)")
        }
        if let latency = latencyMs {
            lines.append(
                String(format: "latency ms   p50 %.1f  p90 %.1f  p99 %.1f  max %.1f", latency.p50, latency.p90, latency.p99, latency.max))
        }
        if let cpu = cpuMs, let rss = peakRssKiB {
            lines.append(String(format: "cpu ms       p50 %.1f  max %.1f", cpu.p50, cpu.max))
            lines.append(String(format: "peak RSS KiB p50 %.0f  max %.0f", rss.p50, rss.max))
        }
        if let hidden = hiddenAggregate {
            lines.append(
                String(
                    format: "hidden tasks (%d samples): latency ms p50 %.0f p90 %.0f  cpu ms p50 %.0f p90 %.0f  peak RSS KiB p50 %.0f p90 %.0f",
                    hidden.samples, hidden.latencyMs.p50, hidden.latencyMs.p90, hidden.cpuMs.p50, hidden.cpuMs.p90, hidden.peakRssKiB.p50,
                    hidden.peakRssKiB.p90))
        }
        for (dimension, groups) in (byGroup ?? [:]).sorted(by: { $0.key < $1.key }) {
            lines.append("by \(dimension)")
            for (group, entry) in groups.sorted(by: { $0.key < $1.key }) {
                let figures = entry.passAtK.sorted { Int($0.key.dropFirst(5)) ?? 0 < Int($1.key.dropFirst(5)) ?? 0 }
                    .map { String(format: "%@ %.4f", $0.key, $0.value) }.joined(separator: "  ")
                lines.append("  \(group.padding(toLength: 14, withPad: " ", startingAt: 0)) \(figures)  (\(entry.tasks) tasks)")
            }
        }
        if workers > 0 {
            lines.append(
                String(format: "throughput   %.1f samples/s over %.2f s with %d workers", samplesPerSecond, wallSeconds, workers)
                    + (samplesReused > 0 ? " (\(samplesReused) reused from an earlier run)" : ""))
        }
        if !missingTasks.isEmpty {
            lines.append("missing tasks (no samples): \(missingTasks.count): " + missingTasks.prefix(10).joined(separator: ", "))
        }
        if interrupted {
            // Through the queue (no workers of its own) nothing was interrupted: jobs are still out.
            lines.append(
                workers > 0
                    ? "INTERRUPTED: the summary covers the samples graded so far"
                    : "UNFINISHED: some jobs are still pending or running; the summary covers the results stored so far")
        }
        return lines.joined(separator: "\n")
    }
}

/// Collects per-sample results as they arrive; memory grows only by a few numbers per sample.
public struct SummaryAccumulator: Sendable {
    private(set) var perTask: [String: (n: Int, c: Int)] = [:]
    /// Correct counts on base inputs alone (= `perTask` for tasks without inputs).
    private(set) var perTaskBase: [String: Int] = [:]
    private var anyBase = false
    private(set) var statusCounts: [String: Int] = [:]
    private var latencies: [Double] = []
    private var cpu: [Double] = []
    private var rss: [Double] = []
    /// Hidden samples' time and memory: only ever a run-level aggregate.
    private var hiddenFigures: (wall: [Double], cpu: [Double], rss: [Double]) = ([], [], [])
    public private(set) var graded = 0
    public private(set) var reused = 0
    public private(set) var passed = 0

    public init() {}

    public mutating func add(
        task: String, status: SampleStatus, passed didPass: Bool, wallMs: Double, cpuMs: Double, rssKiB: Double, reused wasReused: Bool,
        basePassed: Bool? = nil, hidden: Bool = false, measured: Bool = true
    ) {
        var counts = perTask[task] ?? (0, 0)
        counts.n += 1
        if didPass { counts.c += 1 }
        perTask[task] = counts
        if basePassed != nil { anyBase = true }
        if basePassed ?? didPass { perTaskBase[task, default: 0] += 1 }
        statusCounts[status.rawValue, default: 0] += 1
        if didPass { passed += 1 }
        if wasReused {
            reused += 1
        } else if !measured {
            graded += 1
        } else if hidden {
            graded += 1
            hiddenFigures.wall.append(wallMs)
            hiddenFigures.cpu.append(cpuMs)
            hiddenFigures.rss.append(rssKiB)
        } else {
            graded += 1
            latencies.append(wallMs)
            cpu.append(cpuMs)
            rss.append(rssKiB)
        }
    }

    /// A sample whose job ended failed in the queue (malformed, or retries exhausted): it counts
    /// as a failure in pass@k (status `job_failed`), so a benchmark never improves by breaking
    /// samples on purpose. No timing or memory figures.
    public mutating func addFailedJob(task: String) {
        var counts = perTask[task] ?? (0, 0)
        counts.n += 1
        perTask[task] = counts
        statusCounts[SampleStatus.jobFailed.rawValue, default: 0] += 1
    }

    /// `groups`: dimension (`difficulty`, `platform`) → task → its group, for `by_group`.
    public func summary(ks: [Int], base: GradeSummary, groups: [String: [String: String]] = [:]) -> GradeSummary {
        var result = base
        var byGroup: [String: [String: GradeSummary.GroupEntry]] = [:]
        for (dimension, taskGroups) in groups where !taskGroups.isEmpty {
            var members: [String: [String]] = [:]
            for task in perTask.keys { if let group = taskGroups[task] { members[group, default: []].append(task) } }
            for (group, tasks) in members {
                var figures: [String: Double] = [:]
                for k in ks where tasks.allSatisfy({ perTask[$0]!.n >= k }) {
                    let values = tasks.map { PassAtK.estimate(n: perTask[$0]!.n, c: perTask[$0]!.c, k: k)! }
                    figures["pass@\(k)"] = values.reduce(0, +) / Double(values.count)
                }
                byGroup[dimension, default: [:]][group] = GradeSummary.GroupEntry(tasks: tasks.count, passAtK: figures)
            }
        }
        result.byGroup = byGroup.isEmpty ? nil : byGroup
        let tasks = perTask.keys.sorted()
        result.tasks = tasks.count
        result.samplesGraded = graded
        result.samplesReused = reused
        result.passed = passed
        result.statusCounts = statusCounts
        func entries(_ correct: (String) -> Int) -> [GradeSummary.PassAtKEntry] {
            ks.map { k in
                let few = tasks.filter { perTask[$0]!.n < k }
                guard few.isEmpty, !tasks.isEmpty else {
                    return GradeSummary.PassAtKEntry(k: k, value: nil, ci95Low: nil, ci95High: nil, tasksWithTooFewSamples: few)
                }
                let values = tasks.map { PassAtK.estimate(n: perTask[$0]!.n, c: correct($0), k: k)! }
                let interval = Statistics.bootstrapMeanInterval(values)
                return GradeSummary.PassAtKEntry(
                    k: k, value: values.reduce(0, +) / Double(values.count), ci95Low: interval?.low, ci95High: interval?.high,
                    tasksWithTooFewSamples: [])
            }
        }
        result.passAtK = entries { perTask[$0]!.c }
        result.passAtKBase = anyBase ? entries { perTaskBase[$0] ?? 0 } : nil
        func distribution(_ values: [Double]) -> GradeSummary.Distribution? {
            let sorted = values.sorted()
            guard let p50 = Statistics.percentile(sorted, 50) else { return nil }
            return GradeSummary.Distribution(
                p50: p50, p90: Statistics.percentile(sorted, 90)!, p99: Statistics.percentile(sorted, 99)!, max: sorted.last!)
        }
        result.latencyMs = distribution(latencies)
        result.cpuMs = distribution(cpu)
        result.peakRssKiB = distribution(rss)
        if hiddenFigures.wall.count >= HiddenRecord.aggregateMinimum {
            func quantiles(_ values: [Double]) -> GradeSummary.HiddenAggregate.Quantiles {
                let sorted = values.sorted()
                return .init(p50: Statistics.percentile(sorted, 50)!, p90: Statistics.percentile(sorted, 90)!)
            }
            result.hiddenAggregate = GradeSummary.HiddenAggregate(
                samples: hiddenFigures.wall.count, latencyMs: quantiles(hiddenFigures.wall), cpuMs: quantiles(hiddenFigures.cpu),
                peakRssKiB: quantiles(hiddenFigures.rss))
        }
        return result
    }
}
