import Foundation
import Logging
import Queue

#if canImport(Glibc)
    import Glibc
#endif

/// A fresh, empty queue for one test: a SQLite file in a temporary directory, or a new database
/// on the PostgreSQL server `make test` starts (scripts/with-postgres exports where it is).
/// Shared by the queue's own tests and the worker's end-to-end tests.
public enum Backend: String, CaseIterable, CustomStringConvertible, Sendable {
    case sqlite, postgres

    public var description: String { rawValue }

    public struct Unavailable: Error, CustomStringConvertible {
        public var description: String
    }

    static var environment: [String: String] { ProcessInfo.processInfo.environment }

    /// A queue address of a database nobody else uses.
    public func freshLocation() throws -> String {
        let name = "t\(getpid())_\(UInt32.random(in: 0...UInt32.max))"
        switch self {
        case .sqlite:
            let directory = NSTemporaryDirectory() + "proctor-queue-tests"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            return "sqlite:\(directory)/\(name).sqlite"
        case .postgres:
            guard let host = Self.environment["PROCTOR_TEST_POSTGRES_HOST"], let bin = Self.environment["PROCTOR_TEST_POSTGRES_BIN"]
            else {
                throw Unavailable(
                    description:
                        "PostgreSQL tests need the server `make test` starts (scripts/with-postgres); run them through make test")
            }
            try Self.run(bin + "/createdb", ["-h", host, "-U", "proctor", name])
            return "postgres://proctor@/\(name)?host=\(host)"
        }
    }

    public func freshQueue() throws -> (queue: any JobQueue, location: String) {
        let location = try freshLocation()
        var logger = Logger(label: "proctor.queue.tests")
        logger.logLevel = .critical
        let queue = try QueueLocation(location).open(logger: logger)
        try queue.initialize()
        return (queue, location)
    }

    /// Stops the test server (`pg_ctl stop -m fast`), waits `downSeconds`, starts it again.
    public static func restartPostgres(downSeconds: Double) throws {
        guard let bin = environment["PROCTOR_TEST_POSTGRES_BIN"], let data = environment["PROCTOR_TEST_POSTGRES_DATA"],
            let host = environment["PROCTOR_TEST_POSTGRES_HOST"]
        else { throw Unavailable(description: "no test PostgreSQL (run through make test)") }
        let prefix = (environment["PROCTOR_TEST_POSTGRES_RUN_AS"] ?? "").split(separator: " ").map(String.init)
        func pgctl(_ arguments: [String]) throws {
            let command = prefix + [bin + "/pg_ctl"] + arguments
            try run(command[0].hasPrefix("/") ? command[0] : "/usr/sbin/" + command[0], Array(command.dropFirst()))
        }
        try pgctl(["-D", data, "-m", "fast", "-w", "stop"])
        Thread.sleep(forTimeInterval: downSeconds)
        try pgctl([
            "-D", data, "-l", host + "/server.log", "-w", "-o",
            "-k \(host) -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c max_connections=200", "start",
        ])
    }

    /// posix_spawn + waitpid: Foundation's Process sometimes misses the exit of a program whose
    /// child daemonises (pg_ctl start), and then waits forever.
    static func run(_ executable: String, _ arguments: [String]) throws {
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        var pid: pid_t = 0
        guard posix_spawn(&pid, executable, &actions, nil, argv, environ) == 0 else {
            throw Unavailable(description: "cannot start \(executable)")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        guard status == 0 else {
            throw Unavailable(description: "\(executable) \(arguments.joined(separator: " ")) exited with status \(status)")
        }
    }
}
