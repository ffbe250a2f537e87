import Foundation
import Sandbox

/// The reference's results on a task's inputs, computed once per task (not once per sample) in
/// a sandboxed run of the reference (and generator), and kept by content hash: in memory for
/// the run, and on disk between runs for tasks that are not hidden (a hidden task's inputs and
/// expected results must never be written anywhere, so they stay in memory).
public final class ReferenceStore: @unchecked Sendable {
    // @unchecked: the mutable state is guarded by `condition`.

    /// What a reference run produced: the packed cases the tester reads, and per case its group
    /// and the reference's time.
    public struct Cases: Sendable {
        /// The bootstrap's packed `{"atol", "cases": [[group, index, args, expected]]}`, handed to
        /// the tester as its tests (no timings in it: its sha256 names the tests alone).
        public let blob: [UInt8]
        /// Group of each case (`base`, `plus`), in order.
        public let groups: [String]
        /// The reference's seconds on each case, in order.
        public let seconds: [Double]
        /// sha256 of `blob`: recorded in rows so a repro can show it faced the same cases.
        public let sha256: String
        /// Cases per group, counted once (every sample of the task asks).
        private let counts: [String: Int]

        public init(blob: [UInt8], groups: [String], seconds: [Double], sha256: String) {
            self.blob = blob
            self.groups = groups
            self.seconds = seconds
            self.sha256 = sha256
            counts = groups.reduce(into: [:]) { $0[$1, default: 0] += 1 }
        }

        public func count(_ group: String) -> Int { counts[group] ?? 0 }

        /// Each case's time limit in seconds: `timeFactor` × the reference's time, at least `timeFloor`.
        func limits(_ options: DifferentialOptions) -> [Double] { seconds.map { max(options.timeFloor, options.timeFactor * $0) } }

        /// The whole run's wall limit for a sample: EvalPlus's `min(60 s, Σ per-input limits) + 1 s`,
        /// never below the limit samples get anyway.
        func wall(options: DifferentialOptions, atLeast minimum: TimeSpan) -> TimeSpan {
            let total = limits(options).reduce(0, +)
            return TimeSpan(milliseconds: max(minimum.milliseconds, TimeSpan(seconds: min(60, total) + 1).milliseconds))
        }
    }

    private let condition = NSCondition()
    private var entries: [String: Result<Cases, GradeError>] = [:]
    private var running: Set<String> = []
    /// Reference runs made / results found in the cache directory (for the summary and tests).
    public private(set) var computed = 0
    public private(set) var loaded = 0

    public init() {}

    /// The cases for `problem`, computing them (once, whichever thread asks first) when neither
    /// memory nor the cache directory has them.
    public func cases(
        for problem: Problem, task: DifferentialTask, sandbox: Sandbox, limits: ResourceLimits, options: DifferentialOptions
    ) -> Result<Cases, GradeError> {
        let seed = task.generator == nil ? "" : "\(options.seed(for: problem.taskID))"
        // v2: expected values over 1 MiB kept as digests.
        let key = Digest.sha256(
            "reference-v2|\(problem.sha256)|\(sandbox.profile.sha256)|\(options.referenceBudget)|\(seed)|"
                + "\(options.referenceMemory(forSamples: limits.memory.bytes))")
        condition.lock()
        while running.contains(key) { condition.wait() }
        if let entry = entries[key] {
            condition.unlock()
            return entry
        }
        running.insert(key)
        condition.unlock()

        let directory = problem.hidden ? nil : options.cacheDirectory
        var result: Result<Cases, GradeError>
        if let directory, let stored = Self.load(directory: directory, key: key) {
            result = .success(stored)
            condition.lock()
            loaded += 1
            condition.unlock()
        } else {
            result = Self.compute(problem: problem, task: task, sandbox: sandbox, limits: limits, options: options)
            condition.lock()
            computed += 1
            condition.unlock()
            if let directory, case .success(let cases) = result {
                // A cache that cannot be written only costs time next run.
                try? Self.store(cases, directory: directory, key: key)
            }
        }
        condition.lock()
        entries[key] = result
        running.remove(key)
        condition.broadcast()
        condition.unlock()
        return result
    }

    /// One sandboxed run of the reference program in the bootstrap's `reference` style.
    static func compute(
        problem: Problem, task: DifferentialTask, sandbox: Sandbox, limits: ResourceLimits, options: DifferentialOptions
    ) -> Result<Cases, GradeError> {
        var runLimits = limits
        runLimits.wall = TimeSpan(seconds: 300)
        runLimits.cpu = TimeSpan(seconds: 300)
        runLimits.outputLimit = ByteCount(bytes: 64 << 20)
        runLimits.memory = ByteCount(bytes: options.referenceMemory(forSamples: limits.memory.bytes))
        // The expected values go to a file (`results`), as large as the reference's memory.
        runLimits.fileSize = ByteCount(bytes: max(runLimits.fileSize.bytes, runLimits.memory.bytes))
        let nonce = String(UInt64.random(in: 1...UInt64.max), radix: 16)
        var spec = "tests=.proctor-tests.py\nstyle=reference\nnonce=\(nonce)\nentry_point=\(task.entryPoint)\n"
        spec += "budget=\(options.referenceBudget)\nreference=\(task.reference == nil ? 0 : 1)\n"
        if task.generator != nil { spec += "generator=1\nseed=\(options.seed(for: problem.taskID))\n" }
        spec += "results=\(ControlRecords.resultsFile)\n"
        var request = RunRequest(source: task.referenceProgram, programName: "program.py", limits: runLimits)
        request.files = [".proctor-harness": Array(spec.utf8), ".proctor-tests.py": task.line]
        request.outputs = [ControlRecords.resultsFile]
        let outcome = sandbox.run(request)

        var groups: [String] = []
        var seconds: [Double] = []
        var completed = false
        for line in outcome.control {
            if line.hasPrefix("case ") {
                let fields = line.split(separator: " ")
                if fields.count == 4, let time = Double(fields[3]) {
                    groups.append(String(fields[1]))
                    seconds.append(time)
                }
            } else if line.hasPrefix("completed \(nonce) ") {
                completed = true
            }
        }
        let what = "\(problem.taskID): reference run"
        guard completed, let blob = ControlRecords.results(of: outcome), !groups.isEmpty else {
            let reason: String
            switch outcome.runStatus {
            case .timeout: reason = "took longer than \(runLimits.wall.seconds) s in all"
            case .outputLimit: reason = "printed more than \(runLimits.outputLimit.bytes >> 20) MiB (a generator or reference that floods)"
            case .memoryLimit:
                reason = "ran out of memory (\(runLimits.memory.bytes >> 20) MiB; --reference-memory raises it)"
            default:
                if completed {  // the tester wrote its results before its completion record
                    reason = "its results file is not what the tester wrote (the reference's own process wrote to it)"
                } else {
                    reason = ControlRecords.exception(in: outcome.control)?.message ?? "ended without results (\(outcome.statusText))"
                }
            }
            return .failure(GradeError("\(what): \(reason)"))
        }
        return .success(Cases(blob: blob, groups: groups, seconds: seconds, sha256: Digest.sha256(blob)))
    }

    /// On disk: KEY.cases (the blob) and KEY.json (groups, seconds, the blob's sha256).
    private struct Meta: Codable {
        var groups: [String]
        var seconds: [Double]
        var sha256: String
    }

    private static func load(directory: String, key: String) -> Cases? {
        guard let data = FileManager.default.contents(atPath: "\(directory)/\(key).json"),
            let meta = try? JSONDecoder().decode(Meta.self, from: data),
            let blob = FileManager.default.contents(atPath: "\(directory)/\(key).cases").map(Array.init),
            Digest.sha256(blob) == meta.sha256, meta.groups.count == meta.seconds.count
        else { return nil }
        return Cases(blob: blob, groups: meta.groups, seconds: meta.seconds, sha256: meta.sha256)
    }

    private static func store(_ cases: Cases, directory: String, key: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try AtomicFile.write(cases.blob, to: "\(directory)/\(key).cases")
        let meta = Meta(groups: cases.groups, seconds: cases.seconds, sha256: cases.sha256)
        try AtomicFile.write(Array(try JSONEncoder().encode(meta)), to: "\(directory)/\(key).json")
    }
}
