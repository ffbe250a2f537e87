/// A queue operation that failed, with what kind of failure it was so callers can react:
/// `unavailable` is worth retrying with backoff (the database restarted, the network dropped),
/// the others are not.
public struct QueueError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable {
        /// The database could not be reached or the connection broke: retry later.
        case unavailable
        /// The request contradicts what the queue holds (a run resubmitted with other content).
        case conflict
        /// Bad input: an unparsable queue address, an unknown run.
        case invalid
        /// The database answered with an error.
        case database
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
