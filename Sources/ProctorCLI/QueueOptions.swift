import ArgumentParser
import Queue

/// `--queue`, shared by submit, worker, status, results and queue init.
struct QueueOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Queue: postgres://USER@HOST[:PORT]/DB (password from the address or PGPASSWORD; ?host=/dir for a unix socket) or sqlite:PATH.",
            valueName: "address"))
    var queue: String = QueueLocation.defaultSpelling

    func location() throws -> QueueLocation {
        do {
            return try QueueLocation(queue)
        } catch {
            throw CLIFailure.usage("proctor: \(error)")
        }
    }

    /// `creating: false` for commands that only read a queue (status, results).
    func open(creating: Bool = true) throws -> any JobQueue {
        do {
            return try location().open(creating: creating)
        } catch let failure as CLIFailure {
            throw failure
        } catch {
            throw CLIFailure.usage("proctor: \(error)")
        }
    }
}

/// Turns queue errors into the CLI's messages: unreachable database exit 69, the rest 64.
func queueCall<T>(_ body: () throws(QueueError) -> T) throws -> T {
    do {
        return try body()
    } catch {
        if error.kind == .unavailable { throw CLIFailure.unavailable("proctor: \(error)") }
        throw CLIFailure.usage("proctor: \(error)")
    }
}
