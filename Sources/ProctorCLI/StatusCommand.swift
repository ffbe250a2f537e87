import ArgumentParser
import Foundation
import Queue

/// `proctor status`: how far the queue (or one run) has got.
public struct StatusCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Jobs per state, the recent rate, the oldest pending job and the live workers.")

    @OptionGroup var queue: QueueOptions

    @Option(name: .customLong("run"), help: "Only this run.")
    var runID: String?

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    public init() {}

    public func run() throws {
        let store = try queue.open(creating: false)
        defer { store.close() }
        let status = try queueCall { () throws(QueueError) in try store.status(run: runID) }
        let counts = status.counts
        if json {
            let object: [String: Any] = [
                "run": runID as Any, "counts": counts, "recent_per_second": status.recentRate,
                "oldest_pending_seconds": status.oldestPendingSeconds as Any,
                "workers": status.liveWorkers.map {
                    ["id": $0.id, "host": $0.host, "pid": $0.pid, "concurrency": $0.concurrency, "jobs_done": $0.jobsDone, "last_seen_seconds": $0.secondsSinceHeartbeat] as [String: Any]
                },
            ]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        print("queue \(try queue.location())" + (runID.map { ", run \($0)" } ?? ""))
        for state in JobState.allCases {
            print("  \(state.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) \(counts[state.rawValue] ?? 0)")
        }
        print(String(format: "  rate     %.1f samples/s (last minute)", status.recentRate))
        if let oldest = status.oldestPendingSeconds { print(String(format: "  oldest pending job: %.0f s", oldest)) }
        // A worker's heartbeat is all the queue knows of it: one killed a moment ago still shows
        // until its heartbeat is a minute old, so this says when each was last seen.
        print("  workers seen in the last minute: \(status.liveWorkers.count)")
        for worker in status.liveWorkers {
            print(
                String(
                    format: "    %@  host %@ pid %d  threads %d  done %d  last seen %.0f s ago", worker.id, worker.host, worker.pid,
                    worker.concurrency, worker.jobsDone, worker.secondsSinceHeartbeat))
        }
    }
}
