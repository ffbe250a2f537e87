import Foundation

/// The one long-lived thread every sandboxed child is forked from.
///
/// `PR_SET_PDEATHSIG` fires when the *thread* that forked the child exits, not the process.
/// Swift concurrency and Dispatch worker threads come and go (idle ones exit after 5 s), so
/// forking from them would get children killed at random. This thread never exits.
final class Spawner: @unchecked Sendable {
    // @unchecked: `jobs` is only touched with `condition` locked.
    static let shared = Spawner()

    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []

    private init() {
        let thread = Thread { [unowned self] in self.loop() }
        thread.name = "proctor-spawner"
        thread.start()
    }

    /// Runs `body` on the spawner thread and returns its result.
    func run<T: Sendable>(_ body: @escaping @Sendable () -> T) -> T {
        let done = NSCondition()
        nonisolated(unsafe) var result: T?  // written once on the spawner thread, read after `done`
        let job: @Sendable () -> Void = {
            let value = body()
            done.lock()
            result = value
            done.signal()
            done.unlock()
        }
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
        done.lock()
        while result == nil { done.wait() }
        done.unlock()
        return result!
    }

    private func loop() {
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let job = jobs.removeFirst()
            condition.unlock()
            job()
        }
    }
}
