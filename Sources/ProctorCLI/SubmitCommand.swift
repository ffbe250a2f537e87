import ArgumentParser
import Foundation
import Grader
import Queue
import Sandbox
import Worker

/// `proctor submit`: put a samples file on a queue as one run, for workers to grade.
public struct SubmitCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Submit a samples file to a queue as a run; workers grade it.",
        discussion: """
            Validates both files exactly as `proctor grade` does (errors name file and line), then \
            stores the problems, the run's profile and limits, and one job per sample. Submitting \
            the same run again is a no-op for samples already there (content hashes); a run id \
            reused with other settings or other content is refused.

            Example:
              proctor submit --queue postgres://grader@db/proctor --run exp42 --problems P.jsonl --samples S.jsonl
            """
    )

    @OptionGroup var queue: QueueOptions

    @Option(name: .customLong("run"), help: "Run id: names this set of samples in status and results.")
    var runID: String

    @Option(help: "Problems file (.jsonl or .jsonl.gz).")
    var problems: String

    @Option(help: "Samples file (.jsonl or .jsonl.gz).")
    var samples: String

    @Option(help: "Comma-separated k values for pass@k (used by `proctor results`).")
    var k: String = "1,10,100"

    @Option(help: "Sandbox profile the workers grade under.")
    var profile: String = "python-strict"

    @Option(help: "Wall-clock limit per sample.")
    var timeout: String = "3s"

    @Option(help: "CPU limit per sample (default: the profile's, capped at --timeout).")
    var cpu: String?

    @Option(help: "Memory limit per sample (default: the profile's).")
    var memory: String?

    @Flag(help: "Submit the tasks that have samples even if some have none.")
    var allowPartial = false

    @Option(help: "Directory holding the sandbox profiles (default: found automatically).")
    var sandboxes: String?

    public init() {}

    public func validate() throws {
        _ = try GradeCommand.parseKs(k)
        try SandboxSelection.validate(timeout: timeout, cpu: cpu, memory: memory)
        guard !runID.isEmpty, runID.count <= 200 else { throw ValidationError("--run must be 1-200 characters") }
    }

    public func run() throws {
        let selection = try SandboxSelection(profile: profile, sandboxes: sandboxes, timeout: timeout, cpu: cpu, memory: memory)
        let settings = RunSettings(
            profile: selection.profile.name, profileSHA256: selection.profile.sha256, limits: selection.limits,
            ks: try GradeCommand.parseKs(k), problems: problems, samples: samples)
        var jobs: [NewJob] = []
        let raw: [String: [UInt8]]
        do {
            let problemSet = try ProblemSet(path: problems)
            let sampleFile = try SampleFile(path: samples, problems: problemSet)
            let missing = sampleFile.missingTasks(in: problemSet)
            if !missing.isEmpty && !allowPartial {
                throw GradeError(
                    "\(samples): no samples for \(missing.count) of \(problemSet.order.count) tasks; pass --allow-partial to submit the tasks present"
                )
            }
            raw = try ProblemSet.rawLines(path: problems)
            try SampleFile.read(path: samples) { (sample: Sample) throws(GradeError) in
                let problem = problemSet.problems[sample.taskID]!
                var fields = sample.fields
                fields["completion_id"] = .string(sample.completionID)
                jobs.append(
                    NewJob(
                        index: sample.index, taskID: sample.taskID, completionID: sample.completionID,
                        contentSHA256: Digest.sha256("\(problem.sha256)|\(sample.sha256)|\(sample.completionID)"),
                        problemSHA256: problem.sha256, payload: Self.encode(fields)))
            }
        } catch {
            throw CLIFailure.usage("proctor: \(error)")
        }
        let store = try queue.open()
        defer { store.close() }
        let report = try queueCall { () throws(QueueError) in
            try store.initialize()
            return try store.submit(run: runID, config: settings.json, problems: raw, jobs: jobs)
        }
        print(
            "run \(runID): \(report.inserted) job(s) submitted, \(report.alreadyPresent) already present, on \(try queue.location())")
    }

    static func encode(_ fields: [String: JSONValue]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(JSONValue.object(fields))) ?? Data("{}".utf8), as: UTF8.self)
    }
}
