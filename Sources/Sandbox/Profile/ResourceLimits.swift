/// The limits one run is held to. Every field is applied; none is advisory.
public struct ResourceLimits: Hashable, Sendable, Codable {
    /// CPU time (user+sys) of each process: RLIMIT_CPU, soft at this value (SIGXCPU), hard one
    /// second later (SIGKILL).
    public var cpu: TimeSpan
    /// Wall-clock time, enforced by the grader's own deadline (never by the program's alarms).
    public var wall: TimeSpan
    /// Private writable memory of each process: RLIMIT_DATA. Address space (RLIMIT_AS) is capped
    /// at `memory + addressSpaceSlack` as a backstop for shared mappings that DATA does not count.
    public var memory: ByteCount
    /// Extra address space beyond `memory` for thread stacks, shared libraries and mappings.
    public var addressSpaceSlack: ByteCount
    /// RLIMIT_STACK (also the default stack size of each thread).
    public var stack: ByteCount
    /// RLIMIT_FSIZE: the largest file the program may write.
    public var fileSize: ByteCount
    /// RLIMIT_NOFILE.
    public var openFiles: UInt64
    /// RLIMIT_NPROC: tasks (processes and threads) of the run's uid.
    public var processes: UInt64
    /// Total bytes of stdout+stderr after which the run is killed with `output_limit`.
    public var outputLimit: ByteCount
    /// Bytes of each stream kept in the outcome; the rest is counted as truncated.
    public var captureBytes: ByteCount
    /// RLIMIT_DATA above `memory` by this much (nil: RLIMIT_DATA is `memory`). For runtimes that
    /// map far more private memory than they touch (the JVM's heap and code cache, V8's
    /// spaces): the limit on what the run really uses is then the run-wide memory watch on its
    /// resident memory, which ends it with `memory_limit`.
    public var dataSlack: ByteCount? = nil
}
