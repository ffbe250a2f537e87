import CSQLite

#if canImport(Glibc)
    import Glibc
#endif

/// The thin layer over libsqlite3 the SQLite queue uses: one connection, statements with
/// positional binds, typed errors. Not thread-safe by itself; `SQLiteQueue` serialises calls.
final class SQLiteDatabase {
    private var handle: OpaquePointer?
    let path: String

    /// SQLite's SQLITE_TRANSIENT: copy bound text/blobs (the C macro does not import into Swift).
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    enum Value {
        case integer(Int64)
        case real(Double)
        case text(String)
        case blob([UInt8])
        case null
    }

    init(path: String, creating: Bool = true) throws(QueueError) {
        self.path = path
        if !creating && access(path, F_OK) != 0 {
            throw QueueError(
                .invalid, "\(path): no queue here (nothing was submitted to it; `proctor submit` or `proctor queue init` creates it)")
        }
        let flags = SQLITE_OPEN_READWRITE | (creating ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_FULLMUTEX
        guard sqlite3_open_v2(path, &handle, flags, nil) == SQLITE_OK else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close(handle)
            handle = nil
            throw QueueError(.unavailable, "\(path): cannot open SQLite database (\(message))")
        }
        // Several worker processes share the file: wait for locks instead of failing at once.
        sqlite3_busy_timeout(handle, 30_000)
        try execute("PRAGMA journal_mode = WAL")
        try execute("PRAGMA synchronous = NORMAL")
        try execute("PRAGMA foreign_keys = ON")
    }

    deinit { sqlite3_close_v2(handle) }

    private func error(_ what: String, _ code: Int32) -> QueueError {
        let message = String(cString: sqlite3_errmsg(handle))
        let kind: QueueError.Kind = (code == SQLITE_BUSY || code == SQLITE_LOCKED || code == SQLITE_IOERR) ? .unavailable : .database
        return QueueError(kind, "\(path): \(what): \(message)")
    }

    /// Runs `sql` with `binds` and returns every row.
    @discardableResult
    func execute(_ sql: String, _ binds: [Value] = []) throws(QueueError) -> [[Value]] {
        var statement: OpaquePointer?
        let prepared = sqlite3_prepare_v2(handle, sql, -1, &statement, nil)
        guard prepared == SQLITE_OK else { throw error("prepare", prepared) }
        defer { sqlite3_finalize(statement) }
        for (offset, value) in binds.enumerated() {
            let index = Int32(offset + 1)
            let code: Int32
            switch value {
            case .integer(let number): code = sqlite3_bind_int64(statement, index, number)
            case .real(let number): code = sqlite3_bind_double(statement, index, number)
            case .text(let text): code = sqlite3_bind_text(statement, index, text, -1, Self.transient)
            case .blob(let bytes):
                code = bytes.withUnsafeBytes { sqlite3_bind_blob(statement, index, $0.baseAddress, Int32($0.count), Self.transient) }
            case .null: code = sqlite3_bind_null(statement, index)
            }
            guard code == SQLITE_OK else { throw error("bind", code) }
        }
        var rows: [[Value]] = []
        while true {
            let step = sqlite3_step(statement)
            if step == SQLITE_DONE { break }
            guard step == SQLITE_ROW else { throw error("step", step) }
            rows.append(
                (0..<sqlite3_column_count(statement)).map { column in
                    switch sqlite3_column_type(statement, column) {
                    case SQLITE_INTEGER: return .integer(sqlite3_column_int64(statement, column))
                    case SQLITE_FLOAT: return .real(sqlite3_column_double(statement, column))
                    case SQLITE_TEXT: return .text(String(cString: sqlite3_column_text(statement, column)))
                    case SQLITE_BLOB:
                        let count = Int(sqlite3_column_bytes(statement, column))
                        guard count > 0, let bytes = sqlite3_column_blob(statement, column) else { return .blob([]) }
                        return .blob(Array(UnsafeRawBufferPointer(start: bytes, count: count)))
                    default: return .null
                    }
                })
        }
        return rows
    }

    /// Runs `body` in a transaction that takes the write lock at once (BEGIN IMMEDIATE), so two
    /// processes claiming jobs serialise instead of both reading the same pending rows.
    func transaction<T>(_ body: () throws(QueueError) -> T) throws(QueueError) -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            _ = try? execute("ROLLBACK")
            throw error
        }
    }
}

extension SQLiteDatabase.Value {
    var int: Int64? {
        switch self {
        case .integer(let value): return value
        case .real(let value): return Int64(value)
        default: return nil
        }
    }
    var double: Double? {
        switch self {
        case .integer(let value): return Double(value)
        case .real(let value): return value
        default: return nil
        }
    }
    var text: String? {
        switch self {
        case .text(let value): return value
        case .blob(let bytes): return String(decoding: bytes, as: UTF8.self)
        default: return nil
        }
    }
    var bytes: [UInt8]? {
        switch self {
        case .blob(let bytes): return bytes
        case .text(let value): return Array(value.utf8)
        default: return nil
        }
    }
}
