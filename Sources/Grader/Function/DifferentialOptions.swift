import Foundation

/// How inputs problems are graded: per-input time limits, the reference's budget, the seed
/// dynamic tasks draw their tests from, and where reference results are cached.
public struct DifferentialOptions: Sendable, Codable, Equatable {
    /// An input's limit is `timeFactor` × the reference's time on it (EvalPlus ties the limit to
    /// the reference's runtime the same way)…
    public var timeFactor: Double = 4
    /// …but never below this many seconds (timer noise and a loaded machine): EvalPlus's
    /// `min_time_limit`, 1 s since v0.2.1 (0.2 s produced false timeouts on real samples).
    public var timeFloor: Double = 1
    /// What the reference (and a generator) may take on one input, in seconds: task code is
    /// trusted to be right, never to be fast.
    public var referenceBudget: Double = 10
    /// The reference run's memory limit in bytes (nil: four times the samples'): a reference
    /// computes every expected value of a task in one run, and those can be large.
    public var referenceMemory: UInt64? = nil
    /// The seed dynamic tasks generate their tests from (each task derives its own from it and
    /// its task id). Recorded in every row's audit block; `proctor repro` reuses it.
    public var seed: UInt64 = 0
    /// Where reference results are kept between runs, by content hash (nil: memory only).
    public var cacheDirectory: String? = nil

    public init() {}

    enum CodingKeys: String, CodingKey {
        case timeFactor = "time_factor", timeFloor = "time_floor", referenceBudget = "reference_budget", seed
        case referenceMemory = "reference_memory"
        case cacheDirectory = "cache_directory"
    }

    /// What a row's reuse key adds for an inputs problem: results differ when any of it does.
    var keyText: String { "\(timeFactor)|\(timeFloor)|\(referenceBudget)|\(seed)" + (referenceMemory.map { "|\($0)" } ?? "") }

    /// The reference run's memory limit for samples limited to `sampleMemory` bytes.
    func referenceMemory(forSamples sampleMemory: UInt64) -> UInt64 { referenceMemory ?? sampleMemory.multipliedReportingOverflow(by: 4).partialValue }

    /// The seed one task's generator gets: the run's seed and the task id, hashed (so tasks draw
    /// different tests, and the same run seed always gives the same tests).
    public func seed(for taskID: String) -> UInt64 {
        let digest = Array(Digest.sha256("\(seed)|\(taskID)").utf8.prefix(15))
        return UInt64(String(decoding: digest, as: UTF8.self), radix: 16) ?? 0
    }

    /// A fresh random seed for a run that named none.
    public static func randomSeed() -> UInt64 { UInt64.random(in: 1...(UInt64(1) << 53)) }

    /// `~/.cache/proctor/reference` (or under `$XDG_CACHE_HOME`).
    public static var defaultCacheDirectory: String {
        let environment = ProcessInfo.processInfo.environment
        let base = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (NSHomeDirectory() + "/.cache")
        return base + "/proctor/reference"
    }
}
