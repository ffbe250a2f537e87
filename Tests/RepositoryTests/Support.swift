import Foundation

/// Paths into the checkout, and scratch files and directories for the repository suites.
enum Checkout {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// A fresh, empty output directory.
    static func outDirectory(_ name: String) -> String {
        "/tmp/proctor-repository-tests/\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    }

    /// Writes `lines` to a temporary file and returns its path.
    static func file(_ name: String, _ lines: [String]) throws -> String {
        let directory = "/tmp/proctor-repository-tests/inputs-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = "\(directory)/\(UInt32.random(in: 0...UInt32.max))-\(name)"
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
