import Foundation

/// A problem with the user's input or the grading run, worded for the user: it names the file
/// and line where there is one.
public struct GradeError: Error, Sendable, CustomStringConvertible {
    public let message: String
    /// Reading or writing a file failed (a full disk, a device error), as opposed to bad input:
    /// the command line exits 74 (EX_IOERR) for these, 64 for the rest.
    public private(set) var isIO = false

    public init(_ message: String) { self.message = message }

    /// An input/output failure; `code` is the errno, named in the message.
    public init(io message: String, errno code: Int32) {
        self.message = "\(message): \(String(cString: strerror(code))) (errno \(code))"
        isIO = true
    }

    public init(file: String, line: Int, _ message: String) {
        self.message = "\(file):\(line): \(message)"
    }

    public var description: String { message }
}
