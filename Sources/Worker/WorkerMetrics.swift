import Prometheus

/// The worker's Prometheus metrics: what it did, how long samples took, how deep the queue is.
final class WorkerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let done: Counter
    private let failed: Counter
    private let retried: Counter
    private let lost: Counter
    let queueDepth: Gauge
    private let latency: ValueHistogram

    init() {
        done = registry.makeCounter(name: "proctor_jobs_done_total", help: "Jobs graded and stored.")
        failed = registry.makeCounter(name: "proctor_jobs_failed_total", help: "Jobs marked failed (malformed, or retries exhausted).")
        retried = registry.makeCounter(name: "proctor_jobs_retried_total", help: "Infrastructure failures sent back to the queue.")
        lost = registry.makeCounter(name: "proctor_leases_lost_total", help: "Results dropped because another worker took over the job.")
        queueDepth = registry.makeGauge(name: "proctor_queue_pending_jobs", help: "Pending jobs in the queue (all runs).")
        latency = registry.makeValueHistogram(
            name: "proctor_sample_seconds", buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
            help: "Wall time of one sample in the sandbox.")
    }

    func recordDone(status: String, wallMs: Double) {
        done.increment()
        registry.makeCounter(name: "proctor_samples_total", labels: [("status", status)], help: "Graded samples by status.").increment()
        latency.record(wallMs / 1000)
    }

    func recordFailed() { failed.increment() }
    func recordRetried() { retried.increment() }
    func recordLost() { lost.increment() }

    /// The text exposition format, for GET /metrics.
    func exposition() -> [UInt8] {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return buffer
    }
}
