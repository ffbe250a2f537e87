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
///
/// A tree that already exists (a built instance layer whose installed packages point at its
/// path) is covered *in place* instead (`inPlace`): the program sees the overlay at the tree's
/// own path, so it needs a mount namespace, and the tree's files must be writable by the run's
/// uid through the overlay (the layer is built world-writable; Landlock keeps the run off the
/// layer itself).
public struct WorkingTree: Sendable {
    public var build: @Sendable (_ path: String) throws -> Void
    /// An existing directory to overlay where it is; nil: `build` makes the tree at WORKDIR/tree.
    public var inPlace: String? = nil
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

    /// An existing tree, overlaid at its own path.
    public init(inPlace path: String, outputs: [String] = [], collect: @escaping @Sendable (_ outputDirectory: String) -> Void) {
        self.build = { _ in }
        self.inPlace = path
        self.outputs = outputs
        self.collect = collect
    }
}
