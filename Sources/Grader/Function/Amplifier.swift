import Foundation
import Results
import Sandbox

/// `proctor amplify`: derives more inputs for every function task, EvalPlus's way. In one
/// sandboxed run per task (the reference is code too) the original tests run against the
/// reference while the tester records the inputs they call it with; those become `base_input`.
/// Then the tester mutates them, type-aware (ints, floats, strings, lists, dicts, nested;
/// boundary values, signs, lengths), and keeps a mutant only inside the task's contract: its
/// EvalPlus `contract` asserts when the problem has them, and what every input of its own tests
/// has in common (types; all positive; never negative or never empty when the prompt says so
/// too; sorted; distinct elements — no ties —; the few characters its strings use; equal
/// lengths); then when the reference
/// answers it within the budget without raising and gives the same answer twice. Deduplicated,
/// these become `plus_input`; the report counts the mutants dropped, by reason. A task that cannot be amplified (no
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
        /// Mutants dropped, by reason: outside what the tests show of the task's contract
        /// (`type`, `not_positive`, `negative`, `empty`, `unsorted`, `duplicates`, `alphabet`,
        /// `lengths`, `arity`), its stated `contract`, the reference raising (`raises`) or
        /// answering differently twice (`nondeterministic`).
        public var rejected: [String: Int] = [:]
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
        var program = problem.shape == .humanEval ? problem.prompt + reference : reference + "\n" + problem.testSetup + "\n"
        // EvalPlus's `contract` (asserts on the arguments): a function of its own beside the
        // reference, with the entry point's parameters, that a mutant must get through.
        let contract = (try? JSONInput.object(line, file: "", line: 0))?["contract"]?.string.flatMap {
            Self.contractFunction($0, prompt: problem.prompt, entryPoint: entry)
        }
        if let contract { program += "\n\n" + contract }
        var avoid: [String] = []
        var outcome: Outcome
        // A reference stuck on a mutant (fib(1000) done recursively) is killed with its run; the
        // task is run again with that mutant avoided (the seed replays the same mutants).
        repeat {
            let nonce = String(UInt64.random(in: 1...UInt64.max), radix: 16)
            var spec = "tests=.proctor-tests.py\nstyle=amplify\nnonce=\(nonce)\nentry_point=\(entry)\n"
            spec += "per_task=\(perTask)\nseed=\(seed)\nbudget=\(budget)\navoid=\(avoid.joined(separator: ","))\n"
            if contract != nil { spec += "contract=1\n" }
            var runLimits = limits
            runLimits.wall = TimeSpan(seconds: min(600, 30 + Double(perTask) * 30 * 2 * budget / 10))
            runLimits.cpu = runLimits.wall
            runLimits.outputLimit = ByteCount(bytes: 64 << 20)
            spec += "results=\(ControlRecords.resultsFile)\n"
            var request = RunRequest(source: program, programName: "program.py", limits: runLimits)
            request.files = [".proctor-harness": Array(spec.utf8), ".proctor-tests.py": line]
            request.outputs = [ControlRecords.resultsFile]
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
        // The problem line counts only as the tester (fd 3) vouched for it, never from the reference's output.
        guard let counts, let bytes = ControlRecords.results(of: outcome), (try? JSONInput.object(bytes, file: "", line: 0)) != nil
        else {
            let failure = ControlRecords.exception(in: outcome.control)?.message
            return skip(failure ?? "the amplify run ended without a result (\(outcome.statusText))")
        }
        var rejected: [String: Int] = [:]
        for record in outcome.control where record.hasPrefix("amplify_rejected") {
            for field in record.split(separator: " ").dropFirst() {
                let parts = field.split(separator: "=")
                if parts.count == 2, let count = Int(parts[1]) { rejected[String(parts[0])] = count }
            }
        }
        return (bytes, TaskReport(taskID: problem.taskID, base: counts.0, plus: counts.1, skipped: nil, rejected: rejected))
    }

    /// `def __proctor_contract__(PARAMETERS):` + the contract's lines + `return True`, with the
    /// parameters of the entry point's `def` in the prompt; nil when the prompt has none.
    static func contractFunction(_ contract: String, prompt: String, entryPoint: String) -> String? {
        guard let start = prompt.range(of: "def \(entryPoint)(") else { return nil }
        var depth = 1
        var parameters = ""
        for character in prompt[start.upperBound...] {
            if character == "(" { depth += 1 }
            if character == ")" { depth -= 1 }
            if depth == 0 { break }
            parameters.append(character)
        }
        guard depth == 0 else { return nil }
        let body = contract.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.trimmingCharacters(in: .whitespaces).isEmpty ? "" : "    " + line.trimmingCharacters(in: .whitespaces)
        }
        return "def __proctor_contract__(\(parameters)):\n" + body.joined(separator: "\n") + "\n    return True\n"
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
