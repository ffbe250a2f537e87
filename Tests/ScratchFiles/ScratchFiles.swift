import Foundation

/// Scratch directories and input files for test suites that grade real files, each suite under
/// its own root in /tmp (so a failed run's leftovers say whose they are).
public enum ScratchFiles {
    /// A fresh, empty (not yet created) output directory under `root`.
    public static func directory(under root: String, _ name: String) -> String {
        let path = "\(root)/\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try? FileManager.default.removeItem(atPath: path)
        return path
    }

    /// Writes `lines` to a new file under `root` and returns its path.
    public static func file(under root: String, _ name: String, _ lines: [String]) throws -> String {
        let directory = "\(root)/inputs-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = "\(directory)/\(UInt32.random(in: 0...UInt32.max))-\(name)"
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
