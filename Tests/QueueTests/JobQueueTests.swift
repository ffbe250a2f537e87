import Foundation
import Queue
import QueueTestSupport
import Testing

/// The queue's contract, on both backends: idempotent submission, exclusive claims, leases that
/// expire and hand jobs over, exactly one result per job, retries that end in `failed`.
@Suite(.serialized)
struct JobQueueTests {
    static func jobs(_ count: Int, content: String = "a") -> [NewJob] {
        (0..<count).map { index in
            NewJob(
                index: index, taskID: "T/\(index % 3)", completionID: "\(index)", contentSHA256: "\(content)-\(index)",
                problemSHA256: "p\(index % 3)", payload: "{\"task_id\": \"T/\(index % 3)\", \"completion\": \"x\"}")
        }
    }

    static let problems: [String: [UInt8]] = ["p0": Array("{}".utf8), "p1": Array("{}".utf8), "p2": Array("{}".utf8)]

    static func result(_ job: ClaimedJob) -> JobResult {
        JobResult(
            row: Array("{\"task_id\": \"\(job.taskID)\", \"completion_id\": \"\(job.completionID)\"}".utf8), taskID: job.taskID,
            status: "passed", passed: true, wallMs: 1, cpuMs: 1, peakRssKiB: 1)
    }

    static func storedResults(_ queue: any JobQueue, run: String) throws -> [ResultRecord] {
        var records: [ResultRecord] = []
        _ = try queue.results(run: run) { records.append($0) }
        return records
    }

    @Test(arguments: Backend.allCases)
    func submittingTwiceIsANoOpAndChangedContentIsRefused(_ backend: Backend) throws {
        let (queue, _) = try backend.freshQueue()
        defer { queue.close() }
        #expect(try queue.initialize() == 1)  // idempotent
        let first = try queue.submit(run: "r", config: "{}", problems: Self.problems, jobs: Self.jobs(10))
        #expect(first == SubmitReport(inserted: 10, alreadyPresent: 0))
        let again = try queue.submit(run: "r", config: "{}", problems: Self.problems, jobs: Self.jobs(12))
        #expect(again == SubmitReport(inserted: 2, alreadyPresent: 10))
        #expect(try queue.status(run: "r").counts["pending"] == 12)
        #expect(throws: QueueError.self) {
            try queue.submit(run: "r", config: "{}", problems: Self.problems, jobs: Self.jobs(3, content: "b"))
        }
        #expect(throws: QueueError.self) {
            try queue.submit(run: "r", config: "{\"other\": 1}", problems: Self.problems, jobs: Self.jobs(1))
        }
        #expect(try queue.runConfig("r") == "{}")
        #expect(try queue.runConfig("missing") == nil)
        #expect(try queue.problem(sha256: "p1") == Array("{}".utf8))
    }

    @Test(arguments: Backend.allCases)
    func theRateIsOverTheSpanTheResultsCover(_ backend: Backend) throws {
        let (queue, _) = try backend.freshQueue()
        defer { queue.close() }
        _ = try queue.submit(run: "r", config: "{}", problems: Self.problems, jobs: Self.jobs(12))
        for job in try queue.claim(worker: "w", limit: 12, leaseSeconds: 60, maxAttempts: 3) {
            _ = try queue.complete(job: job.id, worker: "w", result: Self.result(job))
        }
        // Twelve results stored within a second: that is at least 12/s, not 12/60.
        let rate = try queue.status(run: "r").recentRate
        #expect(rate >= 6, "\(backend): \(rate)/s")
        #expect(QueueStatus.rate(results: 30, overSeconds: 10) == 3 && QueueStatus.rate(results: 0, overSeconds: 0) == 0)
    }

    @Test(arguments: Backend.allCases)
    func claimsAreExclusiveAndAnExpiredLeaseHandsTheJobOver(_ backend: Backend) throws {
        let (queue, _) = try backend.freshQueue()
        defer { queue.close() }
        _ = try queue.submit(run: "r", config: "{}", problems: Self.problems, jobs: Self.jobs(10))
        let a = try queue.claim(worker: "a", limit: 4, leaseSeconds: 1, maxAttempts: 3)
        let b = try queue.claim(worker: "b", limit: 4, leaseSeconds: 60, maxAttempts: 3)
        #expect(a.count == 4 && b.count == 4)
        #expect(Set(a.map(\.id)).isDisjoint(with: b.map(\.id)))
        #expect(a.allSatisfy { $0.attempt == 1 })
        Thread.sleep(forTimeInterval: 1.5)  // a's lease runs out; b heartbeats and keeps its jobs
        try queue.heartbeat(worker: WorkerInfo(id: "b", host: "h", pid: 1, concurrency: 1), leaseSeconds: 60)
        let c = try queue.claim(worker: "c", limit: 10, leaseSeconds: 60, maxAttempts: 3)
        #expect(c.count == 6)  // a's four, taken over, and the two never claimed
        #expect(Set(a.map(\.id)).isSubset(of: c.map(\.id)))
        #expect(c.filter { Set(a.map(\.id)).contains($0.id) }.allSatisfy { $0.attempt == 2 })
        // The old owner's late result is refused; the new owner's counts, once.
        #expect(try queue.complete(job: a[0].id, worker: "a", result: Self.result(a[0])) == false)
        for job in c { #expect(try queue.complete(job: job.id, worker: "c", result: Self.result(job))) }
        for job in b { #expect(try queue.complete(job: job.id, worker: "b", result: Self.result(job))) }
        #expect(try queue.complete(job: b[0].id, worker: "b", result: Self.result(b[0])) == false)  // already done
        let records = try Self.storedResults(queue, run: "r")
        #expect(records.map(\.index) == Array(0..<10))
        #expect(try queue.status(run: "r").counts["done"] == 10)
    }

    @Test(arguments: Backend.allCases)
    func retriesReleasesAndFailuresCarryTheirReasons(_ backend: Backend) throws {
        let (queue, _) = try backend.freshQueue()
        defer { queue.close() }
        _ = try queue.submit(run: "r", config: "{}", problems: Self.problems, jobs: Self.jobs(4))
        var claimed = try queue.claim(worker: "w", limit: 4, leaseSeconds: 60, maxAttempts: 2)
        try queue.release(jobs: [claimed[3].id], worker: "w")
        try queue.retry(job: claimed[0].id, worker: "w", reason: "internal_error once", maxAttempts: 2)
        try queue.fail(job: claimed[1].id, worker: "w", reason: "malformed job payload: nope")
        try queue.retry(job: claimed[2].id, worker: "z", reason: "ignored: not the owner", maxAttempts: 2)
        #expect(try queue.status(run: "r").counts == ["pending": 2, "running": 1, "done": 0, "failed": 1])
        claimed = try queue.claim(worker: "w", limit: 4, leaseSeconds: 60, maxAttempts: 2)
        let released = try #require(claimed.first { $0.index == 3 })
        #expect(released.attempt == 1)  // giving a job back does not count as an attempt
        let retried = try #require(claimed.first { $0.index == 0 })
        #expect(retried.attempt == 2)
        try queue.retry(job: retried.id, worker: "w", reason: "internal_error twice", maxAttempts: 2)
        // A lease that runs out on the last allowed attempt fails the job instead of handing it on.
        let expiring = try queue.claim(worker: "x", limit: 1, leaseSeconds: 0.2, maxAttempts: 1)
        #expect(expiring.isEmpty)  // nothing claimable: 2 running (w), 2 failed
        Thread.sleep(forTimeInterval: 0.1)
        let failed = try queue.results(run: "r") { _ in }
        #expect(failed.map(\.reason).sorted() == ["internal_error twice", "malformed job payload: nope"])
    }

    @Test(arguments: Backend.allCases)
    func leasesThatKeepExpiringEndInFailed(_ backend: Backend) throws {
        let (queue, _) = try backend.freshQueue()
        defer { queue.close() }
        _ = try queue.submit(run: "r", config: "{}", problems: Self.problems, jobs: Self.jobs(1))
        #expect(try queue.claim(worker: "a", limit: 1, leaseSeconds: 0.2, maxAttempts: 2).count == 1)
        Thread.sleep(forTimeInterval: 0.4)
        #expect(try queue.claim(worker: "b", limit: 1, leaseSeconds: 0.2, maxAttempts: 2).first?.attempt == 2)
        Thread.sleep(forTimeInterval: 0.4)
        #expect(try queue.claim(worker: "c", limit: 1, leaseSeconds: 0.2, maxAttempts: 2).isEmpty)
        let failed = try queue.results(run: "r") { _ in }
        #expect(failed.count == 1)
        #expect(failed.first?.reason.contains("lease expired") == true)
    }

    @Test(arguments: Backend.allCases)
    func concurrentClaimersCompleteEveryJobExactlyOnce(_ backend: Backend) throws {
        let (queue, _) = try backend.freshQueue()
        defer { queue.close() }
        _ = try queue.submit(run: "r", config: "{}", problems: Self.problems, jobs: Self.jobs(200))
        let completed = NSLock()
        nonisolated(unsafe) var ids: [Int64] = []
        let threads = (0..<4).map { number in
            Thread {
                while let batch = try? queue.claim(worker: "w\(number)", limit: 5, leaseSeconds: 60, maxAttempts: 3), !batch.isEmpty {
                    for job in batch where (try? queue.complete(job: job.id, worker: "w\(number)", result: Self.result(job))) == true {
                        completed.withLock { ids.append(job.id) }
                    }
                }
            }
        }
        threads.forEach { $0.start() }
        while completed.withLock({ ids.count }) < 200 && threads.contains(where: { !$0.isFinished }) {
            Thread.sleep(forTimeInterval: 0.05)
        }
        Thread.sleep(forTimeInterval: 0.2)
        #expect(ids.count == 200)
        #expect(Set(ids).count == 200)
        #expect(try Self.storedResults(queue, run: "r").count == 200)
    }
}
