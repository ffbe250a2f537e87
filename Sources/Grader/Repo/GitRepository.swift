import Foundation

/// git, run on the host for repository tasks (worktrees, applying patches, restoring files).
/// Never given anything to execute from a sample: patches are data to `git apply`/`patch`,
/// which refuse paths outside the tree. Runs with no user or system git configuration, so a
/// repository's hooks or the machine's settings cannot change what happens.
struct GitRepository {
    let path: String

    struct Result {
        var status: Int32
        var output: String
        var succeeded: Bool { status == 0 }
    }

    static let environment: [String: String] = [
        "PATH": "/usr/bin:/bin", "LC_ALL": "C", "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null",
        "GIT_TERMINAL_PROMPT": "0", "HOME": "/nonexistent",
    ]

    /// Runs `executable arguments` in `path`, capturing stdout and stderr together.
    static func run(_ executable: String, _ arguments: [String], in directory: String) throws(GradeError) -> Result {
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

    func git(_ arguments: [String]) throws(GradeError) -> Result {
        try Self.run("/usr/bin/git", ["-c", "core.hooksPath=/dev/null", "-c", "core.autocrlf=false"] + arguments, in: path)
    }

    /// Runs `body` holding an exclusive lock on the repository's git directory (`flock`, so
    /// threads and other proctor processes on the machine wait alike). `git worktree prune`
    /// removes any worktree record without a `gitdir` file — including one another worker's
    /// `git worktree add` has just begun — so adding, removing and pruning take turns.
    @discardableResult
    func withWorktreeLock<T>(_ body: () throws(GradeError) -> T) throws(GradeError) -> T {
        var isDirectory: ObjCBool = false
        let gitDirectory =
            FileManager.default.fileExists(atPath: path + "/.git", isDirectory: &isDirectory) && isDirectory.boolValue
            ? path + "/.git" : path
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
                "git \(arguments.joined(separator: " ")) in \(path): \(result.output.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        return result.output
    }

    /// Back to the checked-out commit, with nothing untracked left (ignored files included).
    func reset() throws(GradeError) {
        try gitChecked(["reset", "--hard", "-q"])
        try gitChecked(["clean", "-fdxq"])
    }

    /// Paths changed in the working tree, untracked ones included.
    func changedPaths() throws(GradeError) -> [String] {
        let output = try gitChecked(["status", "--porcelain=v1", "-z", "-uall", "--no-renames"])
        return output.split(separator: "\0").compactMap { entry in
            entry.count > 3 ? String(entry.dropFirst(3)) : nil
        }
    }

    /// Whether `path` exists in `commit`.
    func exists(_ path: String, at commit: String) throws(GradeError) -> Bool {
        try git(["cat-file", "-e", "\(commit):\(path)"]).succeeded
    }

    /// Puts `path` back as it is in `commit`, or removes it if `commit` has no such file.
    func restore(_ path: String, from commit: String) throws(GradeError) {
        if try exists(path, at: commit) {
            try gitChecked(["checkout", commit, "--", path])
        } else {
            let full = self.path + "/" + path
            try? FileManager.default.removeItem(atPath: full)
            _ = try? git(["rm", "-q", "--cached", "--ignore-unmatch", "--", path])
        }
    }

    /// The paths a patch file touches (without applying it).
    func pathsTouched(byPatch patchFile: String) throws(GradeError) -> [String] {
        let output = try gitChecked(["apply", "--numstat", "-z", patchFile])
        // -z numstat: "added\tdeleted\tpath\0" per file.
        return output.split(separator: "\0").compactMap { entry in
            let fields = entry.split(separator: "\t", maxSplits: 2)
            return fields.count == 3 ? String(fields[2]) : nil
        }
    }
}
