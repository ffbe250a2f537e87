import ArgumentParser
import Foundation
import Grader
import Results
import Sandbox

/// `proctor repro`: one graded sample, run again exactly as graded.
public struct ReproCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "repro",
        abstract: "Re-run one graded sample under its recorded profile and limits.",
        discussion: """
            Rebuilds the program from the results row (checked against its recorded sha256), runs \
            it again, shows stdout, stderr and the verdict, and says whether it matches the \
            recorded one. Exit status: 0 when it matches, 3 when it does not, 64 for bad input.

            A sample of a sealed task is rerun but shown only as passed or failed, and private \
            stdin/stdout tests only as "all passed" or "one failed": what the run printed, raised \
            or took would spell the hidden case out. --reveal (with the key, for a sealed file) \
            shows everything.

            Given an instance directory of `proctor grade-repo` instead (OUT/INSTANCE), reruns that \
            repository task (the same as `proctor repro-repo`).

            Examples:
              proctor repro results/samples.jsonl 'HumanEval/75#3' --keep /tmp/he75
              proctor repro results/mathkit__mathkit-partial
            """
    )

    @Argument(help: "The samples.jsonl written by `proctor grade` (or an instance directory of `proctor grade-repo`).")
    var results: String

    @Argument(help: "The sample: task_id#completion_id, e.g. HumanEval/75#3.")
    var sample: String?

    @Option(help: "Problems file (default: the one named in summary.json next to the results).")
    var problems: String?

    @Option(help: "Also write the program and a rerun.sh that runs it with `proctor run` into this directory.")
    var keep: String?

    @Option(help: "Directory holding the sandbox profiles (default: found automatically).")
    var sandboxes: String?

    @Option(help: "Key of a sealed problems file (or set PROCTOR_SEAL_KEY).")
    var keyFile: String?

    @Flag(
        help: """
            Show a hidden sample's run in full: its output, exception, status, timing and private \
            tests' verdicts (a sealed file needs its key as well). Without it, repro of a sealed \
            task says only passed or failed, and of private tests only whether they all passed.
            """)
    var reveal = false

    public init() {}

    @OptionGroup(title: "exact accounting (opt-in)")
    var cgroupFlag: CgroupFlag

    public func run() throws {
        try cgroupFlag.apply()
        if FileManager.default.fileExists(atPath: results + "/instance.jsonl") {
            let repository = try ReproRepoCommand.parse([results] + (sandboxes.map { ["--sandboxes", $0] } ?? []))
            return try repository.run()
        }
        guard let sample else { throw CLIFailure.usage("proctor: repro needs the sample (task_id#completion_id) after \(results)") }
        let repro: Repro
        let fresh: (outcome: Outcome, verdict: Verdict)?
        var judgedAgain: (status: SampleStatus, passed: Bool, tests: [(line: String, hidden: Bool, accepted: Bool)])?
        do {
            let directory = try SandboxesDirectory.locate(explicit: sandboxes)
            repro = try Repro(
                resultsPath: results, identifier: sample, problemsPath: problems, sandboxesDirectory: directory,
                key: try SealKey.from(file: keyFile))
            repro.warnings.forEach { FileHandle.standardError.write(Data("warning: \($0)\n".utf8)) }
            let concealed = repro.isHiddenTask && !reveal
            if repro.isInputs {
                let again = try repro.runInputs()
                if concealed {
                    if let keep {
                        try repro.keep(in: keep, proctor: URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path)
                    }
                    let passedNow = again.status.countsAsPassed
                    print(HiddenRecord.reproReport(identifier: sample, passedNow: passedNow, recordedPassed: repro.recordedPassed))
                    if passedNow != repro.recordedPassed { throw ExitCode(3) }
                    return
                }
                func word(_ value: Bool?) -> String { value.map { $0 ? "pass" : "fail" } ?? "-" }
                print("== \(sample)  profile \(repro.profile.name)  (inputs: reference and sample run again)")
                print("== same tests as graded: \(again.sameTests ? "yes" : "NO (the reference cases differ)")")
                print("== verdict now:      \(again.status)  base \(word(again.basePassed))  plus \(word(again.plusPassed))")
                print("== verdict recorded: \(repro.recordedStatus)  \(repro.recordedResult)")
                let matches = again.status.rawValue == repro.recordedStatus && again.sameTests
                print("== matches: \(matches ? "yes" : "no")")
                if let keep {
                    try repro.keep(in: keep, proctor: URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path)
                }
                if !matches { throw ExitCode(3) }
                return
            }
            if repro.isStdio {
                judgedAgain = try repro.runStdio()
                fresh = nil
            } else {
                fresh = try repro.run()
            }
            if let keep {
                try repro.keep(in: keep, proctor: URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path)
            }
        } catch let exit as ExitCode {
            throw exit
        } catch {
            throw CLIFailure.usage("proctor: \(error)")
        }
        if let judged = judgedAgain {
            if repro.isHiddenTask && !reveal {
                print(HiddenRecord.reproReport(identifier: sample, passedNow: judged.passed, recordedPassed: repro.recordedPassed))
                if judged.passed != repro.recordedPassed { throw ExitCode(3) }
                return
            }
            print("== \(sample)  profile \(repro.profile.name)  (stdin/stdout: each test case judged again)")
            let concealed = judged.tests.filter { $0.hidden && !reveal }
            judged.tests.filter { !$0.hidden || reveal }.forEach { print("   " + $0.line) }
            if !concealed.isEmpty {
                // Not how many ran: the judge stops at the first failure, so that count is its index.
                let failed = concealed.contains { !$0.accepted }
                print("   private tests: \(failed ? "not all passed" : "all passed") (pass --reveal to see them)")
            }
            print("== verdict now:      \(judged.status)")
            print("== verdict recorded: \(repro.recordedStatus)  \(repro.recordedResult)")
            print("== matches: \(judged.status.rawValue == repro.recordedStatus ? "yes" : "no")")
            if judged.status.rawValue != repro.recordedStatus { throw ExitCode(3) }
            return
        }
        guard let fresh else { return }
        if repro.isHiddenTask && !reveal {
            print(HiddenRecord.reproReport(identifier: sample, passedNow: fresh.verdict.passed, recordedPassed: repro.recordedPassed))
            if fresh.verdict.passed != repro.recordedPassed { throw ExitCode(3) }
            return
        }
        let outcome = fresh.outcome
        print(
            "== \(sample)  profile \(repro.profile.name)  cpu \(repro.limits.cpu)  wall \(repro.limits.wall)  memory \(repro.limits.memory)"
        )
        print("== stdout (\(outcome.stdoutBytes) bytes)")
        print(outcome.stdout, terminator: outcome.stdout.hasSuffix("\n") || outcome.stdout.isEmpty ? "" : "\n")
        print("== stderr (\(outcome.stderrBytes) bytes)")
        print(outcome.stderr, terminator: outcome.stderr.hasSuffix("\n") || outcome.stderr.isEmpty ? "" : "\n")
        print(
            "== verdict now:      \(fresh.verdict.status)  \(fresh.verdict.result)  (\(outcome.statusText), \(String(format: "%.1f", outcome.wallMs)) ms)"
        )
        print("== verdict recorded: \(repro.recordedStatus)  \(repro.recordedResult)")
        // A hidden row recorded only passed or failed.
        let matches = repro.isHiddenTask ? fresh.verdict.passed == repro.recordedPassed : fresh.verdict.status.rawValue == repro.recordedStatus
        print("== matches: \(matches ? "yes" : "no")")
        if let keep { print("== kept: \(keep)/program.py, rerun with \(keep)/rerun.sh") }
        if !matches { throw ExitCode(3) }
    }
}
