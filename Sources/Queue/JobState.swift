/// Where a job is in its life on the queue (the `state` column): a vocabulary of the queue's own,
/// apart from a sample's status (`SampleStatus`), which says how its grading ended.
public enum JobState: String, Sendable, CaseIterable, CustomStringConvertible {
    /// Submitted, not yet claimed (or given back: a lease ran out, a worker stopped).
    case pending
    /// Claimed by a worker whose lease has not run out.
    case running
    /// Graded: its one result is stored.
    case done
    /// Could not be graded (malformed, or the sandbox failed on every attempt): a reason is stored.
    case failed

    public var description: String { rawValue }

    /// Every state at zero, the start of a count.
    static var none: [String: Int] { Dictionary(uniqueKeysWithValues: allCases.map { ($0.rawValue, 0) }) }
}

extension QueueStatus {
    /// Jobs in `state`.
    public func count(_ state: JobState) -> Int { counts[state.rawValue] ?? 0 }
}
