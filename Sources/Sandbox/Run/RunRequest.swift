/// One program to run under a profile.
public struct RunRequest: Sendable {
    /// Source of the program, copied into the run's workdir (read-only to the program).
    public var program: [UInt8]
    /// File name it gets there, e.g. `solution.py`.
    public var programName: String
    /// Extra arguments after the program.
    public var arguments: [String]
    /// Bytes on the program's stdin; nil means `/dev/null`.
    public var stdin: [UInt8]?
    /// Limits for this run; nil uses the profile's.
    public var limits: ResourceLimits?
    /// Extra read-only files placed in the workdir before the program starts (plain names).
    public var files: [String: [UInt8]] = [:]
    /// A caller-built tree the program works in (see `WorkingTree`); nil: it works in scratch.
    public var workingTree: WorkingTree?
    /// Files the program may write (plain names), made empty beside its inputs before it starts
    /// (`../NAME` from its working directory; rewritable, not multipliable) and read back into
    /// `Outcome.outputs` when it ends: results too large for the control channel, such as a
    /// reference run's expected values. Their size is bounded by the run's file-size limit.
    /// Cold runs only (a warm pool refuses a request with outputs).
    public var outputs: [String] = []
    /// Read-only files at these absolute paths in the run's own root: what a container would show
    /// the program there (`/sys/fs/cgroup/cpu.max`, the CPU count a SWE-bench spec gives).
    /// Ignored when the run has no root of its own (an unprivileged grader). Cold runs only.
    public var rootFiles: [String: [UInt8]] = [:]
    /// Standard-library modules a warm pool imports once, before it forks this run, so later
    /// runs that need them (LiveCodeBench's runner) start with them loaded; pools that never see
    /// such a run stay lean. Ignored by cold runs.
    public var warmModules: [String] = []
    /// The program is a compiled executable (a language profile's artifact): placed 0555 and
    /// executable under Landlock, for a command that starts with `{program}`. Other inputs stay
    /// 0444, so nothing else in the workdir can be run. Cold runs only.
    public var executable = false

    public init(
        program: [UInt8], programName: String = "solution.py", arguments: [String] = [], stdin: [UInt8]? = nil,
        limits: ResourceLimits? = nil
    ) {
        self.program = program
        self.programName = programName
        self.arguments = arguments
        self.stdin = stdin
        self.limits = limits
    }

    public init(
        source: String, programName: String = "solution.py", arguments: [String] = [], stdin: [UInt8]? = nil, limits: ResourceLimits? = nil
    ) {
        self.init(program: Array(source.utf8), programName: programName, arguments: arguments, stdin: stdin, limits: limits)
    }
}
