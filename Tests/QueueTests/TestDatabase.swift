import Foundation
import Logging
import Queue
import Testing

/// A fresh, empty queue for one test: a SQLite file in a temporary directory, or a new database
/// on the PostgreSQL server `make test` starts (scripts/with-postgres exports where it is).
enum Backend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite, postgres

    var testDescription: String { rawValue }

    /// A queue address of a database nobody else uses.
    func freshLocation() throws -> String {
        let name = "t\(getpid())_\(UInt32.random(in: 0...UInt32.max))"
        switch self {
        case .sqlite:
            let directory = NSTemporaryDirectory() + "proctor-queue-tests"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            return "sqlite:\(directory)/\(name).sqlite"
        case .postgres:
            let environment = ProcessInfo.processInfo.environment
            let host = try #require(
                environment["PROCTOR_TEST_POSTGRES_HOST"],
                "PostgreSQL tests need the server `make test` starts (scripts/with-postgres); run them through make test")
            let bin = try #require(environment["PROCTOR_TEST_POSTGRES_BIN"])
            let createdb = Process()
            createdb.executableURL = URL(fileURLWithPath: bin + "/createdb")
            createdb.arguments = ["-h", host, "-U", "proctor", name]
            try createdb.run()
            createdb.waitUntilExit()
            try #require(createdb.terminationStatus == 0, "createdb \(name) failed")
            return "postgres://proctor@/\(name)?host=\(host)"
        }
    }

    func freshQueue() throws -> (queue: any JobQueue, location: String) {
        let location = try freshLocation()
        var logger = Logger(label: "proctor.queue.tests")
        logger.logLevel = .critical
        let queue = try QueueLocation(location).open(logger: logger)
        try queue.initialize()
        return (queue, location)
    }
}
