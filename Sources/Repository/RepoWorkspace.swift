import Foundation
import Grader

/// A prediction's working tree, ready for the sandbox: a worktree of the instance's repository
/// at the base commit (objects shared, no copy) that the host never patches, and the two
/// patches the sandbox applies to it (`Sandboxes/python/repo_runner.py`).
///
/// The model's patch is hostile data, so the host only parses it (`PatchSet`: every path
/// checked, ed scripts, binaries, symlinks refused) and decides from the patch itself which file
/// changes may reach the tree (`PatchPolicy`: not the tests, not test configuration or
/// plugins). What is left is re-emitted canonically and applied *inside* the run, in the
/// worktree's overlay: whatever it writes is bounded by the run's scratch quota and discarded
/// with the run, and no host-side git ever reads a tree a patch touched.
public struct RepoWorkspace: Sendable {
    public var path: String
    public var emptyPatch: Bool
    /// Why the model's patch was refused whole (a path it may not write, a binary, an ed
    /// script, …); nil when it may be applied.
    public var refusal: String?
    /// The model's patch as the sandbox applies it: canonical, without the dropped changes.
    public var modelPatch: String
    /// The instance's test patch, canonical.
    public var testPatch: String
    /// The model's file changes that were dropped, each with why.
    public var droppedChanges: [String]
    /// What `PatchScan` found in the changes that reach the tree.
    public var scanFindings: [String] = []
    /// The files the test patch touches: the default pytest targets.
    public var testFiles: [String]
    /// The lines the model's patch adds, per file it leaves in the tree: `PATH<TAB>N,N,…` lines,
    /// what the runner's watch tells a patch's doing from the suite's own (`.proctor-patched`).
    public var patchedLines = ""
    /// The files the model's patch leaves changed in the tree.
    public var modelFiles: [String] = []

    /// Whether the model's patch changes how the project is built (a setup script, build
    /// configuration, Cython or C sources): SWE-bench re-runs the install step after the patch,
    /// and only then does that change anything an editable install does not already see.
    public var touchesBuild: Bool {
        modelFiles.contains { path in
            let name = (path as NSString).lastPathComponent
            return ["setup.py", "setup.cfg", "pyproject.toml", "meson.build", "CMakeLists.txt", "Makefile"].contains(name)
                || [".pyx", ".pxd", ".pxi", ".c", ".cc", ".cpp", ".cxx", ".h", ".hpp", ".f", ".f90"].contains { name.hasSuffix($0) }
        }
    }

    /// Checks and splits the patches without touching any tree (what `prepare` does first).
    public static func plan(
        instance: RepoInstance, prediction: RepoPrediction, protectedModules: Set<String>,
        isPackage: (String) -> Bool = { _ in false }
    ) throws(GradeError) -> RepoWorkspace {
        let tests: PatchSet
        do {
            tests = try PatchSet.parse(instance.testPatch)
        } catch {
            throw GradeError("\(instance.instanceID): the instance's test patch: \(error)")
        }
        var workspace = RepoWorkspace(
            path: "", emptyPatch: prediction.isEmpty, refusal: nil, modelPatch: "", testPatch: tests.canonical,
            droppedChanges: [], testFiles: tests.files.compactMap(\.newPath))
        guard !prediction.isEmpty else { return workspace }
        let model: PatchSet
        do {
            model = try PatchSet.parse(prediction.patch)
        } catch {
            workspace.refusal = error.message
            return workspace
        }
        let policy = PatchPolicy(
            testPaths: Set(tests.paths), allowTestConfig: instance.allowTestConfig, protectedModules: protectedModules)
        let (kept, dropped) = policy.split(model, isPackage: isPackage)
        workspace.droppedChanges = dropped
        workspace.modelPatch = kept.canonical
        workspace.modelFiles = kept.files.compactMap(\.newPath)
        workspace.patchedLines = kept.files.compactMap { file in
            file.newPath.map { $0 + "\t" + file.addedLineNumbers.map(String.init).joined(separator: ",") + "\n" }
        }.joined()
        workspace.scanFindings = PatchScan.findings(kept)
        return workspace
    }

    /// Plans the patches, then makes the worktree in `directory` (which must not exist yet).
    public static func prepare(
        instance: RepoInstance, prediction: RepoPrediction, repository: String, in directory: String,
        protectedModules: Set<String>
    ) throws(GradeError) -> RepoWorkspace {
        let source = try GitRepository(repository: repository)
        guard try source.isCommit(instance.baseCommit) else {
            throw GradeError("\(instance.instanceID): base_commit \(instance.baseCommit) is not a commit of \(repository)")
        }
        var workspace = try plan(
            instance: instance, prediction: prediction, protectedModules: protectedModules,
            isPackage: { directory in (try? source.exists(directory + "/__init__.py", at: instance.baseCommit)) ?? false })
        try source.withWorktreeLock { () throws(GradeError) in
            try source.gitChecked(["worktree", "add", "--detach", "-f", directory, instance.baseCommit])
        }
        workspace.path = directory
        return workspace
    }

    /// Removes the worktree (and git's record of it).
    public func remove(repository: String) {
        guard let source = try? GitRepository(repository: repository) else { return }
        _ = try? source.withWorktreeLock { () throws(GradeError) in try source.git(["worktree", "remove", "--force", path]) }
        try? FileManager.default.removeItem(atPath: path)
        source.pruneWorktrees()
    }
}
