import Foundation
import Results

/// `proctor grade --leakage-report`: which samples hold long verbatim fragments of their task's
/// tests, reference solution or generator, or many of the distinctive literals of its test
/// inputs — a sign that the model saw the test set (or a sealed set leaked).
///
/// Code is compared as tokens (identifiers, numbers, string contents, single punctuation marks;
/// spacing and comments' layout do not matter). A run of tokens that also appears in the prompt
/// is no evidence (the model was shown it). Thresholds:
/// - tests or generator: a common run of at least 20 tokens (an assert with its inputs and
///   expected value is about that long);
/// - reference solution: at least 40 tokens, since a short correct solution is often the
///   reference word for word without ever having seen it;
/// - inputs: at least 3 distinct distinctive literals of the test inputs or tests (numbers of 4+
///   characters, strings of 6+) in the sample's code and not in the prompt (a lookup table of
///   hidden cases).
/// Rows never quote a task's material when it is hidden, nor say where or how much matched:
/// a hidden task's row is flagged or not (`HiddenRecord.leakageRow`).
public enum LeakageReport {
    public static let testsRun = 20
    public static let referenceRun = 40
    public static let literalCount = 3

    public struct Summary: Sendable {
        public var samples: Int
        public var flagged: Int
        public var flaggedHidden: Int

        public var table: String {
            "leakage: \(flagged) of \(samples) samples hold long verbatim fragments of their tests or reference"
                + (flaggedHidden > 0 ? " (\(flaggedHidden) of hidden tasks)" : "")
        }
    }

    /// Writes one row per sample to `path`; returns the counts.
    public static func write(problems: ProblemSet, samplesPath: String, to path: String) throws(GradeError) -> Summary {
        var secrets: [String: Secrets] = [:]
        for (task, problem) in problems.problems { secrets[task] = Secrets(problem) }
        var out: [UInt8] = []
        var summary = Summary(samples: 0, flagged: 0, flaggedHidden: 0)
        try SampleFile.read(path: samplesPath) { (sample: Sample) throws(GradeError) in
            guard let secret = secrets[sample.taskID] else { return }
            let row = secret.check(sample)
            summary.samples += 1
            if case .bool(true)? = row["flagged"] {
                summary.flagged += 1
                if secret.hidden { summary.flaggedHidden += 1 }
            }
            out += JSONValue.object(row).compactBytes + [UInt8(ascii: "\n")]
        }
        try AtomicFile.write(out, to: path)
        return summary
    }

    /// One task's material, tokenized once.
    struct Secrets {
        let hidden: Bool
        let sources: [(name: String, tokens: [String], threshold: Int)]
        let literals: Set<String>
        /// The prompt's tokens joined by U+0001 (and around), to look runs up in: made once per task.
        let prompt: String
        let entry: String?

        init(_ problem: Problem) {
            hidden = problem.hidden
            entry = problem.entryPoint
            var sources: [(String, [String], Int)] = []
            let tokens = { (text: String) in LeakageReport.tokens(text, entryPoint: problem.entryPoint) }
            if !problem.test.isEmpty { sources.append(("tests", tokens(problem.test), testsRun)) }
            if let reference = problem.canonicalSolution, !reference.isEmpty { sources.append(("reference", tokens(reference), referenceRun)) }
            if let generator = problem.differential?.generator { sources.append(("generator", tokens(generator), testsRun)) }
            self.sources = sources
            var literals = Set<String>()
            var material = problem.test
            if let line = problem.differential?.line, let object = try? JSONInput.object(line, file: "", line: 0) {
                for key in ["base_input", "plus_input", "inputs"] { material += " " + (object[key]?.compactText ?? "") }
            }
            let promptTokens = LeakageReport.tokens(problem.prompt, entryPoint: problem.entryPoint)
            prompt = LeakageReport.joined(promptTokens)
            let inPrompt = Set(promptTokens)
            for token in LeakageReport.literals(material) where !inPrompt.contains(token) { literals.insert(token) }
            self.literals = literals
        }

        func check(_ sample: Sample) -> [String: JSONValue] {
            let code = sample.code
            let tokens = LeakageReport.tokens(code, entryPoint: entry)
            var matches: [JSONValue] = []
            var flagged = false
            for source in sources {
                let run = LeakageReport.longestRun(tokens, source.tokens, excluding: prompt)
                guard run.length > 0 else { continue }
                let hit = run.length >= source.threshold
                flagged = flagged || hit
                var match: [String: JSONValue] = [
                    "source": .string(source.name), "tokens": .integer(Int64(run.length)), "flagged": .bool(hit),
                    "sample_token_offset": .integer(Int64(run.start)),
                ]
                if hit {
                    match["fragment"] = .string(String(tokens[run.start..<run.start + run.length].joined(separator: " ").prefix(300)))
                }
                matches.append(.object(match))
            }
            let found = Set(tokens).intersection(literals)
            if found.count >= literalCount { flagged = true }
            // Where a match starts, how long it is or how many literals it holds would tell a
            // sample which of its guesses a hidden test holds: a hidden task's row is yes or no.
            if hidden { return HiddenRecord.leakageRow(sample: sample, flagged: flagged) }
            return [
                "task_id": .string(sample.taskID), "completion_id": .string(sample.completionID), "hidden": .bool(hidden),
                "flagged": .bool(flagged), "matches": .array(matches), "input_literals": .integer(Int64(found.count)),
            ]
        }
    }

    /// Identifiers and numbers whole, string literals' words, and each other visible character;
    /// the function under test, by its name or as the tests' `candidate`, is one placeholder (a
    /// copied test calls it by either).
    static func tokens(_ text: String, entryPoint: String?) -> [String] {
        tokens(text).map { $0 == "candidate" || $0 == entryPoint ? "\u{1}f" : $0 }
    }

    static func tokens(_ text: String) -> [String] {
        var tokens: [String] = []
        var current = ""
        func flush() {
            if !current.isEmpty { tokens.append(current) }
            current = ""
        }
        for character in text {
            if character.isLetter || character.isNumber || character == "_" || (character == "." && current.first?.isNumber == true) {
                current.append(character)
            } else {
                flush()
                if !character.isWhitespace { tokens.append(String(character)) }
            }
        }
        flush()
        return tokens
    }

    /// Distinctive literals of test material: numbers of 4+ characters, and words of 6+
    /// characters inside string literals.
    static func literals(_ text: String) -> Set<String> {
        var found = Set<String>()
        for token in tokens(text) where token.first?.isNumber == true && token.count >= 4 { found.insert(token) }
        var quote: Character?
        var inside = ""
        for character in text {
            if let open = quote {
                if character == open {
                    for token in tokens(inside) where token.count >= 6 && token.first?.isNumber == false { found.insert(token) }
                    quote = nil
                    inside = ""
                } else {
                    inside.append(character)
                }
            } else if character == "\"" || character == "'" {
                quote = character
            }
        }
        return found
    }

    static func joined(_ tokens: some Collection<String>) -> String { "\u{1}" + tokens.joined(separator: "\u{1}") + "\u{1}" }

    /// The longest run of tokens `a` shares with `b` that is not also a run of the prompt
    /// (`prompt`: its tokens as `joined` makes them).
    static func longestRun(_ a: [String], _ b: [String], excluding prompt: String) -> (start: Int, length: Int) {
        guard !a.isEmpty, !b.isEmpty else { return (0, 0) }
        var previous = [Int](repeating: 0, count: b.count + 1)
        var current = previous
        var best = (start: 0, length: 0)
        // Runs ending at each position; a run in the prompt is cut back until it is not.
        for i in 1...a.count {
            for j in 1...b.count {
                current[j] = a[i - 1] == b[j - 1] ? previous[j - 1] + 1 : 0
                let length = current[j]
                if length > best.length {
                    let run = a[(i - length)..<i]
                    if !prompt.contains(joined(run)) { best = (i - length, length) }
                }
            }
            swap(&previous, &current)
        }
        return best
    }
}
