import ArgumentParser
import Foundation
import Grader
import Logging
import Queue
import Sandbox
import Worker

#if canImport(Glibc)
    import Glibc
#endif

/// `proctor worker`: drain a queue.
public struct WorkerCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Grade jobs from a queue until stopped (SIGTERM/SIGINT finish what is running, then exit 0).",
        discussion: """
            Claims jobs in batches under a lease that a heartbeat extends; a worker that dies \
            loses its lease and its jobs are claimed again. Results are stored with the job's \
            completion in one transaction. Sample timeouts and crashes are verdicts; only \
            internal_error is retried (--max-attempts), then the job is failed with the reason. \
            The database may restart under a running worker: it waits with backoff and goes on.

            Example:
              proctor worker --queue postgres://grader@db/proctor --concurrency 2 --metrics 127.0.0.1:9464
            """
    )

    @OptionGroup var queue: QueueOptions

    @Option(help: "Samples graded in parallel; the default is this machine's number of cores.")
    var concurrency: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Jobs claimed at a time per thread.")
    var batch: Int = 8

    @Option(help: "Lease per claim: 60s, 2m, 90 (seconds); heartbeats extend it every quarter.")
    var lease: String = "60s"

    @Option(help: "Attempts before a job that keeps hitting infrastructure failures is failed.")
    var maxAttempts: Int = 3

    @Option(help: "warm (a sandboxed fork server per thread) or cold.")
    var pool: String = "warm"

    @Option(help: "Serve Prometheus metrics at HOST:PORT/metrics, e.g. 127.0.0.1:9464.")
    var metrics: String?

    @Option(
        help:
            "Exit 0 once nothing has been claimable for this long (5s, 1m, or seconds) and no job is pending or running anywhere — jobs a dead worker holds are waited for until its lease ends (default: run until stopped)."
    )
    var exitWhenIdle: String?

    @Option(help: "Log level: debug, info, warning, error.")
    var logLevel: String = "info"

    @Option(help: "Directory holding the sandbox profiles (default: found automatically).")
    var sandboxes: String?

    @Option(help: "SWE runs (submitted with --specs): where this worker builds and caches environment layers.")
    var envCache: String = "/var/cache/proctor/swe"

    @Option(help: ArgumentHelp("SWE runs: an interpreter for a Python version, VERSION=PATH (repeatable).", valueName: "version=path"))
    var python: [String] = []

    @Option(help: "Key of sealed problems (or set PROCTOR_SEAL_KEY): runs submitted from a sealed file need it.")
    var keyFile: String?

    @Option(help: "Where inputs problems' reference results are cached ('none': not cached).")
    var referenceCache: String = DifferentialOptions.defaultCacheDirectory

    public init() {}

    public func validate() throws {
        guard concurrency >= 1 else { throw ValidationError("--concurrency must be at least 1") }
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1") }
        guard let lease = TimeSpan(parsing: lease), lease.milliseconds >= 2000 else {
            throw ValidationError("--lease: '\(lease)' is not a duration of at least 2 s (e.g. 60s, 2m)")
        }
        if let exitWhenIdle, TimeSpan(parsing: exitWhenIdle) == nil {
            throw ValidationError("--exit-when-idle: '\(exitWhenIdle)' is not a duration (e.g. 5s, 1m)")
        }
        guard maxAttempts >= 1 else { throw ValidationError("--max-attempts must be at least 1") }
        guard PoolMode(rawValue: pool) != nil else { throw ValidationError("--pool: '\(pool)' is not warm or cold") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level: '\(logLevel)' is not a level") }
    }

    @OptionGroup(title: "exact accounting (opt-in)")
    var cgroupFlag: CgroupFlag

    public func run() throws {
        try cgroupFlag.apply()
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var logger = Logger(label: "proctor.worker")
        logger.logLevel = level
        let directory: String
        do {
            directory = try SandboxesDirectory.locate(explicit: sandboxes)
        } catch {
            throw CLIFailure.usage("proctor: \(error)")
        }
        var options = WorkerOptions(queue: try queue.location(), sandboxesDirectory: directory)
        options.concurrency = concurrency
        options.batchSize = batch
        options.leaseSeconds = Double(TimeSpan(parsing: lease)?.milliseconds ?? 60_000) / 1000
        options.maxAttempts = maxAttempts
        options.pool = PoolMode(rawValue: pool) ?? .warm
        options.proctorVersion = ProctorVersion.string
        options.sweCache = URL(fileURLWithPath: envCache).standardizedFileURL.path
        for entry in python {
            let parts = entry.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, parts[1].hasPrefix("/") else {
                throw CLIFailure.usage("proctor: --python \(entry): give VERSION=/absolute/path/to/python")
            }
            options.pythonInterpreters[String(parts[0])] = String(parts[1])
        }
        options.metricsAddress = metrics
        do {
            options.sealKey = try SealKey.from(file: keyFile)
        } catch {
            throw CLIFailure.usage("proctor: \(error)")
        }
        options.referenceCache = referenceCache == "none" ? nil : referenceCache
        options.exitWhenIdleSeconds = exitWhenIdle.flatMap(TimeSpan.init(parsing:)).map { Double($0.milliseconds) / 1000 }

        StopSignals.install { _ in QueueWorker.stopRequested = 1 }
        let status: Int32
        do {
            status = try QueueWorker(options: options, logger: logger).run()
        } catch {
            throw CLIFailure.usage("proctor: \(error)")
        }
        if status != 0 { throw ExitCode(status) }
    }
}
