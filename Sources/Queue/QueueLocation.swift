import Foundation
import Logging

/// Where a queue lives, parsed from `--queue`: `postgres://USER[:PASSWORD]@HOST[:PORT]/DB` (or
/// `postgres://USER@/DB?host=/socket/dir` for a unix socket, as libpq spells it) or
/// `sqlite:PATH`. With no `--queue`, `sqlite:proctor-queue.sqlite` in the current directory.
public enum QueueLocation: Sendable, Equatable, CustomStringConvertible {
    case postgres(PostgresAddress)
    case sqlite(path: String)

    public static let defaultSpelling = "sqlite:proctor-queue.sqlite"

    public struct PostgresAddress: Sendable, Equatable {
        public var host: String?
        public var socketDirectory: String?
        public var port: Int
        public var user: String
        /// From the address or `PGPASSWORD`; never printed.
        public var password: String?
        public var database: String
    }

    public init(_ text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(QueueError) {
        if text.hasPrefix("sqlite:") {
            var path = String(text.dropFirst("sqlite:".count))
            if path.hasPrefix("//") { path = String(path.dropFirst(2)) }
            guard !path.isEmpty else { throw QueueError(.invalid, "--queue \(text): sqlite: needs a file path (sqlite:PATH)") }
            self = .sqlite(path: path)
            return
        }
        guard text.hasPrefix("postgres://") || text.hasPrefix("postgresql://"), let url = URLComponents(string: text) else {
            throw QueueError(.invalid, "--queue \(text): expected postgres://USER@HOST/DB or sqlite:PATH")
        }
        let database = url.path.hasPrefix("/") ? String(url.path.dropFirst()) : url.path
        guard !database.isEmpty else { throw QueueError(.invalid, "--queue: the PostgreSQL address names no database") }
        let query = Dictionary((url.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        var address = PostgresAddress(
            host: nil, socketDirectory: nil, port: url.port ?? Int(query["port"] ?? "") ?? 5432,
            user: url.user ?? query["user"] ?? environment["PGUSER"] ?? "postgres",
            password: url.password ?? environment["PGPASSWORD"], database: database)
        let host = query["host"] ?? url.host ?? ""
        if host.hasPrefix("/") {
            address.socketDirectory = host
        } else {
            address.host = host.isEmpty ? "127.0.0.1" : host
        }
        self = .postgres(address)
    }

    /// The address without its password, for logs and status lines.
    public var description: String {
        switch self {
        case .sqlite(let path): return "sqlite:\(path)"
        case .postgres(let address):
            let place = address.socketDirectory.map { "?host=\($0)" } ?? ""
            let host = address.host.map { "\($0):\(address.port)" } ?? ""
            return "postgres://\(address.user)@\(host)/\(address.database)\(place)"
        }
    }

    /// Opens the queue (the schema must exist: `proctor queue init`, or `initialize()`).
    /// `creating: false` is for readers (status, results): a SQLite file that does not exist is
    /// an error naming it, not a new empty database left behind.
    public func open(creating: Bool = true, logger: Logger = .init(label: "proctor.queue")) throws(QueueError) -> any JobQueue {
        switch self {
        case .sqlite(let path): return try SQLiteQueue(path: path, creating: creating)
        case .postgres(let address):
            let queue = PostgresQueue(address: address, logger: logger)
            do {
                try queue.probe()
            } catch where error.kind != .unavailable {
                // Permanent (no such database, refused credentials): say so now. A server that is
                // down is waited out by the callers, as before.
                queue.close()
                throw error
            } catch {}
            return queue
        }
    }
}
