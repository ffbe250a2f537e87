import Foundation
import Results
import Sandbox

/// Judges one sample of a stdin/stdout problem as an online judge does: the program's syntax
/// first (a syntax error is `compile_error`, no test runs), then each test case as its own
/// sandboxed process — stdin from the test's input, stdout captured up to the output limit,
/// the problem's time limit (times `--time-scale`) applied to CPU time with a wall clock of
/// twice that plus a second — compared in the grader (`OutputComparison`, or the problem's
/// checker, run sandboxed too). The program runs plainly or inside LiveCodeBench's runner
/// (`JudgeMode`). It never sees an expected output or another test's input. Stops at the
/// first failing test unless `allTests`; a sample's tests together get LiveCodeBench's wall
/// budget, (limit + 1 s) × tests + 5 s, so a program that sleeps just under the limit on every
/// test cannot hold a worker for ever.
struct StdioJudge {
    let sandbox: Sandbox
    let limits: ResourceLimits
    let options: StdioOptions
    /// The worker's warm pool: test cases (and the syntax check) are forked from it; nil: cold.
    var pool: WarmPool? = nil
    /// LiveCodeBench's runner (`loadLCBRunner`), for `lcb` mode.
    var lcbRunner: String? = nil
    /// The sample's language when it is not Python: compiled once (or found compiled in
    /// `artifacts`), then each test runs the program under the language's run profile.
    var language: LanguageRuntime? = nil
    var artifacts: ArtifactCache? = nil

    /// One run, in the pool when there is one (it falls back to a cold run itself).
    func run(_ request: RunRequest) -> Outcome { pool?.run(request) ?? sandbox.run(request) }

    /// The judge's verdicts: `accepted`, `wrongAnswer`, `timeLimit`, `memoryLimit`,
    /// `runtimeError`, `outputLimit`, `compileError`, `blockedSyscall`, `internalError` of the
    /// one vocabulary.
    typealias Verdict = SampleStatus

    struct TestResult {
        var verdict: Verdict
        var outcome: Outcome?
        var detail: String?
        /// The sample's time budget, not this test, ended the run.
        var budgetEnded = false
    }

    /// The program one test runs: the sample's own code (plain), LiveCodeBench's runner around
    /// it (`lcb`), or a functional driver around it.
    func program(_ code: String, task: StdioTask) -> String {
        if mode(task) == .lcb, let runner = lcbRunner {
            let encoded = Data(code.utf8).base64EncodedString()
            let kind = task.functionName == nil ? "stdin" : "functional"
            return runner + "\n_proctor_lcb(\"\(kind)\", \"\(task.functionName ?? "")\", \"\(encoded)\")\n"
        }
        return task.functionName.map { Self.functionalProgram(code, function: $0) } ?? code
    }

    /// What LiveCodeBench's runner imports on every test case (its import block, its AST
    /// rewrite, its guard): a warm pool loads them once.
    static let lcbModules = [
        "ast", "base64", "copy", "datetime", "io", "json", "operator", "shutil", "statistics", "subprocess", "types",
    ]

    /// `Sandboxes/python/lcb_runner.py` of the profile's sandboxes directory (nil if missing:
    /// then `lcb` mode is refused when the grade starts).
    static func loadLCBRunner(_ profile: SandboxProfile) -> String? {
        try? String(contentsOfFile: profile.sandboxesDirectory + "/python/lcb_runner.py", encoding: .utf8)
    }

    /// A test's time limit in milliseconds: the problem's (times `--time-scale`), else the grade's.
    func timeLimitMs(_ task: StdioTask) -> Double {
        if let seconds = task.timeLimit, seconds > 0 { return seconds * options.timeScale * 1000 }
        return Double(limits.wall.milliseconds)
    }

    /// Limits for one test. The time limit is CPU time, as online judges apply it, so a loaded
    /// machine does not turn a program into a timeout; the wall clock gets twice the limit plus
    /// a second, which catches a program that sleeps or blocks. The problem's memory; the whole
    /// output captured.
    func testLimits(_ task: StdioTask) -> ResourceLimits {
        var perTest = limits
        let limitMs = timeLimitMs(task)
        perTest.cpu = TimeSpan(milliseconds: UInt64(limitMs.rounded(.up)))
        perTest.wall = TimeSpan(milliseconds: UInt64((2 * limitMs + 1000).rounded(.up)))
        if let memory = task.memoryLimit, memory > 0 { perTest.memory = ByteCount(bytes: memory) }
        perTest.captureBytes = perTest.outputLimit
        return perTest
    }

    /// The wall-clock time a sample's tests may take together: LiveCodeBench's rule for a
    /// sample, (limit + 1 s) × tests + 5 s, for every layout (a program that passes each test
    /// within its limit always fits).
    func budgetMs(_ task: StdioTask) -> Double { (timeLimitMs(task) + 1000) * Double(task.tests.count) + 5000 }

    /// The judge mode a problem gets: `lcb` for LiveCodeBench's layout unless the grade chose.
    func mode(_ task: StdioTask) -> StdioOptions.JudgeMode {
        options.judge != .auto ? options.judge : task.format == "livecodebench" ? .lcb : .plain
    }

    /// The judged sample: `results[i]` is the verdict of `task.tests[order[i]]`.
    struct Judged {
        var results: [TestResult]
        var compile: TestResult?
        /// A compiled language's compile step: wall time (0 when the program was cached).
        var compileMs: Double? = nil
        var compileCached: Bool? = nil
        /// The order the tests ran in: every public test before any hidden one, so nothing a
        /// hidden test does (fail, use up the budget) decides which public tests run or what
        /// they measure, and a public test's result never points at a hidden failure.
        var order: [Int]
    }

    func judge(code: String, task: StdioTask) -> Judged {
        if let language { return judgeCompiled(code: code, task: task, language: language) }
        let perTest = testLimits(task)
        let order = task.runOrder(revealPrivate: options.revealPrivate)
        if let failure = compileCheck(code, limits: perTest) { return Judged(results: [], compile: failure, order: order) }
        let program = self.program(code, task: task)
        let warmModules = mode(task) == .lcb && lcbRunner != nil ? Self.lcbModules : []
        return runTests(task, order: order) { test in
            var request = RunRequest(source: program, programName: "program.py", stdin: Array(test.input.utf8), limits: perTest)
            request.limits = perTest
            request.warmModules = warmModules
            return run(request)
        }
    }

    /// A sample in a compiled (or checked) language: its compile step, then every test running
    /// the program the step made, under the language's run profile with the test's limits.
    func judgeCompiled(code: String, task: StdioTask, language: LanguageRuntime) -> Judged {
        let perTest = testLimits(task)
        let order = task.runOrder(revealPrivate: options.revealPrivate)
        guard task.functionName == nil else {
            let detail = "\(language.definition.name): functional (call-based) tasks are judged in Python only"
            return Judged(results: [], compile: TestResult(verdict: .internalError, detail: detail), order: order)
        }
        switch language.compile(code, cache: artifacts ?? ArtifactCache(limitBytes: 0)) {
        case .error(let message, let milliseconds, let outcome):
            return Judged(
                results: [], compile: TestResult(verdict: .compileError, outcome: outcome, detail: message), compileMs: milliseconds,
                compileCached: outcome == nil, order: order)
        case .failure(let message, let outcome):
            return Judged(results: [], compile: TestResult(verdict: .internalError, outcome: outcome, detail: message), order: order)
        case .program(let program, let milliseconds, let cached):
            var judged = runTests(task, order: order) { test in language.run(program, stdin: Array(test.input.utf8), limits: perTest) }
            judged.compileMs = milliseconds
            judged.compileCached = cached
            return judged
        }
    }

    /// Runs the tests in `order`, one `run` each, within the sample's budget; stops at the
    /// first failure unless `allTests`.
    func runTests(_ task: StdioTask, order: [Int], run: (StdioTask.Test) -> Outcome) -> Judged {
        var budgetMs = budgetMs(task)
        var results: [TestResult] = []
        let limitMs = timeLimitMs(task)
        for test in order.map({ task.tests[$0] }) {
            guard budgetMs > 0 else {
                results.append(TestResult(verdict: .timeLimit, outcome: nil, detail: Self.budgetEnded, budgetEnded: true))
                if !options.allTests { break }
                continue
            }
            let outcome = run(test)
            budgetMs -= outcome.wallMs
            var result = classify(outcome, limitMs: limitMs)
            if result.verdict == .accepted { result = compare(outcome.stdout, test: test, task: task) }
            result.outcome = outcome
            results.append(result)
            if result.verdict != .accepted && !options.allTests { break }
        }
        return Judged(results: results, compile: nil, order: order)
    }

    static let budgetEnded = "the sample's time budget ((limit + 1 s) × tests + 5 s of wall time) ran out before this test"

    /// The verdict an outcome gets before its output is compared. Over the CPU limit is a time
    /// limit however the run ended (the rlimit counts whole seconds; the limit does not).
    func classify(_ outcome: Outcome, limitMs: Double) -> TestResult {
        if outcome.cpuMs > limitMs, !outcome.runStatus.isInternalError {
            return TestResult(verdict: .timeLimit, detail: String(format: "CPU %.0f ms over the %.0f ms limit", outcome.cpuMs, limitMs))
        }
        // SIGXCPU is the kernel's CPU rlimit (no run may send it): a time limit whatever the
        // rusage says — under load it was seen reporting less CPU than the limit it hit.
        if outcome.signalName == "SIGXCPU" {
            return TestResult(verdict: .timeLimit, detail: String(format: "CPU limit (SIGXCPU at %.0f ms measured)", outcome.cpuMs))
        }
        switch outcome.runStatus {
        case .exited(0):
            return TestResult(verdict: .accepted)
        case .timeout:
            return TestResult(
                verdict: .timeLimit, detail: String(format: "wall clock %.0f ms (CPU %.0f ms): sleeping or blocked", outcome.wallMs, outcome.cpuMs))
        case .memoryLimit: return TestResult(verdict: .memoryLimit, detail: outcome.statusText)
        case .outputLimit: return TestResult(verdict: .outputLimit, detail: outcome.statusText)
        case .blockedSyscall: return TestResult(verdict: .blockedSyscall, detail: outcome.blockedSyscall)
        case .internalError: return TestResult(verdict: .internalError, detail: outcome.error)
        default:
            // A MemoryError the sandbox did not measure (printed, raised by hand, one refused
            // huge allocation) is the program's own error, never memory_limit.
            let exception = Self.exceptionLine(outcome.stderr)
            return TestResult(verdict: .runtimeError, detail: exception ?? outcome.statusText)
        }
    }

    /// The exception a traceback ends with (`ValueError: …`).
    static func exceptionLine(_ stderr: String) -> String? {
        stderr.split(separator: "\n").reversed().map { $0.trimmingCharacters(in: .whitespaces) }.first { line in
            line.range(of: #"^[A-Za-z_][A-Za-z0-9_.]*(Error|Exception|Exit|Interrupt)\b"#, options: .regularExpression) != nil
        }
    }

    /// A LeetCode-style test's program: the imports LiveCodeBench puts before a solution, the
    /// sample's code, then a driver that calls the function (a `Solution` method when there is
    /// such a class) with the JSON arguments on stdin, one per line, and prints the result as
    /// JSON. The result is compared in the grader as data: nothing the program defines (an
    /// object whose `__eq__` always says yes) takes part in the comparison.
    static func functionalProgram(_ code: String, function: String) -> String {
        let prelude = """
            from typing import *
            import bisect, collections, copy, functools, heapq, itertools, math, random, re, string
            from collections import Counter, defaultdict, deque, OrderedDict
            from functools import lru_cache, reduce, cache
            from heapq import heappush, heappop, heapify
            from itertools import accumulate, combinations, permutations, product
            from math import inf, gcd, sqrt, ceil, floor, log, comb

            """
        let driver = """

            def __proctor_functional():
                import json, sys
                arguments = [json.loads(line) for line in sys.stdin.read().split("\\n") if line.strip()]
                holder = globals().get("Solution")
                target = getattr(holder(), "\(function)") if isinstance(holder, type) else globals()["\(function)"]
                sys.stdout.write(json.dumps(target(*arguments)))
            __proctor_functional()
            """
        return prelude + code + "\n" + driver
    }

    func compare(_ output: String, test: StdioTask.Test, task: StdioTask) -> TestResult {
        if let checker = task.checker { return check(output, test: test, checker: checker) }
        if task.functionName != nil {
            // Both sides as JSON values; numbers equal as numbers (1 == 1.0), tuples came out as lists.
            let options: JSONSerialization.ReadingOptions = [.fragmentsAllowed]
            guard let got = try? JSONSerialization.jsonObject(with: Data(output.utf8), options: options) as? NSObject,
                let want = try? JSONSerialization.jsonObject(with: Data(test.output.utf8), options: options) as? NSObject
            else { return TestResult(verdict: .wrongAnswer, detail: "the result is not JSON") }
            if got.isEqual(want) { return TestResult(verdict: .accepted) }
            if task.unwrapsExpected, let list = want as? [Any], list.count == 1, let only = list.first as? NSObject, got.isEqual(only) {
                return TestResult(verdict: .accepted)
            }
            return TestResult(verdict: .wrongAnswer)
        }
        return task.comparison.matches(output: output, expected: test.output)
            ? TestResult(verdict: .accepted) : TestResult(verdict: .wrongAnswer)
    }

    /// The problem's checker, sandboxed: `checker INPUT OUTPUT ANSWER` (files beside it), exit 0
    /// accepts, 1 or 2 (testlib's wrong answer / presentation error) reject, anything else is
    /// the checker's failure, not the sample's.
    func check(_ output: String, test: StdioTask.Test, checker: String) -> TestResult {
        var request = RunRequest(source: checker, programName: "checker.py", arguments: ["../input.txt", "../output.txt", "../answer.txt"], limits: limits)
        request.files = ["input.txt": Array(test.input.utf8), "output.txt": Array(output.utf8), "answer.txt": Array(test.output.utf8)]
        let outcome = sandbox.run(request)
        switch (outcome.status, outcome.exitCode) {
        case ("exited", 0): return TestResult(verdict: .accepted)
        case ("exited", 1), ("exited", 2): return TestResult(verdict: .wrongAnswer, detail: String(outcome.stdout.prefix(200)))
        default: return TestResult(verdict: .internalError, detail: "the checker failed: \(outcome.statusText) \(outcome.stderr.suffix(300))")
        }
    }

    /// The program compiled, sandboxed, before any test: a syntax error is one verdict for the
    /// sample, not one runtime error per test.
    func compileCheck(_ code: String, limits: ResourceLimits) -> TestResult? {
        // The program arrives on stdin, so the check is a plain run the warm pool can serve.
        let checker = """
            import sys
            try:
                compile(sys.stdin.buffer.read(), "program.py", "exec")
            except BaseException as error:
                print("%s: %s (line %s)" % (type(error).__name__, getattr(error, "msg", error), getattr(error, "lineno", "?")))
                sys.exit(3)
            """
        let outcome = run(RunRequest(source: checker, programName: "compile_check.py", stdin: Array(code.utf8), limits: limits))
        if case .exited(0) = outcome.runStatus { return nil }
        // Only the sandbox failing is ours; anything compiling the program raised or ran into
        // (a recursion or memory error, a limit, a crash of the compiler) is the program's.
        if outcome.runStatus.isInternalError {
            return TestResult(verdict: .internalError, outcome: outcome, detail: "the syntax check failed: \(outcome.statusText)")
        }
        let detail = outcome.exitCode == 3 ? outcome.stdout.trimmingCharacters(in: .whitespacesAndNewlines) : outcome.statusText
        return TestResult(verdict: .compileError, outcome: outcome, detail: detail)
    }
}

/// How stdin/stdout problems are judged (`proctor grade` flags).
public struct StdioOptions: Sendable, Hashable, Codable {
    /// Which part of a chat answer is the program.
    public var extract: FencedCode = .lastFence
    /// Multiplies each problem's time limit.
    public var timeScale = 1.0
    /// Run every test (and report the fraction passed) instead of stopping at the first failure.
    public var allTests = false
    /// How a program runs on a test: `plain` (`python3 program.py < input`), `lcb`
    /// (LiveCodeBench's runner, `Sandboxes/python/lcb_runner.py`), `auto` (lcb for LiveCodeBench's
    /// layout, plain otherwise).
    public var judge: JudgeMode = .auto

    public enum JudgeMode: String, Sendable, Hashable, Codable, CaseIterable {
        case auto, lcb, plain
    }

    /// Treat private tests (LiveCodeBench's private, CodeContests' private and generated,
    /// APPS/TACO's, native `hidden: true`) as public: their verdicts, diffs and measurements in
    /// rows. For a user who owns the data; a sealed problem stays hidden regardless.
    public var revealPrivate = false
    /// The language of samples that name none (`--language`); nil: Python.
    public var language: String? = nil

    public init() {}

    var keyText: String {
        "\(extract.rawValue)|\(timeScale)|\(allTests)" + (revealPrivate ? "|reveal-private" : "") + "|judge-\(judge.rawValue)|cpu-limits"
            + (language.map { "|language-\($0)" } ?? "")
    }

    enum CodingKeys: String, CodingKey {
        case extract, timeScale, allTests, revealPrivate, judge, language
    }

    /// Settings stored before `revealPrivate` existed read as not revealing.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        extract = try container.decode(FencedCode.self, forKey: .extract)
        timeScale = try container.decode(Double.self, forKey: .timeScale)
        allTests = try container.decode(Bool.self, forKey: .allTests)
        revealPrivate = try container.decodeIfPresent(Bool.self, forKey: .revealPrivate) ?? false
        judge = try container.decodeIfPresent(JudgeMode.self, forKey: .judge) ?? .auto
        language = try container.decodeIfPresent(String.self, forKey: .language)
    }
}
