import Results
import Sandbox

/// Grades one sample at a time under fixed limits: assembles the program, runs it (warm pool or
/// cold), decides the verdict and builds the result row. `proctor grade`'s worker threads and
/// `proctor worker` (jobs from a queue) share it, so both write the same rows.
public final class SampleGrader: Sendable {
    public let profile: SandboxProfile
    public let limits: ResourceLimits
    public let poolMode: PoolMode
    /// How stdin/stdout problems are judged.
    public let stdio: StdioOptions
    /// How inputs problems are graded, and their references' results.
    public let differential: DifferentialOptions
    public let references: ReferenceStore
    private let sandbox: Sandbox
    private let context: GradeContext
    /// LiveCodeBench's runner for stdin/stdout problems judged in `lcb` mode.
    private let lcbRunner: String?
    /// Languages other than Python (`Sandboxes/languages`), made ready on first use.
    public let languages: LanguageRegistry

    public init(
        profile: SandboxProfile, limits: ResourceLimits, pool: PoolMode, proctorVersion: String, stdio: StdioOptions = StdioOptions(),
        differential: DifferentialOptions = DifferentialOptions(), references: ReferenceStore = ReferenceStore()
    ) throws(GradeError) {
        self.stdio = stdio
        self.differential = differential
        self.references = references
        do {
            sandbox = try Sandbox(profile: profile)
        } catch {
            throw GradeError("sandbox: \(error)")
        }
        self.profile = profile
        self.limits = limits
        poolMode = pool
        lcbRunner = StdioJudge.loadLCBRunner(profile)
        languages = try LanguageRegistry(sandboxesDirectory: profile.sandboxesDirectory)
        if let language = stdio.language { try languages.check(language) }
        if lcbRunner == nil && stdio.judge == .lcb {
            throw GradeError("--judge lcb: \(profile.sandboxesDirectory)/python/lcb_runner.py is missing")
        }
        context = GradeContext(
            profileName: profile.name, profileSHA256: profile.sha256, proctorVersion: proctorVersion,
            pythonVersion: Host.pythonVersion(profile.definition.command[0]), kernel: Host.kernel, pool: pool.rawValue)
    }

    /// A warm pool for one worker thread (nil in cold mode or where pools are unsupported).
    public func makePool() -> WarmPool? { poolMode == .warm ? WarmPool(sandbox: sandbox) : nil }

    /// The key that decides whether an earlier row can be reused: same problem, same sample,
    /// same completion id, same profile, same limits.
    public func key(_ sample: Sample, _ problem: Problem) -> String {
        Digest.sha256(
            [
                problem.sha256, sample.sha256, sample.completionID, profile.sha256, "\(limits.cpu)", "\(limits.wall)",
                "\(limits.memory)", "\(limits.outputLimit)", "\(limits.processes)", "\(limits.fileSize)",
            ].joined(separator: "|")
                + (problem.shape == .stdio ? "|" + stdio.keyText + (sample.language.map { "|sample-language-\($0)" } ?? "") : "")
                + (problem.shape == .stdio || problem.shape == .multilingual ? "|languages-" + languages.digest : "")
                + (problem.shape == .inputs ? "|" + differential.keyText : ""))
    }

    /// Runs `sample` against `problem` (in `pool` when given) and returns its row.
    public func grade(_ sample: Sample, of problem: Problem, key: String, pool: WarmPool?) -> GradedSample {
        if let task = problem.stdio { return judge(sample, of: problem, task: task, key: key, pool: pool) }
        if let task = problem.multilingual { return judgeFunction(sample, of: problem, task: task, key: key) }
        if let task = problem.differential {
            let judge = DifferentialJudge(sandbox: sandbox, limits: limits, options: differential, references: references)
            return judge.judge(sample, of: problem, task: task, key: key, pool: pool, context: context)
        }
        let program = AssembledProgram(problem: problem, sample: sample)
        let nonce = Self.nonce()
        var request = RunRequest(source: program.candidate, programName: "program.py", limits: limits)
        request.files = program.harnessFiles(nonce: nonce)
        let outcome = pool?.run(request) ?? sandbox.run(request)
        let verdict = Verdict(outcome: outcome, nonce: nonce)
        if problem.hidden {
            return hiddenGraded(
                sample, of: problem, outcome: HiddenRecord.Outcome(passed: verdict.passed, sandboxFailed: verdict.status == .internalError),
                run: outcome, candidate: program.candidate, key: key)
        }
        let row = ResultRow.build(
            sample: sample, problem: problem, program: program, outcome: outcome, verdict: verdict, key: key, context: context)
        return GradedSample(
            taskID: sample.taskID, status: verdict.status, passed: verdict.passed, wallMs: outcome.wallMs, cpuMs: outcome.cpuMs,
            peakRssKiB: Double(outcome.peakRssKiB), line: ResultRow.encode(row))
    }

    /// A stdin/stdout sample: each test case its own cold run (`StdioJudge`).
    private func judge(_ sample: Sample, of problem: Problem, task: StdioTask, key: String, pool: WarmPool?) -> GradedSample {
        let (code, fenced, tag) = stdio.extract.extractBlock(sample.code)
        var judge = StdioJudge(sandbox: sandbox, limits: limits, options: stdio, pool: pool, lcbRunner: lcbRunner)
        // The sample's own `language`, else its fence's tag when that names a language, else
        // --language, else Python.
        let named =
            sample.language ?? tag.flatMap { languages.definition($0) != nil || LanguageRegistry.isPython($0) ? $0 : nil } ?? stdio.language
        var language: String?
        var judged: StdioJudge.Judged
        if let named, !LanguageRegistry.isPython(named) {
            language = languages.definition(named)?.name ?? named
            switch languages.definition(named).map({ languages.runtime($0) }) {
            case .success(let runtime):
                judge.language = runtime
                judge.artifacts = languages.cache
                judged = judge.judge(code: code, task: task)
            case .failure(let error):
                judged = StdioJudge.Judged(
                    results: [], compile: StdioJudge.TestResult(verdict: .internalError, detail: error.description),
                    order: task.runOrder(revealPrivate: stdio.revealPrivate))
            case nil:
                judged = StdioJudge.Judged(
                    results: [],
                    compile: StdioJudge.TestResult(verdict: .compileError, detail: "no such language '\(named)' (\(languages.known))"),
                    order: task.runOrder(revealPrivate: stdio.revealPrivate))
            }
        } else {
            judged = judge.judge(code: code, task: task)
        }
        return StdioRow.build(
            sample: sample, problem: problem, task: task, code: code, fenced: fenced, judged: judged, options: stdio,
            judgeMode: judge.mode(task), limits: limits, testLimits: judge.testLimits(task), key: key, context: context,
            language: language, toolchain: judge.language?.toolchain)
    }

    /// A hidden task's sample (`HiddenRecord`): its row says whether it passed and nothing the
    /// run printed; its time and memory count only towards the run-level aggregate.
    private func hiddenGraded(
        _ sample: Sample, of problem: Problem, outcome hidden: HiddenRecord.Outcome, run: Outcome?, candidate: String, key: String
    ) -> GradedSample {
        let row = HiddenRecord.row(
            sample: sample, problem: problem, outcome: hidden, key: key, context: context, limits: limits,
            candidateSHA256: Digest.sha256(candidate))
        return HiddenRecord.graded(
            row, taskID: sample.taskID, outcome: hidden, wallMs: run?.wallMs ?? 0, cpuMs: run?.cpuMs ?? 0,
            peakRssKiB: Double(run?.peakRssKiB ?? 0))
    }

    /// A function task in another language: compiled with the language's completion-record
    /// code, run once (`FunctionTestJudge`). A sealed task's row is a hidden one: the compiler's
    /// message and an assert's output quote the tests.
    private func judgeFunction(_ sample: Sample, of problem: Problem, task: MultilingualTask, key: String) -> GradedSample {
        do {
            let runtime = try languages.runtime(named: task.language)
            let judge = FunctionTestJudge(runtime: runtime, artifacts: languages.cache, limits: runtime.limits(for: limits))
            let judged = judge.judge(sample, task: task)
            if problem.hidden {
                let sandboxFailed = judged.compile?.status == .internalError || judged.verdict?.status == .internalError
                return hiddenGraded(
                    sample, of: problem,
                    outcome: HiddenRecord.Outcome(passed: judged.verdict?.passed ?? false, sandboxFailed: sandboxFailed),
                    run: judged.outcome, candidate: task.prompt + task.trimmed(sample.code), key: key)
            }
            return FunctionTestJudge.row(
                judged, sample: sample, problem: problem, language: runtime.definition.name,
                toolchain: runtime.toolchain, key: key, context: context, limits: limits)
        } catch {
            if problem.hidden {
                return hiddenGraded(
                    sample, of: problem, outcome: .internalError, run: nil, candidate: task.prompt + task.trimmed(sample.code), key: key)
            }
            let judged = FunctionTestJudge.Judged(compile: (.internalError, error.description), program: sample.code)
            return FunctionTestJudge.row(
                judged, sample: sample, problem: problem, language: task.language, toolchain: "missing", key: key, context: context,
                limits: limits)
        }
    }

    /// A per-run nonce for the completion record (`completed NONCE CALLS`), which only code that
    /// read it from the run's stdin can write (Python's supervisor, other languages' harnesses).
    static func nonce() -> String {
        (0..<4).map { _ in String(UInt32.random(in: 0...UInt32.max), radix: 16) }.joined()
    }
}

/// One graded sample: the row as written to `samples.jsonl` and the figures summaries need.
public struct GradedSample: Sendable {
    public var taskID: String
    public var status: SampleStatus
    public var passed: Bool
    public var wallMs: Double
    public var cpuMs: Double
    public var peakRssKiB: Double
    /// The JSON row, without a trailing newline.
    public var line: [UInt8]
    /// Inputs problems: passed the base inputs (EvalPlus's base score); nil elsewhere (`passed` is it).
    public var basePassed: Bool? = nil
    /// A hidden task's sample (`HiddenRecord`): its time and memory count only towards the
    /// run-level hidden aggregate, never a row, the queue or a per-sample metric.
    public var hidden = false
    /// Its figures measure something (false: a stdin/stdout sample whose tests were all private).
    public var measured = true
}
