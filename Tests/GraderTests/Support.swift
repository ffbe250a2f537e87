import Foundation
import Results
import Sandbox
import SchemaCheck
import Testing
import ScratchFiles

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

    static let scratch = "/tmp/proctor-grader-tests"

    /// A fresh, empty output directory.
    static func outDirectory(_ name: String) -> String { ScratchFiles.directory(under: scratch, name) }

    static func grade(
        problems: String, samples: String, out: String, ks: [Int] = [1], allowPartial: Bool = false, timeout: Double = 3,
        pool: PoolMode = .warm, configure: (inout GradeOptions) -> Void = { _ in }
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
        options.differential.cacheDirectory = nil
        configure(&options)
        defer { SchemaCheck.expectConforming(out) }
        return try GradeRun(options).run()
    }

    /// Runs a grade and checks what it wrote against docs/results-schema.json.
    static func run(_ options: GradeOptions) throws -> GradeSummary {
        defer { SchemaCheck.expectConforming(options.outDirectory) }
        return try GradeRun(options).run()
    }

    /// Rows of a results file, as dictionaries.
    static func rows(_ path: String) throws -> [[String: Any]] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
    }

    /// Writes `lines` to a temporary file and returns its path.
    static func file(_ name: String, _ lines: [String]) throws -> String { try ScratchFiles.file(under: scratch, name, lines) }
}
