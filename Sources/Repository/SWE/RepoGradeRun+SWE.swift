import Foundation
import Grader
import Sandbox
import Synchronization

/// SWE-bench's evaluation of one prediction, without Docker: the instance's layers
/// (`SWEEnvironmentStore`), its checkout overlaid in place for the run, the model's patch and the
/// test patch applied inside the sandbox, the spec's eval commands and test command on the test
/// directives, the whole log kept and read by the repository's parser (`LogParser`), the verdict
/// by SWE-bench's rules (`SWEGrading`).
extension RepoGradeRun {
    static let logName = ".proctor-test-output.txt"
    static let startMarker = ">>>>> Start Test Output"
    static let endMarker = ">>>>> End Test Output"
    /// The markers of SWE-bench's harness errors: a log holding any of them, wherever (printed by
    /// a test too), is one SWE-bench reads no statuses from.
    static let badMarkers = [">>>>> Patch Apply Failed", ">>>>> Reset Failed", ">>>>> Tests Errored", ">>>>> Tests Timed Out"]

    /// The first of `badMarkers` the log holds, if any.
    public static func badMarker(in log: String) -> String? { badMarkers.first { log.contains($0) } }

    /// What changes the verdict beyond the instance and the prediction: the spec and the layers.
    func sweKey(_ instance: RepoInstance) -> String {
        guard let store = options.swe else { return "" }
        let spec = try? store.specs.spec(repository: instance.specName, version: instance.version)
        let encoded = spec.flatMap { try? JSONEncoder().encode($0) }.map { String(decoding: $0, as: UTF8.self) } ?? "no spec"
        return [
            "swe", store.root, encoded, store.specs.parser(repository: instance.specName).rawValue, instance.version ?? "",
            options.sweRules.rawValue,
        ].joined(separator: "\u{1}")
    }

    /// The eval script: SWE-bench's eval commands and test command, run in the instance's
    /// checkout with its layers' interpreters first on PATH.
    ///
    /// With `watched`, the test stream's descriptors (61: its key, 62: its pipe) are closed around
    /// every step but the test command, which alone is told of them (PROCTOR_STREAM): a process an
    /// earlier step leaves behind holds neither.
    ///
    /// With `reinstall` (the model's patch changes the build: `RepoWorkspace.touchesBuild`) the
    /// spec's install step runs again after the eval commands, as SWE-bench's eval script always
    /// runs it: an extension rebuilt in place lands in the tree's overlay; what the step would
    /// write into the read-only layers fails, and the tests run on (as there, no `set -e`).
    static func evalScript(layers: SWEEnvironmentStore.Layers, command: String, watched: Bool = false, reinstall: Bool = false) -> String {
        var steps = (layers.spec.evalCommands ?? []).filter { !SWEEnvironmentStore.isSystemStep($0) }
        if reinstall, let install = reinstallStep(layers) { steps.append(install) }
        var lines = [
            "#!/bin/bash", "set -uxo pipefail", "cd \(quote(layers.repository))", "export PATH=\(quote(layers.path))",
            "export VIRTUAL_ENV=\(quote(layers.instance + "/venv"))",
            // The layers for an interpreter that did not find the venv (`Layers.userBase`).
            "export PYTHONUSERBASE=\(quote(layers.userBase))",
        ]
        if watched {
            if !steps.isEmpty { lines += ["{"] + steps + ["} 61<&- 62>&-"] }
            // Exported in a subshell, not prefixed: a test command of several commands
            // (`mkdir … && .tox/py/bin/python -m pytest …`) must hand it to the one that tests.
            lines += [": '\(startMarker)'", "(export PROCTOR_STREAM=61,62; " + command + ")", "status=$?", ": '\(endMarker)'", "exit $status"]
        } else {
            lines += steps
            lines += [": '\(startMarker)'", command, "status=$?", ": '\(endMarker)'", "exit $status"]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Interpreters (by profile and environment layer) already started inside the sandbox: ""
    /// when they ran, else why not.
    private static let interpreterChecks = Mutex<[String: String]>([:])

    /// Whether the environment's Python starts inside the sandbox, checked once per layer and
    /// profile: an interpreter the run cannot read (one outside /usr that the profile was not
    /// given) would otherwise fail every run with a log that names nothing. nil: it starts.
    func interpreterProblem(_ layers: SWEEnvironmentStore.Layers) -> String? {
        let key = sandbox.profile.sha256 + "\u{0}" + layers.environment
        if let known = Self.interpreterChecks.withLock({ $0[key] }) { return known.isEmpty ? nil : known }
        let python = layers.environment + "/venv/bin/python"
        let program = """
            import subprocess, sys
            try:
                done = subprocess.run([sys.argv[1], "-c", "import encodings, sys; print(sys.version.split()[0])"], capture_output=True, text=True)
            except OSError as error:
                print("cannot start: %s" % error)
                sys.exit(3)
            lines = (done.stderr or "").strip().splitlines()
            print(done.stdout.strip() if done.returncode == 0 else "exit status %d: %s" % (done.returncode, lines[-1] if lines else "no output"))
            sys.exit(0 if done.returncode == 0 else 3)

            """
        var limits = options.limits
        limits.wall = TimeSpan(seconds: 60)
        limits.cpu = TimeSpan(seconds: 60)
        let outcome = sandbox.run(RunRequest(source: program, programName: "interpreter_check.py", arguments: [python], limits: limits))
        var problem = ""
        if outcome.runStatus != .exited(0) {
            let said = outcome.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            problem = "Python \(layers.pythonVersion) at \(layers.interpreter) does not start inside the sandbox (\(said.isEmpty ? outcome.statusText : said)): the sandbox reads /usr, the layer cache and the installations of the interpreters given with --python; give it with --python \(layers.pythonVersion)=\(layers.interpreter)"
        }
        Self.interpreterChecks.withLock { $0[key] = problem }
        return problem.isEmpty ? nil : problem
    }

    /// The spec's install step as the eval script may run it again (not one that changes the machine).
    static func reinstallStep(_ layers: SWEEnvironmentStore.Layers) -> String? {
        layers.spec.install.flatMap { SWEEnvironmentStore.isSystemStep($0) ? nil : $0 }
    }

    static func quote(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    /// The part of the log between the markers, as SWE-bench reads it; the whole log when a
    /// marker is missing.
    public static func testSection(_ log: String) -> String {
        guard let start = log.range(of: startMarker) else { return log }
        let rest = log[start.upperBound...]
        let section = rest.range(of: startMarker).map { rest[..<$0.lowerBound] } ?? rest
        guard let end = section.range(of: endMarker) else { return String(section) }
        return String(section[..<end.lowerBound])
    }

    func gradeSWE(
        _ instance: RepoInstance, _ prediction: RepoPrediction, store: SWEEnvironmentStore, directory: String,
        report: inout InstanceReport, note: (String) -> Void
    ) {
        let layers: SWEEnvironmentStore.Layers
        do {
            layers = try store.layers(for: instance, log: note)
        } catch {
            report.error = "not reproducible here: \(error.message)"
            report.infrastructureError = true
            return
        }
        report.environment = (layers.environment as NSString).lastPathComponent
        report.envCache = store.root
        report.interpreter = "\(layers.pythonVersion)=\(layers.interpreter)"
        report.sweRules = options.sweRules.rawValue
        if let entry = store.specs.repositories[instance.specName], let version = instance.version {
            var own = entry
            own.versions = entry.versions.filter { $0.key == version }
            try? JSONReport.write(SWESpecs(repositories: [instance.specName: own]), to: directory + "/specs.json")
        }
        note("layers: \(layers.environment), \(layers.instance) (Python \(layers.pythonVersion) at \(layers.interpreter))")
        if let problem = interpreterProblem(layers) {
            report.error = "not reproducible here: \(problem)"
            report.infrastructureError = true
            return
        }
        let workspace: RepoWorkspace
        do {
            workspace = try RepoWorkspace.plan(
                instance: instance, prediction: prediction, protectedModules: protectedModules,
                isPackage: { FileManager.default.fileExists(atPath: layers.repository + "/" + $0 + "/__init__.py") })
        } catch {
            report.error = "\(error)"
            report.infrastructureError = true
            return
        }
        report.droppedChanges = workspace.droppedChanges
        report.suspicious = workspace.scanFindings
        if let refusal = workspace.refusal {
            report.error = refusal
            try? (refusal + "\n").write(toFile: directory + "/apply.log", atomically: true, encoding: .utf8)
            return
        }
        try? workspace.modelPatch.write(toFile: directory + "/applied.patch", atomically: true, encoding: .utf8)
        let directives = store.specs.testDirectives(repository: instance.specName, testPatchFiles: workspace.testFiles)
        let command = ([layers.spec.testCommand] + directives.map(Self.quote)).joined(separator: " ")
        let parser = store.specs.parser(repository: instance.specName)
        let watch = parser.watch
        let script = Self.evalScript(layers: layers, command: command, watched: watch != nil, reinstall: workspace.touchesBuild)
        report.reinstalled = workspace.touchesBuild && Self.reinstallStep(layers) != nil ? true : nil
        report.testCommand = command
        report.logParser = parser.rawValue
        try? script.write(toFile: directory + "/eval.sh", atomically: true, encoding: .utf8)

        let collected = NSLock()
        nonisolated(unsafe) var testLog: String?
        var request = RunRequest(
            program: runner, programName: "repo_runner.py",
            arguments: ["--swe", "model.patch", "test.patch", "eval.sh", Self.logName] + (watch.map { [$0] } ?? []),
            limits: options.limits)
        request.files = [
            "model.patch": Array(workspace.modelPatch.utf8), "test.patch": Array(workspace.testPatch.utf8),
            "eval.sh": Array(script.utf8), Self.runnerMarker: [], ".proctor-patched": Array(workspace.patchedLines.utf8),
        ]
        switch watch {
        case "pytest": request.files["proctor_pytest.py"] = watchers["proctor_pytest.py"]!
        case "unittest": request.files["sitecustomize.py"] = watchers["sitecustomize.py"]!
        default: break
        }
        if watch != nil { request.files["proctor_stream.py"] = watchers["proctor_stream.py"]! }
        if let cpus = layers.spec.cpus {
            // SWE-bench's container for this version gets `cpus` CPUs: the run's affinity (the
            // runner sets it) and its cgroup files say so, in cgroup v2's form and v1's.
            request.files[".proctor-cpus"] = Array("\(cpus)".utf8)
            request.rootFiles = [
                "/sys/fs/cgroup/cpu.max": Array("\(cpus * 100_000) 100000\n".utf8),
                "/sys/fs/cgroup/cpu/cpu.cfs_quota_us": Array("\(cpus * 100_000)\n".utf8),
                "/sys/fs/cgroup/cpu/cpu.cfs_period_us": Array("100000\n".utf8),
            ]
            report.cpus = cpus
        }
        request.workingTree = WorkingTree(
            inPlace: layers.repository, outputs: [Self.logName],
            collect: { outputs in
                let text = FileManager.default.contents(atPath: outputs + "/" + Self.logName).map { String(decoding: $0, as: UTF8.self) }
                collected.withLock { testLog = text }
            })
        let outcome = sandbox.run(request)
        let (records, stream) = Self.readRunner(outcome, into: &report, directory: directory)
        let logText = collected.withLock { testLog } ?? ""
        try? logText.write(toFile: directory + "/test_output.txt", atomically: true, encoding: .utf8)
        note("sandbox: \(outcome.statusText), wall \(Int(outcome.wallMs)) ms; runner stderr: \(outcome.stderr.suffix(2000))")
        if Self.patchesFailed(records, outcome, instance, into: &report) { return }
        if let forged = Self.forgedStream(records) {
            report.error = forged
            return
        }
        guard let exitCode = records.testsFinished else {
            let limit = outcome.timeout != nil ? " (wall limit \(options.limits.wall))" : ""
            report.error = "\(outcome.statusText)\(limit): the tests did not finish; no verdict (the log so far is in test_output.txt)"
            return
        }
        report.testExitCode = exitCode
        if exitCode < 0 {
            report.error = "the test command was killed by signal \(-exitCode) (\(SignalNames.name(-exitCode))); no verdict"
            return
        }
        if let marker = Self.badMarker(in: logText) {
            // SWE-bench reads no statuses from such a log: the instance is not resolved.
            report.error = "the log contains SWE-bench's marker '\(marker)', and SWE-bench resolves no instance whose log does"
            return
        }
        var statuses = parser.parse(Self.testSection(logText))
        if statuses.isEmpty { statuses = parser.parse(logText) }  // as SWE-bench: the whole log if the section has none
        let grading = SWEGrading(
            statuses: statuses, failToPass: instance.failToPass, passToPass: instance.passToPass, exitCode: exitCode, rules: options.sweRules)
        if let invalid = grading.invalid {
            // Nothing ran: the line that says why (an ImportError while loading conftest) helps most.
            let cause = statuses.isEmpty ? SWEEnvironmentStore.causeLine(in: logText).map { " — the log says: \($0)" } ?? "" : ""
            report.error = invalid + cause
            return
        }
        if watch != nil, let forged = Self.forgedPasses(
                statuses: statuses, stream: stream, names: instance.failToPass + instance.passToPass, exactNames: watch == "unittest")
        {
            report.error = forged
            report.suspicious.append("log: disagrees with what the test runner decided")
            return
        }
        report.resolution = grading.resolved.rawValue
        report.failToPass = .init(success: grading.failToPassSuccess, failure: grading.failToPassFailure)
        report.passToPass = .init(success: grading.passToPassSuccess, failure: grading.passToPassFailure)
        if options.strict && !report.suspicious.isEmpty && report.resolution != "NO" { report.resolution = "NO" }
    }

    /// Why the log cannot be believed, by what Proctor's stream saw the test runner decide in
    /// the same run: a test the log says passed that the runner failed (summary lines printed by
    /// tested code), or a stream that started but never finished (the process ended early after
    /// printing, or the stream's pipe was cut). nil when they agree, or when the stream never
    /// started (a runner too old or too different for it: the log alone decides, as in SWE-bench).
    /// `exactNames`: the log's names are the stream's (unittest's), so a test the log says
    /// passed must be in the stream.
    static func forgedPasses(statuses: [String: TestStatus], stream: TestStream, names: [String], exactNames: Bool = false) -> String? {
        guard stream.started || !stream.tests.isEmpty else { return nil }
        for name in names {
            guard let status = SWEGrading.status(of: name, in: statuses), status == .passed || status == .xfail else { continue }
            let cut = name.filter { $0 == "[" }.count > name.filter { $0 == "]" }.count
            let decided = stream.tests.filter { $0.key == name || (cut && $0.key.hasPrefix(name)) || $0.key.hasSuffix("::" + name) }
            if decided.values.contains(where: { $0 == .failed || $0 == .error }) {
                return "the log says \(name) passed but the test runner failed it in the same run: the log was forged (no verdict)"
            }
            if decided.isEmpty && exactNames {
                return "the log says \(name) passed but the test runner's stream never saw it run: the log was forged (no verdict)"
            }
        }
        if !stream.finished {
            return "the test runner started but never finished (ended early, or its stream was cut): no verdict"
        }
        return nil
    }
}
