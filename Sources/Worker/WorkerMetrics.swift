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
        done = registry.makeCounter(descriptor: Self.named("proctor_jobs_done_total", "Jobs graded and stored."))
        failed = registry.makeCounter(descriptor: Self.named("proctor_jobs_failed_total", "Jobs marked failed (malformed, or retries exhausted)."))
        retried = registry.makeCounter(descriptor: Self.named("proctor_jobs_retried_total", "Infrastructure failures sent back to the queue."))
        lost = registry.makeCounter(descriptor: Self.named("proctor_leases_lost_total", "Results dropped because another worker took over the job."))
        queueDepth = registry.makeGauge(descriptor: Self.named("proctor_queue_pending_jobs", "Pending jobs in the queue (all runs)."))
        latency = registry.makeValueHistogram(
            descriptor: Self.named("proctor_sample_seconds", "Wall time of one sample in the sandbox."),
            buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30])
    }

    /// `wallMs` nil: a hidden sample's, which no per-sample figure may carry.
    func recordDone(status: String, wallMs: Double?) {
        done.increment()
        registry.makeCounter(descriptor: Self.named("proctor_samples_total", "Graded samples by status."), labels: [("status", status)])
            .increment()
        if let wallMs { latency.record(wallMs / 1000) }
    }

    /// A metric's full name as it is exposed (no separate unit part) and its help text.
    private static func named(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
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
