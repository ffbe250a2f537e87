import ArgumentParser
import Foundation
import Grader

/// `proctor amplify`: more inputs for every function task, checked against its reference.
public struct AmplifyCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "amplify",
        abstract: "Derive EvalPlus-style plus inputs for every task of a problems file.",
        discussion: """
            For each task (human-eval or MBPP shaped, with a reference solution), runs the original \
            tests against the reference in the sandbox while recording the inputs they call it \
            with (written as base_input), then mutates those inputs type-aware and keeps the ones \
            inside the task's contract — its EvalPlus `contract` asserts, and what every input of \
            its own tests has in common (types, signs, zero, emptiness, sortedness, distinct \
            elements, the characters of its strings, equal lengths) — that the reference answers \
            within --budget without raising, the same twice (plus_input). Each task's line says \
            how many mutants were dropped and why. Grade the result like any problems file: rows \
            then report base and plus.

            Example:
              proctor amplify --problems HumanEval.jsonl.gz --out HumanEvalAmp.jsonl --per-task 30 --seed 1
            """
    )

    @Option(help: "Problems file (.jsonl or .jsonl.gz).")
    var problems: String

    @Option(help: "The amplified problems file to write.")
    var out: String

    @Option(help: "New inputs to find per task.")
    var perTask: Int = 20

    @Option(help: "Seed of the mutations (the same seed gives the same file).")
    var seed: UInt64 = 0

    @Option(help: "What the reference may take on one new input, e.g. 1s; slower inputs are dropped.")
    var budget: String = "1s"

    @Option(help: "Tasks amplified in parallel.")
    var workers: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Sandbox profile.")
    var profile: String = "python-strict"

    @Option(help: "Directory holding the sandbox profiles (default: found automatically).")
    var sandboxes: String?

    public init() {}

    public func run() throws {
        guard perTask >= 1, perTask <= 10000 else { throw CLIFailure.usage("proctor: --per-task must be between 1 and 10000") }
        let selection = try SandboxSelection(
            profile: profile, sandboxes: sandboxes, timeout: "60s", cpu: nil, memory: nil, pythonEnv: nil)
        var amplifier = Amplifier()
        amplifier.perTask = perTask
        amplifier.seed = seed
        amplifier.budget = try InputsFlags.seconds(budget, flag: "--budget")
        amplifier.workers = max(1, workers)
        let reports: [Amplifier.TaskReport]
        do {
            reports = try amplifier.run(problemsPath: problems, outPath: out, profile: selection.profile, limits: selection.limits)
        } catch {
            throw CLIFailure.from(error)
        }
        let amplified = reports.filter { $0.skipped == nil }
        let plus = amplified.reduce(0) { $0 + $1.plus }
        print("amplified \(amplified.count) of \(reports.count) task(s): \(plus) plus inputs (\(String(format: "%.1f", Double(plus) / Double(max(1, amplified.count)))) per task) into \(out)")
        for report in reports where report.skipped != nil {
            print("  \(report.taskID): left unchanged: \(report.skipped!)")
        }
        for report in amplified {
            let dropped = report.rejected.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            print("  \(report.taskID): \(report.plus) of \(perTask) plus inputs" + (dropped.isEmpty ? "" : "; dropped: \(dropped)"))
        }
    }
}
