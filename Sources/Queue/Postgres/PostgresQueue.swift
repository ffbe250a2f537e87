import Dispatch
import Foundation
import Logging
import PostgresNIO
import Synchronization

/// The many-machines queue: one PostgreSQL database, workers anywhere. Claims take batches with
/// `FOR UPDATE SKIP LOCKED`, so concurrent workers never wait on each other's rows; completions
/// write the result and mark the job done in one transaction, conditional on still holding the
/// lease. Connections come from postgres-nio's pool, which reconnects on its own; every call
/// has a deadline and reports a lost database as `unavailable`, for the caller to back off.
public final class PostgresQueue: JobQueue, Sendable {
    private let client: PostgresClient
    private let runner: Task<Void, Never>
    private let logger: Logger
    private let address: QueueLocation.PostgresAddress
    private let now = Schema.Dialect.postgres.now
    /// How long one call may wait for the database before it counts as unavailable.
    private let deadline: Double

    public init(address: QueueLocation.PostgresAddress, logger: Logger, deadlineSeconds: Double = 15) {
        var configuration: PostgresClient.Configuration
        if let directory = address.socketDirectory {
            configuration = .init(
                unixSocketPath: directory + "/.s.PGSQL.\(address.port)", username: address.user, password: address.password,
                database: address.database)
        } else {
            configuration = .init(
                host: address.host ?? "127.0.0.1", port: address.port, username: address.user, password: address.password,
                database: address.database, tls: .disable)
        }
        configuration.options.connectTimeout = .seconds(5)
        configuration.options.maximumConnections = 8
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        self.logger = logger
        self.address = address
        deadline = deadlineSeconds
        runner = Task(executorPreference: Self.executor) { await client.run() }
    }

    public func close() { runner.cancel() }

    /// One connection attempt of its own, before the pool's: a database that does not exist or
    /// credentials the server refuses will never work, so they are one clear error at once
    /// instead of a pool retrying in the background until every call times out. A server that
    /// is down (or restarting) is `unavailable`, for the caller to wait out as before.
    public func probe() throws(QueueError) {
        let address = self.address
        let logger = self.logger
        try blocking("connect") {
            var configuration: PostgresConnection.Configuration
            if let directory = address.socketDirectory {
                configuration = .init(
                    unixSocketPath: directory + "/.s.PGSQL.\(address.port)", username: address.user, password: address.password,
                    database: address.database)
            } else {
                configuration = .init(
                    host: address.host ?? "127.0.0.1", port: address.port, username: address.user, password: address.password,
                    database: address.database, tls: .disable)
            }
            configuration.options.connectTimeout = .seconds(5)
            let connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
            try await connection.close()
        }
    }

    deinit { runner.cancel() }

    // MARK: bridging blocking callers to postgres-nio

    /// Runs the bridged tasks on Dispatch threads, not on Swift's cooperative pool: a blocking
    /// caller that is itself on a cooperative thread (a test, say) must not starve the task it
    /// waits for.
    private static let executor = DispatchTaskExecutor()

    private func blocking<T: Sendable>(_ what: String, _ body: @escaping @Sendable () async throws -> T) throws(QueueError) -> T {
        let outcome = Mutex<Result<T, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        let task = Task(executorPreference: Self.executor) {
            let result: Result<T, any Error>
            do {
                result = .success(try await body())
            } catch {
                result = .failure(error)
            }
            outcome.withLock { $0 = result }
            done.signal()
        }
        guard done.wait(timeout: .now() + deadline) == .success else {
            task.cancel()
            throw QueueError(.unavailable, "\(QueueLocation.postgres(address)): \(what): no answer within \(Int(deadline)) s")
        }
        switch outcome.withLock({ $0 })! {
        case .success(let value): return value
        case .failure(let error): throw classify(error, what)
        }
    }

    private func classify(_ error: any Error, _ what: String) -> QueueError {
        if let error = error as? QueueError { return error }
        // A transaction wraps what its body threw (a refused resubmission, a server error).
        if let wrapped = error as? PostgresTransactionError,
            let inner = wrapped.closureError ?? wrapped.beginError ?? wrapped.commitError
        {
            return classify(inner, what)
        }
        let place = "\(QueueLocation.postgres(address)): \(what)"
        guard let error = error as? PSQLError else { return QueueError(.unavailable, "\(place): \(error)") }
        guard error.code == .server else { return QueueError(.unavailable, "\(place): \(error.code)") }
        let state = error.serverInfo?[.sqlState] ?? ""
        let message = error.serverInfo?[.message] ?? "server error"
        // 08: connection exceptions; 57: operator intervention (shutdown, restart); 53: resources.
        if state.hasPrefix("08") || state.hasPrefix("57") || state.hasPrefix("53") {
            return QueueError(.unavailable, "\(place): \(message) (\(state))")
        }
        switch state {
        case "3D000":
            return QueueError(.invalid, "\(QueueLocation.postgres(address)): database \(address.database) does not exist (create it, e.g. createdb)")
        case "28000", "28P01":
            return QueueError(.invalid, "\(QueueLocation.postgres(address)): the server refused user \(address.user): \(message)")
        default: break
        }
        if state == "42P01" {
            return QueueError(
                .invalid, "\(place): no queue schema here; run `proctor queue init --queue \(QueueLocation.postgres(address))` first")
        }
        return QueueError(.database, "\(place): \(message) (\(state))")
    }

    private static func query(_ sql: String, _ values: [any PostgresDynamicTypeEncodable & Sendable]) -> PostgresQuery {
        var binds = PostgresBindings(capacity: values.count)
        for value in values { binds.append(value) }
        return PostgresQuery(unsafeSQL: sql, binds: binds)
    }

    // MARK: JobQueue

    @discardableResult
    public func initialize() throws(QueueError) -> Int {
        try blocking("initialize") { [self] in
            try await client.withTransaction(logger: logger) { connection in
                // One initialiser at a time, however many workers start together.
                try await connection.query("SELECT pg_advisory_xact_lock(7210455)", logger: logger)
                try await connection.query(
                    "CREATE TABLE IF NOT EXISTS proctor_meta (key text PRIMARY KEY, value text NOT NULL)", logger: logger)
                var current = 0
                for try await value in try await connection.query(
                    "SELECT value FROM proctor_meta WHERE key = 'schema_version'", logger: logger
                ).decode(String.self) {
                    current = Int(value) ?? 0
                }
                guard current <= Schema.version else {
                    throw QueueError(.invalid, "schema version \(current) is newer than this proctor (\(Schema.version))")
                }
                for number in stride(from: current + 1, through: Schema.version, by: 1) {
                    for statement in Schema.migration(number, .postgres) {
                        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                    }
                }
                try await connection.query(
                    Self.query(
                        "INSERT INTO proctor_meta (key, value) VALUES ('schema_version', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                        [String(Schema.version)]), logger: logger)
                return Schema.version
            }
        }
    }

    public func submit(run: String, config: String, problems: [String: [UInt8]], jobs: [NewJob]) throws(QueueError) -> SubmitReport {
        try blocking("submit") { [self, now] in
            try await client.withTransaction(logger: logger) { connection in
                var existingConfig: String?
                for try await value in try await connection.query(
                    Self.query("SELECT config FROM runs WHERE run_id = $1 FOR UPDATE", [run]), logger: logger
                ).decode(String.self) {
                    existingConfig = value
                }
                var existing: [String: String] = [:]
                if let existingConfig {
                    guard existingConfig == config else {
                        throw QueueError(.conflict, "run \(run) already exists with other settings (profile or limits); use another --run")
                    }
                    for try await (task, completion, sha) in try await connection.query(
                        Self.query("SELECT task_id, completion_id, content_sha256 FROM jobs WHERE run_id = $1", [run]), logger: logger
                    ).decode((String, String, String).self) {
                        existing[task + "\u{0}" + completion] = sha
                    }
                } else {
                    try await connection.query(
                        Self.query("INSERT INTO runs (run_id, config, created_at) VALUES ($1, $2, \(now))", [run, config]), logger: logger)
                }
                for (sha, body) in problems {
                    try await connection.query(
                        Self.query(
                            "INSERT INTO problems (sha256, body) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                            [sha, String(decoding: body, as: UTF8.self)]), logger: logger)
                }
                var report = SubmitReport(inserted: 0, alreadyPresent: 0)
                var batch: [NewJob] = []
                func flush() async throws {
                    guard !batch.isEmpty else { return }
                    var binds = PostgresBindings(capacity: batch.count * 7)
                    var rows: [String] = []
                    for (offset, job) in batch.enumerated() {
                        let base = offset * 7
                        rows.append(
                            "($\(base + 1), $\(base + 2), $\(base + 3), $\(base + 4), $\(base + 5), $\(base + 6), $\(base + 7), \(now), \(now))"
                        )
                        binds.append(run)
                        binds.append(job.index)
                        binds.append(job.taskID)
                        binds.append(job.completionID)
                        binds.append(job.contentSHA256)
                        binds.append(job.problemSHA256)
                        binds.append(job.payload)
                    }
                    let sql = """
                        INSERT INTO jobs (run_id, idx, task_id, completion_id, content_sha256, problem_sha256, payload, created_at, updated_at)
                        VALUES \(rows.joined(separator: ", ")) ON CONFLICT (run_id, task_id, completion_id) DO NOTHING
                        """
                    try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
                    report.inserted += batch.count
                    batch.removeAll(keepingCapacity: true)
                }
                for job in jobs {
                    if let sha = existing[job.taskID + "\u{0}" + job.completionID] {
                        guard sha == job.contentSHA256 else {
                            throw QueueError(
                                .conflict, "run \(run) already has \(job.taskID)#\(job.completionID) with other content; use another --run")
                        }
                        report.alreadyPresent += 1
                        continue
                    }
                    batch.append(job)
                    if batch.count == 500 { try await flush() }
                }
                try await flush()
                return report
            }
        }
    }

    public func claim(worker: String, limit: Int, leaseSeconds: Double, maxAttempts: Int) throws(QueueError) -> [ClaimedJob] {
        try blocking("claim") { [self, now] in
            try await client.withTransaction(logger: logger) { connection in
                try await connection.query(
                    Self.query(
                        """
                        UPDATE jobs SET state = 'failed', last_error = 'lease expired on each of ' || attempts || ' attempts (last worker: '
                          || coalesce(lease_owner, '?') || ')', lease_owner = NULL, lease_expires = NULL, updated_at = \(now)
                        WHERE id IN (SELECT id FROM jobs WHERE state = 'running' AND lease_expires < \(now) AND attempts >= $1
                                     FOR UPDATE SKIP LOCKED)
                        """, [maxAttempts]), logger: logger)
                var claimed: [ClaimedJob] = []
                let rows = try await connection.query(
                    Self.query(
                        """
                        WITH picked AS (
                          SELECT id FROM jobs WHERE state = 'pending' OR (state = 'running' AND lease_expires < \(now))
                          ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED)
                        UPDATE jobs SET state = 'running', lease_owner = $1, lease_expires = \(now) + $2, attempts = jobs.attempts + 1,
                          last_error = CASE WHEN jobs.state = 'running' THEN 'lease of ' || coalesce(jobs.lease_owner, '?') || ' expired'
                                            ELSE jobs.last_error END,
                          updated_at = \(now)
                        FROM picked WHERE jobs.id = picked.id
                        RETURNING jobs.id, jobs.run_id, jobs.idx, jobs.task_id, jobs.completion_id, jobs.attempts, jobs.problem_sha256, jobs.payload
                        """, [worker, leaseSeconds, limit]), logger: logger)
                for try await (id, run, index, task, completion, attempts, problem, payload) in rows.decode(
                    (Int64, String, Int, String, String, Int, String, String).self)
                {
                    claimed.append(
                        ClaimedJob(
                            id: id, run: run, index: index, taskID: task, completionID: completion, attempt: attempts,
                            problemSHA256: problem,
                            payload: payload))
                }
                return claimed.sorted { $0.id < $1.id }
            }
        }
    }

    public func runConfig(_ run: String) throws(QueueError) -> String? {
        try blocking("run config") { [self] in
            var config: String?
            for try await value in try await client.query(Self.query("SELECT config FROM runs WHERE run_id = $1", [run]), logger: logger)
                .decode(String.self)
            {
                config = value
            }
            return config
        }
    }

    public func problem(sha256: String) throws(QueueError) -> [UInt8]? {
        try blocking("problem") { [self] in
            var body: [UInt8]?
            for try await value in try await client.query(
                Self.query("SELECT body FROM problems WHERE sha256 = $1", [sha256]), logger: logger
            ).decode(String.self) {
                body = Array(value.utf8)
            }
            return body
        }
    }

    public func complete(job: Int64, worker: String, result: JobResult) throws(QueueError) -> Bool {
        try blocking("complete") { [self, now] in
            try await client.withTransaction(logger: logger) { connection in
                var owned: (String, Int)?
                for try await row in try await connection.query(
                    Self.query(
                        """
                        UPDATE jobs SET state = 'done', lease_owner = NULL, lease_expires = NULL, updated_at = \(now)
                        WHERE id = $1 AND lease_owner = $2 AND state = 'running' RETURNING run_id, idx
                        """, [job, worker]), logger: logger
                ).decode((String, Int).self) {
                    owned = row
                }
                guard let (run, index) = owned else { return false }
                try await connection.query(
                    Self.query(
                        """
                        INSERT INTO results (job_id, run_id, idx, task_id, row_json, status, passed, wall_ms, cpu_ms, peak_rss_kib, worker, finished_at)
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, \(now)) ON CONFLICT (job_id) DO NOTHING
                        """,
                        [
                            job, run, index, result.taskID, String(decoding: result.row, as: UTF8.self), result.status, result.passed,
                            result.wallMs, result.cpuMs, result.peakRssKiB, worker,
                        ]), logger: logger)
                try await connection.query(
                    Self.query("UPDATE workers SET jobs_done = jobs_done + 1 WHERE worker_id = $1", [worker]), logger: logger)
                return true
            }
        }
    }

    public func retry(job: Int64, worker: String, reason: String, maxAttempts: Int) throws(QueueError) {
        try execute(
            "retry",
            """
            UPDATE jobs SET state = CASE WHEN attempts >= $1 THEN 'failed' ELSE 'pending' END, last_error = $2,
              lease_owner = NULL, lease_expires = NULL, updated_at = \(now)
            WHERE id = $3 AND lease_owner = $4 AND state = 'running'
            """, [maxAttempts, reason, job, worker])
    }

    public func fail(job: Int64, worker: String, reason: String) throws(QueueError) {
        try execute(
            "fail",
            """
            UPDATE jobs SET state = 'failed', last_error = $1, lease_owner = NULL, lease_expires = NULL, updated_at = \(now)
            WHERE id = $2 AND lease_owner = $3 AND state = 'running'
            """, [reason, job, worker])
    }

    public func release(jobs: [Int64], worker: String) throws(QueueError) {
        for job in jobs {
            try execute(
                "release",
                """
                UPDATE jobs SET state = 'pending', attempts = attempts - 1, lease_owner = NULL, lease_expires = NULL, updated_at = \(now)
                WHERE id = $1 AND lease_owner = $2 AND state = 'running'
                """, [job, worker])
        }
    }

    public func heartbeat(worker: WorkerInfo, leaseSeconds: Double) throws(QueueError) {
        try execute(
            "heartbeat", "UPDATE jobs SET lease_expires = \(now) + $1 WHERE lease_owner = $2 AND state = 'running'",
            [leaseSeconds, worker.id])
        try execute(
            "heartbeat",
            """
            INSERT INTO workers (worker_id, host, pid, concurrency, started_at, heartbeat_at, stopped)
            VALUES ($1, $2, $3, $4, \(now), \(now), false)
            ON CONFLICT (worker_id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at, stopped = false
            """, [worker.id, worker.host, worker.pid, worker.concurrency])
    }

    public func workerStopped(_ worker: String) throws(QueueError) {
        try execute("worker stopped", "UPDATE workers SET stopped = true WHERE worker_id = $1", [worker])
    }

    private func execute(_ what: String, _ sql: String, _ values: [any PostgresDynamicTypeEncodable & Sendable]) throws(QueueError) {
        let query = Self.query(sql, values)
        try blocking(what) { [self] in
            try await client.query(query, logger: logger)
            return ()
        }
    }

    public func status(run: String?) throws(QueueError) -> QueueStatus {
        try blocking("status") { [self, now] in
            let filter = run == nil ? "" : " WHERE run_id = $1"
            let andRun = run == nil ? "" : " AND run_id = $1"
            let values: [any PostgresDynamicTypeEncodable & Sendable] = run.map { [$0] } ?? []
            var counts = JobState.none
            for try await (state, count) in try await client.query(
                Self.query("SELECT state, count(*)::bigint FROM jobs\(filter) GROUP BY state", values), logger: logger
            ).decode((String, Int64).self) {
                counts[state] = Int(count)
            }
            var recent: Int64 = 0
            var span = 0.0
            for try await (count, seconds) in try await client.query(
                Self.query(
                    "SELECT count(*)::bigint, coalesce(\(now) - min(finished_at), 0)::float8 FROM results WHERE finished_at > \(now) - 60\(andRun)",
                    values), logger: logger
            ).decode((Int64, Double).self) {
                (recent, span) = (count, seconds)
            }
            var oldest: Double?
            for try await value in try await client.query(
                Self.query("SELECT \(now) - min(created_at) FROM jobs WHERE state = 'pending'\(andRun)", values), logger: logger
            ).decode(Double?.self) {
                oldest = value
            }
            var workers: [QueueStatus.LiveWorker] = []
            for try await (id, host, pid, concurrency, done, age) in try await client.query(
                """
                SELECT worker_id, host, pid, concurrency, jobs_done, \(unescaped: now) - heartbeat_at FROM workers
                WHERE NOT stopped AND heartbeat_at > \(unescaped: now) - 60 ORDER BY worker_id
                """, logger: logger
            ).decode((String, String, Int, Int, Int, Double).self) {
                workers.append(
                    QueueStatus.LiveWorker(
                        id: id, host: host, pid: pid, concurrency: concurrency, jobsDone: done, secondsSinceHeartbeat: age))
            }
            return QueueStatus(
                counts: counts, recentRate: QueueStatus.rate(results: Int(recent), overSeconds: span), oldestPendingSeconds: oldest,
                liveWorkers: workers)
        }
    }

    public func results(run: String, _ body: (ResultRecord) throws(QueueError) -> Void) throws(QueueError) -> [FailedJob] {
        var after = -1
        while true {
            let page = try blocking("results") { [self, after] in
                var page: [ResultRecord] = []
                for try await (index, row, task, status, passed, wall, cpu, rss) in try await client.query(
                    Self.query(
                        """
                        SELECT idx, row_json, task_id, status, passed, wall_ms, cpu_ms, peak_rss_kib FROM results
                        WHERE run_id = $1 AND idx > $2 ORDER BY idx LIMIT 1000
                        """, [run, after]), logger: logger
                ).decode((Int, String, String, String, Bool, Double, Double, Double).self) {
                    page.append(
                        ResultRecord(
                            index: index,
                            result: JobResult(
                                row: Array(row.utf8), taskID: task, status: status, passed: passed, wallMs: wall, cpuMs: cpu,
                                peakRssKiB: rss)))
                }
                return page
            }
            for record in page {
                after = record.index
                try body(record)
            }
            if page.count < 1000 { break }
        }
        return try blocking("failed jobs") { [self] in
            var failed: [FailedJob] = []
            for try await (task, completion, reason) in try await client.query(
                Self.query(
                    "SELECT task_id, completion_id, coalesce(last_error, '') FROM jobs WHERE run_id = $1 AND state = 'failed' ORDER BY idx",
                    [run]), logger: logger
            ).decode((String, String, String).self) {
                failed.append(FailedJob(taskID: task, completionID: completion, reason: reason))
            }
            return failed
        }
    }
}

/// A task executor on a concurrent Dispatch queue (see `PostgresQueue.executor`).
final class DispatchTaskExecutor: TaskExecutor, @unchecked Sendable {
    // @unchecked: the queue is thread-safe.
    private let queue = DispatchQueue(label: "proctor.queue.postgres", attributes: .concurrent)

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
