import Foundation

/// The single-machine queue: one SQLite file, shared by any number of submitters and worker
/// processes on this machine (WAL mode; claims take the write lock with BEGIN IMMEDIATE).
public final class SQLiteQueue: JobQueue, @unchecked Sendable {
    // @unchecked: every use of `database` holds `lock`.
    private let database: SQLiteDatabase
    private let lock = NSLock()
    private let now = Schema.Dialect.sqlite.now

    public init(path: String, creating: Bool = true) throws(QueueError) {
        database = try SQLiteDatabase(path: path, creating: creating)
    }

    public func close() {}

    private func locked<T>(_ body: (SQLiteDatabase) throws(QueueError) -> T) throws(QueueError) -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(database)
    }

    @discardableResult
    public func initialize() throws(QueueError) -> Int {
        try locked { (db) throws(QueueError) -> Int in
            try db.transaction { () throws(QueueError) -> Int in
                try db.execute("CREATE TABLE IF NOT EXISTS proctor_meta (key text PRIMARY KEY, value text NOT NULL)")
                let current = Int(try db.execute("SELECT value FROM proctor_meta WHERE key = 'schema_version'").first?[0].text ?? "0") ?? 0
                guard current <= Schema.version else {
                    throw QueueError(.invalid, "\(db.path): schema version \(current) is newer than this proctor (\(Schema.version))")
                }
                for number in stride(from: current + 1, through: Schema.version, by: 1) {
                    for statement in Schema.migration(number, .sqlite) { try db.execute(statement) }
                }
                try db.execute(
                    "INSERT INTO proctor_meta (key, value) VALUES ('schema_version', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    [.text(String(Schema.version))])
                return Schema.version
            }
        }
    }

    private func requireSchema(_ db: SQLiteDatabase) throws(QueueError) {
        let exists = try db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'proctor_meta'")
        guard !exists.isEmpty else {
            throw QueueError(.invalid, "\(db.path): no queue schema here; run `proctor queue init --queue sqlite:\(db.path)` first")
        }
    }

    public func submit(run: String, config: String, problems: [String: [UInt8]], jobs: [NewJob]) throws(QueueError) -> SubmitReport {
        try locked { (db) throws(QueueError) -> SubmitReport in
            try requireSchema(db)
            return try db.transaction { () throws(QueueError) -> SubmitReport in
                if let existing = try db.execute("SELECT config FROM runs WHERE run_id = ?", [.text(run)]).first?[0].text {
                    guard existing == config else {
                        throw QueueError(.conflict, "run \(run) already exists with other settings (profile or limits); use another --run")
                    }
                } else {
                    try db.execute("INSERT INTO runs (run_id, config, created_at) VALUES (?, ?, \(now))", [.text(run), .text(config)])
                }
                for (sha, body) in problems {
                    try db.execute("INSERT INTO problems (sha256, body) VALUES (?, ?) ON CONFLICT DO NOTHING", [.text(sha), .blob(body)])
                }
                var report = SubmitReport(inserted: 0, alreadyPresent: 0)
                for job in jobs {
                    let present = try db.execute(
                        "SELECT content_sha256 FROM jobs WHERE run_id = ? AND task_id = ? AND completion_id = ?",
                        [.text(run), .text(job.taskID), .text(job.completionID)])
                    if let sha = present.first?[0].text {
                        guard sha == job.contentSHA256 else {
                            throw QueueError(
                                .conflict, "run \(run) already has \(job.taskID)#\(job.completionID) with other content; use another --run")
                        }
                        report.alreadyPresent += 1
                        continue
                    }
                    try db.execute(
                        """
                        INSERT INTO jobs (run_id, idx, task_id, completion_id, content_sha256, problem_sha256, payload, created_at, updated_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, \(now), \(now))
                        """,
                        [
                            .text(run), .integer(Int64(job.index)), .text(job.taskID), .text(job.completionID), .text(job.contentSHA256),
                            .text(job.problemSHA256), .text(job.payload),
                        ])
                    report.inserted += 1
                }
                return report
            }
        }
    }

    public func claim(worker: String, limit: Int, leaseSeconds: Double, maxAttempts: Int) throws(QueueError) -> [ClaimedJob] {
        try locked { (db) throws(QueueError) -> [ClaimedJob] in
            try db.transaction { () throws(QueueError) -> [ClaimedJob] in
                try db.execute(
                    """
                    UPDATE jobs SET state = 'failed', last_error = 'lease expired on each of ' || attempts || ' attempts (last worker: '
                      || coalesce(lease_owner, '?') || ')', lease_owner = NULL, lease_expires = NULL, updated_at = \(now)
                    WHERE state = 'running' AND lease_expires < \(now) AND attempts >= ?
                    """, [.integer(Int64(maxAttempts))])
                let rows = try db.execute(
                    """
                    UPDATE jobs SET state = 'running', lease_owner = ?, lease_expires = \(now) + ?, attempts = attempts + 1,
                      last_error = CASE WHEN state = 'running' THEN 'lease of ' || coalesce(lease_owner, '?') || ' expired' ELSE last_error END,
                      updated_at = \(now)
                    WHERE id IN (SELECT id FROM jobs WHERE state = 'pending' OR (state = 'running' AND lease_expires < \(now))
                                 ORDER BY id LIMIT ?)
                    RETURNING id, run_id, idx, task_id, completion_id, attempts, problem_sha256, payload
                    """, [.text(worker), .real(leaseSeconds), .integer(Int64(limit))])
                return rows.map { row in
                    ClaimedJob(
                        id: row[0].int ?? 0, run: row[1].text ?? "", index: Int(row[2].int ?? 0), taskID: row[3].text ?? "",
                        completionID: row[4].text ?? "", attempt: Int(row[5].int ?? 0), problemSHA256: row[6].text ?? "",
                        payload: row[7].text ?? "")
                }.sorted { $0.id < $1.id }
            }
        }
    }

    public func runConfig(_ run: String) throws(QueueError) -> String? {
        try locked { (db) throws(QueueError) -> String? in
            try requireSchema(db)
            return try db.execute("SELECT config FROM runs WHERE run_id = ?", [.text(run)]).first?[0].text
        }
    }

    public func problem(sha256: String) throws(QueueError) -> [UInt8]? {
        try locked { (db) throws(QueueError) -> [UInt8]? in
            try db.execute("SELECT body FROM problems WHERE sha256 = ?", [.text(sha256)]).first?[0].bytes
        }
    }

    public func complete(job: Int64, worker: String, result: JobResult) throws(QueueError) -> Bool {
        try locked { (db) throws(QueueError) -> Bool in
            try db.transaction { () throws(QueueError) -> Bool in
                let owned = try db.execute(
                    """
                    UPDATE jobs SET state = 'done', lease_owner = NULL, lease_expires = NULL, updated_at = \(now)
                    WHERE id = ? AND lease_owner = ? AND state = 'running' RETURNING run_id, idx
                    """, [.integer(job), .text(worker)])
                guard let row = owned.first else { return false }
                try db.execute(
                    """
                    INSERT INTO results (job_id, run_id, idx, task_id, row_json, status, passed, wall_ms, cpu_ms, peak_rss_kib, worker, finished_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, \(now)) ON CONFLICT (job_id) DO NOTHING
                    """,
                    [
                        .integer(job), row[0], row[1], .text(result.taskID), .text(String(decoding: result.row, as: UTF8.self)),
                        .text(result.status), .integer(result.passed ? 1 : 0), .real(result.wallMs), .real(result.cpuMs),
                        .real(result.peakRssKiB), .text(worker),
                    ])
                try db.execute("UPDATE workers SET jobs_done = jobs_done + 1 WHERE worker_id = ?", [.text(worker)])
                return true
            }
        }
    }

    public func retry(job: Int64, worker: String, reason: String, maxAttempts: Int) throws(QueueError) {
        _ = try locked { (db) throws(QueueError) in
            try db.execute(
                """
                UPDATE jobs SET state = CASE WHEN attempts >= ? THEN 'failed' ELSE 'pending' END, last_error = ?,
                  lease_owner = NULL, lease_expires = NULL, updated_at = \(now)
                WHERE id = ? AND lease_owner = ? AND state = 'running'
                """, [.integer(Int64(maxAttempts)), .text(reason), .integer(job), .text(worker)])
        }
    }

    public func fail(job: Int64, worker: String, reason: String) throws(QueueError) {
        _ = try locked { (db) throws(QueueError) in
            try db.execute(
                """
                UPDATE jobs SET state = 'failed', last_error = ?, lease_owner = NULL, lease_expires = NULL, updated_at = \(now)
                WHERE id = ? AND lease_owner = ? AND state = 'running'
                """, [.text(reason), .integer(job), .text(worker)])
        }
    }

    public func release(jobs: [Int64], worker: String) throws(QueueError) {
        guard !jobs.isEmpty else { return }
        _ = try locked { (db) throws(QueueError) in
            try db.transaction { () throws(QueueError) in
                for job in jobs {
                    try db.execute(
                        """
                        UPDATE jobs SET state = 'pending', attempts = attempts - 1, lease_owner = NULL, lease_expires = NULL,
                          updated_at = \(now)
                        WHERE id = ? AND lease_owner = ? AND state = 'running'
                        """, [.integer(job), .text(worker)])
                }
            }
        }
    }

    public func heartbeat(worker: WorkerInfo, leaseSeconds: Double) throws(QueueError) {
        _ = try locked { (db) throws(QueueError) in
            try db.transaction { () throws(QueueError) in
                try db.execute(
                    "UPDATE jobs SET lease_expires = \(now) + ? WHERE lease_owner = ? AND state = 'running'",
                    [.real(leaseSeconds), .text(worker.id)])
                try db.execute(
                    """
                    INSERT INTO workers (worker_id, host, pid, concurrency, started_at, heartbeat_at, stopped)
                    VALUES (?, ?, ?, ?, \(now), \(now), 0)
                    ON CONFLICT (worker_id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at, stopped = 0
                    """, [.text(worker.id), .text(worker.host), .integer(Int64(worker.pid)), .integer(Int64(worker.concurrency))])
            }
        }
    }

    public func workerStopped(_ worker: String) throws(QueueError) {
        _ = try locked { (db) throws(QueueError) in
            try db.execute("UPDATE workers SET stopped = 1 WHERE worker_id = ?", [.text(worker)])
        }
    }

    public func status(run: String?) throws(QueueError) -> QueueStatus {
        try locked { (db) throws(QueueError) -> QueueStatus in
            try requireSchema(db)
            let filter = run == nil ? "" : " WHERE run_id = ?"
            let binds: [SQLiteDatabase.Value] = run.map { [.text($0)] } ?? []
            var counts = JobState.none
            for row in try db.execute("SELECT state, count(*) FROM jobs\(filter) GROUP BY state", binds) {
                counts[row[0].text ?? "?"] = Int(row[1].int ?? 0)
            }
            let window = try db.execute(
                "SELECT count(*), \(now) - min(finished_at) FROM results WHERE finished_at > \(now) - 60"
                    + (run == nil ? "" : " AND run_id = ?"), binds
            ).first
            let recent = window?[0].int ?? 0
            let span = window?[1].double ?? 0
            let oldest = try db.execute(
                "SELECT \(now) - min(created_at) FROM jobs WHERE state = 'pending'" + (run == nil ? "" : " AND run_id = ?"), binds
            ).first?[0].double
            let workers = try db.execute(
                """
                SELECT worker_id, host, pid, concurrency, jobs_done, \(now) - heartbeat_at FROM workers
                WHERE stopped = 0 AND heartbeat_at > \(now) - 60 ORDER BY worker_id
                """)
            return QueueStatus(
                counts: counts, recentRate: QueueStatus.rate(results: Int(recent), overSeconds: span), oldestPendingSeconds: oldest,
                liveWorkers: workers.map { row in
                    QueueStatus.LiveWorker(
                        id: row[0].text ?? "", host: row[1].text ?? "", pid: Int(row[2].int ?? 0), concurrency: Int(row[3].int ?? 0),
                        jobsDone: Int(row[4].int ?? 0), secondsSinceHeartbeat: row[5].double ?? 0)
                })
        }
    }

    public func results(run: String, _ body: (ResultRecord) throws(QueueError) -> Void) throws(QueueError) -> [FailedJob] {
        // Read in pages so a run of millions never sits in memory at once.
        var after = -1
        while true {
            let page = try locked { (db) throws(QueueError) -> [[SQLiteDatabase.Value]] in
                try db.execute(
                    """
                    SELECT idx, row_json, task_id, status, passed, wall_ms, cpu_ms, peak_rss_kib FROM results
                    WHERE run_id = ? AND idx > ? ORDER BY idx LIMIT 1000
                    """, [.text(run), .integer(Int64(after))])
            }
            for row in page {
                after = Int(row[0].int ?? 0)
                try body(
                    ResultRecord(
                        index: after,
                        result: JobResult(
                            row: row[1].bytes ?? [], taskID: row[2].text ?? "", status: row[3].text ?? "", passed: (row[4].int ?? 0) != 0,
                            wallMs: row[5].double ?? 0, cpuMs: row[6].double ?? 0, peakRssKiB: row[7].double ?? 0)))
            }
            if page.count < 1000 { break }
        }
        return try locked { (db) throws(QueueError) -> [FailedJob] in
            try db.execute(
                "SELECT task_id, completion_id, coalesce(last_error, '') FROM jobs WHERE run_id = ? AND state = 'failed' ORDER BY idx",
                [.text(run)]
            ).map { FailedJob(taskID: $0[0].text ?? "", completionID: $0[1].text ?? "", reason: $0[2].text ?? "") }
        }
    }
}
