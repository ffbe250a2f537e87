import Foundation
import Results
import Sandbox

/// Re-runs one graded sample exactly as it was graded: the same program (proved by its sha256),
/// the same profile and the same limits.
public struct Repro: Sendable {
    public let identifier: String
    public let program: AssembledProgram
    public let profile: SandboxProfile
    /// Where the profile came from (rerun.sh names it, so it works from any directory).
    public let sandboxesDirectory: String
    public let limits: ResourceLimits
    public let recordedStatus: String
    public let recordedResult: String
    /// Differences worth telling the user (a changed profile file, say), not fatal.
    public let warnings: [String]
    /// The task came from a sealed file.
    public let isHiddenTask: Bool
    /// A stdin/stdout task with private tests the grade did not reveal.
    public let hasPrivateTests: Bool
    public let recordedPassed: Bool
    /// A stdin/stdout sample: its problem, the program as extracted, how it was judged.
    let stdio: (problem: Problem, task: StdioTask, code: String, options: StdioOptions, sample: Sample)?
    public var isStdio: Bool { stdio != nil }
    /// An inputs sample: its problem, the sample, the options recorded (seed included) and the
    /// reference cases' recorded sha256.
    let inputs: (problem: Problem, task: DifferentialTask, sample: Sample, options: DifferentialOptions, referenceSHA256: String?)?
    public var isInputs: Bool { inputs != nil }

    /// Finds `identifier` (`task_id#completion_id`) in `resultsPath` and rebuilds its program.
    public init(
        resultsPath: String, identifier: String, problemsPath: String?, sandboxesDirectory: String, key: SealKey? = nil
    ) throws(GradeError) {
        var found: (bytes: [UInt8], line: Int)?
        var examples: [String] = []
        let reader = try JSONLines(path: resultsPath)
        while let (line, bytes) = try reader.next() {
            guard let object = try? JSONInput.object(bytes, file: resultsPath, line: line),
                let task = object["task_id"]?.scalarText, let id = object["completion_id"]?.scalarText
            else { continue }
            let rowIdentifier = Sample.identifier(taskID: task, completionID: id)
            if examples.count < 3 { examples.append(rowIdentifier) }
            if rowIdentifier == identifier { found = (bytes, line) }
        }
        guard let found else {
            throw GradeError(
                "\(resultsPath): no row for \(identifier)" + (examples.isEmpty ? " (the file has no rows)" : " (its ids look like \(examples.joined(separator: ", ")))"))
        }
        let row = try JSONInput.object(found.bytes, file: resultsPath, line: found.line)
        guard case .object(let audit)? = row["audit"], case .object(let recordedLimits)? = audit["limits"] else {
            throw GradeError(file: resultsPath, line: found.line, "row has no audit block")
        }
        let sample = try Sample.parse(found.bytes, file: resultsPath, line: found.line, index: 0) { _ in 0 }

        let problems = problemsPath ?? Self.recordedProblems(besides: resultsPath)
        guard let problems else {
            throw GradeError("cannot tell which problems file \(resultsPath) was graded with; pass --problems")
        }
        guard FileManager.default.fileExists(atPath: problems) else {
            throw GradeError("\(problems): the problems file \(resultsPath) was graded with is not there; pass --problems")
        }
        let set = try ProblemSet(path: problems, key: key)
        guard let problem = set.problems[sample.taskID] else { throw GradeError("\(problems): no task \(sample.taskID)") }
        var warnings: [String] = []
        if problem.sha256 != audit["problem_sha256"]?.string {
            warnings.append("problem \(sample.taskID) in \(problems) differs from the one graded")
        }
        program = AssembledProgram(problem: problem, sample: sample)
        if let task = problem.stdio {
            // The program as the grade extracted it from the answer, with the grade's options.
            var options = StdioOptions()
            options.extract = audit["extract"]?.string.flatMap(FencedCode.init(rawValue:)) ?? .lastFence
            options.timeScale = audit["time_scale"]?.doubleValue ?? 1
            options.allTests = audit["all_tests"]?.boolValue ?? false
            options.revealPrivate = audit["reveal_private"]?.boolValue ?? false
            // The mode the grade resolved (rows before judge modes ran plainly).
            options.judge = audit["judge"]?.string.flatMap(StdioOptions.JudgeMode.init(rawValue:)) ?? .plain
            let code = options.extract.extract(sample.code).code
            guard Digest.sha256(code) == (audit["program_sha256"] ?? audit["candidate_sha256"])?.string else {
                throw GradeError("the program extracted again differs from the recorded one (sha256 \(Digest.sha256(code)))")
            }
            stdio = (problem, task, code, options, sample)
        } else {
            stdio = nil
        }
        if let task = problem.differential {
            // The options the grade recorded: the same seed regenerates the same dynamic tests.
            var options = DifferentialOptions()
            options.timeFactor = audit["time_factor"]?.doubleValue ?? options.timeFactor
            options.timeFloor = audit["time_floor_s"]?.doubleValue ?? options.timeFloor
            if let seed = audit["seed"]?.string.flatMap({ UInt64($0) }) { options.seed = seed }
            inputs = (problem, task, sample, options, audit["reference_sha256"]?.string)
        } else {
            inputs = nil
        }
        // A hidden row names the sample's own code, never a digest over its hidden tests.
        let rebuilt = problem.hidden ? Digest.sha256(program.candidate) : program.sha256
        guard stdio != nil || rebuilt == (problem.hidden ? audit["candidate_sha256"] : audit["program_sha256"])?.string else {
            throw GradeError(
                "rebuilt program's sha256 \(rebuilt) differs from the recorded one")
        }
        let profileName = audit["profile"]?.string ?? "python-strict"
        self.sandboxesDirectory = sandboxesDirectory
        do {
            profile = try SandboxProfile.load(named: profileName, sandboxesDirectory: sandboxesDirectory)
        } catch {
            throw GradeError("profile: \(error)")
        }
        if profile.sha256 != audit["profile_sha256"]?.string {
            warnings.append(
                "profile \(profileName) changed since grading (sha256 \(profile.sha256) vs recorded \(audit["profile_sha256"]?.string ?? "none"))"
            )
        }
        func integer(_ key: String) -> UInt64? {
            if case .integer(let value)? = recordedLimits[key], value >= 0 { return UInt64(value) }
            return nil
        }
        var limits = profile.definition.limits
        if let cpu = integer("cpu_s") { limits.cpu = TimeSpan(milliseconds: cpu * 1000) }
        if let wall = integer("wall_ms") { limits.wall = TimeSpan(milliseconds: wall) }
        if let memory = integer("memory_bytes") { limits.memory = ByteCount(bytes: memory) }
        if let output = integer("output_limit_bytes") { limits.outputLimit = ByteCount(bytes: output) }
        if let processes = integer("processes") { limits.processes = processes }
        if let fileSize = integer("file_size_bytes") { limits.fileSize = ByteCount(bytes: fileSize) }
        self.limits = limits
        self.identifier = identifier
        isHiddenTask = problem.hidden
        hasPrivateTests = stdio.map { !$0.options.revealPrivate && $0.task.tests.contains(where: \.hidden) } ?? false
        recordedPassed = row["passed"]?.boolValue ?? false
        recordedStatus = row["status"]?.string ?? "unknown"
        recordedResult = row["result"]?.string ?? "unknown"
        self.warnings = warnings
    }

    /// Runs the program again; returns the fresh outcome and verdict.
    public func run() throws(GradeError) -> (outcome: Outcome, verdict: Verdict) {
        let sandbox: Sandbox
        do {
            sandbox = try Sandbox(profile: profile)
        } catch {
            throw GradeError("sandbox: \(error)")
        }
        let nonce = UUID().uuidString
        var request = RunRequest(source: program.candidate, programName: "program.py", limits: limits)
        request.files = program.harnessFiles(nonce: nonce)
        let outcome = sandbox.run(request)
        return (outcome, Verdict(outcome: outcome, nonce: nonce))
    }

    /// Grades an inputs sample again: the reference run again (the same seed, so a dynamic task
    /// regenerates the same tests, which the cases' sha256 proves), then the sample.
    public func runInputs() throws(GradeError) -> (status: SampleStatus, basePassed: Bool?, plusPassed: Bool?, sameTests: Bool, row: String) {
        guard let inputs else { throw GradeError("\(identifier) is not an inputs sample") }
        let grader = try SampleGrader(
            profile: profile, limits: limits, pool: .cold, proctorVersion: "repro", differential: inputs.options)
        let graded = grader.grade(inputs.sample, of: inputs.problem, key: "repro", pool: nil)
        let row = try JSONInput.object(graded.line, file: "repro", line: 1)
        let audit = row["audit"]?.objectValue ?? [:]
        return (
            graded.status, row["base_passed"]?.boolValue, row["plus_passed"]?.boolValue,
            audit["reference_sha256"]?.string == inputs.referenceSHA256, String(decoding: graded.line, as: UTF8.self)
        )
    }

    /// Judges a stdin/stdout sample again: its row as the grade would write it (status and
    /// `passed` decided as then) and one line per test; a private test's line says so.
    public func runStdio() throws(GradeError) -> (status: SampleStatus, passed: Bool, tests: [(line: String, hidden: Bool, accepted: Bool)]) {
        guard let stdio else { throw GradeError("\(identifier) is not a stdin/stdout sample") }
        let sandbox: Sandbox
        do {
            sandbox = try Sandbox(profile: profile)
        } catch {
            throw GradeError("sandbox: \(error)")
        }
        let judge = StdioJudge(sandbox: sandbox, limits: limits, options: stdio.options, lcbRunner: StdioJudge.loadLCBRunner(profile))
        let judged = judge.judge(code: stdio.code, task: stdio.task)
        let graded = StdioRow.build(
            sample: stdio.sample, problem: stdio.problem, task: stdio.task, code: stdio.code, fenced: false, judged: judged,
            options: stdio.options, judgeMode: judge.mode(stdio.task), limits: limits, testLimits: judge.testLimits(stdio.task), key: "repro",
            context: GradeContext(profileName: profile.name, profileSHA256: profile.sha256, proctorVersion: "repro", pythonVersion: "", kernel: "", pool: "cold"))
        if let compile = judged.compile { return (graded.status, graded.passed, [("syntax: \(compile.detail ?? "")", false, false)]) }
        let tests = zip(judged.order, judged.results).map { index, result in
            let line = "test \(index + 1): \(result.verdict.rawValue)" + (result.outcome.map { String(format: " (%.1f ms)", $0.wallMs) } ?? "")
            return (
                line + (stdio.task.tests[index].hidden ? " [private]" : ""), stdio.task.tests[index].hidden && !stdio.options.revealPrivate,
                result.verdict == .accepted
            )
        }
        return (graded.status, graded.passed, tests)
    }

    /// Writes the program and a one-line command that reruns it with `proctor run`.
    public func keep(in directory: String, proctor: String) throws(GradeError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let programPath = directory + "/program.py"
            // A hidden task's tests stay sealed: only the candidate's code is written.
            try (inputs != nil || program.text == program.candidate || isHiddenTask ? program.candidate : program.text)
                .write(toFile: programPath, atomically: true, encoding: .utf8)
            let command =
                "\(proctor) run --sandboxes \(sandboxesDirectory) --profile \(profile.name) --time \(limits.cpu) --wall \(limits.wall) --memory \(limits.memory) "
                + "--output-limit \(limits.outputLimit) --file-size \(limits.fileSize) --processes \(limits.processes) -- \(programPath)"
            try ("#!/bin/sh\n# Reruns \(identifier) under the limits it was graded with.\n" + command + "\n")
                .write(toFile: directory + "/rerun.sh", atomically: true, encoding: .utf8)
            chmod(directory + "/rerun.sh", 0o755)
        } catch {
            throw GradeError("\(directory): \(error.localizedDescription)")
        }
    }

    private static func recordedProblems(besides resultsPath: String) -> String? {
        let summaryPath = URL(fileURLWithPath: resultsPath).deletingLastPathComponent().appendingPathComponent("summary.json").path
        guard let data = FileManager.default.contents(atPath: summaryPath),
            case .object(let summary)? = try? JSONDecoder().decode(JSONValue.self, from: data)
        else { return nil }
        return summary["problems"]?.string
    }
}
