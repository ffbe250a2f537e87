import Foundation
import Grader
import Logging
import Prometheus
import Queue
import Repository
import Results
import Sandbox

#if canImport(Glibc)
    import Glibc
#endif

/// `proctor worker`: claims jobs from a queue in batches, grades them in the sandbox on
/// `concurrency` threads and stores each result with the job's completion in one transaction.
///
/// The main thread stores results as the grading threads hand them over, so a sample's core is
/// not idle while the previous result is written, and extends the leases of everything this
/// worker holds with a heartbeat. A lost database is waited out with backoff (results already
/// graded are kept and stored once it is back, unless the lease ran out and another worker took
/// the job over). On SIGTERM/SIGINT each thread finishes the sample it is running, hands it over
/// to be stored, gives back the jobs it claimed but did not start, and the worker exits 0 once
/// every finished sample is stored. Sample timeouts and crashes are verdicts and are stored;
/// only `internal_error` (the sandbox failed) goes back to the queue for another attempt.
public final class QueueWorker: @unchecked Sendable {
    // @unchecked: the state below is either immutable or guarded by `lock`.
    private let options: WorkerOptions
    private let queue: any JobQueue
    private let logger: Logger
    private let metrics = WorkerMetrics()
    private let info: WorkerInfo
    /// Reference results of inputs problems, shared by every thread (computed once per task).
    private let references = ReferenceStore()
    /// Guards `lastClaimed`, `activeThreads` and `unstored`; signalled when a result is handed over.
    private let lock = NSCondition()
    private var lastClaimed = Date()
    private var activeThreads = 0
    private var unstored: [(job: ClaimedJob, result: JobResult, measured: Bool)] = []

    /// Set by SIGTERM/SIGINT.
    nonisolated(unsafe) public static var stopRequested: sig_atomic_t = 0

    public init(options: WorkerOptions, logger: Logger) throws(WorkerError) {
        self.options = options
        self.logger = logger
        guard options.concurrency >= 1 else { throw WorkerError("--concurrency must be at least 1") }
        guard options.batchSize >= 1 else { throw WorkerError("--batch must be at least 1") }
        do {
            // Only `queue init` and `submit` create a queue: a worker started in the wrong place
            // says so instead of waiting on a new empty one.
            queue = try options.queue.open(creating: false, logger: logger)
        } catch {
            throw WorkerError("\(error)")
        }
        info = WorkerInfo(id: options.workerID, host: WorkerOptions.hostName, pid: Int(getpid()), concurrency: options.concurrency)
    }

    private var stopping: Bool { QueueWorker.stopRequested != 0 }

    /// The run's options for inputs problems, with this machine's reference cache.
    private func differential(_ settings: RunSettings) -> DifferentialOptions {
        var options = settings.differential ?? DifferentialOptions()
        options.cacheDirectory = self.options.referenceCache
        return options
    }

    /// Runs until stopped (or idle, with `exitWhenIdleSeconds`); returns the exit status.
    public func run() throws(WorkerError) -> Int32 {
        var server: MetricsServer?
        if let address = options.metricsAddress {
            let metrics = self.metrics
            // The pending-jobs gauge is read from the queue at each scrape, so it says what
            // `proctor status` says now, not what it was at the last heartbeat.
            let queue = self.queue
            server = try MetricsServer(address: address) {
                if let pending = try? queue.status(run: nil).count(.pending) { metrics.queueDepth.set(Int64(pending)) }
                return metrics.exposition()
            }
            server?.start()
            logger.info("metrics on http://\(address)/metrics")
        }
        defer { server?.stop() }
        // The schema first (created or migrated if needed; a database that is down is waited
        // for), then the first heartbeat, before any thread claims.
        var fatal: QueueError?
        let ready = withBackoff("initialize") { () throws(QueueError) in
            do throws(QueueError) {
                try queue.initialize()
                try queue.heartbeat(worker: info, leaseSeconds: options.leaseSeconds)
            } catch {
                if error.kind != .unavailable { fatal = error }
                throw error
            }
        }
        if !ready { throw WorkerError("proctor: \(fatal.map { "\($0)" } ?? "the queue is unavailable")") }
        logger.info(
            "worker \(info.id) on \(options.queue): \(options.concurrency) thread(s), batches of \(options.batchSize), lease \(Int(options.leaseSeconds)) s, \(options.pool.rawValue) pools"
        )
        lock.withLock { activeThreads = options.concurrency }
        let threads = (0..<options.concurrency).map { number in
            let thread = Thread { [self] in
                gradeLoop(number)
                lock.withLock {
                    activeThreads -= 1
                    lock.signal()
                }
            }
            thread.stackSize = 1 << 20
            return thread
        }
        threads.forEach { $0.start() }
        // This thread stores results and heartbeats until the grading threads are done and
        // every result they handed over is stored.
        var nextBeat = Date()
        while true {
            let (results, active) = lock.withLock { () -> ([(job: ClaimedJob, result: JobResult, measured: Bool)], Int) in
                if unstored.isEmpty && activeThreads > 0 { _ = lock.wait(until: min(nextBeat, Date().addingTimeInterval(0.1))) }
                defer { unstored.removeAll() }
                return (unstored, activeThreads)
            }
            for (job, result, measured) in results { store(job, result, measured: measured) }
            if active == 0 && results.isEmpty { break }
            if Date() >= nextBeat {
                do {
                    try queue.heartbeat(worker: info, leaseSeconds: options.leaseSeconds)
                    if options.metricsAddress != nil {
                        metrics.queueDepth.set(Int64(try queue.status(run: nil).count(.pending)))
                    }
                } catch {
                    logger.warning("heartbeat failed: \(error)")
                }
                nextBeat = Date().addingTimeInterval(max(1, options.leaseSeconds / 4))
            }
        }
        try? queue.workerStopped(info.id)
        queue.close()
        logger.info("worker \(info.id) stopped")
        return 0
    }

    /// Repeats `body` while the queue is unavailable, waiting 0.5 s, 1 s, 2 s… up to 10 s.
    /// Returns false on any other error (logged), or when the worker is stopping and
    /// `patience` ran out.
    @discardableResult
    private func withBackoff(_ what: String, patience: Double = .infinity, _ body: () throws(QueueError) -> Void) -> Bool {
        var delay = 0.5
        let start = Date()
        while true {
            do {
                try body()
                return true
            } catch {
                // Only a database that cannot be reached is worth waiting for.
                if error.kind != .unavailable {
                    logger.error("\(what): \(error)")
                    return false
                }
                if stopping && Date().timeIntervalSince(start) > min(patience, 30) { return false }
                logger.warning("\(what): \(error); retrying in \(delay) s")
                Thread.sleep(forTimeInterval: delay)
                delay = min(delay * 2, 10)
            }
        }
    }

    /// Idle means nothing pending and nothing running anywhere: jobs a dead worker still holds
    /// come back when its lease ends, and an idle worker waits for them.
    private func nothingLeft() -> Bool {
        guard let status = try? queue.status(run: nil) else { return false }
        return status.count(.pending) == 0 && status.count(.running) == 0
    }

    /// One grading thread: claim, grade, store, until stopped.
    private func gradeLoop(_ number: Int) {
        var graders: [String: SampleGrader] = [:]
        var pool: (config: String, pool: WarmPool?)?
        var problems: [String: Problem] = [:]
        var runs: [String: (config: String, settings: RunSettings)] = [:]
        defer { pool?.pool?.shutdown() }
        var idleDelay = 0.05
        while !stopping {
            var claimed: [ClaimedJob] = []
            let ok = withBackoff("claim", patience: 0) { () throws(QueueError) in
                claimed = try queue.claim(
                    worker: info.id, limit: options.batchSize, leaseSeconds: options.leaseSeconds, maxAttempts: options.maxAttempts)
            }
            if !ok && !stopping { Thread.sleep(forTimeInterval: 1) }
            if claimed.isEmpty {
                if let idle = options.exitWhenIdleSeconds, Date().timeIntervalSince(lock.withLock({ lastClaimed })) > idle,
                    nothingLeft()
                {
                    return
                }
                Thread.sleep(forTimeInterval: idleDelay)
                idleDelay = min(idleDelay * 2, 1)
                continue
            }
            idleDelay = 0.05
            lock.withLock { lastClaimed = Date() }
            for (position, job) in claimed.enumerated() {
                if stopping {
                    let rest = claimed[position...].map(\.id)
                    withBackoff("release", patience: 10) { () throws(QueueError) in try queue.release(jobs: rest, worker: info.id) }
                    logger.info("released \(rest.count) job(s) not started")
                    break
                }
                process(job, graders: &graders, pool: &pool, problems: &problems, runs: &runs)
            }
        }
    }

    private func process(
        _ job: ClaimedJob, graders: inout [String: SampleGrader], pool: inout (config: String, pool: WarmPool?)?,
        problems: inout [String: Problem], runs: inout [String: (config: String, settings: RunSettings)]
    ) {
        // Everything about the job that can be wrong is checked before it runs; such jobs fail
        // with the reason and never come back. A run's settings never change once submitted
        // (a conflicting submit is refused), so each thread reads and parses them once per run.
        if runs[job.run] == nil {
            var config: String?
            withBackoff("run settings") { () throws(QueueError) in config = try queue.runConfig(job.run) }
            guard let config, let parsed = try? RunSettings.parse(config) else {
                return failJob(job, "run \(job.run) has no readable settings")
            }
            if runs.count > 1024 { runs.removeAll() }
            runs[job.run] = (config, parsed)
        }
        let (config, settings) = runs[job.run]!
        if settings.kind == "repo" { return processRepository(job, settings: settings) }
        if problems[job.problemSHA256] == nil {
            var body: [UInt8]?
            withBackoff("problem") { () throws(QueueError) in body = try queue.problem(sha256: job.problemSHA256) }
            guard let body else { return failJob(job, "problem \(job.problemSHA256) is not in the queue") }
            do {
                if problems.count > 4096 { problems.removeAll() }
                problems[job.problemSHA256] = try Problem(
                    jsonLine: body, source: "problem \(job.problemSHA256.prefix(12))", key: options.sealKey)
            } catch {
                return failJob(job, "malformed problem: \(error)")
            }
        }
        let problem = problems[job.problemSHA256]!
        let sample: Sample
        do {
            sample = try SampleFile.parseOne(job.payload, source: "job \(job.id)", lineNumber: job.index + 1, index: job.index)
        } catch {
            return failJob(job, "malformed job payload: \(error)")
        }
        guard sample.taskID == problem.taskID else {
            return failJob(job, "malformed job payload: task_id \(sample.taskID) but the problem is \(problem.taskID)")
        }
        if graders[config] == nil {
            do {
                let profile = try settings.loadProfile(sandboxesDirectory: options.sandboxesDirectory)
                if profile.sha256 != settings.profileSHA256 {
                    logger.warning(
                        "run \(job.run): profile \(settings.profile) here (\(profile.sha256.prefix(12))) differs from the submitter's (\(settings.profileSHA256.prefix(12))); rows record this machine's"
                    )
                }
                graders[config] = try SampleGrader(
                    profile: profile, limits: settings.limits, pool: options.pool, proctorVersion: options.proctorVersion,
                    stdio: settings.stdio ?? StdioOptions(), differential: differential(settings), references: references)
            } catch {
                return retryJob(job, "cannot set up the sandbox here: \(error)")
            }
        }
        let grader = graders[config]!
        if pool?.config != config {
            pool?.pool?.shutdown()
            pool = (config, grader.makePool())
        }
        let graded = grader.grade(sample, of: problem, key: grader.key(sample, problem), pool: pool?.pool)
        if graded.status == .internalError {
            return retryJob(job, "internal_error (attempt \(job.attempt)): the sandbox failed")
        }
        // A hidden sample's time and memory stay out of the database (and the metrics): a row,
        // wherever it is kept, holds only what `HiddenRecord` let through.
        let result = JobResult(
            row: graded.line, taskID: graded.taskID, status: graded.status.rawValue, passed: graded.passed,
            wallMs: graded.hidden ? 0 : graded.wallMs, cpuMs: graded.hidden ? 0 : graded.cpuMs,
            peakRssKiB: graded.hidden ? 0 : graded.peakRssKiB)
        handOver(job, result, measured: !graded.hidden && graded.measured)
    }

    /// Gives a graded job's result to the main thread to store; the grading thread goes on.
    private func handOver(_ job: ClaimedJob, _ result: JobResult, measured: Bool = true) {
        lock.withLock {
            unstored.append((job, result, measured))
            lock.signal()
        }
    }

    /// Stores a graded job's result, waiting out an unavailable database; counts what happened.
    private func store(_ job: ClaimedJob, _ result: JobResult, measured: Bool) {
        let label = "\(job.run) \(job.taskID)#\(job.completionID)"
        var stored = false
        let saved = withBackoff("store result") { () throws(QueueError) in
            stored = try queue.complete(job: job.id, worker: info.id, result: result)
        }
        if !saved {
            logger.warning("\(label): result not stored (database unavailable while stopping); the job will be graded again")
        } else if !stored {
            metrics.recordLost()
            logger.warning("\(label): lease lost to another worker; its result counts, this one is dropped")
        } else {
            metrics.recordDone(status: result.status, wallMs: measured ? result.wallMs : nil)
        }
    }

    /// A repository-task job: the problem is the instance, the payload the prediction.
    private func processRepository(_ job: ClaimedJob, settings: RunSettings) {
        var body: [UInt8]?
        withBackoff("instance") { () throws(QueueError) in body = try queue.problem(sha256: job.problemSHA256) }
        guard let body else { return failJob(job, "instance \(job.problemSHA256) is not in the queue") }
        let instance: RepoInstance
        let prediction: RepoPrediction
        do {
            instance = try RepoInstance.parse(jsonLine: String(decoding: body, as: UTF8.self), source: "instance of job \(job.id)")
            prediction = try RepoPrediction.parse(jsonLine: job.payload, source: "job \(job.id)")
        } catch {
            return failJob(job, "malformed job payload: \(error)")
        }
        guard prediction.instanceID == instance.instanceID else {
            return failJob(job, "malformed job payload: prediction for \(prediction.instanceID) but the instance is \(instance.instanceID)")
        }
        // The instance's files (patch, test output) go to a directory of this worker's, removed
        // once the report — the job's result — is stored.
        let out = NSTemporaryDirectory() + "proctor-repo-job-\(getpid())-\(job.id)"
        defer { try? FileManager.default.removeItem(atPath: out) }
        let report: RepoGradeRun.InstanceReport
        do {
            var profile = try settings.loadProfile(sandboxesDirectory: options.sandboxesDirectory)
            var store: SWEEnvironmentStore?
            if let text = settings.sweSpecs {
                let specs = try JSONDecoder().decode(SWESpecs.self, from: Data(text.utf8))
                let interpreters = SWEEnvironmentStore.defaultInterpreters().merging(options.pythonInterpreters) { $1 }
                store = SWEEnvironmentStore(root: options.sweCache, interpreters: interpreters, specs: specs)
                profile = profile.withReadablePaths(store!.readablePaths)
            }
            var repoOptions = RepoGradeOptions(
                instancesPath: "queue", predictionsPath: "queue", outDirectory: out, profile: profile, limits: settings.limits,
                sandboxesDirectory: options.sandboxesDirectory)
            repoOptions.strict = settings.strict ?? false
            repoOptions.swe = store
            repoOptions.sweRules = settings.sweRules.flatMap(SWEGrading.Rules.init(rawValue:)) ?? .swebench4
            report = try RepoGradeRun.gradeOne(instance: instance, prediction: prediction, options: repoOptions)
        } catch {
            return retryJob(job, "cannot grade the repository task here: \(error)")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let row = (try? encoder.encode(report)).map { Array($0) } ?? []
        let status = SampleStatus(resolution: report.resolution, error: report.error != nil && !report.emptyPatch)
        let result = JobResult(
            row: row, taskID: instance.instanceID, status: status.rawValue, passed: report.resolution == "FULL", wallMs: report.wallMs ?? 0,
            cpuMs: 0, peakRssKiB: 0)
        handOver(job, result)
    }

    private func failJob(_ job: ClaimedJob, _ reason: String) {
        logger.error("\(job.run) \(job.taskID)#\(job.completionID): failed: \(reason)")
        metrics.recordFailed()
        withBackoff("fail job") { () throws(QueueError) in try queue.fail(job: job.id, worker: info.id, reason: reason) }
    }

    private func retryJob(_ job: ClaimedJob, _ reason: String) {
        logger.warning("\(job.run) \(job.taskID)#\(job.completionID): \(reason); back to the queue")
        metrics.recordRetried()
        withBackoff("retry job") { () throws(QueueError) in
            try queue.retry(job: job.id, worker: info.id, reason: reason, maxAttempts: options.maxAttempts)
        }
    }
}
