/// A directory tree the caller builds for one run (a git worktree for a repository task): made
/// at `WORKDIR/tree` before the program starts, handed to the run's uid, writable by the
/// program and its working directory; `collect` reads what the run left there (reports) before
/// the workdir is removed.
///
/// Unlike scratch it lives on the host filesystem (a worktree shares the repository's objects
/// instead of copying them into a tmpfs), so only RLIMIT_FSIZE bounds what the program writes.
public struct WorkingTree: Sendable {
    public var build: @Sendable (_ path: String) throws -> Void
    public var collect: @Sendable (_ path: String) -> Void

    public init(build: @escaping @Sendable (_ path: String) throws -> Void, collect: @escaping @Sendable (_ path: String) -> Void) {
        self.build = build
        self.collect = collect
    }
}
