import Estimates
import Foundation
import Results

/// One run's results as the analysis layer sees them: whatever wrote them (`proctor grade`,
/// `proctor results`, `proctor grade-repo`), one record per sample, aggregated by task as the
/// rows stream by, so 100,000 rows cost a few numbers each and no row is kept.
public struct RunResults: Sendable {
    /// Per task: samples, passes, statuses, and a few failing examples to link to.
    public struct Task: Sendable {
        public var n = 0
        public var c = 0
        public var statuses: [String: Int] = [:]
        /// Up to three failing samples: completion id, status, message (truncated).
        public var failures: [Failure] = []
        public var wallTotal = 0.0
        public var maxWall = 0.0
        public var maxRss = 0.0
        public var problemSHA256: String?
        public var passRate: Double { n == 0 ? 0 : Double(c) / Double(n) }
    }

    public struct Failure: Sendable, Codable, Equatable {
        public var completion: String
        public var status: String
        public var message: String
    }

    /// What the run's numbers were made with (from its rows' audit blocks and summary.json).
    public struct Audit: Sendable, Codable, Equatable {
        public var proctorVersion: String?
        public var profile: String?
        public var profileSHA256: String?
        public var limits: [String: Double] = [:]
        public var pythonVersion: String?
        public var kernel: String?
        public var pool: String?
        public var problems: String?
        public var problemsSHA256: String?
        public var samples: String?
        /// Digest of every row's sample digest, in file order: the samples graded.
        public var samplesSHA256: String?
        public var seed: String?

        enum CodingKeys: String, CodingKey {
            case proctorVersion = "proctor_version", profile, profileSHA256 = "profile_sha256", limits
            case pythonVersion = "python_version", kernel, pool, problems, problemsSHA256 = "problems_sha256", samples
            case samplesSHA256 = "samples_sha256", seed
        }
    }

    public var name: String
    public var directory: String
    public var tasks: [String: Task] = [:]
    /// Tasks in the order their first sample appeared.
    public var taskOrder: [String] = []
    public var statusCounts: [String: Int] = [:]
    public var errorTypes: [String: (count: Int, example: String)] = [:]
    public var wallMs: [Double] = []
    public var cpuMs: [Double] = []
    public var peakRssKiB: [Double] = []
    public var samples = 0
    public var audit = Audit()
    private var sampleDigests: [String] = []

    /// An empty run, filled row by row by `add` (as `load` does, and tests that build runs in memory).
    init(name: String, directory: String) {
        self.name = name
        self.directory = directory
    }

    /// Reads `directory`: its samples.jsonl (rows of `grade` or `results`) or, for `grade-repo`,
    /// every OUT/INSTANCE/report.json; summary.json (or report.json) for the run's identity.
    /// `name` labels the run (default: the directory's name).
    public static func load(_ directory: String, name: String? = nil) throws(AnalysisError) -> RunResults {
        var run = RunResults(name: name ?? URL(fileURLWithPath: directory).lastPathComponent, directory: directory)
        let rows = directory + "/samples.jsonl"
        do {
            if FileManager.default.fileExists(atPath: rows) {
                try ResultsReader.forEachRow(in: rows) { (record, _) in run.add(record) }
            } else if FileManager.default.fileExists(atPath: directory + "/report.json") {
                // grade-repo: one instance directory per prediction, each with its report.json.
                let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory).sorted()) ?? []
                for entry in entries where FileManager.default.fileExists(atPath: directory + "/" + entry + "/report.json") {
                    run.add(try ResultsReader.document(SampleRecord.self, at: directory + "/" + entry + "/report.json"))
                }
            } else {
                throw AnalysisError("\(directory): no samples.jsonl (proctor grade, proctor results) or report.json (proctor grade-repo) here")
            }
        } catch let error as ResultsError {
            throw AnalysisError(error.message)
        } catch let error as AnalysisError {
            throw error
        } catch {
            throw AnalysisError("\(directory): \(error)")
        }
        guard run.samples > 0 else { throw AnalysisError("\(directory): no results in it") }
        if FileManager.default.fileExists(atPath: directory + "/summary.json") {
            let summary: GradeSummary
            do {
                summary = try ResultsReader.document(GradeSummary.self, at: directory + "/summary.json")
            } catch {
                throw AnalysisError(error.message)
            }
            if let refused = ResultsSchema.unreadable(version: summary.schemaVersion, in: directory + "/summary.json") {
                throw AnalysisError(refused)
            }
            func given(_ text: String) -> String? { text.isEmpty ? nil : text }
            run.audit.problems = given(summary.problems)
            run.audit.samples = given(summary.samples)
            run.audit.profile = run.audit.profile ?? given(summary.profile)
            run.audit.profileSHA256 = run.audit.profileSHA256 ?? given(summary.profileSHA256)
            run.audit.proctorVersion = run.audit.proctorVersion ?? given(summary.proctorVersion)
            run.audit.seed = summary.seed
        }
        // The problems' identity as graded: the digest of every task's problem digest, in task order.
        let digests = run.taskOrder.compactMap { run.tasks[$0]?.problemSHA256 }
        if digests.count == run.taskOrder.count { run.audit.problemsSHA256 = Digest.of(digests.joined(separator: "\n")) }
        if run.sampleDigests.count == run.samples { run.audit.samplesSHA256 = Digest.of(run.sampleDigests.joined(separator: "\n")) }
        run.sampleDigests = []
        return run
    }

    /// One row of either shape: a sample's (`task_id`, `passed`, `status`, …) or a repository
    /// instance's (`instance_id`, `resolved`, `resolution`, …).
    mutating func add(_ row: SampleRecord) {
        let repository = row.isRepository
        let task = row.taskID ?? row.instanceID ?? "?"
        let completion = row.completionID ?? row.model ?? "\(samples)"
        let passed = row.passes
        let status = row.effectiveStatus
        let errorType = row.error?.type ?? (repository && row.error != nil ? SampleStatus.error.rawValue : nil)
        let message = String((row.error?.message ?? row.result ?? "").prefix(300))

        samples += 1
        statusCounts[status, default: 0] += 1
        if tasks[task] == nil {
            tasks[task] = Task()
            taskOrder.append(task)
        }
        var tally = tasks[task]!
        tally.n += 1
        if passed { tally.c += 1 }
        tally.statuses[status, default: 0] += 1
        if !passed && tally.failures.count < 3 { tally.failures.append(Failure(completion: completion, status: status, message: message)) }
        if let wall = row.wallMs {
            wallMs.append(wall)
            tally.wallTotal += wall
            tally.maxWall = max(tally.maxWall, wall)
        }
        if let cpu = row.cpuMs { cpuMs.append(cpu) }
        if let rss = row.peakRssKiB {
            peakRssKiB.append(rss)
            tally.maxRss = max(tally.maxRss, rss)
        }
        if !passed, let errorType {
            var entry = errorTypes[errorType] ?? (0, message)
            entry.count += 1
            errorTypes[errorType] = entry
        }
        let audit = row.audit
        if let problem = audit?.problemSHA256 { tally.problemSHA256 = problem }
        if let sample = audit?.sampleSHA256 { sampleDigests.append(sample) }
        tasks[task] = tally
        if samples == 1 {
            self.audit.proctorVersion = audit?.proctorVersion
            self.audit.profile = audit?.profile ?? row.profile
            self.audit.profileSHA256 = audit?.profileSHA256
            self.audit.pythonVersion = audit?.pythonVersion
            self.audit.kernel = audit?.kernel
            self.audit.pool = audit?.pool
            self.audit.limits = audit?.limits?.byName ?? [:]
        }
    }

    // MARK: figures

    /// (n, c) per task in task order.
    public var counts: [(n: Int, c: Int)] { taskOrder.map { (tasks[$0]!.n, tasks[$0]!.c) } }

    /// pass@k with its 95% bootstrap interval over tasks; nil when a task has fewer than k samples.
    public func passAtK(_ k: Int) -> Estimate? {
        let values = taskOrder.compactMap { PassAtK.estimate(n: tasks[$0]!.n, c: tasks[$0]!.c, k: k) }
        guard values.count == taskOrder.count, !values.isEmpty else { return nil }
        let interval = Statistics.bootstrapMeanInterval(values)!
        return Estimate(value: values.reduce(0, +) / Double(values.count), low: interval.low, high: interval.high)
    }

    /// The k values every task has samples for, among 1, 2, 5, 10, 20, 50, 100.
    public var ks: [Int] {
        let smallest = tasks.values.map(\.n).min() ?? 0
        return [1, 2, 5, 10, 20, 50, 100].filter { $0 <= smallest }
    }

    /// Median of `values` (nil when empty).
    public static func median(_ values: [Double]) -> Double? { Statistics.percentile(values.sorted(), 50) }
}

/// A point estimate and its 95% interval.
public struct Estimate: Sendable, Codable, Equatable {
    public var value: Double
    public var low: Double
    public var high: Double
}

public struct AnalysisError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
