/// A queue of grading jobs shared by submitters and workers. Implementations: `PostgresQueue`
/// (many machines) and `SQLiteQueue` (one machine, no server). Calls block; they are made from
/// worker threads and command-line commands, never from inside Swift concurrency.
///
/// Jobs move `pending → running → done`, or to `failed` with a reason. A claim leases a job to
/// one worker for a time that heartbeats extend; a lease that runs out makes the job claimable
/// again (the worker died or lost the database). A result and the job's completion are written
/// in one transaction by the worker that holds the lease, so each job has exactly one result
/// however often it was claimed.
public protocol JobQueue: Sendable {
    /// Creates or migrates the schema; returns its version. Idempotent.
    @discardableResult func initialize() throws(QueueError) -> Int

    /// Adds a run's jobs. Resubmitting the same content is a no-op; a run or job that exists
    /// with other content is a `conflict`.
    func submit(run: String, config: String, problems: [String: [UInt8]], jobs: [NewJob]) throws(QueueError) -> SubmitReport

    /// Leases up to `limit` claimable jobs to `worker`. Jobs whose lease ran out `maxAttempts`
    /// times are failed instead of claimed again.
    func claim(worker: String, limit: Int, leaseSeconds: Double, maxAttempts: Int) throws(QueueError) -> [ClaimedJob]

    /// The run's configuration as submitted (opaque to the queue).
    func runConfig(_ run: String) throws(QueueError) -> String?

    /// A problem's body by its sha256.
    func problem(sha256: String) throws(QueueError) -> [UInt8]?

    /// Stores the result and marks the job done, if `worker` still holds its lease; returns
    /// false (and stores nothing) when it does not.
    func complete(job: Int64, worker: String, result: JobResult) throws(QueueError) -> Bool

    /// An infrastructure failure: the job goes back to `pending`, or to `failed` with `reason`
    /// once it has been attempted `maxAttempts` times.
    func retry(job: Int64, worker: String, reason: String, maxAttempts: Int) throws(QueueError)

    /// A job that can never succeed (a malformed payload): `failed` with `reason`.
    func fail(job: Int64, worker: String, reason: String) throws(QueueError)

    /// Gives back jobs claimed but not started (a worker stopping); the attempt is not counted.
    func release(jobs: [Int64], worker: String) throws(QueueError)

    /// Extends the leases of every job `worker` holds and records that the worker is alive.
    func heartbeat(worker: WorkerInfo, leaseSeconds: Double) throws(QueueError)

    /// Records that `worker` stopped cleanly.
    func workerStopped(_ worker: String) throws(QueueError)

    /// Counts per state, recent rate, oldest pending job, live workers; for one run or all.
    func status(run: String?) throws(QueueError) -> QueueStatus

    /// The run's results in submission order, then its failed jobs.
    func results(run: String, _ body: (ResultRecord) throws(QueueError) -> Void) throws(QueueError) -> [FailedJob]

    /// Closes connections.
    func close()
}

/// One job as submitted.
public struct NewJob: Sendable {
    public var index: Int
    public var taskID: String
    public var completionID: String
    /// Identifies the content (problem + sample); equal hashes make resubmission idempotent.
    public var contentSHA256: String
    public var problemSHA256: String
    /// The sample's JSON line.
    public var payload: String

    public init(index: Int, taskID: String, completionID: String, contentSHA256: String, problemSHA256: String, payload: String) {
        self.index = index
        self.taskID = taskID
        self.completionID = completionID
        self.contentSHA256 = contentSHA256
        self.problemSHA256 = problemSHA256
        self.payload = payload
    }
}

public struct SubmitReport: Sendable, Equatable {
    public var inserted: Int
    public var alreadyPresent: Int

    public init(inserted: Int, alreadyPresent: Int) {
        self.inserted = inserted
        self.alreadyPresent = alreadyPresent
    }
}

/// A job leased to a worker.
public struct ClaimedJob: Sendable {
    public var id: Int64
    public var run: String
    public var index: Int
    public var taskID: String
    public var completionID: String
    /// 1 on the first claim; more after lost leases or infrastructure retries.
    public var attempt: Int
    public var problemSHA256: String
    public var payload: String
}

/// What a worker stores for a finished job.
public struct JobResult: Sendable {
    public var row: [UInt8]
    public var taskID: String
    public var status: String
    public var passed: Bool
    public var wallMs: Double
    public var cpuMs: Double
    public var peakRssKiB: Double

    public init(row: [UInt8], taskID: String, status: String, passed: Bool, wallMs: Double, cpuMs: Double, peakRssKiB: Double) {
        self.row = row
        self.taskID = taskID
        self.status = status
        self.passed = passed
        self.wallMs = wallMs
        self.cpuMs = cpuMs
        self.peakRssKiB = peakRssKiB
    }
}

/// A stored result, as `proctor results` reads it back.
public struct ResultRecord: Sendable {
    public var index: Int
    public var result: JobResult
}

public struct FailedJob: Sendable, Equatable {
    public var taskID: String
    public var completionID: String
    public var reason: String
}

public struct WorkerInfo: Sendable {
    public var id: String
    public var host: String
    public var pid: Int
    public var concurrency: Int

    public init(id: String, host: String, pid: Int, concurrency: Int) {
        self.id = id
        self.host = host
        self.pid = pid
        self.concurrency = concurrency
    }
}

public struct QueueStatus: Sendable {
    /// Jobs per state (`JobState`'s words; `count(_:)` reads one).
    public var counts: [String: Int]
    /// Results per second over the last minute: over the span the stored results actually cover
    /// (a run that finished 20 s after it started has its own rate, not a sixtieth of its count).
    public var recentRate: Double

    public static func rate(results: Int, overSeconds span: Double) -> Double {
        results == 0 ? 0 : Double(results) / max(1, min(60, span))
    }
    /// Age of the oldest pending job, in seconds.
    public var oldestPendingSeconds: Double?
    public var liveWorkers: [LiveWorker]

    public struct LiveWorker: Sendable {
        public var id: String
        public var host: String
        public var pid: Int
        public var concurrency: Int
        public var jobsDone: Int
        public var secondsSinceHeartbeat: Double
    }
}
