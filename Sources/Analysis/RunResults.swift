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

    /// Reads `directory`: its samples.jsonl (rows of `grade` or `results`) or, for `grade-repo`,
    /// every OUT/INSTANCE/report.json; summary.json (or report.json) for the run's identity.
    /// `name` labels the run (default: the directory's name).
    public static func load(_ directory: String, name: String? = nil) throws(AnalysisError) -> RunResults {
        var run = RunResults(name: name ?? URL(fileURLWithPath: directory).lastPathComponent, directory: directory)
        let rows = directory + "/samples.jsonl"
        if FileManager.default.fileExists(atPath: rows) {
            try LineReader.forEachLine(of: rows) { (line, number) throws(AnalysisError) in
                guard !line.isEmpty else { return }
                guard let object = (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any] else {
                    throw AnalysisError("\(rows):\(number): not a JSON object")
                }
                if let refused = ResultsSchema.unreadable(version: object["schema_version"] as? Int, in: "\(rows):\(number)") {
                    throw AnalysisError(refused)
                }
                run.add(object)
            }
        } else if FileManager.default.fileExists(atPath: directory + "/report.json") {
            // grade-repo: one instance directory per prediction, each with its report.json.
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory).sorted()) ?? []
            for entry in entries {
                let path = directory + "/" + entry + "/report.json"
                guard let data = FileManager.default.contents(atPath: path),
                    let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
                else { continue }
                run.add(object)
            }
        } else {
            throw AnalysisError("\(directory): no samples.jsonl (proctor grade, proctor results) or report.json (proctor grade-repo) here")
        }
        guard run.samples > 0 else { throw AnalysisError("\(directory): no results in it") }
        if let data = FileManager.default.contents(atPath: directory + "/summary.json"),
            let summary = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        {
            if let refused = ResultsSchema.unreadable(version: summary["schema_version"] as? Int, in: directory + "/summary.json") {
                throw AnalysisError(refused)
            }
            run.audit.problems = summary["problems"] as? String
            run.audit.samples = summary["samples"] as? String
            run.audit.profile = run.audit.profile ?? summary["profile"] as? String
            run.audit.profileSHA256 = run.audit.profileSHA256 ?? summary["profile_sha256"] as? String
            run.audit.proctorVersion = run.audit.proctorVersion ?? summary["proctor_version"] as? String
            run.audit.seed = summary["seed"] as? String
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
    mutating func add(_ row: [String: Any]) {
        let repository = row["task_id"] == nil && row["instance_id"] != nil
        let task = (row["task_id"] ?? row["instance_id"]).map { "\($0)" } ?? "?"
        let completion = (row["completion_id"] ?? row["model_name_or_path"]).map { "\($0)" } ?? "\(samples)"
        let passed = (row[repository ? "resolved" : "passed"] as? Bool) ?? false
        let resolved: SampleStatus = (row["resolution"] as? String) == "FULL" ? .resolved : .unresolved
        var status = (row["status"] as? String) ?? (repository ? resolved.rawValue : "unknown")
        if repository, row["error"] as? String != nil, !passed { status = SampleStatus.error.rawValue }
        let error = row["error"] as? [String: Any]
        let errorType = (error?["type"] as? String) ?? (repository ? (row["error"] as? String).map { _ in "error" } : nil)
        let message = String(((error?["message"] as? String) ?? (row["error"] as? String) ?? (row["result"] as? String) ?? "").prefix(300))

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
        let wall = Self.number(row["wall_ms"])
        let cpu = Self.number(row["cpu_ms"])
        let rss = Self.number(row["peak_rss_kib"])
        if let wall {
            wallMs.append(wall)
            tally.wallTotal += wall
            tally.maxWall = max(tally.maxWall, wall)
        }
        if let cpu { cpuMs.append(cpu) }
        if let rss {
            peakRssKiB.append(rss)
            tally.maxRss = max(tally.maxRss, rss)
        }
        if !passed, let errorType {
            var entry = errorTypes[errorType] ?? (0, message)
            entry.count += 1
            errorTypes[errorType] = entry
        }
        let audit = row["audit"] as? [String: Any]
        if let problem = audit?["problem_sha256"] as? String { tally.problemSHA256 = problem }
        if let sample = audit?["sample_sha256"] as? String { sampleDigests.append(sample) }
        tasks[task] = tally
        if samples == 1 {
            self.audit.proctorVersion = audit?["proctor_version"] as? String
            self.audit.profile = (audit?["profile"] ?? row["profile"]) as? String
            self.audit.profileSHA256 = audit?["profile_sha256"] as? String
            self.audit.pythonVersion = audit?["python_version"] as? String
            self.audit.kernel = audit?["kernel"] as? String
            self.audit.pool = audit?["pool"] as? String
            for (key, value) in (audit?["limits"] as? [String: Any]) ?? [:] { if let number = Self.number(value) { self.audit.limits[key] = number } }
        }
    }

    static func number(_ value: Any?) -> Double? {
        switch value {
        case let number as NSNumber: number.doubleValue
        case let number as Double: number
        case let number as Int: Double(number)
        default: nil
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
