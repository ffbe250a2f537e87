/// Small statistics the summary needs: percentiles and a seeded bootstrap.
public enum Statistics {
    /// The `p`-th percentile (0...100) by nearest rank; nil for no values.
    public static func percentile(_ sorted: [Double], _ p: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }

    /// 95% percentile-bootstrap interval of the mean of `values` (resampling the values, i.e.
    /// the problems), with a fixed seed so the same results give the same interval.
    public static func bootstrapMeanInterval(_ values: [Double], resamples: Int = 1000, seed: UInt64 = 0x5EED) -> (
        low: Double, high: Double
    )? {
        guard !values.isEmpty else { return nil }
        var generator = SplitMix64(seed: seed)
        var means: [Double] = []
        means.reserveCapacity(resamples)
        for _ in 0..<resamples {
            var total = 0.0
            for _ in 0..<values.count {
                total += values[Int(generator.next() % UInt64(values.count))]
            }
            means.append(total / Double(values.count))
        }
        means.sort()
        return (percentile(means, 2.5)!, percentile(means, 97.5)!)
    }
}

/// A tiny deterministic generator (SplitMix64), so bootstrap intervals (and benchmark sets) are
/// the same on every machine.
public struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476C_E1E5_B9B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
