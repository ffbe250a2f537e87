import ArgumentParser
import Foundation
import Grader
import Repository
import Sandbox

/// `proctor repro-repo`: one graded repository instance, run again exactly as graded.
public struct ReproRepoCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "repro-repo",
        abstract: "Re-run one instance of `proctor grade-repo` under its recorded profile and limits.",
        discussion: """
            Reads OUT/INSTANCE/ (instance.jsonl, prediction.jsonl, report.json), prepares the \
            worktree the same way, runs the same test command in the sandbox and says whether the \
            verdict and per-test results match. Exit status: 0 when they match, 3 when not.

            Example:
              proctor repro-repo results/mathkit__mathkit-partial
            """
    )

    @Argument(help: "An instance directory written by `proctor grade-repo`.")
    var directory: String

    @Option(help: "Where the rerun's files go (default: a temporary directory, removed afterwards).")
    var out: String?

    @Option(help: "Directory holding the sandbox profiles (default: found automatically).")
    var sandboxes: String?

    public init() {}

    public func run() throws {
        let recorded: RepoGradeRun.InstanceReport
        let fresh: RepoGradeRun.InstanceReport
        let scratch = out ?? NSTemporaryDirectory() + "proctor-repro-repo-\(UInt32.random(in: 0...UInt32.max))"
        defer { if out == nil { try? FileManager.default.removeItem(atPath: scratch) } }
        do {
            recorded = try RepoGradeRun.report(in: directory)
            let sandboxesDirectory = try SandboxesDirectory.locate(explicit: sandboxes)
            var profile: SandboxProfile
            if let path = recorded.profilePath, FileManager.default.fileExists(atPath: path) {
                profile = try SandboxProfile.load(path: path, sandboxesDirectory: sandboxesDirectory)
            } else {
                profile = try SandboxProfile.load(named: recorded.profile ?? "python", sandboxesDirectory: sandboxesDirectory)
            }
            // Graded SWE-bench's way: the same specs (kept beside the report), layers and interpreter.
            var store: SWEEnvironmentStore?
            if let root = recorded.envCache, FileManager.default.fileExists(atPath: directory + "/specs.json") {
                var interpreters = SWEEnvironmentStore.defaultInterpreters()
                if let mapping = recorded.interpreter?.split(separator: "=", maxSplits: 1), mapping.count == 2 {
                    interpreters[String(mapping[0])] = String(mapping[1])
                }
                store = SWEEnvironmentStore(root: root, interpreters: interpreters, specs: try SWESpecs.read(path: directory + "/specs.json"))
                profile = profile.withReadablePaths(store!.readablePaths)
            }
            var options = RepoGradeOptions(
                instancesPath: directory + "/instance.jsonl", predictionsPath: directory + "/prediction.jsonl", outDirectory: scratch,
                profile: profile, limits: recorded.limits ?? profile.definition.limits, sandboxesDirectory: sandboxesDirectory)
            options.proctorVersion = ProctorVersion.string
            options.swe = store
            options.sweRules = recorded.sweRules.flatMap(SWEGrading.Rules.init(rawValue:)) ?? .swebench4
            options.runEmptyPatches = recorded.model == "empty"
            _ = try RepoGradeRun(options).run()
            fresh = try RepoGradeRun.report(in: scratch + "/" + RepoGradeRun.directoryName(recorded.instanceID))
        } catch {
            throw CLIFailure.usage("proctor: \(error)")
        }
        let output = scratch + "/" + RepoGradeRun.directoryName(recorded.instanceID) + "/test_output.txt"
        if let text = try? String(contentsOfFile: output, encoding: .utf8) { print(text) }
        print("== \(recorded.instanceID): recorded \(recorded.resolution), now \(fresh.resolution) (\(fresh.sandboxStatus ?? "not run"))")
        let same =
            recorded.resolution == fresh.resolution && recorded.failToPass.success == fresh.failToPass.success
            && recorded.passToPass.success == fresh.passToPass.success && recorded.patchApplied == fresh.patchApplied
        print(same ? "== matches the recorded result" : "== DIFFERS from the recorded result")
        if !same { throw ExitCode(3) }
    }
}
