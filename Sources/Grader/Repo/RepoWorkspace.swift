import Foundation

/// A prediction's working tree, ready for its tests: a worktree of the instance's repository at
/// the base commit (objects shared, no copy), the model's patch applied by the first strategy
/// that works, then the test files restored to the base commit and the test patch applied on
/// top (so a model patch cannot edit the tests), and test configuration the model added or
/// edited (conftest.py, pytest.ini, …) put back unless the instance allows it.
public struct RepoWorkspace: Sendable {
    public var path: String
    public var emptyPatch: Bool
    public var patchApplied: Bool
    /// "git apply", "git apply --3way" or "patch --fuzz" — the strategy that applied it.
    public var strategy: String?
    /// The patch applied only with fuzz (context lines ignored): worth a look.
    public var fuzzy: Bool
    /// What each strategy said, in order.
    public var applyLog: [String]
    /// Test-configuration files of the model's patch that were put back.
    public var revertedConfigFiles: [String]
    /// The files the test patch touches: the default pytest targets.
    public var testFiles: [String]

    /// File names whose presence changes how pytest collects or reports tests.
    static let configNames: Set<String> = [
        "conftest.py", "pytest.ini", ".pytest.ini", "tox.ini", "setup.cfg", "pyproject.toml", "sitecustomize.py",
        "usercustomize.py",
    ]

    static func isTestConfig(_ path: String) -> Bool {
        let name = (path as NSString).lastPathComponent
        return configNames.contains(name) || name.hasSuffix(".pth")
    }

    /// Builds the workspace in `directory` (which must not exist yet).
    public static func prepare(
        instance: RepoInstance, prediction: RepoPrediction, repository: String, in directory: String
    ) throws(GradeError) -> RepoWorkspace {
        let source = GitRepository(path: repository)
        try source.withWorktreeLock { () throws(GradeError) in
            try source.gitChecked(["worktree", "add", "--detach", "-f", directory, instance.baseCommit])
        }
        let tree = GitRepository(path: directory)
        var workspace = RepoWorkspace(
            path: directory, emptyPatch: prediction.isEmpty, patchApplied: false, strategy: nil, fuzzy: false, applyLog: [],
            revertedConfigFiles: [], testFiles: [])
        let patchFile = directory + ".model.patch"
        let testPatchFile = directory + ".test.patch"
        defer {
            try? FileManager.default.removeItem(atPath: patchFile)
            try? FileManager.default.removeItem(atPath: testPatchFile)
        }
        do {
            try Data(prediction.patch.utf8).write(to: URL(fileURLWithPath: patchFile))
            try Data(instance.testPatch.utf8).write(to: URL(fileURLWithPath: testPatchFile))
        } catch {
            throw GradeError("\(directory): cannot write patches (\(error.localizedDescription))")
        }

        if !workspace.emptyPatch {
            let strategies: [(String, String, [String])] = [
                ("git apply", "/usr/bin/git", ["apply", "--whitespace=nowarn", patchFile]),
                ("git apply --3way", "/usr/bin/git", ["apply", "--3way", "--whitespace=nowarn", patchFile]),
                (
                    "patch --fuzz", "/usr/bin/patch",
                    ["-p1", "--fuzz=3", "--batch", "--forward", "--no-backup-if-mismatch", "-r", "-", "-i", patchFile]
                ),
            ]
            for (name, executable, arguments) in strategies {
                try tree.reset()
                let result = try GitRepository.run(executable, arguments, in: directory)
                workspace.applyLog.append(
                    "\(name): " + (result.succeeded ? "applied" : "failed") + " — "
                        + result.output.trimmingCharacters(in: .whitespacesAndNewlines).prefix(2000))
                // --3way can leave conflict markers and still report a partial success: only a clean exit counts.
                if result.succeeded {
                    workspace.patchApplied = true
                    workspace.strategy = name
                    workspace.fuzzy = name == "patch --fuzz" && result.output.contains("with fuzz")
                    break
                }
            }
            if !workspace.patchApplied { try tree.reset() }
        }

        if workspace.patchApplied && !instance.allowTestConfig {
            for path in try tree.changedPaths() where isTestConfig(path) {
                try tree.restore(path, from: instance.baseCommit)
                workspace.revertedConfigFiles.append(path)
            }
        }
        // The tests are the instance's, whatever the model's patch did to them.
        workspace.testFiles = try tree.pathsTouched(byPatch: testPatchFile)
        for path in workspace.testFiles { try tree.restore(path, from: instance.baseCommit) }
        let applied = try GitRepository.run("/usr/bin/git", ["apply", "--whitespace=nowarn", testPatchFile], in: directory)
        guard applied.succeeded else {
            throw GradeError("\(instance.instanceID): the test patch does not apply at \(instance.baseCommit): \(applied.output)")
        }
        return workspace
    }

    /// Removes the worktree (and git's record of it).
    public func remove(repository: String) {
        let source = GitRepository(path: repository)
        _ = try? source.withWorktreeLock { () throws(GradeError) in try source.git(["worktree", "remove", "--force", path]) }
        try? FileManager.default.removeItem(atPath: path)
        source.pruneWorktrees()
    }
}
