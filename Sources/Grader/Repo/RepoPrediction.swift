/// A model's patch for one instance, in SWE-bench's predictions shape.
public struct RepoPrediction: Sendable {
    public var instanceID: String
    public var model: String
    public var patch: String

    public init(instanceID: String, model: String, patch: String) {
        self.instanceID = instanceID
        self.model = model
        self.patch = patch
    }

    public var isEmpty: Bool { patch.allSatisfy(\.isWhitespace) }

    /// Parses one prediction line that came from elsewhere (a queue); errors name `source`.
    public static func parse(jsonLine: String, source: String) throws(GradeError) -> RepoPrediction {
        try parse(object: JSONInput.object(Array(jsonLine.utf8), file: source, line: 1), path: source, line: 1)
    }

    /// Reads a predictions file; errors name file and line.
    public static func read(path: String) throws(GradeError) -> [RepoPrediction] {
        let reader = try JSONLines(path: path)
        var predictions: [RepoPrediction] = []
        var seen: [String: Int] = [:]
        while let (line, bytes) = try reader.next() {
            let prediction = try parse(object: JSONInput.object(bytes, file: path, line: line), path: path, line: line)
            if let earlier = seen[prediction.instanceID] {
                throw GradeError(file: path, line: line, "duplicate prediction for '\(prediction.instanceID)' (first on line \(earlier))")
            }
            seen[prediction.instanceID] = line
            predictions.append(prediction)
        }
        return predictions
    }

    static func parse(object: [String: JSONValue], path: String, line: Int) throws(GradeError) -> RepoPrediction {
        guard let id = object["instance_id"]?.string else { throw GradeError(file: path, line: line, "missing field 'instance_id'") }
        // A null patch is an empty one (SWE-bench counts it as empty, not malformed).
        if object["model_patch"] == nil { throw GradeError(file: path, line: line, "missing field 'model_patch'") }
        return RepoPrediction(
            instanceID: id, model: object["model_name_or_path"]?.string ?? "unknown", patch: object["model_patch"]?.string ?? "")
    }

    /// The prediction as one JSON line in SWE-bench's shape.
    public var jsonLine: String {
        JSONValue.object([
            "instance_id": .string(instanceID), "model_name_or_path": .string(model), "model_patch": .string(patch),
        ]).compactText
    }
}
