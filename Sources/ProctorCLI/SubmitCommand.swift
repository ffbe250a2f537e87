import ArgumentParser
import Foundation
import Grader
import Queue
import Repository
import Results
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
    var problems: String?

    @Option(help: "Samples file (.jsonl or .jsonl.gz).")
    var samples: String?

    @Option(help: "Repository tasks instead: SWE-bench-style instances file (see `proctor grade-repo`).")
    var instances: String?

    @Option(help: "Repository tasks: predictions file.")
    var predictions: String?

    @Option(help: "Repository tasks: where relative repo paths resolve (default: the instances file's directory).")
    var repos: String?

    @Option(help: "Comma-separated k values for pass@k (used by `proctor results`).")
    var k: String = "1,10,100"

    @OptionGroup(title: "sandbox and limits (the workers grade under them)")
    var sandbox: SandboxOptions

    @Option(help: "A Python virtual environment whose packages samples may import (see `proctor grade --python-env`); every worker needs it at this path.")
    var pythonEnv: String?

    @Flag(help: "Repository tasks: a suspicious instance is unresolved (see `proctor grade-repo --strict`).")
    var strict = false

    @Option(help: "Repository tasks: none, or loopback (see grade-repo --network); recorded with the run for every worker.")
    var network: String = "none"

    @Option(help: "Repository tasks, SWE-bench's way: the specs file (see `proctor grade-repo --specs`); workers build environments in their own --env-cache.")
    var specs: String?

    @Option(help: ArgumentHelp("With --specs: whose rules decide a verdict, 4.1 or 5 (see `proctor grade-repo --swe-rules`).", valueName: "4.1|5"))
    var sweRules: SWEGrading.Rules = .swebench4

    @OptionGroup(title: "stdin/stdout problems")
    var stdioFlags: StdioFlags

    @OptionGroup(title: "inputs problems (EvalPlus-style, dynamic) and sealed problems")
    var inputsFlags: InputsFlags

    @Flag(help: "Submit the tasks that have samples even if some have none.")
    var allowPartial = false

    public init() {}

    private var isRepository: Bool { instances != nil }

    public func validate() throws {
        _ = try GradeCommand.parseKs(k)
        if isRepository {
            guard predictions != nil, problems == nil, samples == nil else {
                throw ValidationError("repository tasks take --instances and --predictions (not --problems/--samples)")
            }
        } else {
            guard problems != nil, samples != nil, predictions == nil else {
                throw ValidationError("give --problems and --samples (or --instances and --predictions for repository tasks)")
            }
        }
        try sandbox.validate(defaultTimeout: isRepository ? "30s" : "3s")
        guard !runID.isEmpty, runID.count <= 200 else { throw ValidationError("--run must be 1-200 characters") }
    }

    public func run() throws {
        var sweSpecs: String?
        if let specs {
            guard isRepository else { throw CLIFailure.usage("proctor: --specs is for repository tasks (--instances, --predictions)") }
            do {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                sweSpecs = String(decoding: try encoder.encode(try SWESpecs.read(path: specs)), as: UTF8.self)
            } catch let error as GradeError {
                throw CLIFailure.from(error)
            }
        }
        var selection = try sandbox.selection(
            defaultProfile: sweSpecs != nil ? "swe" : isRepository ? "python" : "python-strict",
            defaultTimeout: sweSpecs != nil ? "1800s" : isRepository ? "30s" : "3s", pythonEnv: pythonEnv,
            network: isRepository ? network : nil)
        if isRepository { selection.fitTestSuites(cpuGiven: sandbox.cpu != nil) }
        var settings = RunSettings(
            profile: selection.profile.name, profileSHA256: selection.profile.sha256, limits: selection.limits,
            ks: try GradeCommand.parseKs(k), problems: problems ?? instances ?? "", samples: samples ?? predictions ?? "")
        var jobs: [NewJob] = []
        var raw: [String: [UInt8]] = [:]
        var inputsProblems = false
        do {
            if let instances, let predictions {
                settings.kind = "repo"
                settings.strict = strict ? true : nil
                settings.sweSpecs = sweSpecs
                settings.sweRules = sweSpecs != nil && sweRules != .swebench4 ? sweRules.rawValue : nil
                settings.network = network == "loopback" ? "loopback" : nil
                (raw, jobs) = try Self.repositoryJobs(instances: instances, predictions: predictions, repos: repos)
            } else if let problems, let samples {
                let key = try inputsFlags.key()
                (raw, jobs, inputsProblems) = try sampleJobs(problems: problems, samples: samples, key: key)
            }
        } catch {
            throw CLIFailure.usage("proctor: \(error)")
        }
        if let pythonEnv { settings.pythonEnv = URL(fileURLWithPath: pythonEnv).standardizedFileURL.path }
        if !isRepository {
            let stdio = try stdioFlags.options()
            // Recorded only when it is not the default, so earlier runs' settings stay the same run.
            settings.stdio = stdio == StdioOptions() ? nil : stdio
        }
        do {
            settings.problemsSHA256 = try Digest.sha256(file: settings.problems)
            // `--predictions gold`: the instances' own patches, already covered by their digest.
            settings.samplesSHA256 = settings.samples == "gold" && isRepository ? Digest.sha256("gold") : try Digest.sha256(file: settings.samples)
        } catch {
            throw CLIFailure.usage("proctor: \(error)")
        }
        let store = try queue.open()
        defer { store.close() }
        if inputsProblems {
            // Every worker draws the same dynamic tests: the seed travels with the run. Submitting
            // the same run again keeps the seed it was first stored with.
            var differential = try inputsFlags.options()
            differential.cacheDirectory = nil
            let earlier = try queueCall { () throws(QueueError) in
                try store.initialize()
                return try store.runConfig(runID)
            }.flatMap { try? RunSettings.parse($0) }
            differential.seed = inputsFlags.seed ?? earlier?.differential?.seed ?? DifferentialOptions.randomSeed()
            settings.differential = differential
            print("run \(runID): inputs problems; dynamic tasks use seed \(differential.seed)")
        }
        let report = try queueCall { () throws(QueueError) in
            try store.initialize()
            // Submitting the same files again (by another path, or an identical copy) is the same
            // run: keep the settings as first stored so the queue sees no difference.
            var config = settings.json
            if let stored = try store.runConfig(runID), let earlier = try? RunSettings.parse(stored), earlier.sameRun(as: settings) {
                config = stored
            }
            return try store.submit(run: runID, config: config, problems: raw, jobs: jobs)
        }
        print(
            "run \(runID): \(report.inserted) job(s) submitted, \(report.alreadyPresent) already present, on \(try queue.location())")
    }

    private func sampleJobs(problems: String, samples: String, key: SealKey?) throws(GradeError) -> (
        [String: [UInt8]], [NewJob], Bool
    ) {
        var jobs: [NewJob] = []
        // Opened (a sealed file with its key) to check it; stored as read, sealed lines sealed.
        let problemSet = try ProblemSet(path: problems, key: key)
        let sampleFile = try SampleFile(path: samples, problems: problemSet)
        let missing = sampleFile.missingTasks(in: problemSet)
        if !missing.isEmpty && !allowPartial {
            throw GradeError(
                "\(samples): no samples for \(missing.count) of \(problemSet.order.count) tasks; pass --allow-partial to submit the tasks present"
            )
        }
        let raw = try ProblemSet.rawLines(path: problems)
        try SampleFile.read(path: samples) { (sample: Sample) throws(GradeError) in
            let problem = problemSet.problems[sample.taskID]!
            var fields = sample.fields
            fields["completion_id"] = .string(sample.completionID)
            jobs.append(
                NewJob(
                    index: sample.index, taskID: sample.taskID, completionID: sample.completionID,
                    contentSHA256: Digest.sha256("\(problem.sha256)|\(sample.sha256)|\(sample.completionID)"),
                    problemSHA256: problem.sha256, payload: JSONValue.object(fields).compactText))
        }
        return (raw, jobs, problemSet.problems.values.contains { $0.differential != nil })
    }

    /// One job per prediction; the instance (with its repository's absolute path, which every
    /// worker must see at the same place) is stored as the job's problem.
    static func repositoryJobs(instances: String, predictions: String, repos: String?) throws(GradeError) -> (
        [String: [UInt8]], [NewJob]
    ) {
        let known = Dictionary(uniqueKeysWithValues: try RepoInstance.read(path: instances).map { ($0.instanceID, $0) })
        let base = InputPath.absolute(repos ?? (instances as NSString).deletingLastPathComponent)
        var raw: [String: [UInt8]] = [:]
        var jobs: [NewJob] = []
        let list =
            predictions == "gold"
            ? try RepoPrediction.gold(Array(known.values).sorted { $0.instanceID < $1.instanceID }, source: instances)
            : try RepoPrediction.read(path: predictions)
        for (index, prediction) in list.enumerated() {
            guard let instance = known[prediction.instanceID]?.located(against: base) else {
                throw GradeError("\(predictions): prediction for unknown instance '\(prediction.instanceID)'")
            }
            let line = instance.jsonLine
            let sha = Digest.sha256(line)
            raw[sha] = Array(line.utf8)
            let payload = prediction.jsonLine
            jobs.append(
                NewJob(
                    index: index, taskID: instance.instanceID, completionID: prediction.model,
                    contentSHA256: Digest.sha256(sha + "|" + payload), problemSHA256: sha, payload: payload))
        }
        return (raw, jobs)
    }
}
