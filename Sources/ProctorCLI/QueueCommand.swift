import ArgumentParser
import Queue

/// `proctor queue init`: create or migrate the queue's schema.
public struct QueueCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "queue", abstract: "Manage the queue's database.", subcommands: [Init.self])

    public init() {}

    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "init",
            abstract: "Create the queue's tables, or migrate them to this version's schema (idempotent).")

        @OptionGroup var queue: QueueOptions

        func run() throws {
            let store = try queue.open()
            defer { store.close() }
            let version = try queueCall { () throws(QueueError) in try store.initialize() }
            print("queue \(try queue.location()): schema version \(version)")
        }
    }
}
