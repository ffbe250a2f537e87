import Foundation
import Testing

/// `proctor seal | amplify`, `grade` of inputs and sealed problems and `repro` of a dynamic
/// task's sample, run as a user runs them.
@Suite(.serialized) struct StrongerTestsCommandTests {
    static let root = ProctorExecutable.root

    static func scratch(_ name: String) throws -> String {
        let path = NSTemporaryDirectory() + "proctor-\(name)-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func sealThenGradeWithTheKeyOnly() throws {
        try #require(ProctorExecutable.isBuilt)
        let dir = try Self.scratch("seal")
        let key = dir + "/k.key"
        let sealed = dir + "/sealed.jsonl"
        let made = try ProctorExecutable.run([
            "seal", "--problems", Self.root + "/Fixtures/sealed/problems.jsonl", "--out", sealed, "--key-file", key, "--new-key",
        ])
        #expect(made.status == 0 && made.stdout.contains("sealed 3 problem(s)"), "\(made.stderr)")
        var info = stat()
        #expect(stat(key, &info) == 0 && info.st_mode & 0o077 == 0, "the key file is readable by others")
        // A second --new-key never overwrites a key.
        let twice = try ProctorExecutable.run(["seal", "--problems", Self.root + "/Fixtures/sealed/problems.jsonl", "--out", sealed, "--key-file", key, "--new-key"])
        #expect(twice.status == 64 && twice.stderr.contains("exists"))

        let samples = Self.root + "/Fixtures/sealed/samples.jsonl"
        let noKey = try ProctorExecutable.run(["grade", "--problems", sealed, "--samples", samples, "--out", dir + "/r0", "--quiet"])
        #expect(noKey.status == 64 && noKey.stderr.contains("--key-file"), "\(noKey.stderr)")
        let graded = try ProctorExecutable.run([
            "grade", "--problems", sealed, "--samples", samples, "--out", dir + "/r", "--quiet", "--key-file", key, "--leakage-report",
            "--reference-cache", dir + "/cache", "--k", "1",
        ])
        #expect(graded.status == 0, "\(graded.stderr)")
        #expect(graded.stdout.contains("leakage: 2 of 14 samples") && graded.stdout.contains("by visibility"), "\(graded.stdout)")
        for literal in ["marmosetcascade", "24681357902"] {
            #expect(!graded.stdout.contains(literal) && !graded.stderr.contains(literal))
            for file in ["samples.jsonl", "summary.json", "leakage.jsonl"] {
                #expect(!(try String(contentsOfFile: dir + "/r/" + file, encoding: .utf8)).contains(literal), "\(literal) in \(file)")
            }
        }
        // repro without the key cannot open the problems; with it, it reruns (and keeps no tests).
        let denied = try ProctorExecutable.run(["repro", dir + "/r/samples.jsonl", "sealed/shout#right", "--problems", sealed])
        #expect(denied.status == 64)
        let repro = try ProctorExecutable.run([
            "repro", dir + "/r/samples.jsonl", "sealed/shout#right", "--problems", sealed, "--key-file", key, "--keep", dir + "/kept",
        ])
        #expect(repro.status == 0 && repro.stdout.contains("matches: yes"), "\(repro.stdout)\(repro.stderr)")
        let kept = try String(contentsOfFile: dir + "/kept/program.py", encoding: .utf8)
        #expect(!kept.contains("marmosetcascade") && !kept.contains("def check"))
    }

    @Test func amplifyThenGradeBaseAndPlus() throws {
        try #require(ProctorExecutable.isBuilt)
        let dir = try Self.scratch("amplify")
        let amplified = dir + "/amp.jsonl"
        let made = try ProctorExecutable.run([
            "amplify", "--problems", Self.root + "/Fixtures/benchmark/problems.jsonl", "--out", amplified, "--per-task", "8", "--seed", "2",
        ])
        #expect(made.status == 0 && made.stdout.contains("amplified"), "\(made.stdout)\(made.stderr)")
        let graded = try ProctorExecutable.run([
            "grade", "--problems", amplified, "--samples", Self.root + "/Fixtures/benchmark/samples.jsonl", "--out", dir + "/r",
            "--quiet", "--k", "1", "--reference-cache", "none",
        ])
        #expect(graded.status == 0, "\(graded.stderr)")
        #expect(graded.stdout.contains("base+plus"), "\(graded.stdout)")
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/r/summary.json"))) as! [String: Any]
        let base = ((summary["pass_at_k_base"] as? [[String: Any]])?.first?["value"] as? Double) ?? -1
        let both = ((summary["pass_at_k"] as? [[String: Any]])?.first?["value"] as? Double) ?? -1
        #expect(base >= both && both > 0)
        let bad = try ProctorExecutable.run(["amplify", "--problems", Self.root + "/Fixtures/benchmark/problems.jsonl", "--out", amplified, "--per-task", "0"])
        #expect(bad.status == 64)
    }

    @Test func aDynamicTasksSeedIsPrintedRecordedAndReproduced() throws {
        try #require(ProctorExecutable.isBuilt)
        let dir = try Self.scratch("dynamic")
        let fixtures = Self.root + "/Fixtures/function"
        let graded = try ProctorExecutable.run([
            "grade", "--problems", fixtures + "/problems.jsonl", "--samples", fixtures + "/samples.jsonl", "--out", dir + "/r", "--k", "1",
            "--reference-cache", "none",
        ])
        #expect(graded.status == 0, "\(graded.stderr)")
        let printed = try #require(graded.stderr.split(separator: "\n").first { $0.contains("dynamic tasks use seed") })
        let seed = String(printed.split(separator: " ").last!)
        #expect(graded.stdout.contains("seed \(seed)"))
        let repro = try ProctorExecutable.run(["repro", dir + "/r/samples.jsonl", "dyn/gcd#min"])
        #expect(repro.status == 0 && repro.stdout.contains("same tests as graded: yes"), "\(repro.stdout)\(repro.stderr)")
        // Another seed faces other tests: the same verdicts, different cases.
        let other = try ProctorExecutable.run([
            "grade", "--problems", fixtures + "/problems.jsonl", "--samples", fixtures + "/samples.jsonl", "--out", dir + "/r2", "--k", "1",
            "--reference-cache", "none", "--seed", seed == "1" ? "2" : "1", "--quiet",
        ])
        #expect(other.status == 0)
        func digest(_ path: String) throws -> String? {
            let rows = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map {
                try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
            }
            return (rows.first { $0["task_id"] as? String == "dyn/gcd" }?["audit"] as? [String: Any])?["reference_sha256"] as? String
        }
        #expect(try digest(dir + "/r/samples.jsonl") != digest(dir + "/r2/samples.jsonl"))
    }
}
