import Foundation
import Sandbox

@testable import Grader

/// Paths into the checkout and a helper that grades with the real sandbox.
enum Checkout {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let benchmark = root + "/Fixtures/benchmark"
    static let humanEval = URL(fileURLWithPath: root).deletingLastPathComponent().appendingPathComponent(
        "shared/datasets/HumanEval.jsonl.gz"
    ).path
    static var hasHumanEval: Bool { FileManager.default.fileExists(atPath: humanEval) }

    static func profile() throws -> SandboxProfile {
        try SandboxProfile.load(named: "python-strict", sandboxesDirectory: root + "/Sandboxes")
    }

    /// A fresh, empty output directory.
    static func outDirectory(_ name: String) -> String {
        let path = "/tmp/proctor-grader-tests/\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try? FileManager.default.removeItem(atPath: path)
        return path
    }

    static func grade(
        problems: String, samples: String, out: String, ks: [Int] = [1], allowPartial: Bool = false, timeout: Double = 3,
        pool: PoolMode = .warm
    ) throws -> GradeSummary {
        let profile = try profile()
        var limits = profile.definition.limits
        limits.wall = TimeSpan(seconds: timeout)
        if limits.cpu > limits.wall { limits.cpu = limits.wall }
        var options = GradeOptions(problemsPath: problems, samplesPath: samples, outDirectory: out, profile: profile, limits: limits)
        options.ks = ks
        options.allowPartial = allowPartial
        options.workers = 2
        options.pool = pool
        return try GradeRun(options).run()
    }

    /// Rows of a results file, as dictionaries.
    static func rows(_ path: String) throws -> [[String: Any]] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
    }

    /// Writes `lines` to a temporary file and returns its path.
    static func file(_ name: String, _ lines: [String]) throws -> String {
        let directory = "/tmp/proctor-grader-tests/inputs-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = "\(directory)/\(UInt32.random(in: 0...UInt32.max))-\(name)"
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
