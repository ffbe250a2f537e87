import Foundation
import Sandbox
import Testing

import Results

@testable import Grader

/// Sealed problems: the file keeps prompts readable and nothing else; grading needs the key and
/// refuses an altered file; no output of a sealed run holds a hidden input or test; hostile
/// samples that try to carry their hidden inputs out get nothing through; the leakage report.
@Suite(.serialized) struct SealedTests {
    static let fixtures = Checkout.root + "/Fixtures/sealed"
    static var key: SealKey { get throws { try SealKey.read(file: fixtures + "/fixture.key") } }

    /// Distinctive pieces of the hidden tests and inputs (from the unsealed source).
    static let hiddenLiterals = [
        "quokkameridian", "QUOKKAMERIDIAN", "zephyrlantern", "marmosetcascade", "MARMOSETCASCADE", "987654321", "1357924680",
        "5550123499", "31415926535", "24681357902", "return word.upper() + '!'",
    ]

    func grade(_ problems: String, out: String, leakage: Bool = false) throws -> GradeSummary {
        let key = try Self.key
        let summary = try Checkout.grade(problems: problems, samples: Self.fixtures + "/samples.jsonl", out: out) {
            $0.sealKey = key
            $0.differential.cacheDirectory = out + "/reference-cache"
        }
        if leakage {
            _ = try LeakageReport.write(
                problems: try ProblemSet(path: problems, key: key), samplesPath: Self.fixtures + "/samples.jsonl", to: out + "/leakage.jsonl")
        }
        return summary
    }

    @Test func theSealedFileHoldsPromptsOnly() throws {
        let sealed = try String(contentsOfFile: Self.fixtures + "/problems.sealed.jsonl", encoding: .utf8)
        for literal in Self.hiddenLiterals { #expect(!sealed.contains(literal), "\(literal) is readable in the sealed file") }
        #expect(sealed.contains("The sum of the decimal digits"))  // prompts stay readable
        #expect(!sealed.contains(try String(contentsOfFile: Self.fixtures + "/fixture.key", encoding: .utf8).trimmingCharacters(in: .newlines)))
        // Sealing again with the same key reads back to the same problems.
        let directory = Checkout.outDirectory("sealed-reseal")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let out = directory + "/again.jsonl"
        _ = try SealedProblems.seal(input: Self.fixtures + "/problems.jsonl", output: out, key: try Self.key, keepPublic: ["public/add"])
        let again = try ProblemSet(path: out, key: try Self.key)
        let plain = try ProblemSet(path: Self.fixtures + "/problems.jsonl")
        #expect(again.order == plain.order)
        #expect(again.problems["sealed/shout"]?.test == plain.problems["sealed/shout"]?.test)
        #expect(again.problems["sealed/shout"]?.hidden == true && again.problems["public/add"]?.hidden == false)
    }

    @Test func gradingSealedMatchesPlainAndLeaksNothing() throws {
        let out = Checkout.outDirectory("sealed-run")
        let summary = try grade(Self.fixtures + "/problems.sealed.jsonl", out: out, leakage: true)
        try RowsBefore.expectUnchanged(out, as: "sealed")
        let plainOut = Checkout.outDirectory("sealed-plain")
        _ = try Checkout.grade(problems: Self.fixtures + "/problems.jsonl", samples: Self.fixtures + "/samples.jsonl", out: plainOut)
        let rows = try Checkout.rows(out + "/samples.jsonl")
        let plainRows = try Checkout.rows(plainOut + "/samples.jsonl")
        let expected = try Checkout.rows(Self.fixtures + "/expected.jsonl")
        for ((row, plain), want) in zip(zip(rows, plainRows), expected) {
            let name = "\(want["task_id"]!)#\(want["completion_id"]!)"
            let hidden = (want["task_id"] as! String).hasPrefix("sealed/")
            #expect((row["hidden"] as? Bool ?? false) == hidden, "\(name)")
            #expect(row["passed"] as? Bool == plain["passed"] as? Bool, "\(name): sealed and plain differ")
            if hidden {
                // Passed or failed, and nothing else a run decides (HiddenRecord's allowlist).
                #expect(row["status"] as? String == (plain["passed"] as? Bool == true ? "passed" : "failed"), "\(name)")
                let allowed: Set<String> = [
                    "task_id", "completion_id", "completion", "passed", "status", "result", "hidden", "audit", "base_passed", "plus_passed",
                    "schema_version",  // the same constant in every row: it says nothing of the run
                ]
                #expect(Set(row.keys).subtracting(allowed).isEmpty, "\(name): \(Set(row.keys).subtracting(allowed))")
                let audit = row["audit"] as? [String: Any] ?? [:]
                #expect(audit["timestamp"] == nil && audit["isolation"] == nil && audit["program_sha256"] == nil, "\(name)")
            } else {
                #expect(row["status"] as? String == want["status"] as? String, "\(name): \(row["result"] ?? "")")
                #expect(row["status"] as? String == plain["status"] as? String, "\(name): sealed and plain differ")
            }
        }
        // Public and hidden pass rates apart.
        let visibility = try #require(summary.byGroup?["visibility"])
        #expect(visibility["hidden"]?.tasks == 2 && visibility["public"]?.tasks == 1)
        // No output holds a hidden input or test, except where a sample's own code does (a row
        // carries its sample's fields); the reference cache was not written for hidden tasks.
        let samplesText = try String(contentsOfFile: Self.fixtures + "/samples.jsonl", encoding: .utf8)
        let outputs = try FileManager.default.subpathsOfDirectory(atPath: out).map { out + "/" + $0 }
            .filter { !$0.hasSuffix("samples.jsonl") || true }
        var checked = 0
        for path in outputs {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
            for literal in Self.hiddenLiterals where !samplesText.contains(literal) {
                #expect(!text.contains(literal), "\(literal) found in \(path)")
                checked += 1
            }
        }
        #expect(checked > 0)
        let cacheFiles = (try? FileManager.default.contentsOfDirectory(atPath: out + "/reference-cache")) ?? []
        #expect(cacheFiles.isEmpty, "hidden reference results were cached on disk: \(cacheFiles)")
        // The samples that print, raise with or exit with their inputs: nothing of it in rows.
        for row in rows where row["hidden"] as? Bool == true {
            let text = String(decoding: try JSONSerialization.data(withJSONObject: row.filter { $0.key != "completion" }), as: UTF8.self)
            #expect(!text.contains("INPUT") && !text.contains("saw ") && !text.contains("Leak_"), "\(row["completion_id"]!): \(text)")
        }
        // Leakage: the sample holding the hidden asserts and the lookup table are flagged; the
        // correct ones (which share short runs with the reference) are not; no fragment quoted.
        let leakage = try Checkout.rows(out + "/leakage.jsonl")
        for (row, want) in zip(leakage, expected) {
            #expect(row["flagged"] as? Bool == want["leakage_flagged"] as? Bool, "\(want["completion_id"]!)")
            for match in row["matches"] as? [[String: Any]] ?? [] where row["hidden"] as? Bool == true {
                #expect(match["fragment"] == nil)
            }
        }
    }

    @Test func alteredFilesAndWrongKeysAreRefused() throws {
        let lines = try String(contentsOfFile: Self.fixtures + "/problems.sealed.jsonl", encoding: .utf8).split(separator: "\n").map(String.init)
        func refused(_ name: String, _ changed: [String], key: SealKey? = nil, _ words: String) throws {
            let path = try Checkout.file(name, changed)
            do {
                _ = try ProblemSet(path: path, key: try key ?? Self.key)
                Issue.record("\(name) was accepted")
            } catch {
                #expect("\(error)".contains(words), "\(name): \(error)")
            }
        }
        // One character of the ciphertext changed.
        var flipped = lines
        let range = flipped[1].range(of: "\"sealed\":\"")!
        var characters = Array(flipped[1])
        let index = flipped[1].distance(from: flipped[1].startIndex, to: range.upperBound) + 5
        characters[index] = characters[index] == "A" ? "B" : "A"
        flipped[1] = String(characters)
        try refused("flipped.jsonl", flipped, "fails authentication")
        // A prompt swapped in (the visible fields are authenticated too).
        try refused("prompt.jsonl", [lines[0], lines[1].replacingOccurrences(of: "in capitals", with: "in lowercase")] + lines[2...], "fails authentication")
        // A sealed problem dropped, a public one edited.
        try refused("dropped.jsonl", [lines[0], lines[1], lines[3]], "added, removed")
        try refused("public.jsonl", lines.dropLast() + [lines[3].replacingOccurrences(of: "== 5", with: "== 6")], "added, removed")
        // Another key; no key at all.
        try refused("other-key.jsonl", lines, key: SealKey.generate(), "sealed with key")
        do {
            _ = try ProblemSet(path: Self.fixtures + "/problems.sealed.jsonl")
            Issue.record("a sealed file was read without a key")
        } catch {
            #expect(error.description.contains("--key-file"))
        }
    }

    /// Hidden samples' time and memory reach the summary only as medians and 90th percentiles
    /// over at least 20 of them; public samples' distributions never include them.
    @Test func hiddenTimeAndMemoryAreOnlyARunLevelAggregate() {
        var accumulator = SummaryAccumulator()
        accumulator.add(task: "public", status: .passed, passed: true, wallMs: 3, cpuMs: 2, rssKiB: 100, reused: false)
        for index in 0..<(HiddenRecord.aggregateMinimum - 1) {
            accumulator.add(
                task: "hidden", status: .failed, passed: false, wallMs: Double(1000 + index), cpuMs: 5, rssKiB: 9000, reused: false, hidden: true)
        }
        let base = GradeSummary.empty(problems: "p", samples: "s", profile: "x", profileSHA256: "", workers: 1, proctorVersion: "t")
        var summary = accumulator.summary(ks: [1], base: base)
        #expect(summary.hiddenAggregate == nil)
        #expect(summary.latencyMs?.max == 3 && summary.peakRssKiB?.max == 100)
        accumulator.add(task: "hidden", status: .failed, passed: false, wallMs: 5000, cpuMs: 5, rssKiB: 9000, reused: false, hidden: true)
        summary = accumulator.summary(ks: [1], base: base)
        let aggregate = try? #require(summary.hiddenAggregate)
        #expect(aggregate?.samples == HiddenRecord.aggregateMinimum)
        // The slowest hidden sample (5,000 ms) is no figure of its own.
        #expect((aggregate?.latencyMs.p90 ?? 5000) < 5000 && summary.latencyMs?.max == 3)
        #expect(summary.samplesGraded == HiddenRecord.aggregateMinimum + 1)
    }
}
