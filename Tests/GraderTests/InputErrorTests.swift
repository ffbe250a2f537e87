import Foundation
import Results
import Testing

@testable import Grader

/// Bad input is refused before anything runs, with the file and line.
struct InputErrorTests {
    let problems = Checkout.benchmark + "/problems.jsonl"

    private func error(samples lines: [String], allowPartial: Bool = true) throws -> String? {
        let samples = try Checkout.file("samples.jsonl", lines)
        do {
            _ = try Checkout.grade(problems: problems, samples: samples, out: Checkout.outDirectory("errors"), allowPartial: allowPartial)
            return nil
        } catch {
            return "\(error)".replacingOccurrences(of: samples, with: "samples.jsonl")
        }
    }

    @Test func malformedJSONNamesFileAndLine() throws {
        let message = try #require(try error(samples: [#"{"task_id": "Fixture/0", "completion": "x"}"#, #"{"task_id": "Fixture/0", "#]))
        #expect(message.hasPrefix("samples.jsonl:2: malformed JSON"))
    }

    @Test func missingFieldsAreNamed() throws {
        #expect(try error(samples: [#"{"completion": "x"}"#]) == "samples.jsonl:1: missing field 'task_id'")
        #expect(try error(samples: [#"{"task_id": "Fixture/0"}"#])?.hasPrefix("samples.jsonl:1: missing field 'completion'") == true)
    }

    @Test func wrongTypesAndInvalidUTF8AreNamedAsSuch() throws {
        #expect(try error(samples: [#"{"task_id": "Fixture/0", "completion": 42}"#]) == "samples.jsonl:1: 'completion' must be a string (it is a number)")
        let path = try Checkout.file("samples.jsonl", [])
        try Data(#"{"task_id": "Fixture/0", "completion": "caf"#.utf8 + [0xE9] + #""}"#.utf8 + [10]).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: GradeError.self) {
            _ = try Checkout.grade(problems: problems, samples: path, out: Checkout.outDirectory("errors"), allowPartial: true)
        }
        #expect(error?.description == "\(path):1: invalid UTF-8 at byte 44 of the line (0xe9)", "\(String(describing: error))")
    }

    @Test func unknownTaskIsRefused() throws {
        let message = try #require(
            try error(samples: [#"{"task_id": "Fixture/0", "completion": "x"}"#, "", #"{"task_id": "Nope/1", "completion": "x"}"#]))
        #expect(message.hasPrefix("samples.jsonl:3: unknown task_id 'Nope/1'"))
    }

    @Test func duplicateCompletionIDIsRefused() throws {
        let message = try #require(
            try error(samples: [
                #"{"task_id": "Fixture/0", "completion": "x", "completion_id": 7}"#,
                #"{"task_id": "Fixture/0", "completion": "y", "completion_id": "7"}"#,
            ]))
        #expect(message == "samples.jsonl:2: duplicate completion_id '7' for Fixture/0 (first on line 1)")
    }

    @Test func missingTasksAreRefusedUnlessPartialIsAllowed() throws {
        let lines = [#"{"task_id": "Fixture/0", "completion": "    return a + b\n"}"#]
        let message = try #require(try error(samples: lines, allowPartial: false))
        #expect(message.contains("no samples for 12 of 13 tasks"))
        #expect(message.contains("--allow-partial"))
        #expect(try error(samples: lines, allowPartial: true) == nil)
    }

    @Test func aTruncatedGzipFileIsAnErrorEvenWhenCutAtALineEnd() throws {
        // Every line intact, only gzip's trailer (CRC and size) missing: still not the whole file.
        let lines = (0..<13).map { #"{"task_id": "Fixture/\#($0)", "completion": "    return 1\n"}"# }
        let plain = try Checkout.file("samples.jsonl", lines)
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gzip.arguments = ["-kf", plain]
        try gzip.run()
        gzip.waitUntilExit()
        let whole = try Data(contentsOf: URL(fileURLWithPath: plain + ".gz"))
        let cut = plain + ".cut.gz"
        try whole.dropLast(8).write(to: URL(fileURLWithPath: cut))
        #expect(throws: GradeError.self) { _ = try SampleFile(path: cut, problems: try ProblemSet(path: problems)) }
        let error = #expect(throws: GradeError.self) {
            _ = try Checkout.grade(problems: problems, samples: cut, out: Checkout.outDirectory("errors"))
        }
        #expect(error?.description.contains("\(cut): truncated or corrupt") == true, "\(error?.description ?? "")")
        // The intact file grades.
        #expect(try Checkout.grade(problems: problems, samples: plain + ".gz", out: Checkout.outDirectory("gz")).samplesGraded == 13)
    }

    @Test func malformedProblemNamesItsLine() throws {
        let bad = try Checkout.file("problems.jsonl", [#"{"task_id": "T/0", "prompt": "def f():\n", "entry_point": "f"}"#])
        let samples = try Checkout.file("samples.jsonl", [#"{"task_id": "T/0", "completion": "x"}"#])
        #expect {
            _ = try Checkout.grade(problems: bad, samples: samples, out: Checkout.outDirectory("errors"))
        } throws: { error in
            "\(error)".hasPrefix("\(bad):1: missing field 'test'")
        }
    }
}
