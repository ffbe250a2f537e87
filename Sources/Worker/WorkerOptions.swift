import Foundation
import Grader
import Queue

#if canImport(Glibc)
    import Glibc
#endif

/// Options of `proctor worker`.
public struct WorkerOptions: Sendable {
    public var queue: QueueLocation
    /// Grading threads, each with its own warm pool.
    public var concurrency = 1
    /// Jobs one thread claims at a time.
    public var batchSize = 8
    public var leaseSeconds = 60.0
    /// Infrastructure failures (internal_error, lost lease) a job may have before it is failed.
    public var maxAttempts = 3
    public var sandboxesDirectory: String
    public var pool: PoolMode = .warm
    public var proctorVersion = "dev"
    /// `HOST:PORT` to serve Prometheus metrics on.
    public var metricsAddress: String?
    /// Exit once the queue has had nothing claimable for this long (nil: run until stopped).
    public var exitWhenIdleSeconds: Double?
    public var workerID: String
    /// Where this worker builds and caches SWE environment layers (`--env-cache`).
    public var sweCache = "/var/cache/proctor/swe"
    /// Python version → interpreter on this machine (`--python`), beside Debian's own.
    public var pythonInterpreters: [String: String] = [:]
    /// The key sealed problems are opened with (`--key-file` or PROCTOR_SEAL_KEY); the queue
    /// stores sealed problems sealed.
    public var sealKey: SealKey?
    /// Where this machine caches reference results of inputs problems (nil: memory only).
    public var referenceCache: String? = DifferentialOptions.defaultCacheDirectory

    public init(queue: QueueLocation, sandboxesDirectory: String) {
        self.queue = queue
        self.sandboxesDirectory = sandboxesDirectory
        workerID = "\(Self.hostName)-\(getpid())-\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
    }

    /// This machine's name, as workers report it.
    static var hostName: String {
        var name = [CChar](repeating: 0, count: 256)
        gethostname(&name, name.count)
        return String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
