import Foundation
import Results
import Testing

/// Checks what Proctor writes against `docs/results-schema.json`: every suite that writes
/// results calls it on what it wrote, so a field that changes type or a status that is not in
/// the vocabulary fails a test, not a user's reader. A small JSON Schema checker for the
/// keywords the document uses (type, enum, const, properties, required, additionalProperties,
/// propertyNames, items, $ref, oneOf, anyOf, minimum, maximum, pattern); a keyword it does not
/// know is an error, so the document cannot outgrow it unnoticed.
public enum SchemaCheck {
    /// The kinds of file the schema describes, by their `$defs` name.
    public enum Kind: String, Sendable {
        case sampleRow, summary, repositoryReport, repositorySummary, failedJob
    }

    public static let schemaPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/results-schema.json").path

    nonisolated(unsafe) private static var cached: JSONValue?

    public static func schema() throws -> JSONValue {
        if let cached { return cached }
        let value = try JSONDecoder().decode(JSONValue.self, from: Data(contentsOf: URL(fileURLWithPath: schemaPath)))
        cached = value
        return value
    }

    /// The problems with one JSON document of `kind` (empty: it conforms).
    public static func problems(_ text: String, as kind: Kind) throws -> [String] {
        let root = try schema()
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        } catch {
            return ["not JSON: \(error)"]
        }
        guard let definition = root["$defs"]?[kind.rawValue] else { return ["no $defs/\(kind.rawValue) in the schema"] }
        var found: [String] = []
        check(value, against: definition, root: root, at: "$", into: &found)
        return found
    }

    /// The problems with every line of a JSON Lines file of `kind`, each prefixed `file:line`.
    public static func problems(inLines path: String, as kind: Kind) throws -> [String] {
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        var found: [String] = []
        for (index, line) in lines.enumerated() where !line.isEmpty {
            // `proctor results` of a repository run writes its instances' reports as the rows.
            let repository = kind == .sampleRow && line.contains("\"instance_id\"") && !line.contains("\"task_id\"")
            found += try problems(String(line), as: repository ? .repositoryReport : kind).map { "\(path):\(index + 1): \($0)" }
        }
        return found
    }

    /// The problems with a JSON file of `kind`, each prefixed with its path.
    public static func problems(inFile path: String, as kind: Kind) throws -> [String] {
        try problems(String(contentsOfFile: path, encoding: .utf8), as: kind).map { "\(path): \($0)" }
    }

    /// Everything Proctor wrote under `directory` that the schema describes: samples.jsonl,
    /// summary.json, failed.jsonl, and report.json files (a run's and its instances').
    public static func problems(inResults directory: String) throws -> [String] {
        var found: [String] = []
        let manager = FileManager.default
        for (name, kind) in [("samples.jsonl", Kind.sampleRow), ("failed.jsonl", .failedJob)]
        where manager.fileExists(atPath: directory + "/" + name) {
            found += try problems(inLines: directory + "/" + name, as: kind)
        }
        if manager.fileExists(atPath: directory + "/summary.json") {
            found += try problems(inFile: directory + "/summary.json", as: .summary)
        }
        for entry in (try? manager.subpathsOfDirectory(atPath: directory)) ?? [] where entry.hasSuffix("report.json") {
            let path = directory + "/" + entry
            // A run's report counts instances; an instance's names one.
            let text = try String(contentsOfFile: path, encoding: .utf8)
            found += try problems(text, as: text.contains("\"instance_id\"") ? .repositoryReport : .repositorySummary).map { "\(path): \($0)" }
        }
        return found
    }

    /// Records a test issue for every problem with what Proctor wrote under `directory`.
    public static func expectConforming(_ directory: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            for problem in try problems(inResults: directory) {
                Issue.record("results schema: \(problem)", sourceLocation: sourceLocation)
            }
        } catch {
            Issue.record("results schema: cannot check \(directory): \(error)", sourceLocation: sourceLocation)
        }
    }

    // MARK: checking

    static func check(_ value: JSONValue, against schema: JSONValue, root: JSONValue, at path: String, into found: inout [String]) {
        guard case .object(let keywords) = schema else {
            if case .bool(false) = schema { found.append("\(path): not allowed here") }
            return
        }
        for (keyword, argument) in keywords {
            switch keyword {
            case "title", "description", "$schema", "version", "$defs": break
            case "$ref":
                guard case .string(let reference) = argument, reference.hasPrefix("#/") else {
                    found.append("\(path): unsupported $ref")
                    continue
                }
                var target: JSONValue? = root
                for part in reference.dropFirst(2).split(separator: "/") { target = target?[String(part)] }
                guard let target else {
                    found.append("\(path): $ref \(reference) not found")
                    continue
                }
                check(value, against: target, root: root, at: path, into: &found)
            case "type":
                let allowed = argument.array?.compactMap(\.string) ?? [argument.string ?? ""]
                if !allowed.contains(where: { value.isOfType($0) }) {
                    found.append("\(path): \(value.typeName), expected \(allowed.joined(separator: " or "))")
                }
            case "enum":
                if !(argument.array ?? []).contains(value) { found.append("\(path): \(value.text) is not one of \(argument.text)") }
            case "const":
                if argument != value { found.append("\(path): \(value.text), expected \(argument.text)") }
            case "properties":
                guard case .object(let members) = value, case .object(let properties) = argument else { continue }
                for (name, member) in members {
                    if let property = properties[name] { check(member, against: property, root: root, at: "\(path).\(name)", into: &found) }
                }
            case "required":
                guard case .object(let members) = value else { continue }
                for name in argument.array?.compactMap(\.string) ?? [] where members[name] == nil {
                    found.append("\(path): \(name) is missing")
                }
            case "additionalProperties":
                guard case .object(let members) = value else { continue }
                let declared = keywords["properties"]?.objectKeys ?? []
                for (name, member) in members where !declared.contains(name) {
                    if case .bool(false) = argument {
                        found.append("\(path): \(name) is not a field of this file")
                    } else {
                        check(member, against: argument, root: root, at: "\(path).\(name)", into: &found)
                    }
                }
            case "propertyNames":
                guard case .object(let members) = value else { continue }
                for name in members.keys { check(.string(name), against: argument, root: root, at: "\(path) (name \(name))", into: &found) }
            case "items":
                guard case .array(let elements) = value else { continue }
                for (index, element) in elements.enumerated() {
                    check(element, against: argument, root: root, at: "\(path)[\(index)]", into: &found)
                }
            case "oneOf", "anyOf":
                let options = argument.array ?? []
                let matching = options.filter { option in
                    var inner: [String] = []
                    check(value, against: option, root: root, at: path, into: &inner)
                    return inner.isEmpty
                }
                if matching.isEmpty || (keyword == "oneOf" && matching.count > 1) {
                    found.append("\(path): \(value.text) matches \(matching.count) of the \(keyword) options")
                }
            case "minimum":
                if let number = value.number, let bound = argument.number, number < bound { found.append("\(path): \(number) < \(bound)") }
            case "maximum":
                if let number = value.number, let bound = argument.number, number > bound { found.append("\(path): \(number) > \(bound)") }
            case "pattern":
                if case .string(let text) = value, let pattern = argument.string,
                    text.range(of: pattern, options: .regularExpression) == nil
                {
                    found.append("\(path): \(value.text) does not match \(pattern)")
                }
            default:
                found.append("\(path): the checker does not know the keyword \(keyword)")
            }
        }
    }
}

/// What the checker asks of a JSON value (`JSONValue` is the results' own).
extension JSONValue {
    public subscript(_ key: String) -> JSONValue? { objectValue?[key] }

    var number: Double? { doubleValue }

    var objectKeys: Set<String> { Set(objectValue.map { Array($0.keys) } ?? []) }

    func isOfType(_ name: String) -> Bool {
        switch (self, name) {
        case (.null, "null"), (.bool, "boolean"), (.integer, "integer"), (.integer, "number"), (.number, "number"),
            (.string, "string"), (.array, "array"), (.object, "object"):
            true
        case (.number(let value), "integer"): value == value.rounded()
        default: false
        }
    }

    var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .integer: "integer"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    var text: String {
        switch self {
        case .null: "null"
        case .bool(let value): "\(value)"
        case .integer(let value): "\(value)"
        case .number(let value): "\(value)"
        case .string(let value): "\"\(value.prefix(60))\""
        case .array(let elements): "[\(elements.map(\.text).joined(separator: ", "))]"
        case .object: "{…}"
        }
    }
}
