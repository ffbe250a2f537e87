import Foundation
import Results

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
