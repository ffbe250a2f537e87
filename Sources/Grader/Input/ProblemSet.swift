/// All problems of a benchmark, by task id, in file order.
public struct ProblemSet: Sendable {
    public let path: String
    public let problems: [String: Problem]
    public let order: [String]

    public init(path: String) throws(GradeError) {
        let reader = try JSONLines(path: path)
        var problems: [String: Problem] = [:]
        var order: [String] = []
        var firstLine: [String: Int] = [:]
        while let (line, bytes) = try reader.next() {
            let problem = try Problem.parse(bytes, file: path, line: line)
            if let earlier = firstLine[problem.taskID] {
                throw GradeError(file: path, line: line, "duplicate task_id '\(problem.taskID)' (first on line \(earlier))")
            }
            firstLine[problem.taskID] = line
            problems[problem.taskID] = problem
            order.append(problem.taskID)
        }
        guard !order.isEmpty else { throw GradeError("\(path): no problems in file") }
        self.path = path
        self.problems = problems
        self.order = order
    }

    /// Every problem line of `path` as read, keyed by its sha256 (`Problem.sha256`), for storing
    /// problems elsewhere (a queue) and parsing them back with `Problem(jsonLine:source:)`.
    public static func rawLines(path: String) throws(GradeError) -> [String: [UInt8]] {
        let reader = try JSONLines(path: path)
        var lines: [String: [UInt8]] = [:]
        while let (_, bytes) = try reader.next() { lines[Digest.sha256(bytes)] = bytes }
        return lines
    }
}
