import Results

/// All problems of a benchmark, by task id, in file order.
public struct ProblemSet: Sendable {
    public let path: String
    public let problems: [String: Problem]
    public let order: [String]

    /// Reads a problems file; a sealed one (`proctor seal`) needs `key`, and is refused when any
    /// line fails authentication or the lines are not the ones sealed.
    public init(path: String, key: SealKey? = nil) throws(GradeError) {
        let reader = try JSONLines(path: path)
        var problems: [String: Problem] = [:]
        var order: [String] = []
        var firstLine: [String: Int] = [:]
        var header: [String: JSONValue]?
        var identities: [String] = []
        while let (line, bytes) = try reader.next() {
            if line == 1, let object = try? JSONInput.object(bytes, file: path, line: line), SealedProblems.isHeader(object) {
                guard let key else {
                    throw GradeError("\(path): the problems are sealed: pass --key-file or set \(SealKey.environmentVariable)")
                }
                try SealedProblems.checkKey(header: object, key: key, file: path)
                header = object
                continue
            }
            let problem = try Problem.parse(bytes, file: path, line: line, key: header == nil ? nil : key)
            if header != nil { identities.append(problem.hidden ? "S:" + problem.taskID : "P:" + Digest.sha256(bytes)) }
            if let earlier = firstLine[problem.taskID] {
                throw GradeError(file: path, line: line, "duplicate task_id '\(problem.taskID)' (first on line \(earlier))")
            }
            firstLine[problem.taskID] = line
            problems[problem.taskID] = problem
            order.append(problem.taskID)
        }
        if let header, let key { try SealedProblems.verify(header: header, identities: identities, key: key, file: path) }
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
        while let (line, bytes) = try reader.next() {
            // A sealed file's header is no problem; its sealed lines are stored sealed.
            if line == 1, let object = try? JSONInput.object(bytes, file: path, line: line), SealedProblems.isHeader(object) { continue }
            lines[Digest.sha256(bytes)] = bytes
        }
        return lines
    }
}
