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

    /// Reads a predictions file; errors name file and line.
    public static func read(path: String) throws(GradeError) -> [RepoPrediction] {
        let reader = try JSONLines(path: path)
        var predictions: [RepoPrediction] = []
        var seen: [String: Int] = [:]
        while let (line, bytes) = try reader.next() {
            let object = try JSONInput.object(bytes, file: path, line: line)
            guard let id = object["instance_id"]?.string else { throw GradeError(file: path, line: line, "missing field 'instance_id'") }
            if let earlier = seen[id] {
                throw GradeError(file: path, line: line, "duplicate prediction for '\(id)' (first on line \(earlier))")
            }
            seen[id] = line
            // A null patch is an empty one (SWE-bench counts it as empty, not malformed).
            let patch = object["model_patch"]?.string ?? ""
            if object["model_patch"] == nil { throw GradeError(file: path, line: line, "missing field 'model_patch'") }
            predictions.append(
                RepoPrediction(instanceID: id, model: object["model_name_or_path"]?.string ?? "unknown", patch: patch))
        }
        return predictions
    }

    /// The prediction as one JSON line in SWE-bench's shape.
    public var jsonLine: String {
        JSONValue.object([
            "instance_id": .string(instanceID), "model_name_or_path": .string(model), "model_patch": .string(patch),
        ]).compactText
    }
}
