import Foundation

/// Tests and intervals for two runs graded on the same tasks.
public enum PairedTests {
    /// Two-sided exact binomial test of `successes` out of `trials` against p = 1/2: the exact
    /// sign test, and McNemar's exact test when the counts are the discordant pairs (b, c) with
    /// `successes = min(b, c)`, `trials = b + c`. 1 when there are no trials.
    public static func exactBinomialTwoSided(successes: Int, trials: Int) -> Double {
        guard trials > 0 else { return 1 }
        let low = min(successes, trials - successes)
        // P(X <= low) for X ~ Bin(trials, 1/2), summed in log space (trials can be thousands).
        var terms: [Double] = []
        for i in 0...low { terms.append(logChoose(trials, i) - Double(trials) * log(2)) }
        let top = terms.max()!
        let tail = exp(top) * terms.reduce(0) { $0 + exp($1 - top) }
        return min(1, 2 * tail)
    }

    /// McNemar's exact test on the discordant pairs: `b` tasks only A solved, `c` only B.
    public static func mcNemarExact(b: Int, c: Int) -> Double { exactBinomialTwoSided(successes: min(b, c), trials: b + c) }

    static func logChoose(_ n: Int, _ k: Int) -> Double {
        lgamma(Double(n) + 1) - lgamma(Double(k) + 1) - lgamma(Double(n - k) + 1)
    }

    /// 95% percentile interval of the mean of `differences` (one per task, B − A), resampling
    /// tasks with a fixed seed: the paired bootstrap.
    public static func pairedBootstrapInterval(_ differences: [Double], resamples: Int = 2000, seed: UInt64 = 0x5EED) -> (
        low: Double, high: Double
    )? {
        Statistics.bootstrapMeanInterval(differences, resamples: resamples, seed: seed)
    }

    /// Kendall's tau-b between two rankings given as scores for the same items.
    public static func kendallTau(_ x: [Double], _ y: [Double]) -> Double {
        precondition(x.count == y.count)
        var concordant = 0.0
        var discordant = 0.0
        var tiesX = 0.0
        var tiesY = 0.0
        for i in 0..<x.count {
            for j in (i + 1)..<max(i + 1, x.count) {
                let dx = x[i] - x[j]
                let dy = y[i] - y[j]
                if dx == 0 && dy == 0 { continue }
                if dx == 0 { tiesX += 1; continue }
                if dy == 0 { tiesY += 1; continue }
                if (dx > 0) == (dy > 0) { concordant += 1 } else { discordant += 1 }
            }
        }
        let denominator = ((concordant + discordant + tiesX) * (concordant + discordant + tiesY)).squareRoot()
        return denominator == 0 ? 0 : (concordant - discordant) / denominator
    }
}
