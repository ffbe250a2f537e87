import Foundation
import Sandbox
import Testing

import Results

@testable import Grader

/// The pieces of stdin/stdout judging that decide without running anything: comparison modes,
/// answer extraction, the pickle reader that never unpickles, the problem formats.
@Suite struct StdioPiecesTests {
    @Test func comparisonModes() {
        #expect(OutputComparison.tokens.matches(output: "1  2\n3", expected: "1 2 3\n"))
        #expect(!OutputComparison.tokens.matches(output: "1 2", expected: "1 2 3"))
        #expect(OutputComparison.exact.matches(output: "a b\n", expected: "a b"))
        #expect(!OutputComparison.exact.matches(output: "a  b\n", expected: "a b\n"))
        let numbers = OutputComparison.numbers(tolerance: 1e-6)
        #expect(numbers.matches(output: "2.3333333", expected: "2.333333333"))
        #expect(numbers.matches(output: "1000000.5", expected: "1000000.0"))  // relative
        #expect(!numbers.matches(output: "2.33", expected: "2.333333333"))
        #expect(!numbers.matches(output: "nan", expected: "1"))
        #expect(OutputComparison.liveCodeBench.matches(output: "\n 1.50 2 \nyes\n\n", expected: "1.5 2.0\nyes"))
        #expect(!OutputComparison.liveCodeBench.matches(output: "1 2\n3", expected: "1 2 3"))  // line by line
        #expect(OutputComparison(name: "numbers:1e-9") == .numbers(tolerance: 1e-9))
        #expect(OutputComparison(name: "fuzzy") == nil)
    }

    /// LiveCodeBench reads tokens as Python's Decimal does: exact at any length, whole tokens.
    @Test func liveCodeBenchComparesExactDecimals() {
        let lcb = OutputComparison.liveCodeBench
        let big = "1" + String(repeating: "0", count: 46) + "1"
        #expect(lcb.matches(output: big, expected: big))
        #expect(!lcb.matches(output: "1" + String(repeating: "0", count: 46) + "2", expected: big))  // the 48th digit
        #expect(!lcb.matches(output: "12abc", expected: "12"))  // no numeric prefix
        #expect(lcb.matches(output: "7.000 -0 1e2 +5 1_000", expected: "7 0 100 5 1000"))
        #expect(lcb.matches(output: "0.10", expected: ".1") && lcb.matches(output: "Infinity", expected: "inf"))
        #expect(lcb.matches(output: "nan", expected: "nan"))  // the same text matches before any number is read
        #expect(!lcb.matches(output: "nan 1", expected: "NaN 1"))  // as numbers, a NaN equals nothing
        #expect(!lcb.matches(output: "1__0", expected: "10") && !lcb.matches(output: "1e", expected: "1"))
        #expect(lcb.matches(output: "\u{0663}", expected: "3"))  // an Arabic-Indic three, as Python reads it
        #expect(lcb.matches(output: "1\r\n2\r\n", expected: "1\n2"))  // \r\n split as Python splits it
        #expect(!lcb.matches(output: "1\n\n2", expected: "1\n2"))  // an inner blank line is a line
        #expect(lcb.matches(output: "\u{3000}yes\u{00A0}", expected: "yes"))  // Python's whitespace
        #expect(ExactDecimal("1e999999999999") == ExactDecimal("10e999999999998"))
    }

    @Test func fencedAnswers() {
        let answer = "Try this:\n```python\nprint(1)\n```\nor better:\n```\nprint(2)\n```\n"
        #expect(FencedCode.lastFence.extract(answer).code == "print(2)\n")
        #expect(FencedCode.firstFence.extract(answer).code == "print(1)\n")
        #expect(FencedCode.none.extract(answer).code == answer)
        #expect(FencedCode.lastFence.extract("print(3)\n") == ("print(3)\n", false))
    }

    @Test func picklesAreReadNeverUnpickled() throws {
        #expect(try PickledString.decode(base64Zlib: "eJxrYJnKywABPZwZqTk5+QrRhrFT9AA6MgWb") == "hello [1]")
        // A list, and a protocol-0 pickle: not one binary string, refused.
        #expect(throws: GradeError.self) { try PickledString.decode(base64Zlib: "eJxrYJnKwQABsVN6GBOnJOoBACKxBCQ=") }
        #expect(throws: GradeError.self) { try PickledString.decode(base64Zlib: "eJwLq+AqMODSAwAH9QGx") }
        // os.system through GLOBAL/REDUCE: refused by name.
        let evil = Array("cos\nsystem\n(S'touch /tmp/x'\ntR.".utf8)
        do {
            _ = try PickledString.decode(pickle: evil)
            Issue.record("a GLOBAL pickle was accepted")
        } catch {
            #expect(error.message.contains("GLOBAL"))
        }
        #expect(throws: GradeError.self) { try PickledString.decode(base64Zlib: "not base64!") }
    }

    static func task(_ json: String) throws -> StdioTask? {
        let object = try JSONInput.object(Array(json.utf8), file: "p.jsonl", line: 1)
        return try StdioTask.parse(object, file: "p.jsonl", line: 1)
    }

    @Test func formatsAreReadIntoOneShape() throws {
        let native = try #require(
            try Self.task(
                #"{"task_id": "a", "tests": [{"input": "1", "output": "2", "hidden": true}], "time_limit": 1.5, "compare": "exact"}"#))
        #expect(native.format == "native" && native.tests[0].hidden && native.timeLimit == 1.5 && native.comparison == .exact)
        let contests = try #require(
            try Self.task(
                #"{"name": "c", "time_limit": {"seconds": 2, "nanos": 500000000}, "memory_limit_bytes": 1048576, "public_tests": {"input": ["1"], "output": ["1"]}, "private_tests": {"input": ["2"], "output": ["2"]}}"#
            ))
        #expect(contests.tests.count == 2 && contests.tests[1].hidden && contests.timeLimit == 2.5 && contests.memoryLimit == 1_048_576)
        let apps = try #require(
            try Self.task(#"{"problem_id": 1, "input_output": "{\"inputs\": [\"x\\n\"], \"outputs\": [[\"a\", \"b\"]]}"}"#))
        #expect(apps.tests[0].output == "a\nb" && apps.format == "apps")
        let lcb = try #require(
            try Self.task(#"{"question_id": "q", "public_test_cases": "[{\"input\": \"1\", \"output\": \"1\", \"testtype\": \"stdin\"}]"}"#)
        )
        #expect(lcb.comparison == .liveCodeBench && lcb.tests.count == 1 && lcb.functionName == nil)
        let functional = try #require(
            try Self.task(
                #"{"question_id": "f", "metadata": "{\"func_name\": \"twoSum\"}", "public_test_cases": "[{\"input\": \"[1]\\n2\", \"output\": \"3\", \"testtype\": \"functional\"}]"}"#
            ))
        #expect(functional.functionName == "twoSum")
        #expect(try Self.task(#"{"task_id": "h", "prompt": "def f(): pass", "entry_point": "f", "test": "x"}"#) == nil)
        // What is not supported yet, or not right, is named with file and line.
        for bad in [
            #"{"question_id": "q", "public_test_cases": "[{\"input\": \"1\", \"output\": \"1\", \"testtype\": \"functional\"}]"}"#,
            #"{"problem_id": 1, "input_output": "{\"fn_name\": \"f\", \"inputs\": [], \"outputs\": []}"}"#,
            #"{"task_id": "a", "tests": []}"#, #"{"task_id": "a", "tests": [{"input": 1, "output": "2"}]}"#,
            #"{"task_id": "a", "tests": [{"input": "1", "output": "2"}], "compare": "fuzzy"}"#,
        ] {
            #expect(throws: GradeError.self, "\(bad)") { try Self.task(bad) }
        }
    }
}

/// `proctor grade` on stdin/stdout problems (Fixtures/stdio), with the real sandbox: every sample
/// gets the verdict the fixture names; the other formats grade too; a malicious pickle is refused.
@Suite(.serialized) struct StdioGradingTests {
    static let fixtures = Checkout.root + "/Fixtures/stdio"

    static func grade(_ problems: String, _ samples: String, allowPartial: Bool = false, revealPrivate: Bool = false) throws -> [[String:
        Any]]
    {
        try graded(problems, samples, allowPartial: allowPartial, revealPrivate: revealPrivate).rows
    }

    /// Options grading `problems` with `samples` (paths under Fixtures/stdio) into `out`: pass@1,
    /// two workers, the profile's limits.
    static func options(_ problems: String, _ samples: String, out: String) throws -> GradeOptions {
        let profile = try Checkout.profile()
        var options = GradeOptions(
            problemsPath: fixtures + "/" + problems, samplesPath: fixtures + "/" + samples, outDirectory: out, profile: profile,
            limits: profile.definition.limits)
        options.ks = [1]
        options.workers = 2
        return options
    }

    static func graded(
        _ problems: String, _ samples: String, allowPartial: Bool = false, revealPrivate: Bool = false, out: String? = nil,
        wall: TimeSpan? = nil
    ) throws -> (rows: [[String: Any]], summary: GradeSummary) {
        let out = out ?? Checkout.outDirectory(revealPrivate ? "stdio-revealed" : "stdio")
        var options = try Self.options(problems, samples, out: out)
        if let wall { options.limits.wall = wall }
        options.pool = .cold
        options.allowPartial = allowPartial
        options.stdio.revealPrivate = revealPrivate
        let summary = try Checkout.run(options)
        return (try Checkout.rows(out + "/samples.jsonl"), summary)
    }

    @Test func everySampleGetsItsVerdict() throws {
        let out = Checkout.outDirectory("stdio")
        // The wall limit `proctor grade` gives by default: the rows of before were written by it.
        let (rows, summary) = try Self.graded("problems.jsonl", "samples.jsonl", out: out, wall: TimeSpan(seconds: 3))
        try RowsBefore.expectUnchanged(out, as: "stdio")
        // pass@1 per difficulty, from the problems' own field: the mean over the easy tasks of
        // their accepted fraction.
        let easyTasks = ["stdio/sum", "stdio/echo", "stdio/reverse-lines", "stdio/hypot", "stdio/yes-no"]
        let fractions = easyTasks.map { task in
            let mine = rows.filter { $0["task_id"] as? String == task }
            return Double(mine.filter { $0["passed"] as? Bool == true }.count) / Double(mine.count)
        }
        let easy = try #require(summary.byGroup?["difficulty"]?["easy"])
        #expect(easy.tasks == easyTasks.count)
        #expect(abs((easy.passAtK["pass@1"] ?? -1) - fractions.reduce(0, +) / Double(fractions.count)) < 1e-9)
        #expect(summary.byGroup?["platform"]?["proctor"]?.tasks == 1)
        let expected = try Checkout.rows(Self.fixtures + "/expected.jsonl")
        #expect(rows.count == expected.count)
        for (row, want) in zip(rows, expected) {
            #expect(row["status"] as? String == want["status"] as? String, "\(want["task_id"]!): \(want["note"]!): \(row["error"] ?? "")")
            #expect((row["passed"] as? Bool) == (want["status"] as? String == "accepted"))
        }
        // A failing visible test shows the difference; the fenced answer was extracted.
        let wrong = try #require(rows.first { $0["task_id"] as? String == "stdio/sum" && $0["status"] as? String == "wrong_answer" })
        #expect((wrong["diff"] as? [String: String])?["expected"] == "3\n" && wrong["first_failed_test"] as? Int == 1)
        #expect(rows.contains { $0["extracted"] as? Bool == true && $0["status"] as? String == "accepted" })
        let compile = try #require(rows.first { $0["status"] as? String == "compile_error" })
        #expect(compile["tests_run"] as? Int == 0)
    }

    @Test func aGradedSampleIsJudgedAgainByRepro() throws {
        let out = Checkout.outDirectory("stdio-repro")
        let profile = try Checkout.profile()
        var options = GradeOptions(
            problemsPath: Self.fixtures + "/problems.jsonl", samplesPath: Self.fixtures + "/samples.jsonl", outDirectory: out,
            profile: profile, limits: profile.definition.limits)
        options.ks = [1]
        options.workers = 2
        _ = try Checkout.run(options)
        for (identifier, status) in [("stdio/sum#3", "wrong_answer"), ("stdio/sum#4", "accepted"), ("stdio/sum#5", "compile_error")] {
            let repro = try Repro(
                resultsPath: out + "/samples.jsonl", identifier: identifier, problemsPath: nil,
                sandboxesDirectory: Checkout.root + "/Sandboxes")
            #expect(repro.isStdio && repro.recordedStatus == status)
            let again = try repro.runStdio()
            #expect(again.status.rawValue == status, "\(identifier): \(again.tests)")
        }
    }

    @Test func otherFormatsGradeAndHiddenTestsStayHidden() throws {
        let lcb = try Self.grade("livecodebench.jsonl", "livecodebench-samples.jsonl")
        // The fourth fails a private test: `failed`, and nothing of which or how.
        #expect(lcb.map { $0["status"] as? String } == ["accepted", "wrong_answer", "accepted", "failed", "wrong_answer", "accepted"])
        #expect(lcb[3]["hidden_passed"] as? Bool == false && lcb[3]["diff"] == nil && lcb[3]["first_failed_test"] is NSNull)
        // LeetCode-style: a list subclass whose __eq__ always says yes crosses as the JSON it is ("[]").
        #expect((lcb[4]["diff"] as? [String: String])?["got"] == "[]")
        #expect(lcb[0]["tests_total"] as? Int == 2)  // the pickled private test was read
        let contests = try Self.grade("codecontests.jsonl", "codecontests-samples.jsonl")
        #expect(contests.map { $0["status"] as? String } == ["accepted", "failed"])
        // Its failing test is a private one: no input, expected or produced output in the row,
        // no error, no time or memory of it.
        #expect(contests[1]["diff"] == nil && contests[1]["error"] is NSNull && contests[1]["stderr_tail"] == nil)
        #expect(contests[1]["hidden_passed"] as? Bool == false && contests[1]["tests_run"] as? Int == 1)
        #expect((contests[1]["tests"] as? [[String: Any]])?.count == 1)
        let apps = try Self.grade("apps.jsonl", "apps-samples.jsonl")
        // Standard input, then call-based (fn_name): a function, a Solution method, a wrong one.
        // APPS/TACO's tests are all private: a wrong answer is `failed`; --reveal-private shows it.
        #expect(apps.map { $0["status"] as? String } == ["accepted", "accepted", "accepted", "failed"])
        let revealed = try Self.grade("apps.jsonl", "apps-samples.jsonl", revealPrivate: true)
        #expect(revealed.map { $0["status"] as? String } == ["accepted", "accepted", "accepted", "wrong_answer"])
        #expect(revealed[3]["first_failed_test"] as? Int != nil && revealed[3]["hidden_tests"] == nil)
    }

    /// `Fixtures/stdio/modes`: LiveCodeBench's runner (`--judge lcb`, the default for its
    /// layout) and the plain interpreter (`--judge plain`) each give the verdict the fixture
    /// says, warm and cold: the import block, `__name__`, stdin and SystemExit handling, exit
    /// semantics (threads joined, atexit handlers run, buffers flushed), exact decimals.
    @Test(arguments: [StdioOptions.JudgeMode.lcb, .plain])
    func judgeModesGiveTheReferenceVerdicts(mode: StdioOptions.JudgeMode) throws {
        let expected = try Checkout.rows(Self.fixtures + "/modes/expected.jsonl")
        for pool in [PoolMode.warm, .cold] {
            let out = Checkout.outDirectory("stdio-modes-\(mode.rawValue)-\(pool.rawValue)")
            var options = try Self.options("modes/problems.jsonl", "modes/samples.jsonl", out: out)
            options.pool = pool
            options.stdio.judge = mode == .lcb ? .auto : mode  // auto is lcb for this layout
            _ = try Checkout.run(options)
            let rows = try Checkout.rows(out + "/samples.jsonl")
            #expect(rows.count == expected.count)
            for (row, want) in zip(rows, expected) {
                let name = "\(mode.rawValue) \(pool.rawValue) \(want["completion_id"]!)"
                #expect(row["status"] as? String == want[mode.rawValue] as? String, "\(name): \(want["why"]!) — \(row["error"] ?? "")")
                #expect((row["audit"] as? [String: Any])?["judge"] as? String == mode.rawValue)
            }
        }
    }

    /// Time limits are CPU time: the same samples graded by one worker and by four times more
    /// workers than cores get the same verdicts (`Fixtures/stdio/load`), and a sample's many
    /// short tests fit LiveCodeBench's budget.
    @Test func verdictsDoNotDependOnTheMachinesLoad() throws {
        let expected = try Checkout.rows(Self.fixtures + "/load/expected.jsonl")
        let cores = ProcessInfo.processInfo.activeProcessorCount
        for workers in [1, 4 * cores] {
            let out = Checkout.outDirectory("stdio-load-\(workers)")
            var options = try Self.options("load/problems.jsonl", "load/samples.jsonl", out: out)
            options.workers = workers
            // Each sample three times: more samples than workers keep every core busy.
            let samples = try String(contentsOfFile: Self.fixtures + "/load/samples.jsonl", encoding: .utf8)
            var copies = ""
            for copy in 0..<3 {
                for line in samples.split(separator: "\n") {
                    copies += line.replacingOccurrences(of: "\"completion_id\": \"", with: "\"completion_id\": \"\(copy)-") + "\n"
                }
            }
            let samplesPath = out + "-samples.jsonl"
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            try copies.write(toFile: samplesPath, atomically: true, encoding: .utf8)
            options.samplesPath = samplesPath
            _ = try Checkout.run(options)
            let rows = try Checkout.rows(out + "/samples.jsonl")
            #expect(rows.count == 3 * expected.count)
            for (index, row) in rows.enumerated() {
                let want = expected[index % expected.count]
                #expect(
                    row["status"] as? String == want["status"] as? String,
                    "\(workers) workers: \(row["completion_id"]!): \(want["why"]!) — \(row["error"] ?? "")")
            }
        }
    }

    /// LiveCodeBench's budget for a sample, (limit + 1 s) × tests + 5 s of wall time: a program
    /// that sleeps past limit + 1 s on every test (each within its own limits) runs out of it and
    /// the row says the budget, not a test, ended the run; one under limit + 1 s always fits.
    /// (About 31 s: the budget's fixed 5 s must be spent by sleeping past limit + 1 s.)
    @Test func theSamplesBudgetEndsARunThatSleepsPastIt() throws {
        let out = Checkout.outDirectory("stdio-budget")
        _ = try Checkout.run(Self.options("budget/problems.jsonl", "budget/samples.jsonl", out: out))
        let rows = try Checkout.rows(out + "/samples.jsonl")
        let expected = try Checkout.rows(Self.fixtures + "/budget/expected.jsonl")
        #expect(rows.count == expected.count)
        for (row, want) in zip(rows, expected) {
            let name = "\(want["completion_id"]!): \(want["why"]!)"
            #expect(row["status"] as? String == want["status"] as? String, "\(name) — \(row["error"] ?? "")")
            #expect((row["budget_ended"] as? Bool ?? false) == want["budget_ended"] as? Bool, "\(name)")
        }
        let ended = try #require(rows.first { $0["completion_id"] as? String == "sleeps-past-budget" })
        #expect(ended["tests_passed"] as? Int == 6, "six tests ran and passed before the budget ran out: \(ended)")
    }

    @Test func aMaliciousPickleIsRefusedWithTheLine() throws {
        do {
            _ = try Self.grade("livecodebench-evil.jsonl", "livecodebench-samples.jsonl", allowPartial: true)
            Issue.record("the malicious pickle was accepted")
        } catch let error as GradeError {
            #expect(error.message.contains("livecodebench-evil.jsonl:1") && error.message.contains("GLOBAL"))
        }
        #expect(!FileManager.default.fileExists(atPath: "/tmp/proctor-pickle-canary"))
    }
}
