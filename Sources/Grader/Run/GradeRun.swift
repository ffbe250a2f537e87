import Foundation
import Results
import Sandbox

#if canImport(Glibc)
    import Glibc
#endif

/// Options of one `proctor grade` run.
public struct GradeOptions: Sendable {
    public var problemsPath: String
    public var samplesPath: String
    public var outDirectory: String
    public var ks: [Int] = [1, 10, 100]
    public var workers: Int = ProcessInfo.processInfo.activeProcessorCount
    public var profile: SandboxProfile
    /// Limits every sample runs under (the profile's with the user's overrides).
    public var limits: ResourceLimits
    public var allowPartial = false
    /// Warm (a fork server per worker) or cold (a fresh interpreter per sample).
    public var pool: PoolMode = .warm
    public var proctorVersion = "dev"
    /// How stdin/stdout problems are judged (`--extract`, `--time-scale`, `--all-tests`).
    public var stdio = StdioOptions()
    /// How inputs problems are graded (time factor and floor, reference budget, cache). The run
    /// sets its seed from `seed` below.
    public var differential = DifferentialOptions()
    /// The seed for dynamic tasks; nil: the earlier run's in the same `--out` (a resumed run
    /// faces the same tests), else a fresh random one.
    public var seed: UInt64?
    /// The key sealed problems files are opened with.
    public var sealKey: SealKey?
    /// Where progress lines go (nil: nowhere).
    public var progress: ProgressReporter?

    public init(problemsPath: String, samplesPath: String, outDirectory: String, profile: SandboxProfile, limits: ResourceLimits) {
        self.problemsPath = problemsPath
        self.samplesPath = samplesPath
        self.outDirectory = outDirectory
        self.profile = profile
        self.limits = limits
    }
}

/// How samples get an interpreter.
public enum PoolMode: String, Sendable, CaseIterable {
    /// A sandboxed fork server per worker that has already started Python; each sample forks
    /// from it. A pool that dies mid-sample is replaced and that sample re-run cold.
    case warm
    /// A fresh interpreter (fork + exec) per sample.
    case cold
}

/// Grades a samples file against a problems file: validates both, runs every sample in the
/// sandbox on `workers` threads, writes `samples.jsonl` (input order, appended and synced as it
/// goes) and `summary.json` (atomically), and resumes from an earlier run in the same directory.
public final class GradeRun: @unchecked Sendable {
    // @unchecked: all mutable state below is guarded by `condition`.
    private let options: GradeOptions
    private let problems: ProblemSet
    private let samples: SampleFile
    private let grader: SampleGrader
    private let resultsPath: String
    private let condition = NSCondition()

    private var queue: [(Sample, String)] = []
    private var producerDone = false
    private var finished: [Int: (line: [UInt8]?, reused: Bool)] = [:]
    private var nextToWrite = 0
    private var produced = 0
    private var accumulator = SummaryAccumulator()
    private var writeError: GradeError?
    private var outputFD: Int32 = -1

    /// Set by SIGINT: stop taking new samples, finish the ones running, write the summary.
    nonisolated(unsafe) public static var interrupted: sig_atomic_t = 0

    public init(_ options: GradeOptions) throws(GradeError) {
        var options = options
        problems = try ProblemSet(path: options.problemsPath, key: options.sealKey)
        options.differential.seed = options.seed ?? Self.earlierSeed(options.outDirectory) ?? DifferentialOptions.randomSeed()
        self.options = options
        samples = try SampleFile(path: options.samplesPath, problems: problems)
        let missing = samples.missingTasks(in: problems)
        if !missing.isEmpty && !options.allowPartial {
            throw GradeError(
                "\(options.samplesPath): no samples for \(missing.count) of \(problems.order.count) tasks ("
                    + missing.prefix(5).joined(separator: ", ") + (missing.count > 5 ? ", …" : "")
                    + "); pass --allow-partial to grade the tasks present")
        }
        guard options.workers >= 1 else { throw GradeError("--workers must be at least 1") }
        guard options.ks.allSatisfy({ $0 >= 1 }) else { throw GradeError("--k values must be at least 1") }
        grader = try SampleGrader(
            profile: options.profile, limits: options.limits, pool: options.pool, proctorVersion: options.proctorVersion,
            stdio: options.stdio, differential: options.differential)
        try grader.languages.check(functionTasks: problems)
        resultsPath = options.outDirectory + "/samples.jsonl"
    }

    /// The problems being graded (opened: a sealed file's too).
    public var problemSet: ProblemSet { problems }

    /// The seed dynamic tasks use in this run.
    public var seed: UInt64 { options.differential.seed }

    /// Whether any problem draws its tests from a generator (then the seed matters).
    public var usesSeed: Bool { problems.problems.values.contains { $0.differential?.generator != nil } }

    /// The seed an earlier run in `directory` recorded in its summary.
    static func earlierSeed(_ directory: String) -> UInt64? {
        guard let data = FileManager.default.contents(atPath: directory + "/summary.json"),
            let summary = try? JSONDecoder().decode(GradeSummary.self, from: data)
        else { return nil }
        return summary.seed.flatMap { UInt64($0) }
    }

    private func key(_ sample: Sample, _ problem: Problem) -> String { grader.key(sample, problem) }

    /// What validation noticed that does not stop the run (file:line: message).
    public var warnings: [String] { samples.warnings }

    public func run() throws(GradeError) -> GradeSummary {
        let start = Date()
        do {
            try FileManager.default.createDirectory(atPath: options.outDirectory, withIntermediateDirectories: true)
        } catch {
            throw GradeError("\(options.outDirectory): cannot create directory (\(error.localizedDescription))")
        }
        // The outputs must never be the inputs (`--out .` beside a samples.jsonl would append
        // the results to the samples themselves).
        for output in [resultsPath, options.outDirectory + "/summary.json"] {
            for input in [options.samplesPath, options.problemsPath] where AtomicFile.sameFile(output, input) {
                throw GradeError("\(output) is the input file \(input): choose another --out")
            }
        }
        var info = stat()
        if lstat(resultsPath, &info) == 0 && (info.st_mode & S_IFMT) != S_IFREG {
            throw GradeError("\(resultsPath): exists and is not a regular file (a link, a device): choose another --out")
        }
        // A run that stopped mid-row (a full disk, a crash) left a partial last line: cut it off
        // before appending, so no new row is glued to it; the sample it held is graded again.
        try Self.dropPartialLastLine(resultsPath)
        let earlier = try EarlierResults(path: resultsPath)
        outputFD = open(resultsPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard outputFD >= 0 else { throw GradeError(io: "\(resultsPath): cannot open for writing", errno: errno) }
        defer { close(outputFD) }

        let workers = (0..<options.workers).map { _ in Thread { [self] in work() } }
        workers.forEach {
            $0.stackSize = 1 << 20; $0.start()
        }
        let total = samples.total
        options.progress?.begin(total: total)

        // Produce on this thread: stream the samples, reuse what an earlier run graded, queue the rest.
        var readError: GradeError?
        do {
            try SampleFile.read(path: options.samplesPath) { (sample: Sample) throws(GradeError) in
                let problem = problems.problems[sample.taskID]!
                let key = key(sample, problem)
                condition.lock()
                defer { condition.unlock() }
                // Bounded work in flight: memory stays flat however many samples there are.
                while produced - nextToWrite >= 64 * options.workers && writeError == nil && GradeRun.interrupted == 0 {
                    _ = condition.wait(until: Date().addingTimeInterval(0.2))
                    report(start: start)
                }
                if let writeError { throw writeError }
                if GradeRun.interrupted != 0 { throw GradeError("interrupted") }
                produced += 1
                if let row = earlier.rows[key] {
                    accumulator.add(
                        task: sample.taskID, status: row.status, passed: row.passed, wallMs: row.wallMs, cpuMs: row.cpuMs,
                        rssKiB: row.rssKiB, reused: true, basePassed: row.basePassed, hidden: row.hidden,
                        measured: row.measured)
                    finished[sample.index] = (nil, true)
                    flushInOrder()
                } else {
                    queue.append((sample, key))
                    condition.broadcast()
                }
            }
        } catch {
            if GradeRun.interrupted == 0 { readError = error }
        }
        condition.lock()
        producerDone = true
        condition.broadcast()
        while nextToWrite < produced && writeError == nil {
            _ = condition.wait(until: Date().addingTimeInterval(0.2))
            report(start: start)
        }
        condition.unlock()
        // The workers shut their warm pools down as they leave: the run is over only when every
        // pool process is gone and its directory removed (a caller checks the host right after).
        while workers.contains(where: { !$0.isFinished }) { Thread.sleep(forTimeInterval: 0.005) }
        if let readError { throw readError }
        if let writeError { throw writeError }
        fdatasync(outputFD)

        let interrupted = GradeRun.interrupted != 0
        if !earlier.rows.isEmpty && !interrupted {
            try rewriteInInputOrder()
        }
        let elapsed = Date().timeIntervalSince(start)
        let base = GradeSummary.empty(
            problems: InputPath.absolute(options.problemsPath), samples: InputPath.absolute(options.samplesPath),
            profile: options.profile.name,
            profileSHA256: options.profile.sha256, workers: options.workers, proctorVersion: options.proctorVersion,
            wallSeconds: elapsed, samplesPerSecond: elapsed > 0 ? Double(accumulator.graded) / elapsed : 0,
            missingTasks: samples.missingTasks(in: problems), interrupted: interrupted)
        var groups: [String: [String: String]] = [:]
        for (task, problem) in problems.problems {
            if let difficulty = problem.stdio?.difficulty { groups["difficulty", default: [:]][task] = difficulty }
            if let platform = problem.stdio?.platform { groups["platform", default: [:]][task] = platform }
        }
        if problems.problems.values.contains(where: \.hidden) {
            for (task, problem) in problems.problems { groups["visibility", default: [:]][task] = problem.hidden ? "hidden" : "public" }
        }
        var summary = accumulator.summary(ks: options.ks, base: base, groups: groups)
        if usesSeed { summary.seed = String(seed) }
        if problems.problems.values.contains(where: { $0.differential != nil }) {
            summary.references = GradeSummary.ReferenceCounts(computed: grader.references.computed, cached: grader.references.loaded)
        }
        try writeSummary(summary)
        options.progress?.end(done: accumulator.graded + accumulator.reused, total: total)
        return summary
    }

    /// Worker thread: take a sample, grade it, hand the row to the in-order writer.
    private func work() {
        let pool = grader.makePool()
        defer { pool?.shutdown() }
        while true {
            condition.lock()
            while queue.isEmpty && !producerDone { condition.wait() }
            if queue.isEmpty {
                condition.unlock()
                return
            }
            let (sample, key) = queue.removeFirst()
            if GradeRun.interrupted != 0 {
                // Interrupted: samples not started yet are dropped (a later run grades them).
                finished[sample.index] = (nil, false)
                flushInOrder()
                condition.broadcast()
                condition.unlock()
                continue
            }
            condition.unlock()

            let graded = grader.grade(sample, of: problems.problems[sample.taskID]!, key: key, pool: pool)
            condition.lock()
            accumulator.add(
                task: graded.taskID, status: graded.status, passed: graded.passed, wallMs: graded.wallMs, cpuMs: graded.cpuMs,
                rssKiB: graded.peakRssKiB, reused: false, basePassed: graded.basePassed, hidden: graded.hidden,
                measured: graded.measured)
            options.progress?.record(passed: graded.passed)
            finished[sample.index] = (graded.line + [UInt8(ascii: "\n")], false)
            flushInOrder()
            condition.broadcast()
            condition.unlock()
        }
    }

    /// Writes every finished row that is next in input order. Called with `condition` locked.
    private func flushInOrder() {
        while let entry = finished.removeValue(forKey: nextToWrite) {
            if let line = entry.line {
                var offset = 0
                while offset < line.count {
                    let written = line.withUnsafeBytes { write(outputFD, $0.baseAddress! + offset, $0.count - offset) }
                    if written < 0 {
                        if errno == EINTR { continue }
                        writeError = GradeError(io: "\(resultsPath): write failed", errno: errno)
                        return
                    }
                    offset += written
                }
            }
            nextToWrite += 1
        }
    }

    private func report(start: Date) {
        options.progress?.tick(done: nextToWrite, total: samples.total, started: start)
    }

    /// Truncates `path` after its last newline (nothing to do for a missing or empty file, or one
    /// that ends with a newline).
    static func dropPartialLastLine(_ path: String) throws(GradeError) {
        let fd = open(path, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var size = lseek(fd, 0, SEEK_END)
        var last: UInt8 = 0
        guard size > 0, pread(fd, &last, 1, size - 1) == 1, last != UInt8(ascii: "\n") else { return }
        // Walk back in blocks to the last newline.
        var block = [UInt8](repeating: 0, count: 1 << 16)
        while size > 0 {
            let start = max(0, size - off_t(block.count))
            let count = block.withUnsafeMutableBytes { pread(fd, $0.baseAddress, Int(size - start), start) }
            guard count > 0 else { break }
            if let newline = block[0..<count].lastIndex(of: UInt8(ascii: "\n")) {
                size = start + off_t(newline) + 1
                break
            }
            size = start
        }
        guard ftruncate(fd, size) == 0 else { throw GradeError(io: "\(path): cannot cut its partial last line", errno: errno) }
    }

    /// After a resumed run the file holds earlier rows first and new ones after; rewrite it so
    /// it has exactly one row per current sample, in input order (written aside, then renamed).
    private func rewriteInInputOrder() throws(GradeError) {
        let current = try EarlierResults(path: resultsPath, keepLines: true)
        let temporary = resultsPath + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw GradeError(io: "\(temporary): cannot open for writing", errno: errno) }
        var failure: GradeError?
        try SampleFile.read(path: options.samplesPath) { (sample: Sample) throws(GradeError) in
            guard failure == nil, let line = current.lines[key(sample, problems.problems[sample.taskID]!)] else { return }
            let bytes = line + [UInt8(ascii: "\n")]
            if bytes.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) != bytes.count {
                failure = GradeError(io: "\(temporary): write failed", errno: errno)
            }
        }
        fdatasync(fd)
        close(fd)
        if let failure { throw failure }
        guard rename(temporary, resultsPath) == 0 else { throw GradeError(io: "\(resultsPath): rename failed", errno: errno) }
    }

    private func writeSummary(_ summary: GradeSummary) throws(GradeError) {
        try JSONReport.write(summary, to: options.outDirectory + "/summary.json")
    }
}
