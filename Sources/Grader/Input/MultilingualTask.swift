import Foundation
import Results

/// A function task in a language other than Python, as the two multilingual suites write them:
///
/// - MultiPL-E: `{name, language, prompt, tests, stop_tokens}` (HumanEval and MBPP translated;
///   `language` is the suite's own name: `cpp`, `js`, `java`, `go_test.go`, `rs`, …). The
///   program is `prompt + completion + "\n" + tests`, the completion cut at its first stop
///   token, and it passes when its tests pass (exit 0; Go: `go test` without FAIL).
/// - HumanEval-X: `{task_id: "CPP/0", prompt, declaration, test}`. C++: the harness's standard
///   includes the prompt lacks, then `prompt + completion + "\n" + test`, passing on exit 0;
///   JavaScript: `prompt + completion + "\n" + test`, passing when it prints nothing (its tests
///   use `console.assert`, which only prints); Java: `prompt + completion + "\n" + test`, the
///   tests in `Main`; Go: `test_setup`, the packages of its list the completion names but the
///   setup lacks, the prompt without its `import`, the completion and the test (testify's
///   `assert`), run by `go test`.
///
/// HumanEval-X's Rust tasks are refused: their declaration imports the crates `rand`, `regex`
/// and `md5`, which a grader without cargo's registry cannot build against.
public struct MultilingualTask: Sendable {
    public enum Format: String, Sendable { case multiplE = "multipl-e", humanEvalX = "humaneval-x" }

    public var format: Format
    /// The language's name in `Sandboxes/languages` (`cpp`, `javascript`).
    public var language: String
    public var prompt: String
    public var tests: String
    public var stopTokens: [String]
    /// HumanEval-X Go: the prompt's `import` block (taken out of it) and the `test_setup`
    /// (package clause, testing and testify imports) put first.
    public var goImport = ""
    public var goSetup = ""

    /// Languages whose function tasks Proctor grades, by the suites' own names.
    static let supported: [String: String] = [
        "cpp": "cpp", "js": "javascript", "javascript": "javascript", "java": "java", "go_test.go": "go", "go": "go", "rs": "rust",
    ]

    /// HumanEval-X Go's harness imports these when the completion names them (`strings.`) and
    /// the test setup lacks them.
    static let humanEvalXGoPackages = ["math", "strings", "fmt", "strconv", "time", "bytes", "regexp", "sort", "math/rand", "crypto/md5"]

    /// HumanEval-X's C++ harness puts these before a program whose prompt lacks them.
    static let humanEvalXIncludes = [
        "#include<stdlib.h>", "#include<algorithm>", "#include<math.h>", "#include<stdio.h>", "#include<vector>", "#include<string>",
        "#include<climits>", "#include<cstring>", "#include<iostream>",
    ]

    /// nil when the row is of neither suite.
    static func parse(_ object: [String: JSONValue], taskID: String, file: String, line: Int) throws(GradeError) -> MultilingualTask? {
        func text(_ key: String) -> String? { object[key]?.string }
        if let language = text("language"), let prompt = text("prompt"), let tests = text("tests"), object["stop_tokens"] != nil {
            guard let name = supported[language.lowercased()] else {
                throw GradeError(
                    file: file, line: line, "MultiPL-E '\(language)' tasks are not graded (cpp, js, java, go_test.go and rs are)")
            }
            let stops = object["stop_tokens"]?.array?.compactMap(\.string) ?? []
            return MultilingualTask(format: .multiplE, language: name, prompt: prompt, tests: tests, stopTokens: stops)
        }
        let prefix = taskID.split(separator: "/").first.map(String.init) ?? ""
        if ["CPP", "JavaScript", "Java", "Go", "Rust"].contains(prefix), object["declaration"] != nil, let prompt = text("prompt"),
            let test = text("test")
        {
            guard prefix != "Rust", let name = supported[prefix.lowercased()] else {
                throw GradeError(
                    file: file, line: line,
                    "HumanEval-X \(prefix) tasks are not graded (CPP, JavaScript, Java and Go are): their declaration imports the crates rand, regex and md5"
                )
            }
            var task = MultilingualTask(format: .humanEvalX, language: name, prompt: prompt, tests: test, stopTokens: [])
            if name == "go" {
                guard let setup = text("test_setup") else {
                    throw GradeError(
                        file: file, line: line, "HumanEval-X Go task \(taskID) has no test_setup (the package clause and test imports)")
                }
                task.goSetup = setup
                task.goImport = text("import") ?? ""
            }
            return task
        }
        return nil
    }

    /// The completion as the suite uses it: MultiPL-E's cut at the first stop token.
    public func trimmed(_ completion: String) -> String {
        var cut = completion.endIndex
        for token in stopTokens where !token.isEmpty {
            if let found = completion.range(of: token), found.lowerBound < cut { cut = found.lowerBound }
        }
        return String(completion[..<cut])
    }

    /// The program as the suite's own harness assembles it.
    public func program(completion: String) -> String {
        let body = trimmed(completion)
        switch (format, language) {
        case (.humanEvalX, "cpp"):
            let includes = Self.humanEvalXIncludes.filter { !prompt.contains($0) }.map { $0 + "\n" }.joined()
            return includes + "\n" + prompt + body + "\n" + tests
        case (.humanEvalX, "go"):
            let stripped = goImport.isEmpty ? prompt : prompt.replacingOccurrences(of: goImport, with: "")
            let others = Self.humanEvalXGoPackages.filter { package in
                !goSetup.contains(package) && body.contains((package.split(separator: "/").last.map(String.init) ?? package) + ".")
            }
            let imports = others.isEmpty ? "" : "import (\n" + others.map { "\"\($0)\"\n" }.joined(separator: "    ") + ")\n"
            return goSetup + "\n" + imports + stripped + body + "\n" + tests
        default:
            return prompt + body + "\n" + tests
        }
    }

    /// The class whose `main` runs the tests (Java): MultiPL-E's `Problem`, HumanEval-X's `Main`.
    public var entry: String { format == .multiplE ? "Problem" : "Main" }

    /// The program's Go package (its first package clause), which Proctor's `TestMain` joins.
    /// Only an identifier is taken: the name goes into Proctor's own file, so anything else
    /// (a clause a completion wrote, carrying code) gives `main`, and the build fails on it.
    public func package(of program: String) -> String {
        for line in program.split(separator: "\n") {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard words.count >= 2, words[0] == "package" else { continue }
            let name = words[1]
            let identifier =
                name.first.map { $0 == "_" || $0.isASCII && $0.isLetter } == true
                && name.allSatisfy { $0 == "_" || $0.isASCII && ($0.isLetter || $0.isNumber) }
            return identifier ? String(name) : "main"
        }
        return "main"
    }

    /// HumanEval-X's JavaScript harness fails a program that prints anything.
    public var failsOnOutput: Bool { format == .humanEvalX && language == "javascript" }
}
