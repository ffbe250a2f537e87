import Foundation

/// `results/summary.json`: pass@k with confidence intervals, counts, latency and resources.
public struct GradeSummary: Codable, Sendable {
    public struct PassAtKEntry: Codable, Sendable {
        public var k: Int
        /// nil when some task has fewer than k samples (then `tasksWithTooFewSamples` says which).
        public var value: Double?
        public var ci95Low: Double?
        public var ci95High: Double?
        public var tasksWithTooFewSamples: [String]

        public init(k: Int, value: Double?, ci95Low: Double?, ci95High: Double?, tasksWithTooFewSamples: [String]) {
            self.k = k
            self.value = value
            self.ci95Low = ci95Low
            self.ci95High = ci95High
            self.tasksWithTooFewSamples = tasksWithTooFewSamples
        }

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

        public init(p50: Double, p90: Double, p99: Double, max: Double) {
            self.p50 = p50
            self.p90 = p90
            self.p99 = p99
            self.max = max
        }
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

        public init(samples: Int, latencyMs: Quantiles, cpuMs: Quantiles, peakRssKiB: Quantiles) {
            self.samples = samples
            self.latencyMs = latencyMs
            self.cpuMs = cpuMs
            self.peakRssKiB = peakRssKiB
        }

        public struct Quantiles: Codable, Sendable, Equatable {
            public var p50: Double
            public var p90: Double

            public init(p50: Double, p90: Double) {
                self.p50 = p50
                self.p90 = p90
            }
        }

        enum CodingKeys: String, CodingKey {
            case samples, latencyMs = "latency_ms", cpuMs = "cpu_ms", peakRssKiB = "peak_rss_kib"
        }
    }

    public struct ReferenceCounts: Codable, Sendable, Equatable {
        public var computed: Int
        public var cached: Int

        public init(computed: Int, cached: Int) {
            self.computed = computed
            self.cached = cached
        }
    }

    /// pass@k within groups of tasks the problems name (`difficulty`, `platform`): dimension →
    /// group → figures; nil when no problem names one.
    public var byGroup: [String: [String: GroupEntry]]? = nil

    public struct GroupEntry: Codable, Sendable, Equatable {
        public var tasks: Int
        /// `pass@K` → the mean estimate over the group's tasks (absent where a task has fewer than K samples).
        public var passAtK: [String: Double]

        public init(tasks: Int, passAtK: [String: Double]) {
            self.tasks = tasks
            self.passAtK = passAtK
        }

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

    /// Reads a summary leniently: a field a summary of an older version (or one written by hand
    /// for a report) lacks takes its empty value, so every reader gets one type.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        problems = try c.decodeIfPresent(String.self, forKey: .problems) ?? ""
        samples = try c.decodeIfPresent(String.self, forKey: .samples) ?? ""
        profile = try c.decodeIfPresent(String.self, forKey: .profile) ?? ""
        profileSHA256 = try c.decodeIfPresent(String.self, forKey: .profileSHA256) ?? ""
        tasks = try c.decodeIfPresent(Int.self, forKey: .tasks) ?? 0
        samplesGraded = try c.decodeIfPresent(Int.self, forKey: .samplesGraded) ?? 0
        samplesReused = try c.decodeIfPresent(Int.self, forKey: .samplesReused) ?? 0
        passed = try c.decodeIfPresent(Int.self, forKey: .passed) ?? 0
        passAtK = try c.decodeIfPresent([PassAtKEntry].self, forKey: .passAtK) ?? []
        statusCounts = try c.decodeIfPresent([String: Int].self, forKey: .statusCounts) ?? [:]
        latencyMs = try c.decodeIfPresent(Distribution.self, forKey: .latencyMs)
        cpuMs = try c.decodeIfPresent(Distribution.self, forKey: .cpuMs)
        peakRssKiB = try c.decodeIfPresent(Distribution.self, forKey: .peakRssKiB)
        samplesPerSecond = try c.decodeIfPresent(Double.self, forKey: .samplesPerSecond) ?? 0
        wallSeconds = try c.decodeIfPresent(Double.self, forKey: .wallSeconds) ?? 0
        workers = try c.decodeIfPresent(Int.self, forKey: .workers) ?? 0
        missingTasks = try c.decodeIfPresent([String].self, forKey: .missingTasks) ?? []
        interrupted = try c.decodeIfPresent(Bool.self, forKey: .interrupted) ?? false
        proctorVersion = try c.decodeIfPresent(String.self, forKey: .proctorVersion) ?? ""
        finishedAt = try c.decodeIfPresent(String.self, forKey: .finishedAt) ?? ""
        passAtKBase = try c.decodeIfPresent([PassAtKEntry].self, forKey: .passAtKBase)
        seed = try c.decodeIfPresent(String.self, forKey: .seed)
        references = try c.decodeIfPresent(ReferenceCounts.self, forKey: .references)
        // Absent: written before versions were (version 0, read as 1).
        schemaVersion = try c.decodeIfPresent(Int.self, forKey: .schemaVersion)
        hiddenAggregate = try c.decodeIfPresent(HiddenAggregate.self, forKey: .hiddenAggregate)
        byGroup = try c.decodeIfPresent([String: [String: GroupEntry]].self, forKey: .byGroup)
    }

    public init(
        problems: String, samples: String, profile: String, profileSHA256: String, tasks: Int, samplesGraded: Int,
        samplesReused: Int, passed: Int, passAtK: [PassAtKEntry], statusCounts: [String: Int], latencyMs: Distribution?,
        cpuMs: Distribution?, peakRssKiB: Distribution?, samplesPerSecond: Double, wallSeconds: Double, workers: Int,
        missingTasks: [String], interrupted: Bool, proctorVersion: String, finishedAt: String
    ) {
        self.problems = problems
        self.samples = samples
        self.profile = profile
        self.profileSHA256 = profileSHA256
        self.tasks = tasks
        self.samplesGraded = samplesGraded
        self.samplesReused = samplesReused
        self.passed = passed
        self.passAtK = passAtK
        self.statusCounts = statusCounts
        self.latencyMs = latencyMs
        self.cpuMs = cpuMs
        self.peakRssKiB = peakRssKiB
        self.samplesPerSecond = samplesPerSecond
        self.wallSeconds = wallSeconds
        self.workers = workers
        self.missingTasks = missingTasks
        self.interrupted = interrupted
        self.proctorVersion = proctorVersion
        self.finishedAt = finishedAt
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

