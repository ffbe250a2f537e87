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
    /// Standard-library modules a warm pool imports once, before it forks this run, so later
    /// runs that need them (LiveCodeBench's runner) start with them loaded; pools that never see
    /// such a run stay lean. Ignored by cold runs.
    public var warmModules: [String] = []

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
