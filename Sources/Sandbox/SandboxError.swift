#if canImport(Glibc)
    import Glibc
#endif

/// Why the sandbox itself could not do its job (never a verdict on the program it ran).
///
/// Shaped like swift-subprocess's error: an extensible code, a message for people, and the
/// errno that caused it when there is one.
public struct SandboxError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Storage: String, Hashable, Sendable {
            case invalidProfile, profileNotFound, invalidArgument, seccompCompile, landlock
            case spawnFailed, systemCall, workdir, noFreeSlot
        }
        private let storage: Storage
        private init(_ storage: Storage) { self.storage = storage }

        /// A profile or policy file is malformed; the message names the file and line.
        public static let invalidProfile = Code(.invalidProfile)
        /// No profile with that name exists in the sandboxes directory.
        public static let profileNotFound = Code(.profileNotFound)
        /// A limit or option given by the caller makes no sense.
        public static let invalidArgument = Code(.invalidArgument)
        /// libseccomp rejected the policy.
        public static let seccompCompile = Code(.seccompCompile)
        /// Building the Landlock ruleset failed.
        public static let landlock = Code(.landlock)
        /// The child failed before exec; the message names the stage.
        public static let spawnFailed = Code(.spawnFailed)
        /// A system call in the grader failed.
        public static let systemCall = Code(.systemCall)
        /// The per-run working directory could not be prepared or removed.
        public static let workdir = Code(.workdir)
        /// Every unprivileged uid slot is taken by other runs.
        public static let noFreeSlot = Code(.noFreeSlot)

        public var description: String { storage.rawValue }
    }

    public let code: Code
    public let message: String
    /// The errno behind the failure, when a system call caused it.
    public let errno: Int32?

    public init(_ code: Code, _ message: String, errno: Int32? = nil) {
        self.code = code
        self.message = message
        self.errno = errno
    }

    public var description: String {
        guard let errno else { return message }
        return "\(message): \(String(cString: strerror(errno))) (errno \(errno))"
    }
}
