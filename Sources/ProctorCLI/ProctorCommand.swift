import ArgumentParser
import Foundation

/// `proctor`: the root command. Subcommands live one per file beside it.
public struct ProctorCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "proctor",
        abstract: "Run untrusted code in a sandbox and grade it.",
        version: ProctorVersion.string,
        subcommands: [
            RunCommand.self, GradeCommand.self, GradeRepoCommand.self, ReproCommand.self, ReproRepoCommand.self, SubmitCommand.self,
            WorkerCommand.self, SWECommand.self, AmplifyCommand.self, SealCommand.self, ReportCommand.self, CompareCommand.self,
            IRTCommand.self, LeaderboardCommand.self,
            StatusCommand.self,
            ResultsCommand.self, QueueCommand.self,
        ]
    )

    public init() {}

    /// Entry point for the `proctor` executable (keeps ArgumentParser out of its imports).
    public static func launch() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let failure as CLIFailure {
            FileHandle.standardError.write(Data("\(failure)\n".utf8))
            Foundation.exit(failure.exitStatus)
        } catch {
            exit(withError: error)
        }
    }
}

/// The version recorded in every outcome and printed by `--version`.
public enum ProctorVersion {
    public static let string = "0.1.0"
}
