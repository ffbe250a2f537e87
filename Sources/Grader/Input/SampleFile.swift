/// A samples file, read twice: once to validate every line before any grading starts (so a
/// typo on line 900,000 is reported at once, with its line), and once to grade, streaming.
public struct SampleFile: Sendable {
    public let path: String
    /// Samples per task id.
    public let counts: [String: Int]
    public let total: Int
    /// Things worth saying that do not stop the run (file:line: message), at most 20.
    public let warnings: [String]

    /// Validates every line against `problems`: JSON, required fields, known task ids, unique
    /// completion ids within a task.
    public init(path: String, problems: ProblemSet) throws(GradeError) {
        var counts: [String: Int] = [:]
        // Completion ids per task: short ids stay inline in Swift strings, so a million samples
        // cost tens of MiB here, not hundreds.
        var seen: [String: [String: Int32]] = [:]
        var total = 0
        var warnings: [String] = []
        try Self.read(path: path) { (sample: Sample) throws(GradeError) in
            if sample.hasBothKinds && warnings.count < 20 {
                warnings.append("\(path):\(sample.line): both 'completion' and 'solution'; grading 'solution' (a whole program)")
            }
            guard problems.problems[sample.taskID] != nil else {
                throw GradeError(file: path, line: sample.line, "unknown task_id '\(sample.taskID)' (not in \(problems.path))")
            }
            if let earlier = seen[sample.taskID]?[sample.completionID] {
                throw GradeError(
                    file: path, line: sample.line,
                    "duplicate completion_id '\(sample.completionID)' for \(sample.taskID) (first on line \(earlier))")
            }
            seen[sample.taskID, default: [:]][sample.completionID] = Int32(clamping: sample.line)
            counts[sample.taskID, default: 0] += 1
            total += 1
        }
        guard total > 0 else { throw GradeError("\(path): no samples in file") }
        self.path = path
        self.counts = counts
        self.total = total
        self.warnings = warnings
    }

    /// Calls `body` with every sample in file order.
    public static func read(path: String, _ body: (Sample) throws(GradeError) -> Void) throws(GradeError) {
        let reader = try JSONLines(path: path)
        var positions: [String: Int] = [:]
        var index = 0
        while let (line, bytes) = try reader.next() {
            let sample = try Sample.parse(bytes, file: path, line: line, index: index) { task in
                defer { positions[task, default: 0] += 1 }
                return positions[task, default: 0]
            }
            index += 1
            try body(sample)
        }
    }

    /// Parses one samples-file line on its own (completion id 0 unless it names one); `source`,
    /// `lineNumber` and `index` say where it came from, for errors and the row's audit.
    public static func parseOne(
        _ line: String, source: String = "<sample>", lineNumber: Int = 1, index: Int = 0
    ) throws(GradeError) -> Sample {
        try Sample.parse(Array(line.utf8), file: source, line: lineNumber, index: index) { _ in 0 }
    }

    /// Tasks of `problems` that have no sample, in problem order.
    public func missingTasks(in problems: ProblemSet) -> [String] {
        problems.order.filter { counts[$0] == nil }
    }
}
