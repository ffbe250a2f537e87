import Foundation
import Sandbox

/// `proctor amplify`: derives more inputs for every function task, EvalPlus's way. In one
/// sandboxed run per task (the reference is code too) the original tests run against the
/// reference while the tester records the inputs they call it with; those become `base_input`.
/// Then the tester mutates them, type-aware (ints, floats, strings, lists, dicts, nested;
/// boundary values, signs, lengths), and keeps a mutant when the reference answers it within
/// the budget without raising (outside the prompt's contract it raises) and gives the same
/// answer twice; deduplicated, these become `plus_input`. A task that cannot be amplified (no
/// reference, inputs JSON cannot carry) is written unchanged and reported.
public struct Amplifier: Sendable {
    public var perTask = 20
    public var seed: UInt64 = 0
    /// Seconds the reference may take on one mutant.
    public var budget = 1.0
    public var workers = 2

    public init() {}

    public struct TaskReport: Sendable {
        public var taskID: String
        public var base: Int
        public var plus: Int
        /// Why the task was written unchanged (nil: amplified).
        public var skipped: String?
    }

    /// Amplifies every problem of `problemsPath` into `outPath` (file order kept).
    public func run(problemsPath: String, outPath: String, profile: SandboxProfile, limits: ResourceLimits) throws(GradeError)
        -> [TaskReport]
    {
        let reader = try JSONLines(path: problemsPath)
        var read: [(number: Int, bytes: [UInt8])] = []
        while let (number, bytes) = try reader.next() { read.append((number, bytes)) }
        guard !read.isEmpty else { throw GradeError("\(problemsPath): no problems in file") }
        var parsed: [Problem] = []
        for line in read {
            if line.number == 1, let object = try? JSONInput.object(line.bytes, file: problemsPath, line: 1), SealedProblems.isHeader(object) {
                throw GradeError("\(problemsPath) is sealed: amplify the plain problems file, then seal the result")
            }
            parsed.append(try Problem.parse(line.bytes, file: problemsPath, line: line.number))
        }
        let sandbox: Sandbox
        do {
            sandbox = try Sandbox(profile: profile)
        } catch {
            throw GradeError("sandbox: \(error)")
        }
        let (lines, problems) = (read, parsed)
        let results = Results(count: lines.count)
        let next = Counter()
        let threads = (0..<max(1, workers)).map { _ in
            Thread {
                while let index = next.take(below: lines.count) {
                    results.set(index, amplify(problems[index], line: lines[index].bytes, sandbox: sandbox, limits: limits))
                }
            }
        }
        threads.forEach { $0.start() }
        while threads.contains(where: { !$0.isFinished }) { Thread.sleep(forTimeInterval: 0.01) }
        var out: [UInt8] = []
        var reports: [TaskReport] = []
        for (index, line) in lines.enumerated() {
            let (bytes, report) = results.get(index) ?? (line.bytes, TaskReport(taskID: problems[index].taskID, base: 0, plus: 0, skipped: "not run"))
            out += bytes + [UInt8(ascii: "\n")]
            reports.append(report)
        }
        try AtomicFile.write(out, to: outPath)
        return reports
    }

    private func amplify(_ problem: Problem, line: [UInt8], sandbox: Sandbox, limits: ResourceLimits) -> ([UInt8], TaskReport) {
        func skip(_ reason: String) -> ([UInt8], TaskReport) { (line, TaskReport(taskID: problem.taskID, base: 0, plus: 0, skipped: reason)) }
        guard problem.shape == .humanEval || problem.shape == .mbpp else { return skip("not a function task with tests") }
        guard let reference = problem.canonicalSolution, let entry = problem.entryPoint else { return skip("no reference solution") }
        let program = problem.shape == .humanEval ? problem.prompt + reference : reference + "\n" + problem.testSetup + "\n"
        var avoid: [String] = []
        var outcome: Outcome
        // A reference stuck on a mutant (fib(1000) done recursively) is killed with its run; the
        // task is run again with that mutant avoided (the seed replays the same mutants).
        repeat {
            let nonce = String(UInt64.random(in: 1...UInt64.max), radix: 16)
            var spec = "tests=.proctor-tests.py\nstyle=amplify\nnonce=\(nonce)\nentry_point=\(entry)\n"
            spec += "per_task=\(perTask)\nseed=\(seed)\nbudget=\(budget)\navoid=\(avoid.joined(separator: ","))\n"
            var runLimits = limits
            runLimits.wall = TimeSpan(seconds: min(600, 30 + Double(perTask) * 30 * 2 * budget / 10))
            runLimits.cpu = runLimits.wall
            runLimits.outputLimit = ByteCount(bytes: 64 << 20)
            var request = RunRequest(source: program, programName: "program.py", limits: runLimits)
            request.files = [".proctor-harness": Array(spec.utf8), ".proctor-tests.py": line]
            outcome = sandbox.run(request)
            let stuck = outcome.control.compactMap { $0.hasPrefix("amplify_stuck ") ? String($0.dropFirst(14)) : nil }
            guard let digest = stuck.first, digest.count == 16, avoid.count < 20 else { break }
            avoid.append(digest)
        } while true
        var counts: (Int, Int)?
        for record in outcome.control where record.hasPrefix("amplified ") {
            let fields = record.split(separator: " ")
            if fields.count == 4, let base = Int(fields[1]), let plus = Int(fields[2]) { counts = (base, plus) }
        }
        // The problem line comes only from the tester (fd 3), never from the reference's output.
        guard let counts, let bytes = ControlRecords.blob(in: outcome.control), (try? JSONInput.object(bytes, file: "", line: 0)) != nil
        else {
            let failure = ControlRecords.exception(in: outcome.control)?.message
            return skip(failure ?? "the amplify run ended without a result (\(outcome.statusText))")
        }
        return (bytes, TaskReport(taskID: problem.taskID, base: counts.0, plus: counts.1, skipped: nil))
    }

    private final class Results: @unchecked Sendable {
        private let lock = NSLock()
        private var values: [([UInt8], TaskReport)?]
        init(count: Int) { values = Array(repeating: nil, count: count) }
        func set(_ index: Int, _ value: ([UInt8], TaskReport)) { lock.withLock { values[index] = value } }
        func get(_ index: Int) -> ([UInt8], TaskReport)? { lock.withLock { values[index] } }
    }

    private final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var next = 0
        func take(below limit: Int) -> Int? {
            lock.withLock {
                guard next < limit else { return nil }
                next += 1
                return next - 1
            }
        }
    }
}
