import Foundation
import Results

/// A function task in a language other than Python, as the two multilingual suites write them:
///
/// - MultiPL-E: `{name, language, prompt, tests, stop_tokens}` (HumanEval and MBPP translated;
///   `language` is the file extension: `cpp`, `js`, `java`, `rs`, …). The program is
///   `prompt + completion + "\n" + tests`, the completion cut at its first stop token, and it
///   passes when it exits 0.
/// - HumanEval-X: `{task_id: "CPP/0", prompt, declaration, test}`. C++: the harness's standard
///   includes the prompt lacks, then `prompt + completion + "\n" + test`, passing on exit 0;
///   JavaScript: `prompt + completion + "\n" + test`, passing when it prints nothing (its tests
///   use `console.assert`, which only prints).
///
/// Graded in C++ and JavaScript for now; the suites' other languages are refused naming them.
public struct MultilingualTask: Sendable {
    public enum Format: String, Sendable { case multiplE = "multipl-e", humanEvalX = "humaneval-x" }

    public var format: Format
    /// The language's name in `Sandboxes/languages` (`cpp`, `javascript`).
    public var language: String
    public var prompt: String
    public var tests: String
    public var stopTokens: [String]

    /// Languages whose function tasks Proctor grades, by the suites' own names.
    static let supported: [String: String] = ["cpp": "cpp", "js": "javascript", "javascript": "javascript"]

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
                throw GradeError(file: file, line: line, "MultiPL-E '\(language)' tasks are not graded yet (cpp and js are)")
            }
            let stops = object["stop_tokens"]?.array?.compactMap(\.string) ?? []
            return MultilingualTask(format: .multiplE, language: name, prompt: prompt, tests: tests, stopTokens: stops)
        }
        let prefix = taskID.split(separator: "/").first.map(String.init) ?? ""
        if ["CPP", "JavaScript", "Java", "Go", "Rust"].contains(prefix), object["declaration"] != nil, let prompt = text("prompt"),
            let test = text("test")
        {
            guard let name = supported[prefix.lowercased()] else {
                throw GradeError(file: file, line: line, "HumanEval-X \(prefix) tasks are not graded yet (CPP and JavaScript are)")
            }
            return MultilingualTask(format: .humanEvalX, language: name, prompt: prompt, tests: test, stopTokens: [])
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
        default:
            return prompt + body + "\n" + tests
        }
    }

    /// HumanEval-X's JavaScript harness fails a program that prints anything.
    public var failsOnOutput: Bool { format == .humanEvalX && language == "javascript" }
}
