import Foundation
import Grader
import Results

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

    /// The predictions `--predictions gold` stands for: each instance's own `patch`, as
    /// SWE-bench's validation run grades it.
    public static func gold(_ instances: [RepoInstance], source: String) throws(GradeError) -> [RepoPrediction] {
        try instances.map { (instance) throws(GradeError) -> RepoPrediction in
            guard let patch = instance.goldPatch else {
                throw GradeError("\(source): instance \(instance.instanceID) has no 'patch' (the gold fix) to grade")
            }
            return RepoPrediction(instanceID: instance.instanceID, model: "gold", patch: patch)
        }
    }

    /// Reads a predictions file: JSON Lines, or (like SWE-bench's `.json` files) one JSON list of
    /// predictions or one object of them keyed by instance id; errors name file and line (or entry).
    public static func read(path: String) throws(GradeError) -> [RepoPrediction] {
        if let whole = try wholeJSON(path: path) { return whole }
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

    /// A file whose first non-blank character is `[`, or `{` followed by a nested object, is one
    /// JSON document, not JSON Lines.
    private static func wholeJSON(path: String) throws(GradeError) -> [RepoPrediction]? {
        guard let data = FileManager.default.contents(atPath: path) else { throw GradeError("\(path): cannot open for reading") }
        guard let first = data.first(where: { !$0.isWhitespaceByte }), first == UInt8(ascii: "[") || first == UInt8(ascii: "{") else {
            return nil
        }
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: data) else {
            if first == UInt8(ascii: "{") { return nil }  // JSON Lines whose first line is an object
            throw GradeError("\(path): malformed JSON (a predictions list)")
        }
        var entries: [(String, [String: JSONValue])] = []
        switch value {
        case .array(let items):
            for (index, item) in items.enumerated() {
                guard case .object(let object) = item else { throw GradeError("\(path): entry \(index + 1) is not an object") }
                entries.append(("entry \(index + 1)", object))
            }
        case .object(let keyed) where keyed.values.allSatisfy({ if case .object = $0 { true } else { false } }) && !keyed.isEmpty:
            for (id, item) in keyed.sorted(by: { $0.key < $1.key }) {
                guard case .object(var object) = item else { continue }
                if object["instance_id"] == nil { object["instance_id"] = .string(id) }
                entries.append(("entry '\(id)'", object))
            }
        default:
            return nil
        }
        var predictions: [RepoPrediction] = []
        var seen = Set<String>()
        for (place, object) in entries {
            let prediction: RepoPrediction
            do {
                prediction = try parse(object: object, path: path, line: 0)
            } catch {
                throw GradeError("\(path): \(place): \(error.message.replacingOccurrences(of: "\(path):0: ", with: ""))")
            }
            guard seen.insert(prediction.instanceID).inserted else {
                throw GradeError("\(path): \(place): duplicate prediction for '\(prediction.instanceID)'")
            }
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

extension UInt8 {
    fileprivate var isWhitespaceByte: Bool { self == 0x20 || self == 0x0A || self == 0x0D || self == 0x09 }
}
