/// A directory tree the caller builds for one run (a git worktree for a repository task): made
/// at `WORKDIR/tree` before the program starts, handed to the run's uid, and the program's
/// working directory.
///
/// The tree stays on the host filesystem (a worktree shares the repository's objects instead of
/// copying them), but with a mount namespace the program sees it through an overlay whose
/// writable layer is on the run's scratch tmpfs: what it writes there is bounded by the scratch
/// quota (bytes and inodes) and discarded with the run, and the host tree is left as built.
/// What the caller needs back (a test report) the program writes to `outputs`: files made empty
/// beside the tree (`WORKDIR/NAME`) that the program may rewrite but not multiply; `collect`
/// gets the directory holding them before the workdir is removed. Without a mount namespace
/// (an unprivileged grader) the program writes the host tree, bounded only by RLIMIT_FSIZE.
public struct WorkingTree: Sendable {
    public var build: @Sendable (_ path: String) throws -> Void
    /// File names (no slashes) the program may write beside the tree.
    public var outputs: [String]
    public var collect: @Sendable (_ outputDirectory: String) -> Void

    public init(
        build: @escaping @Sendable (_ path: String) throws -> Void, outputs: [String] = [],
        collect: @escaping @Sendable (_ outputDirectory: String) -> Void
    ) {
        self.build = build
        self.outputs = outputs
        self.collect = collect
    }
}
