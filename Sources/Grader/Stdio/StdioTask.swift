import Foundation
import Results

/// A problem judged on stdin/stdout, whatever file shape it came in: Proctor's native one
/// (`tests: [{input, output, hidden?}]`, `time_limit` seconds, `memory_limit` bytes, `compare`,
/// `checker`), LiveCodeBench's (`public_test_cases`, `private_test_cases` — JSON, or
/// base64(zlib(pickle)) decoded without unpickling, see `PickledString`), CodeContests'
/// (`public_tests`/`private_tests`/`generated_tests` as `{input: [...], output: [...]}`,
/// `time_limit` as `{seconds, nanos}`, `memory_limit_bytes`) and APPS/TACO's (`input_output`).
public struct StdioTask: Sendable {
    public struct Test: Sendable {
        public var input: String
        public var output: String
        /// A private test (`HiddenRecord`): only whether the hidden tests passed appears in a
        /// row, unless the grade reveals private tests.
        public var hidden: Bool
    }

    public var tests: [Test]
    /// Per test, in seconds; nil: the grade's limit.
    public var timeLimit: Double?
    public var memoryLimit: UInt64?
    public var comparison: OutputComparison
    /// A checker program's source (testlib's convention: `checker INPUT OUTPUT ANSWER`, exit 0
    /// accepts), for problems with many right answers.
    public var checker: String?
    public var difficulty: String?
    public var platform: String?
    /// LeetCode-style tests (LiveCodeBench's `functional`): the function (or `Solution` method)
    /// each test calls with the JSON arguments of its input, one per line; its return value is
    /// compared with the expected JSON as data.
    public var functionName: String?
    /// APPS call-based tests: an expected output written as a one-element list also accepts
    /// that element (APPS's own check does the same).
    public var unwrapsExpected = false
    /// The format the problem was read from (`native`, `livecodebench`, `codecontests`, `apps`).
    public var format: String

    /// The stdio task a problem line describes, or nil when it describes another shape.
    static func parse(_ object: [String: JSONValue], file: String, line: Int) throws(GradeError) -> StdioTask? {
        func fail(_ message: String) -> GradeError { GradeError(file: file, line: line, message) }
        var task: StdioTask
        if let tests = object["tests"]?.array {
            task = StdioTask(tests: [], comparison: .tokens, format: "native")
            for (index, entry) in tests.enumerated() {
                guard let input = entry.objectValue?["input"]?.string, let output = entry.objectValue?["output"]?.string else {
                    throw fail("tests[\(index)]: needs string 'input' and 'output'")
                }
                task.tests.append(Test(input: input, output: output, hidden: entry.objectValue?["hidden"]?.boolValue ?? false))
            }
            task.timeLimit = object["time_limit"]?.doubleValue
            task.memoryLimit = object["memory_limit"]?.doubleValue.map { UInt64($0) }
            task.checker = object["checker"]?.string
        } else if object["public_test_cases"] != nil || object["private_test_cases"] != nil {
            task = StdioTask(tests: [], comparison: .liveCodeBench, format: "livecodebench")
            var functional = false
            for (key, hidden) in [("public_test_cases", false), ("private_test_cases", true)] {
                guard let field = object[key] else { continue }
                let (tests, anyFunctional) = try liveCodeBenchTests(field, hidden: hidden, key: key, fail: fail)
                task.tests += tests
                functional = functional || anyFunctional
            }
            if functional {
                // metadata is a JSON string holding func_name (or, in hand-made files, an object).
                let metadata: JSONValue? =
                    object["metadata"]?.string.flatMap { try? JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)) } ?? object["metadata"]
                guard let name = metadata?.objectValue?["func_name"]?.string,
                    name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }), !name.isEmpty
                else { throw fail("functional tests need 'metadata' with a 'func_name' (an identifier)") }
                task.functionName = name
            }
        } else if object["public_tests"] != nil || object["private_tests"] != nil || object["generated_tests"] != nil {
            task = StdioTask(tests: [], comparison: .tokens, format: "codecontests")
            for (key, hidden) in [("public_tests", false), ("private_tests", true), ("generated_tests", true)] {
                guard let group = object[key]?.objectValue else { continue }
                let inputs = group["input"]?.array?.compactMap(\.string) ?? []
                let outputs = group["output"]?.array?.compactMap(\.string) ?? []
                guard inputs.count == outputs.count else { throw fail("'\(key)': \(inputs.count) inputs but \(outputs.count) outputs") }
                task.tests += zip(inputs, outputs).map { Test(input: $0, output: $1, hidden: hidden) }
            }
            if let limit = object["time_limit"]?.objectValue {
                task.timeLimit = (limit["seconds"]?.doubleValue ?? 0) + (limit["nanos"]?.doubleValue ?? 0) / 1e9
            }
            task.memoryLimit = object["memory_limit_bytes"]?.doubleValue.map { UInt64($0) }
        } else if let field = object["input_output"] {
            // APPS/TACO's tests are the ones a solution is graded on (the statement shows the
            // examples): all private.
            task = StdioTask(tests: [], comparison: .tokens, format: "apps")
            let decoded: JSONValue
            if let text = field.string {
                guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) else {
                    throw fail("'input_output' is not JSON")
                }
                decoded = value
            } else {
                decoded = field
            }
            let inputs = decoded.objectValue?["inputs"]?.array ?? []
            let outputs = decoded.objectValue?["outputs"]?.array ?? []
            guard inputs.count == outputs.count else { throw fail("'input_output': \(inputs.count) inputs but \(outputs.count) outputs") }
            if let name = decoded.objectValue?["fn_name"] {
                // Call-based: each input is the list of arguments; each output the return value.
                guard let name = name.string, !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                    throw fail("'input_output': fn_name must be an identifier")
                }
                task.functionName = name
                task.unwrapsExpected = true
                task.tests = try zip(inputs, outputs).enumerated().map { (index, pair) throws(GradeError) -> Test in
                    guard let arguments = pair.0.array else { throw fail("'input_output': inputs[\(index)] must be a list of arguments") }
                    return Test(input: arguments.map(\.compactText).joined(separator: "\n"), output: pair.1.compactText, hidden: true)
                }
            } else {
                task.tests = zip(inputs, outputs).map { input, output in
                    // APPS writes an output as a string or as a list of lines.
                    Test(input: input.string ?? "", output: output.string ?? (output.array?.compactMap(\.string).joined(separator: "\n") ?? ""), hidden: true)
                }
            }
        } else {
            return nil
        }
        guard !task.tests.isEmpty else { throw fail("no test cases") }
        if let name = object["compare"]?.string {
            guard let mode = OutputComparison(name: name) else {
                throw fail("'compare': unknown mode '\(name)' (exact, tokens, numbers, numbers:TOLERANCE, lcb)")
            }
            task.comparison = mode
        }
        task.difficulty = object["difficulty"]?.string
        task.platform = object["platform"]?.string
        return task
    }

    /// Indices of the tests in the order they run: public ones first, then private ones
    /// (each in file order); with `revealPrivate`, file order.
    func runOrder(revealPrivate: Bool) -> [Int] {
        let indices = Array(tests.indices)
        if revealPrivate { return indices }
        return indices.filter { !tests[$0].hidden } + indices.filter { tests[$0].hidden }
    }

    private static func liveCodeBenchTests(
        _ field: JSONValue, hidden: Bool, key: String, fail: (String) -> GradeError
    ) throws(GradeError) -> (tests: [Test], functional: Bool) {
        var list: [JSONValue]
        if let array = field.array {
            list = array
        } else if let text = field.string {
            if let value = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)), let array = value.array {
                list = array
            } else {
                let json: String
                do {
                    json = try PickledString.decode(base64Zlib: text)
                } catch {
                    throw fail("'\(key)': neither JSON nor base64(zlib(pickle)) of one string: \(error.message)")
                }
                guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(json.utf8)), let array = value.array else {
                    throw fail("'\(key)': the decoded text is not a JSON list")
                }
                list = array
            }
        } else {
            throw fail("'\(key)' must be a list or a string")
        }
        var functional = false
        let tests = try list.enumerated().map { (index, entry) throws(GradeError) -> Test in
            guard let object = entry.objectValue, let input = object["input"]?.string, let output = object["output"]?.string else {
                throw fail("'\(key)'[\(index)]: needs 'input' and 'output'")
            }
            if object["testtype"]?.string == "functional" { functional = true }
            return Test(input: input, output: output, hidden: hidden)
        }
        return (tests, functional)
    }
}
