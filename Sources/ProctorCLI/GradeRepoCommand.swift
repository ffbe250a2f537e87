import ArgumentParser
import Foundation
import Grader
import Repository
import Sandbox

/// `proctor grade-repo`: SWE-bench-style repository tasks, without Docker.
public struct GradeRepoCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "grade-repo",
        abstract: "Apply each prediction's patch to its repository, run the tests in the sandbox, decide resolved.",
        discussion: """
            Instances (JSONL, SWE-bench's shape): instance_id, repo (a local git repository or bare \
            mirror; relative to --repos), base_commit, test_patch, FAIL_TO_PASS, PASS_TO_PASS (lists \
            or JSON strings), optional test_cmd (default: pytest on the files the test patch \
            touches), setup_cmd, allow_test_config. Predictions: instance_id, model_name_or_path, \
            model_patch.

            The model's patch is hostile data: it is parsed and every path it names checked (no \
            absolute paths, no '..', no .git at any depth, no symlinks, ed scripts or binaries; a \
            patch that breaks a rule is refused whole), and the changes it may not make are \
            dropped (the instance's test files; conftest.py, pytest.ini, tox.ini, setup.cfg, \
            pyproject.toml, *.pth, sitecustomize, *.dist-info, __init__.py in test directories, \
            pytest_plugins lines; new modules shadowing the standard library or pytest). Each \
            prediction gets a git worktree at base_commit; inside the sandbox (the `python` \
            profile: subprocesses, no network, bounded processes, memory, time, output, and a \
            discarded overlay over the worktree) the rest of the patch is applied with git apply, \
            then patch --fuzz (the strategy is recorded, fuzzy applies flagged), the test patch on \
            top, and the tests run with plugin auto-loading off and Proctor's pytest plugin loaded \
            first: the outcomes it streams decide FULL / PARTIAL / NO and must agree with pytest's \
            JUnit report. Patches that reach into the test machinery are marked suspicious \
            (--strict: unresolved).

            Writes OUT/report.json (SWE-bench's denominators and id lists, schema_version) and \
            OUT/INSTANCE/ with the patch, apply.log, test_command.sh, test_output.txt, \
            run_instance.log and report.json (resolution FULL/PARTIAL/NO, SWE-bench's boolean \
            resolved and tests_status).

            Example:
              proctor grade-repo --instances instances.jsonl --predictions preds.jsonl --out results/
            """
    )

    @Option(help: "Instances file (.jsonl).")
    var instances: String

    @Option(help: "Predictions file (.jsonl, or a .json list or object as SWE-bench writes them), or `gold` to grade each instance's own `patch`.")
    var predictions: String

    @Option(help: "Grade only these instances (comma-separated instance ids).")
    var instanceIds: String?

    @Option(help: "Directory relative repo paths resolve against (default: the instances file's).")
    var repos: String?

    @Option(help: "Output directory.")
    var out: String = "results"

    @Option(help: "Predictions graded in parallel.")
    var workers: Int = 1

    @OptionGroup(title: "sandbox and limits")
    var sandbox: SandboxOptions

    @Flag(help: "A suspicious instance (its patch or its run reached into the test machinery) is unresolved.")
    var strict = false

    @Option(help: "none, or loopback: the tests get a network namespace of their own with only lo up (suites that start local servers); the host stays out of reach.")
    var network: String = "none"

    @OptionGroup(title: "SWE-bench's grading (environments, test commands, log parsers)")
    var swe: SWEOptions

    public init() {}

    public func validate() throws {
        try sandbox.validate(defaultTimeout: "30s")
        guard workers >= 1 else { throw ValidationError("--workers must be at least 1") }
    }

    @OptionGroup(title: "exact accounting (opt-in)")
    var cgroupFlag: CgroupFlag

    public func run() throws {
        try cgroupFlag.apply()
        let store = try swe.store()
        var selection = try sandbox.selection(
            defaultProfile: store == nil ? "python" : "swe", defaultTimeout: store == nil ? "30s" : "1800s", network: network)
        selection.fitTestSuites(cpuGiven: sandbox.cpu != nil)
        if let store { selection.profile = selection.profile.withReadablePaths(store.readablePaths) }
        let directory: String
        do {
            directory = try SandboxesDirectory.locate(explicit: sandbox.sandboxes)
        } catch {
            throw CLIFailure.usage("proctor: \(error)")
        }
        var options = RepoGradeOptions(
            instancesPath: instances, predictionsPath: predictions, outDirectory: out, profile: selection.profile,
            limits: selection.limits, sandboxesDirectory: directory)
        options.reposDirectory = repos
        options.workers = workers
        options.strict = strict
        options.instanceIDs = instanceIds.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        options.proctorVersion = ProctorVersion.string
        options.swe = store
        options.sweRules = swe.sweRules
        let summary: RepoGradeRun.Summary
        do {
            summary = try RepoGradeRun(options).run()
        } catch {
            throw CLIFailure.from(error)
        }
        print("instances \(summary.totalInstances), submitted \(summary.submittedInstances), completed \(summary.completedInstances)")
        print("resolved  \(summary.resolvedInstances) FULL, \(summary.partialInstances) PARTIAL, unresolved \(summary.unresolvedInstances)")
        print("empty patch \(summary.emptyPatchInstances), error \(summary.errorInstances), suspicious \(summary.suspiciousIDs.count)")
        for id in summary.resolvedIDs { print("  FULL     \(id)") }
        for id in summary.partialIDs { print("  PARTIAL  \(id)") }
        for id in summary.unresolvedIDs where !summary.partialIDs.contains(id) { print("  NO       \(id)") }
        for id in summary.emptyPatchIDs { print("  EMPTY    \(id)") }
        for id in summary.errorIDs { print("  ERROR    \(id)") }
        for id in summary.suspiciousIDs { print("  SUSPECT  \(id) (see its report.json: suspicious)") }
        print("report: \(out)/report.json")
    }
}
