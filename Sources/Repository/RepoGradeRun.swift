import Foundation
import Grader
import Results
import Sandbox

/// Options of one `proctor grade-repo` run.
public struct RepoGradeOptions: Sendable {
    public var instancesPath: String
    public var predictionsPath: String
    /// Where relative `repo` paths resolve (default: the instances file's directory).
    public var reposDirectory: String?
    public var outDirectory: String
    public var profile: SandboxProfile
    public var limits: ResourceLimits
    public var workers = 1
    /// A suspicious instance (`PatchScan`, the plugin's audit hook) is unresolved, not just marked.
    public var strict = false
    /// Grade only these instances (SWE-bench's `--instance_ids`); nil: every prediction.
    public var instanceIDs: [String]?
    public var sandboxesDirectory: String
    public var proctorVersion = "dev"
    /// SWE-bench's way (`--specs`): environment layers, the spec's test command on the test
    /// directives, the log parsed per repository. nil: pytest with Proctor's plugin.
    public var swe: SWEEnvironmentStore?
    /// Whose rules decide a SWE-bench verdict (`--swe-rules`): swebench 4.1.0's by default.
    public var sweRules: SWEGrading.Rules = .swebench4
    /// An empty patch is run like any other (its tests must fail: `proctor swe validate`)
    /// instead of being reported as SWE-bench's empty_patch without a run.
    public var runEmptyPatches = false

    public init(
        instancesPath: String, predictionsPath: String, outDirectory: String, profile: SandboxProfile, limits: ResourceLimits,
        sandboxesDirectory: String
    ) {
        self.instancesPath = instancesPath
        self.predictionsPath = predictionsPath
        self.outDirectory = outDirectory
        self.profile = profile
        self.limits = limits
        self.sandboxesDirectory = sandboxesDirectory
    }
}

/// SWE-bench-style evaluation without Docker: for each prediction, a worktree at the base
/// commit (`RepoWorkspace`), the tests run in the sandbox with the worktree as working
/// directory, pytest's JUnit report read back (`JUnitReport`), and the verdict by SWE-bench's
/// rule (`RepoResolution`). Writes OUT/INSTANCE/{model.patch, test_command.sh, test_output.txt,
/// report.json} and OUT/report.json with SWE-bench's denominators; instances already graded
/// under the same inputs, profile and limits are kept (resume).
public final class RepoGradeRun: @unchecked Sendable {
    // @unchecked: `results` is guarded by `lock`; the rest is immutable.
    let options: RepoGradeOptions
    private let instances: [RepoInstance]
    private let predictions: [RepoPrediction]
    let sandbox: Sandbox
    let runner: [UInt8]
    /// Proctor's test-stream files, by name: the stream itself (proctor_stream.py), the pytest
    /// plugin and the unittest watcher (sitecustomize.py), shipped beside the runner.
    let watchers: [String: [UInt8]]
    let protectedModules: Set<String>
    private let lock = NSLock()
    private var results: [String: InstanceReport] = [:]

    /// What one prediction got.
    public struct InstanceReport: Codable, Sendable {
        public var instanceID: String
        public var model: String
        public var key: String
        /// FULL, PARTIAL or NO (SWE-bench's rule, with PARTIAL kept apart).
        public var resolution: String
        /// SWE-bench's boolean: FULL.
        public var resolved = false
        public var emptyPatch: Bool
        public var patchApplied: Bool
        public var applyStrategy: String?
        public var fuzzyApply: Bool
        /// The model's file changes kept out of the tree, each with why (`PatchPolicy`).
        public var droppedChanges: [String]
        /// Why the run looks like an attempt on the test machinery (the patch's text, what the
        /// audit hook saw); empty when nothing did. Under `--strict` a suspicious instance is NO.
        public var suspicious: [String] = []
        /// The error came from the infrastructure (the repository, the worktree, the sandbox), not
        /// from the prediction: a later run with the same inputs grades it again instead of reusing it.
        public var infrastructureError: Bool? = nil
        public var error: String?
        public var sandboxStatus: String?
        public var wallMs: Double?
        public var testCommand: String?
        /// The profile and limits the tests ran under (what `proctor repro-repo` reuses).
        public var profile: String?
        public var limits: ResourceLimits?
        public var failToPass: Tests
        public var passToPass: Tests
        /// SWE-bench's `tests_status`: FAIL_TO_PASS and PASS_TO_PASS as above; FAIL_TO_FAIL and
        /// PASS_TO_FAIL (not part of an instance's lists here) empty.
        public var testsStatus: [String: Tests] = [:]
        /// SWE mode: the parser that read the log, the eval script's exit status, the layers.
        public var logParser: String? = nil
        public var testExitCode: Int32? = nil
        public var environment: String? = nil
        /// The profile file the tests ran under (what `proctor repro-repo` loads again).
        public var profilePath: String? = nil
        /// SWE mode: the layer cache and the interpreter (`VERSION=PATH`) the run used; with the
        /// instance directory's specs.json, what `proctor repro-repo` needs to run it again.
        public var envCache: String? = nil
        public var interpreter: String? = nil
        /// SWE mode: whose rules decided the verdict (`4.1` or `5`, `--swe-rules`).
        public var sweRules: String? = nil
        /// SWE mode: the CPUs the run was shown (the spec's `nano_cpus`); nil: the spec gives none.
        public var cpus: Int? = nil
        /// SWE mode: the install step ran again after the patch (it changes the build).
        public var reinstalled: Bool? = nil
        /// The results schema the report is written in; nil when read from one written before versions were.
        public var schemaVersion: Int? = ResultsSchema.version

        public struct Tests: Codable, Sendable {
            public var success: [String]
            public var failure: [String]
        }

        /// Sets what follows from the rest (`resolved`, `tests_status`) before the report is written.
        mutating func settle() {
            resolved = resolution == "FULL"
            testsStatus = [
                "FAIL_TO_PASS": failToPass, "PASS_TO_PASS": passToPass, "FAIL_TO_FAIL": Tests(success: [], failure: []),
                "PASS_TO_FAIL": Tests(success: [], failure: []),
            ]
        }

        enum CodingKeys: String, CodingKey {
            case instanceID = "instance_id", model = "model_name_or_path", key, resolution, resolved, testsStatus = "tests_status"
            case emptyPatch = "empty_patch"
            case patchApplied = "patch_successfully_applied", applyStrategy = "apply_strategy", fuzzyApply = "fuzzy_apply"
            case droppedChanges = "dropped_changes", suspicious, infrastructureError = "infrastructure_error", error, sandboxStatus = "sandbox_status", wallMs = "wall_ms"
            case testCommand = "test_command", profile, limits, failToPass = "FAIL_TO_PASS", passToPass = "PASS_TO_PASS"
            case logParser = "log_parser", testExitCode = "test_exit_code", environment, profilePath = "profile_path"
            case envCache = "env_cache", interpreter, sweRules = "swe_rules", cpus, reinstalled
            case schemaVersion = "schema_version"
        }
    }

    /// The run's totals, with SWE-bench's denominators.
    public struct Summary: Codable, Sendable {
        public var totalInstances: Int
        public var submittedInstances: Int
        public var completedInstances: Int
        public var resolvedInstances: Int
        public var partialInstances: Int
        public var unresolvedInstances: Int
        public var emptyPatchInstances: Int
        public var errorInstances: Int
        public var resolvedIDs: [String]
        public var partialIDs: [String]
        public var unresolvedIDs: [String]
        public var emptyPatchIDs: [String]
        public var errorIDs: [String]
        /// Instances marked suspicious (whatever their verdict).
        public var suspiciousIDs: [String] = []
        /// SWE-bench's run-report lists: every prediction submitted, those graded to a verdict,
        /// and those that have no report (the run stopped before them).
        public var submittedIDs: [String] = []
        public var completedIDs: [String] = []
        public var incompleteIDs: [String] = []
        public var schemaVersion = ResultsSchema.version

        enum CodingKeys: String, CodingKey {
            case totalInstances = "total_instances", submittedInstances = "submitted_instances"
            case completedInstances = "completed_instances", resolvedInstances = "resolved_instances"
            case partialInstances = "partial_instances", unresolvedInstances = "unresolved_instances"
            case emptyPatchInstances = "empty_patch_instances", errorInstances = "error_instances", resolvedIDs = "resolved_ids"
            case partialIDs = "partial_ids", unresolvedIDs = "unresolved_ids", emptyPatchIDs = "empty_patch_ids", errorIDs = "error_ids"
            case suspiciousIDs = "suspicious_ids", submittedIDs = "submitted_ids", completedIDs = "completed_ids"
            case incompleteIDs = "incomplete_ids", schemaVersion = "schema_version"
        }
    }

    public static let reportName = ".proctor-junit.xml"
    /// Placed beside the runner: the bootstrap leaves the control descriptor to a program of the
    /// grader's own (any other program runs without it).
    public static let runnerMarker = ".proctor-runner"

    /// The per-instance directory's name under OUT.
    public static func directoryName(_ instanceID: String) -> String { instanceID.replacingOccurrences(of: "/", with: "__") }

    /// The report `grade` wrote for one instance.
    public static func report(in directory: String) throws(GradeError) -> InstanceReport {
        guard let data = FileManager.default.contents(atPath: directory + "/report.json"),
            let report = try? JSONDecoder().decode(InstanceReport.self, from: data)
        else { throw GradeError("\(directory)/report.json: missing or unreadable (is this an instance directory of grade-repo?)") }
        return report
    }

    public convenience init(_ options: RepoGradeOptions) throws(GradeError) {
        let instances = try RepoInstance.read(path: options.instancesPath)
        var predictions =
            options.predictionsPath == "gold"
            ? try RepoPrediction.gold(instances, source: options.instancesPath) : try RepoPrediction.read(path: options.predictionsPath)
        if let wanted = options.instanceIDs {
            let known = Set(predictions.map(\.instanceID))
            if let missing = wanted.first(where: { !known.contains($0) }) {
                throw GradeError("--instance-ids: no prediction for '\(missing)' in \(options.predictionsPath)")
            }
            let chosen = Set(wanted)
            predictions = predictions.filter { chosen.contains($0.instanceID) }
        }
        try self.init(options, instances: instances, predictions: predictions)
    }

    init(_ options: RepoGradeOptions, instances: [RepoInstance], predictions: [RepoPrediction]) throws(GradeError) {
        self.options = options
        self.instances = instances
        self.predictions = predictions
        let known = Set(instances.map(\.instanceID))
        if let unknown = predictions.first(where: { !known.contains($0.instanceID) }) {
            throw GradeError("\(options.predictionsPath): prediction for unknown instance '\(unknown.instanceID)'")
        }
        guard options.workers >= 1 else { throw GradeError("--workers must be at least 1") }
        do {
            sandbox = try Sandbox(profile: options.profile)
        } catch {
            throw GradeError("sandbox: \(error)")
        }
        guard let runner = FileManager.default.contents(atPath: options.sandboxesDirectory + "/python/repo_runner.py") else {
            throw GradeError("\(options.sandboxesDirectory)/python/repo_runner.py: missing")
        }
        self.runner = Array(runner)
        var watchers: [String: [UInt8]] = [:]
        for name in ["proctor_stream.py", "proctor_pytest.py", "sitecustomize.py"] {
            guard let data = FileManager.default.contents(atPath: options.sandboxesDirectory + "/python/" + name) else {
                throw GradeError("\(options.sandboxesDirectory)/python/\(name): missing")
            }
            watchers[name] = Array(data)
        }
        self.watchers = watchers
        protectedModules = try PatchPolicy.protectedModules(file: options.sandboxesDirectory + "/python/protected_modules.txt")
    }

    /// Grades one prediction the way `run()` grades each (for `proctor worker`): its files go to
    /// OUT/INSTANCE as usual; returns its report.
    public static func gradeOne(
        instance: RepoInstance, prediction: RepoPrediction, options: RepoGradeOptions
    ) throws(GradeError) -> InstanceReport {
        try RepoGradeRun(options, instances: [instance], predictions: [prediction]).grade(instance, prediction)
    }

    /// SWE-bench's totals over `reports`, out of `totalInstances`.
    public static func summarize(_ reports: [InstanceReport], totalInstances: Int, submitted: [String]? = nil) -> Summary {
        func ids(_ filter: (InstanceReport) -> Bool) -> [String] { reports.filter(filter).map(\.instanceID) }
        let completed = ids { $0.error == nil && !$0.emptyPatch }
        let unresolved = ids { $0.error == nil && !$0.emptyPatch && $0.resolution != "FULL" }
        let reported = Set(reports.map(\.instanceID))
        var summary = Summary(
            totalInstances: totalInstances, submittedInstances: reports.count, completedInstances: completed.count,
            resolvedInstances: ids { $0.resolution == "FULL" }.count, partialInstances: ids { $0.resolution == "PARTIAL" }.count,
            unresolvedInstances: unresolved.count, emptyPatchInstances: ids(\.emptyPatch).count,
            errorInstances: ids { $0.error != nil && !$0.emptyPatch }.count, resolvedIDs: ids { $0.resolution == "FULL" },
            partialIDs: ids { $0.resolution == "PARTIAL" }, unresolvedIDs: unresolved, emptyPatchIDs: ids(\.emptyPatch),
            errorIDs: ids { $0.error != nil && !$0.emptyPatch }, suspiciousIDs: ids { !$0.suspicious.isEmpty })
        summary.submittedIDs = submitted ?? reports.map(\.instanceID)
        summary.completedIDs = completed
        summary.incompleteIDs = summary.submittedIDs.filter { !reported.contains($0) }
        summary.submittedInstances = summary.submittedIDs.count
        return summary
    }

    public func run() throws(GradeError) -> Summary {
        do {
            try FileManager.default.createDirectory(atPath: options.outDirectory, withIntermediateDirectories: true)
        } catch {
            throw GradeError("\(options.outDirectory): cannot create directory")
        }
        nonisolated(unsafe) var pending = predictions  // guarded by queueLock
        let queueLock = NSLock()
        let threads = (0..<min(options.workers, max(1, predictions.count))).map { _ in
            Thread { [self] in
                while let prediction = queueLock.withLock({ pending.isEmpty ? nil : pending.removeFirst() }) {
                    let instance = instances.first { $0.instanceID == prediction.instanceID }!
                    let report = grade(instance, prediction)
                    lock.withLock { results[instance.instanceID] = report }
                }
            }
        }
        threads.forEach { $0.start() }
        while threads.contains(where: { !$0.isFinished }) { Thread.sleep(forTimeInterval: 0.05) }
        let summary = summarize()
        try JSONReport.write(summary, to: options.outDirectory + "/report.json")
        return summary
    }

    private func summarize() -> Summary {
        Self.summarize(
            predictions.compactMap { results[$0.instanceID] }, totalInstances: instances.count, submitted: predictions.map(\.instanceID))
    }

    /// What the runner reported, recorded in `report` (sandbox status, apply strategy, audit
    /// findings, apply.log) the same way for both ways of grading.
    static func readRunner(_ outcome: Outcome, into report: inout InstanceReport, directory: String) -> (RunnerRecords, TestStream) {
        report.sandboxStatus = outcome.statusText
        report.wallMs = outcome.wallMs
        if outcome.runStatus.isInternalError { report.infrastructureError = true }
        let lines = outcome.control.map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(ControlText.unescape) }
        let records = RunnerRecords(lines)
        let stream = TestStream(lines)
        report.suspicious += stream.suspicious.map { "audit: " + $0 }
        if records.forgedStreamRecords > 0 {
            report.suspicious.append("stream: \(records.forgedStreamRecords) record(s) not sent by Proctor's stream")
        }
        report.patchApplied = records.applied != nil
        report.applyStrategy = records.applied?.strategy
        report.fuzzyApply = records.applied?.fuzzy ?? false
        try? records.applyLog.joined(separator: "\n").write(toFile: directory + "/apply.log", atomically: true, encoding: .utf8)
        return (records, stream)
    }

    /// Why no verdict can come from a run whose test stream carried records Proctor's stream did
    /// not send (written to its pipe by tested code: no key, no valid MAC); nil when none.
    static func forgedStream(_ records: RunnerRecords) -> String? {
        guard records.forgedStreamRecords > 0 else { return nil }
        return "\(records.forgedStreamRecords) record(s) on the test stream were not sent by Proctor's stream (written by tested code): no verdict"
    }

    /// Sets the error when the model's patch or the test patch did not apply; true then.
    static func patchesFailed(_ records: RunnerRecords, _ outcome: Outcome, _ instance: RepoInstance, into report: inout InstanceReport) -> Bool {
        if records.applied == nil {
            report.error =
                records.applyFailed
                ? "patch did not apply (git apply and patch --fuzz both failed; see apply.log)"
                : "\(outcome.statusText): the run ended before the patch was applied (\(outcome.error ?? String(outcome.stderr.suffix(500))))"
            return true
        }
        if let failure = records.testPatchFailure {
            report.infrastructureError = true  // the instance's own patches do not fit together
            report.error = "\(instance.instanceID): the test patch does not apply over the model's patch: \(failure)"
            return true
        }
        return false
    }

    /// The command the sandbox runs for `instance`: its own, or pytest on the test patch's files
    /// (its test files: data files such as `.toml` or `.json` are not handed to pytest),
    /// always writing the JUnit report Proctor reads — beside the worktree, the one file there the
    /// run may write (what it writes inside the worktree is discarded with the run).
    static func testCommand(_ instance: RepoInstance, testFiles: [String]) -> String {
        func quote(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        let base = instance.testCommand ?? "python3 -m pytest -rA"
        return base + " -p proctor_pytest -p no:cacheprovider -o junit_family=xunit1 --junitxml=../\(reportName) "
            + testFiles.filter { file in !SWESpecs.nonTestEndings.contains { file.hasSuffix($0) } }.map(quote).joined(separator: " ")
    }

    private func grade(_ instance: RepoInstance, _ prediction: RepoPrediction) -> InstanceReport {
        let directory = options.outDirectory + "/" + Self.directoryName(instance.instanceID)
        let limits = options.limits
        let key = Digest.sha256(
            [
                instance.instanceID, instance.baseCommit, instance.testPatch, instance.failToPass.joined(separator: ","),
                instance.passToPass.joined(separator: ","), instance.testCommand ?? "", instance.setupCommand ?? "",
                prediction.patch, options.profile.sha256, "\(limits.cpu)", "\(limits.wall)", "\(limits.memory)",
                options.strict ? "strict" : "", sweKey(instance),
            ].joined(separator: "\u{0}"))
        if let data = FileManager.default.contents(atPath: directory + "/report.json"),
            let earlier = try? JSONDecoder().decode(InstanceReport.self, from: data), earlier.key == key,
            earlier.infrastructureError != true
        {
            // Only verdicts are reused; an infrastructure error is tried again.
            return earlier
        }
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try? Data(prediction.patch.utf8).write(to: URL(fileURLWithPath: directory + "/model.patch"))
        let located = instance.located(against: InputPath.absolute(options.reposDirectory ?? (options.instancesPath as NSString).deletingLastPathComponent))
        let repository = located.repo
        // The instance (with its repository's resolved path) and the prediction as one-line files:
        // `proctor repro-repo DIR` reads them back.
        try? (located.jsonLine + "\n").write(toFile: directory + "/instance.jsonl", atomically: true, encoding: .utf8)
        try? (prediction.jsonLine + "\n").write(toFile: directory + "/prediction.jsonl", atomically: true, encoding: .utf8)
        var report = InstanceReport(
            instanceID: instance.instanceID, model: prediction.model, key: key, resolution: "NO", emptyPatch: prediction.isEmpty,
            patchApplied: false, applyStrategy: nil, fuzzyApply: false, droppedChanges: [], error: nil, sandboxStatus: nil,
            wallMs: nil, testCommand: nil, profile: options.profile.name, limits: limits,
            failToPass: .init(success: [], failure: instance.failToPass),
            passToPass: .init(success: [], failure: instance.passToPass))
        report.profilePath = options.profile.path
        var log: [String] = []
        func note(_ line: String) { log.append(Timestamp.now() + " " + line) }
        note("instance \(instance.instanceID), model \(prediction.model), profile \(options.profile.name), wall \(limits.wall), memory \(limits.memory)")
        defer {
            report.settle()
            note("result: \(report.resolution)" + (report.error.map { ", error: \($0)" } ?? ""))
            try? JSONReport.write(report, to: directory + "/report.json")
            try? (log.joined(separator: "\n") + "\n").write(toFile: directory + "/run_instance.log", atomically: true, encoding: .utf8)
        }
        if prediction.isEmpty && !options.runEmptyPatches {
            report.error = nil
            return report
        }
        if let store = options.swe {
            gradeSWE(located, prediction, store: store, directory: directory, report: &report, note: note)
            return report
        }
        // The worktree is made on the host at the base commit; the patches are applied in the run.
        let prepared = sandbox.workBase + "/repo-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let workspace: RepoWorkspace
        do {
            workspace = try RepoWorkspace.prepare(
                instance: instance, prediction: prediction, repository: repository, in: prepared,
                protectedModules: protectedModules)
        } catch {
            report.error = "\(error)"
            report.infrastructureError = true
            (try? GitRepository(repository: repository))?.pruneWorktrees()
            try? FileManager.default.removeItem(atPath: prepared)
            return report
        }
        defer {
            try? FileManager.default.removeItem(atPath: prepared)
            (try? GitRepository(repository: repository))?.pruneWorktrees()
        }
        report.droppedChanges = workspace.droppedChanges
        report.suspicious = workspace.scanFindings
        if let refusal = workspace.refusal {
            report.error = refusal
            try? (refusal + "\n").write(toFile: directory + "/apply.log", atomically: true, encoding: .utf8)
            return report
        }
        try? workspace.modelPatch.write(toFile: directory + "/applied.patch", atomically: true, encoding: .utf8)
        let command = Self.testCommand(instance, testFiles: workspace.testFiles)
        report.testCommand = command
        try?
            ("#!/bin/sh\n# Run inside the prepared worktree, after applied.patch and the test patch (proctor repro-repo does it all).\n"
            + (instance.setupCommand.map { "\($0)\n" } ?? "") + command + "\n")
            .write(toFile: directory + "/test_command.sh", atomically: true, encoding: .utf8)

        let collected = NSLock()
        nonisolated(unsafe) var junit: Result<JUnitReport, GradeError>?
        var request = RunRequest(
            program: runner, programName: "repo_runner.py",
            arguments: ["model.patch", "test.patch", instance.setupCommand ?? "", command], limits: limits)
        request.files = [
            "model.patch": Array(workspace.modelPatch.utf8), "test.patch": Array(workspace.testPatch.utf8),
            Self.runnerMarker: [], "proctor_pytest.py": watchers["proctor_pytest.py"]!,
            "proctor_stream.py": watchers["proctor_stream.py"]!, ".proctor-patched": Array(workspace.patchedLines.utf8),
        ]
        request.workingTree = WorkingTree(
            build: { path in
                guard rename(prepared, path) == 0 else { throw GradeError("cannot move the worktree into the run (errno \(errno))") }
            },
            outputs: [Self.reportName],
            collect: { [directory] outputs in
                let result = Result { () throws(GradeError) in try JUnitReport.read(path: outputs + "/" + Self.reportName) }
                collected.withLock { junit = result }
                // Kept for diagnosis beside the instance's other files (a regular file only).
                if case .success = result, let data = FileManager.default.contents(atPath: outputs + "/" + Self.reportName) {
                    try? data.write(to: URL(fileURLWithPath: directory + "/junit.xml"))
                }
            })
        let outcome = sandbox.run(request)
        let (records, stream) = Self.readRunner(outcome, into: &report, directory: directory)
        try? ("$ " + command + "\n--- stdout ---\n" + outcome.stdout + "\n--- stderr ---\n" + outcome.stderr)
            .write(toFile: directory + "/test_output.txt", atomically: true, encoding: .utf8)
        if Self.patchesFailed(records, outcome, instance, into: &report) { return report }
        if let forged = Self.forgedStream(records) {
            report.error = forged
            return report
        }
        switch collected.withLock({ junit }) {
        case .success where records.testsStarted && !stream.finished:
            report.error =
                "\(outcome.statusText): pytest never finished its session (it was ended early, or Proctor's plugin was removed): no verdict"
        case .success where records.testsStarted && stream.tests.isEmpty:
            report.error = "\(outcome.statusText): pytest ran no tests (nothing collected from \(command)); no verdict"
        case .success(let tests) where records.testsStarted:
            // The verdict comes from the stream pytest's own hooks sent as the tests ran; the
            // report file (which tested code can rewrite) must agree with it.
            let disagreeing = stream.disagreements(with: tests, on: instance.failToPass + instance.passToPass)
            guard disagreeing.isEmpty else {
                report.error =
                    "the JUnit report disagrees with the outcomes pytest streamed on \(disagreeing.count) test(s) (e.g. \(disagreeing[0])): the report was tampered with"
                report.suspicious.append("report: disagrees with the streamed outcomes")
                return report
            }
            let resolution = RepoResolution(instance: instance, report: JUnitReport(tests: stream.tests))
            report.resolution = resolution.resolved.rawValue
            report.failToPass = .init(success: resolution.failToPassSuccess, failure: resolution.failToPassFailure)
            report.passToPass = .init(success: resolution.passToPassSuccess, failure: resolution.passToPassFailure)
            if options.strict && !report.suspicious.isEmpty && report.resolution != "NO" {
                report.resolution = "NO"  // --strict: suspicious is unresolved (the reasons are in `suspicious`)
            }
        case .success:
            report.error = "\(outcome.statusText): a test report exists but the tests never started (the setup command failed)"
        case .failure where outcome.endedByTheSandbox:
            // Killed before pytest could finish its report: say what killed it, not what it left.
            report.error = "\(outcome.statusText): the tests did not finish (wall limit \(limits.wall), CPU limit \(limits.cpu)); no verdict"
        case .failure(let error):
            report.error = "\(outcome.statusText): \(error)"
        case nil:
            report.error = "\(outcome.statusText): the tests did not run (\(outcome.error ?? "sandbox"))"
        }
        return report
    }
}
