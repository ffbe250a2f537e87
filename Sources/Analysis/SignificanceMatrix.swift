import Estimates
import Foundation

/// Every pair of runs compared on pass@1: the difference over the tasks all of them graded, with
/// its paired bootstrap 95% interval (2,000 resamples of tasks, the seed `compare` uses), and
/// whether that interval excludes 0. Valid for any number of samples per task (per-task pass
/// rates are resampled as units).
///
/// Why one shared set of resamples: 100 runs make 4,950 pairs, and resampling each pair's
/// differences afresh costs 2,000 × tasks per pair. The same draws of tasks serve every pair, so
/// each run's resampled mean is summed once and a pair's resampled difference is a subtraction;
/// the draws are `Statistics.bootstrapMeanInterval`'s, so a pair over the same tasks gets
/// `compare`'s interval (up to floating-point summation order).
public struct SignificanceMatrix: Sendable, Codable, Equatable {
    public struct Pair: Sendable, Codable, Equatable {
        /// Indices into the report's runs, `a` ranked above `b`; `difference` is a − b.
        public var a: Int
        public var b: Int
        public var difference: Double
        public var low: Double
        public var high: Double

        /// The interval excludes 0.
        public var significant: Bool { low > 0 || high < 0 }
    }

    /// How many tasks every run graded (the pairs are over these).
    public var tasks: Int
    public var resamples: Int
    public var pairs: [Pair]

    /// nil with fewer than two runs or no task every run graded.
    public init?(_ runs: [RunResults], resamples: Int = 2000, seed: UInt64 = 0x5EED) {
        guard runs.count >= 2, let first = runs.first else { return nil }
        let shared = first.taskOrder.filter { task in runs.allSatisfy { ($0.tasks[task]?.n ?? 0) > 0 } }
        guard !shared.isEmpty else { return nil }
        let rates = runs.map { run in shared.map { run.tasks[$0]!.passRate } }
        let count = shared.count
        // means[r][b]: run r's mean pass rate on resample b.
        var means = [[Double]](repeating: [Double](repeating: 0, count: resamples), count: runs.count)
        var generator = SplitMix64(seed: seed)
        // The rates run-major in one buffer, and each resample's draws, so the inner loop is
        // plain pointer arithmetic (it runs resamples × runs × tasks times).
        let flat = rates.flatMap { $0 }
        var draws = [Int](repeating: 0, count: count)
        var totals = [Double](repeating: 0, count: runs.count)
        flat.withUnsafeBufferPointer { flat in
            for b in 0..<resamples {
                for i in 0..<count { draws[i] = Int(generator.next() % UInt64(count)) }
                draws.withUnsafeBufferPointer { draws in
                    totals.withUnsafeMutableBufferPointer { totals in
                        for r in 0..<runs.count {
                            let row = flat.baseAddress! + r * count
                            var total = 0.0
                            for i in 0..<count { total += row[draws[i]] }
                            totals[r] = total
                        }
                    }
                }
                for r in 0..<runs.count { means[r][b] = totals[r] / Double(count) }
            }
        }
        let observed = rates.map { $0.reduce(0, +) / Double(count) }
        var pairs: [Pair] = []
        pairs.reserveCapacity(runs.count * (runs.count - 1) / 2)
        var differences = [Double](repeating: 0, count: resamples)
        for a in 0..<runs.count {
            for b in (a + 1)..<runs.count {
                for i in 0..<resamples { differences[i] = means[a][i] - means[b][i] }
                differences.sort()
                pairs.append(
                    Pair(
                        a: a, b: b, difference: observed[a] - observed[b], low: Statistics.percentile(differences, 2.5)!,
                        high: Statistics.percentile(differences, 97.5)!))
            }
        }
        self.tasks = count
        self.resamples = resamples
        self.pairs = pairs
    }
}
