/// The queue's tables, versioned. `initialize()` applies every migration above the version
/// recorded in `proctor_meta`, in one transaction each. Times are seconds since the epoch taken
/// from the database's clock, so workers on machines with skewed clocks agree on leases.
enum Schema {
    static let version = 1

    enum Dialect {
        case postgres, sqlite

        /// The database's clock, in seconds since the epoch (fractional).
        var now: String {
            switch self {
            case .postgres: return "extract(epoch from clock_timestamp())::double precision"
            case .sqlite: return "((julianday('now') - 2440587.5) * 86400.0)"
            }
        }
    }

    /// Migration `n` (1-based) in `dialect`, as separate statements.
    static func migration(_ number: Int, _ dialect: Dialect) -> [String] {
        let id = dialect == .postgres ? "bigserial PRIMARY KEY" : "INTEGER PRIMARY KEY AUTOINCREMENT"
        let real = dialect == .postgres ? "double precision" : "REAL"
        let bool = dialect == .postgres ? "boolean" : "INTEGER"
        switch number {
        case 1:
            return [
                "CREATE TABLE runs (run_id text PRIMARY KEY, config text NOT NULL, created_at \(real) NOT NULL)",
                "CREATE TABLE problems (sha256 text PRIMARY KEY, body text NOT NULL)",
                """
                CREATE TABLE jobs (id \(id), run_id text NOT NULL REFERENCES runs (run_id), idx integer NOT NULL,
                  task_id text NOT NULL, completion_id text NOT NULL, content_sha256 text NOT NULL,
                  problem_sha256 text NOT NULL, payload text NOT NULL, state text NOT NULL DEFAULT 'pending',
                  attempts integer NOT NULL DEFAULT 0, lease_owner text, lease_expires \(real), last_error text,
                  created_at \(real) NOT NULL, updated_at \(real) NOT NULL, UNIQUE (run_id, task_id, completion_id))
                """,
                "CREATE INDEX jobs_claimable ON jobs (state, id)",
                "CREATE INDEX jobs_lease_owner ON jobs (lease_owner)",
                """
                CREATE TABLE results (job_id bigint PRIMARY KEY REFERENCES jobs (id), run_id text NOT NULL, idx integer NOT NULL,
                  task_id text NOT NULL, row_json text NOT NULL, status text NOT NULL, passed \(bool) NOT NULL,
                  wall_ms \(real) NOT NULL, cpu_ms \(real) NOT NULL, peak_rss_kib \(real) NOT NULL, worker text NOT NULL,
                  finished_at \(real) NOT NULL)
                """,
                "CREATE INDEX results_by_run ON results (run_id, idx)",
                "CREATE INDEX results_by_time ON results (finished_at)",
                """
                CREATE TABLE workers (worker_id text PRIMARY KEY, host text NOT NULL, pid integer NOT NULL,
                  concurrency integer NOT NULL, started_at \(real) NOT NULL, heartbeat_at \(real) NOT NULL,
                  stopped \(bool) NOT NULL, jobs_done integer NOT NULL DEFAULT 0)
                """,
            ]
        default:
            return []
        }
    }
}
