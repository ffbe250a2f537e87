import Results

/// A function task tested by inputs instead of (or beside) asserts, EvalPlus's way: every input
/// is a call of the entry point, and the expected result is the reference solution's (or a
/// generator's) on that input. Fields: EvalPlus's `base_input`, `plus_input`, `atol`,
/// `canonical_solution`, `entry_point`; Proctor's `inputs` (as `base_input`) and `generator`
/// (Python defining `generate(rng)` → argument lists, or `{"input": [...], "output": ...}` items).
///
/// The inputs themselves are never decoded here: the problem's line goes into the sandbox as
/// it was read and Python's own `json` reads it there, so big integers and floats reach the
/// reference exactly as the file wrote them.
public struct DifferentialTask: Sendable {
    public let entryPoint: String
    /// The reference program: prompt + canonical solution (nil when the generator gives outputs).
    public let reference: String?
    /// Source defining `generate(rng)`, for a dynamic task.
    public let generator: String?
    /// The problem line as read (or as unsealed): what the reference run parses.
    public let line: [UInt8]
    public let hasBase: Bool
    public let hasPlus: Bool
    /// The prompt is the function's signature and docstring, which a completion continues (as in
    /// HumanEval); false for MBPP-style tasks, whose prompt is English (`prompt_is_code: false`).
    public let promptIsCode: Bool

    /// The differential task a problem line describes, or nil when it carries no inputs.
    static func parse(_ object: [String: JSONValue], line: [UInt8], file: String, number: Int) throws(GradeError) -> DifferentialTask? {
        let inputKeys = ["base_input", "plus_input", "inputs"]
        let present = inputKeys.filter { object[$0] != nil && object[$0] != .null }
        let generator = object["generator"]?.string
        guard !present.isEmpty || generator != nil else { return nil }
        for key in present {
            guard case .array(let items)? = object[key], items.allSatisfy({ if case .array = $0 { true } else { false } }) else {
                throw GradeError(file: file, line: number, "'\(key)' must be a list of argument lists, e.g. [[1, 2], [3, 4]]")
            }
        }
        if object["base_input"] != nil && object["inputs"] != nil {
            throw GradeError(file: file, line: number, "give 'base_input' or 'inputs', not both")
        }
        guard let entryPoint = object["entry_point"]?.string, !entryPoint.isEmpty,
            entryPoint.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" })
        else {
            throw GradeError(file: file, line: number, "a problem with inputs needs 'entry_point', the name of the function called")
        }
        if let atol = object["atol"], atol != .null, atol.doubleValue == nil || atol.doubleValue! < 0 {
            throw GradeError(file: file, line: number, "'atol' must be a non-negative number")
        }
        let canonical = object["canonical_solution"]?.string ?? object["reference"]?.string
        let promptIsCode = object["prompt_is_code"]?.boolValue ?? true
        let prompt = promptIsCode ? object["prompt"]?.string ?? "" : ""
        guard canonical != nil || generator != nil else {
            throw GradeError(
                file: file, line: number,
                "a problem with inputs needs 'canonical_solution' (the reference whose results are expected)")
        }
        if generator != nil && canonical == nil && !present.isEmpty {
            throw GradeError(file: file, line: number, "fixed inputs need 'canonical_solution' to compute their expected results")
        }
        return DifferentialTask(
            entryPoint: entryPoint, reference: canonical.map { prompt + $0 }, generator: generator, line: line,
            hasBase: object["base_input"] != nil || object["inputs"] != nil, hasPlus: object["plus_input"] != nil || generator != nil,
            promptIsCode: promptIsCode)
    }

    /// The program the reference run loads: reference and generator, and the wrapper that hands
    /// the generator a seeded RNG (no RNG object can cross to the tester).
    var referenceProgram: String {
        var parts = [reference ?? ""]
        if let generator {
            parts.append(generator)
            parts.append("def proctor_generate_(seed):\n    import random as _random\n    return generate(_random.Random(seed))\n")
        }
        return parts.joined(separator: "\n\n") + "\n"
    }
}
