/// A problem with the user's input or the grading run, worded for the user: it names the file
/// and line where there is one.
public struct GradeError: Error, Sendable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) { self.message = message }

    public init(file: String, line: Int, _ message: String) {
        self.message = "\(file):\(line): \(message)"
    }

    public var description: String { message }
}
