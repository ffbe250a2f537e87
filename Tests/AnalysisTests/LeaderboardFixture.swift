import Estimates
import Foundation
import Results

@testable import Analysis

/// Runs shaped like a real leaderboard's: long names that share long prefixes (an organisation,
/// a model family, a sampling setting), one sample per task for most runs and ten for every
/// seventh, passes drawn from a 2PL model over HumanEval-like task ids, failure messages at the
/// length rows keep, and one name carrying markup, so escaping is exercised wherever a name
/// appears. Built in memory through the same `add` that reading a samples.jsonl uses; `write`
/// puts the same rows on disk for the command line.
enum LeaderboardFixture {
    static let families = [
        "codegen-16B-mono", "codegen-6B-mono", "starcoder-15b", "wizardcoder-python-34b-v1.0", "deepseek-coder-33b-instruct",
        "gpt-3.5-turbo-0613", "gpt-4-0613", "llama-2-70b-chat", "mistral-7b-instruct-v0.2", "phi-2",
    ]

    static func name(_ run: Int) -> String {
        if run == 1 { return "evil <script>alert(\"x\")</script> & 'run'" }
        return "organisation-with-a-long-name/\(families[run % families.count])-temperature-0.\(run % 10)-sampling-run-\(String(format: "%03d", run))"
    }

    /// Each run's rows, deterministic for a seed.
    static func rows(_ runs: Int, tasks: Int, seed: UInt64) -> [[SampleRecord]] {
        var generator = SplitMix64(seed: seed)
        func uniform() -> Double { Double(generator.next() >> 11) / Double(1 << 53) }
        let a = (0..<tasks).map { _ in 0.5 + 2 * uniform() }
        let b = (0..<tasks).map { _ in 4 * uniform() - 2 }
        let audit = try! JSONDecoder().decode(
            SampleRecord.Audit.self, from: Data(#"{"profile": "python-strict", "proctor_version": "0.1.0", "kernel": "6.1", "limits": {"wall_ms": 3000}}"#.utf8))
        return (0..<runs).map { run in
            let theta = 5 * uniform() - 2.5
            let n = run % 7 == 0 ? 10 : 1
            var rows: [SampleRecord] = []
            for task in 0..<tasks {
                let p = 1 / (1 + exp(-a[task] * (theta - b[task])))
                for sample in 0..<n {
                    var row = SampleRecord()
                    let ok = uniform() < p
                    row.taskID = "HumanEval/\(task)"
                    row.completionID = "\(sample)"
                    row.passed = ok
                    row.status = ok ? "passed" : ["failed", "timeout", "runtime_error"][Int(generator.next() % 3)]
                    row.result = ok ? "passed" : "failed: <b>assert</b> & done"
                    if !ok {
                        row.error = SampleRecord.Failure(
                            type: "AssertionError",
                            message: "assert <script>alert(1)</script> == \"x\"; " + String(repeating: "expected [1, 2, 3] got [3, 2, 1]; ", count: 8))
                    }
                    row.wallMs = 5 + 400 * uniform()
                    row.cpuMs = 2 + 200 * uniform()
                    row.peakRssKiB = Double(9000 + Int(generator.next() % 30000))
                    row.audit = audit
                    rows.append(row)
                }
            }
            return rows
        }
    }

    /// `runs` runs × `tasks` tasks, in memory.
    static func runs(_ runs: Int, tasks: Int, seed: UInt64 = 89) -> [RunResults] {
        rows(runs, tasks: tasks, seed: seed).enumerated().map { index, rows in
            var run = RunResults(name: name(index), directory: "")
            for row in rows { run.add(row) }
            return run
        }
    }

    /// The same runs as directories `proctor report` reads; returns NAME=DIR arguments.
    static func write(_ runs: Int, tasks: Int, seed: UInt64 = 89) throws -> [String] {
        let root = SyntheticRuns.root + "/leaderboard-\(runs)x\(tasks)-\(UInt32.random(in: 0...UInt32.max))"
        let encoder = JSONEncoder()
        return try rows(runs, tasks: tasks, seed: seed).enumerated().map { index, rows in
            let directory = root + "/r\(index)"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            var out = Data()
            for row in rows {
                out.append(try encoder.encode(row))
                out.append(UInt8(ascii: "\n"))
            }
            try out.write(to: URL(fileURLWithPath: directory + "/samples.jsonl"))
            return "\(name(index))=\(directory)"
        }
    }
}
