/// A two-sided test that two runs have the same per-task pass probabilities, valid for any
/// numbers of samples per task: under that hypothesis a task's samples from either run are
/// exchangeable, so which of its pooled passes fell to which run is a draw without replacement
/// (hypergeometric). The statistic is the sum over tasks of B's pass rate minus A's; its null
/// distribution is drawn by relabelling each task's samples at random (seeded), and the p-value
/// counts relabellings at least as far from zero as the observed sum (plus one, so it is never 0).
///
/// Why not the sign test: with 1 sample per task against 50, a task's pass rate is 0 or 1 on
/// one side and near the true rate on the other, so the signs of the differences are not
/// balanced even when the runs are the same model (a model against itself is "significant" in
/// almost every split). The relabelling keeps each task's sample counts as they are.
public enum SampleRelabelling {
    /// One task: samples and passes in A and in B.
    public struct Task: Sendable, Equatable {
        public var nA: Int
        public var cA: Int
        public var nB: Int
        public var cB: Int

        public init(nA: Int, cA: Int, nB: Int, cB: Int) {
            self.nA = nA
            self.cA = cA
            self.nB = nB
            self.cB = cB
        }
    }

    /// The two-sided p-value for `tasks` (tasks without samples on a side are left out).
    public static func pValue(_ tasks: [Task], draws: Int = 10_000, seed: UInt64 = 0x5EED) -> Double {
        let usable = tasks.filter { $0.nA > 0 && $0.nB > 0 }
        guard !usable.isEmpty else { return 1 }
        func statistic(_ passesA: [Int]) -> Double {
            var sum = 0.0
            for (task, a) in zip(usable, passesA) {
                sum += Double(task.cA + task.cB - a) / Double(task.nB) - Double(a) / Double(task.nA)
            }
            return sum
        }
        let observed = abs(statistic(usable.map(\.cA)))
        // Ties of a discrete statistic: a relabelling as extreme as the observed one counts.
        let tolerance = 1e-9 * max(1, observed)
        var generator = SplitMix64(seed: seed)
        var atLeast = 0
        var drawn = [Int](repeating: 0, count: usable.count)
        for _ in 0..<draws {
            for (index, task) in usable.enumerated() {
                drawn[index] = hypergeometric(
                    total: task.nA + task.nB, successes: task.cA + task.cB, drawn: task.nA, using: &generator)
            }
            if abs(statistic(drawn)) >= observed - tolerance { atLeast += 1 }
        }
        return Double(atLeast + 1) / Double(draws + 1)
    }

    /// Successes among `drawn` items taken without replacement from `total` holding `successes`.
    static func hypergeometric(total: Int, successes: Int, drawn: Int, using generator: inout SplitMix64) -> Int {
        // Draw the smaller side and complement: 1 against 50 costs one step, not fifty.
        if drawn > total - drawn {
            return successes - hypergeometric(total: total, successes: successes, drawn: total - drawn, using: &generator)
        }
        var left = total
        var good = successes
        var found = 0
        for _ in 0..<drawn {
            if Int.random(in: 0..<left, using: &generator) < good {
                found += 1
                good -= 1
            }
            left -= 1
        }
        return found
    }
}
