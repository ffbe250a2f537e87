import Foundation
import Grader

/// git, run on the host for repository tasks: worktrees at a base commit, and questions about
/// the base commit. Never given a model's patch, and never run in a tree a patch touched (the
/// patch is applied inside the sandbox, in the worktree's overlay).
///
/// Every command names its git directory explicitly (`--git-dir`, the source repository's own,
/// never a `.git` found by walking up from a working directory) and runs with no user or system
/// configuration, no hooks, no fsmonitor, no protocol allowed (so no lazy fetch of a promisor
/// remote, no `ext::` transport) and no pager or editor: nothing repository data or the machine's
/// settings name can run.
struct GitRepository {
    /// The repository's git directory (`REPO/.git`, or a bare repository itself).
    let gitDirectory: String
    /// Its main working tree, or nil for a bare repository.
    let workTree: String?

    struct Result {
        var status: Int32
        var output: String
        var succeeded: Bool { status == 0 }
    }

    static let environment: [String: String] = [
        "PATH": "/usr/bin:/bin", "LC_ALL": "C", "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null",
        "GIT_TERMINAL_PROMPT": "0", "HOME": "/nonexistent", "GIT_NO_LAZY_FETCH": "1", "GIT_ALLOW_PROTOCOL": "",
        "GIT_PROTOCOL_FROM_USER": "0", "GIT_NO_REPLACE_OBJECTS": "1", "GIT_PAGER": "cat", "GIT_EDITOR": "/bin/false",
        "GIT_SSH_COMMAND": "/bin/false", "GIT_ASKPASS": "/bin/false",
    ]

    /// Settings given on every command line (they win over the repository's own config).
    static let overrides = [
        "core.hooksPath=/dev/null", "core.fsmonitor=false", "core.untrackedCache=false", "core.autocrlf=false",
        "protocol.allow=never", "core.sshCommand=/bin/false", "core.askPass=/bin/false", "core.pager=cat",
    ].flatMap { ["-c", $0] }

    /// The repository at `repository`: a directory holding a `.git` directory, or a bare one.
    /// A `.git` *file* (a worktree, a submodule) is refused: it points somewhere else.
    init(repository: String) throws(GradeError) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: repository + "/.git", isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw GradeError("\(repository): its .git is not a directory (a worktree or submodule); give the main repository")
            }
            gitDirectory = repository + "/.git"
            workTree = repository
        } else if FileManager.default.fileExists(atPath: repository + "/HEAD")
            && FileManager.default.fileExists(atPath: repository + "/objects", isDirectory: &isDirectory) && isDirectory.boolValue
        {
            gitDirectory = repository
            workTree = nil
        } else {
            throw GradeError("\(repository): not a git repository")
        }
    }

    /// Runs `executable arguments` in `directory` with git's hardened environment (or the one
    /// given: the layer builds' host steps), capturing stdout and stderr together.
    static func run(
        _ executable: String, _ arguments: [String], in directory: String, environment: [String: String] = Self.environment
    ) throws(GradeError) -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do {
            try process.run()
        } catch {
            throw GradeError("cannot run \(executable): \(error.localizedDescription)")
        }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }

    /// `git --git-dir=… [--work-tree=…] -c … ARGUMENTS`, run in the git directory.
    func git(_ arguments: [String]) throws(GradeError) -> Result {
        var command = ["--git-dir=" + gitDirectory]
        if let workTree { command.append("--work-tree=" + workTree) }
        return try Self.run("/usr/bin/git", command + Self.overrides + arguments, in: gitDirectory)
    }

    /// Runs `body` holding an exclusive lock on the repository's git directory (`flock`, so
    /// threads and other proctor processes on the machine wait alike). `git worktree prune`
    /// removes any worktree record without a `gitdir` file — including one another worker's
    /// `git worktree add` has just begun — so adding, removing and pruning take turns.
    @discardableResult
    func withWorktreeLock<T>(_ body: () throws(GradeError) -> T) throws(GradeError) -> T {
        let fd = open(gitDirectory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw GradeError("cannot open \(gitDirectory) (errno \(errno))") }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else { throw GradeError("cannot lock \(gitDirectory) (errno \(errno))") }
        }
        return try body()
    }

    /// `git worktree prune`, taking its turn with other workers' worktree changes.
    func pruneWorktrees() {
        _ = try? withWorktreeLock { () throws(GradeError) in try git(["worktree", "prune"]) }
    }

    /// `git …`, failing with the command's output.
    @discardableResult
    func gitChecked(_ arguments: [String]) throws(GradeError) -> String {
        let result = try git(arguments)
        guard result.succeeded else {
            throw GradeError(
                "git \(arguments.joined(separator: " ")) in \(gitDirectory): \(result.output.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        return result.output
    }

    /// Whether `commit` names a commit of the repository.
    func isCommit(_ commit: String) throws(GradeError) -> Bool {
        try git(["cat-file", "-e", "\(commit)^{commit}"]).succeeded
    }

    /// Whether `path` exists in `commit`.
    func exists(_ path: String, at commit: String) throws(GradeError) -> Bool {
        try git(["cat-file", "-e", "\(commit):\(path)"]).succeeded
    }
}
