/// A worker that cannot start or run, with a message for the user.
public struct WorkerError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
