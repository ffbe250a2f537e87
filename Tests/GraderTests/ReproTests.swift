import Foundation
import Sandbox
import Testing

import Results

@testable import Grader

/// `proctor repro`'s engine: rebuild, prove, rerun, compare.
@Suite(.serialized)
struct ReproTests {
    private func gradedFixture() throws -> String {
        let samples = try Checkout.file(
            "samples.jsonl",
            [
                #"{"task_id": "Fixture/2", "completion": "    return 1 / 0\n"}"#,
                #"{"task_id": "Fixture/2", "completion": "    return text.lower() == text.lower()[::-1]\n"}"#,
            ])
        let out = Checkout.outDirectory("repro")
        _ = try Checkout.grade(problems: Checkout.benchmark + "/problems.jsonl", samples: samples, out: out, allowPartial: true)
        return out + "/samples.jsonl"
    }

    @Test func rerunMatchesTheRecordedVerdict() throws {
        let results = try gradedFixture()
        let repro = try Repro(
            resultsPath: results, identifier: "Fixture/2#0", problemsPath: nil, sandboxesDirectory: Checkout.root + "/Sandboxes")
        #expect(repro.recordedStatus == "failed")
        #expect(repro.warnings.isEmpty)
        let (outcome, verdict) = try repro.run()
        #expect(verdict.status == .failed)
        #expect(verdict.errorType == "ZeroDivisionError")
        #expect(outcome.stderr.contains("ZeroDivisionError"))
        let passing = try Repro(
            resultsPath: results, identifier: "Fixture/2#1", problemsPath: nil, sandboxesDirectory: Checkout.root + "/Sandboxes")
        #expect(try passing.run().verdict.status == .passed)
    }

    @Test func keepWritesTheProgramAndARerunCommand() throws {
        let results = try gradedFixture()
        let repro = try Repro(
            resultsPath: results, identifier: "Fixture/2#0", problemsPath: nil, sandboxesDirectory: Checkout.root + "/Sandboxes")
        let directory = Checkout.outDirectory("keep")
        try repro.keep(in: directory, proctor: "proctor")
        let program = try String(contentsOfFile: directory + "/program.py", encoding: .utf8)
        #expect(Digest.sha256(program) == repro.program.sha256)
        let script = try String(contentsOfFile: directory + "/rerun.sh", encoding: .utf8)
        #expect(script.contains(" run --sandboxes /"), "rerun.sh works from any directory")
        #expect(script.contains("--profile python-strict --time 3s --wall 3s --memory 256MiB"))
        #expect(script.contains(directory + "/program.py"))
    }

    @Test func tamperedRowIsRefused() throws {
        let results = try gradedFixture()
        let text = try String(contentsOfFile: results, encoding: .utf8)
        try text.replacingOccurrences(of: "return 1 / 0", with: "return 2 / 0").write(toFile: results, atomically: true, encoding: .utf8)
        #expect {
            _ = try Repro(
                resultsPath: results, identifier: "Fixture/2#0", problemsPath: nil, sandboxesDirectory: Checkout.root + "/Sandboxes")
        } throws: { error in
            "\(error)".contains("differs from the recorded")
        }
    }

    @Test func unknownIdentifierIsNamed() throws {
        let results = try gradedFixture()
        #expect {
            _ = try Repro(
                resultsPath: results, identifier: "Fixture/9#9", problemsPath: nil, sandboxesDirectory: Checkout.root + "/Sandboxes")
        } throws: { error in
            "\(error)".contains("no row for Fixture/9#9")
        }
    }
}
