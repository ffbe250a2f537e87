import Foundation

/// A language as data (`Sandboxes/languages/*.json`): which file the source becomes, how it is
/// compiled (a sequence of argv run in one sandboxed run of the compile profile) and which
/// profile runs the result. Nothing of a language is code: a new one is a new file.
///
/// In `steps`, `{source}` is the source file (beside the run's working directory) and
/// `{artifact}` the file the run's program is read from; a language whose steps name no
/// artifact (a syntax check) runs its source.
public struct LanguageDefinition: Codable, Sendable, Hashable {
    public struct Compile: Codable, Sendable, Hashable {
        /// The profile the compile step runs under (`toolchain`).
        public var profile: String
        public var steps: [[String]]
        /// argv printing the toolchain's version (run on the host, once): part of the cache key.
        public var version: [String]
        /// A build cache made once per grader from Proctor's own sources and unpacked into
        /// every compile run (nil: each compile starts cold).
        public var warmup: Warmup? = nil
    }

    /// Why: Go compiles every package a program imports that Debian ships as source only
    /// (testify for HumanEval-X: 18 s per compile) into a build cache that would otherwise end
    /// with each compile run. The warm-up compiles `files` with `steps` in a compile run of its
    /// own — no candidate's code in it — and keeps the `cache` directory (under the run's
    /// `HOME`) it leaves; each later compile run gets its own copy, so what a hostile compile
    /// writes there dies with its run and never reaches another.
    public struct Warmup: Codable, Sendable, Hashable {
        public var files: [String]
        public var steps: [[String]]
        public var cache: String
    }

    public struct Run: Codable, Sendable, Hashable {
        /// The profile a test runs under (`native`, `jvm`, `node`).
        public var profile: String
        /// The file name the artifact gets in the run's workdir.
        public var program: String
    }

    /// How a program that holds its own tests (a MultiPL-E or HumanEval-X task) is built: the
    /// tests run in the candidate's process, so a pass must show they finished — `suffix`
    /// (code after the program) writes the completion record `completed NONCE 1` on fd 3 once
    /// the tests returned, the nonce read from stdin before any test runs; `steps` replace the
    /// compile steps when the record needs a flag (C++ wraps `main` at link time).
    ///
    /// Where the record cannot be code around the program (Go's `TestMain` needs imports at the
    /// top of a file; Java's tuples are classes of their own), `files` names support files
    /// (paths under `Sandboxes/languages`) compiled beside the program, and `source` renames
    /// the program's file (`main_test.go`: Go compiles tests only from such files). In steps,
    /// prefix, suffix and files, `{entry}` is the class the suite's tests start in (Java),
    /// `{package}` the program's package (Go) and `{secret}` a name no candidate can guess
    /// (a per-grader random token), and in steps `{files}` stands for every support file.
    public struct FunctionTests: Codable, Sendable, Hashable {
        public var steps: [[String]]?
        public var prefix: String?
        public var suffix: String?
        public var source: String?
        public var files: [String]?
        /// Paths function tasks need beyond the toolchain, each with the Debian package that
        /// provides it (Go: testify for HumanEval-X's tests).
        public var requires: [String: String]?
    }

    public var name: String
    public var description: String
    /// Names a sample, a fence or `--language` may use for it (lower case).
    public var aliases: [String]
    /// The Debian package that provides the toolchain (named when it is missing).
    public var package: String
    public var source: String
    public var compile: Compile?
    public var run: Run
    /// nil: function tasks in this language are not graded.
    public var functionTests: FunctionTests? = nil

    /// Whether the steps produce an artifact (else the source is the program).
    public var compiles: Bool { compile?.steps.contains { $0.contains { $0.contains("{artifact}") } } ?? false }

    /// The executables this language needs that this machine lacks (its steps' and version's
    /// first words).
    public var missingTools: [String] {
        let tools = (compile?.steps.compactMap(\.first) ?? []) + (compile?.version.first.map { [$0] } ?? [])
        return Array(Set(tools.filter { $0.hasPrefix("/") && !FileManager.default.isExecutableFile(atPath: $0) })).sorted()
    }

    /// Every support file the language reads (function tests' and warm-up's), relative to
    /// `Sandboxes/languages`.
    public var supportFiles: [String] { (functionTests?.files ?? []) + (compile?.warmup?.files ?? []) }

    /// What function tasks in this language need that this machine lacks, as "path (package)".
    public var missingForFunctionTests: [String] {
        (functionTests?.requires ?? [:]).filter { !FileManager.default.fileExists(atPath: $0.key) }.map {
            "\($0.key) (install Debian's \($0.value))"
        }.sorted()
    }

    /// Every language in `sandboxesDirectory/languages`, by name.
    public static func all(sandboxesDirectory: String) throws(SandboxError) -> [LanguageDefinition] {
        let directory = sandboxesDirectory + "/languages"
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
        var languages: [LanguageDefinition] = []
        for name in names {
            let path = directory + "/" + name
            let bytes = try JSONFile.read(path)
            let language = try JSONFile.decode(LanguageDefinition.self, from: bytes, path: path)
            let supportFiles = language.supportFiles
            guard !language.source.contains("/"), !language.run.program.contains("/"), !language.source.isEmpty,
                !(language.functionTests?.source ?? "").contains("/"),
                !supportFiles.contains(where: { $0.hasPrefix("/") || $0.split(separator: "/").contains("..") })
            else {
                throw SandboxError(
                    .invalidProfile,
                    "\(path):\(JSONFile.line(of: "source", in: bytes)): source and program must be plain file names, support files paths under languages/"
                )
            }
            if let cache = language.compile?.warmup?.cache {
                let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/")
                guard !cache.isEmpty, cache.allSatisfy(allowed.contains), !cache.hasPrefix("/"), !cache.split(separator: "/").contains("..")
                else {
                    throw SandboxError(
                        .invalidProfile, "\(path):\(JSONFile.line(of: "cache", in: bytes)): warmup.cache must be a plain relative path")
                }
            }
            languages.append(language)
        }
        return languages
    }

    /// The language `name` names (its name or an alias, any case), or nil.
    public static func named(_ name: String, in languages: [LanguageDefinition]) -> LanguageDefinition? {
        let wanted = name.lowercased().trimmingCharacters(in: .whitespaces)
        return languages.first { $0.name == wanted || $0.aliases.contains(wanted) }
    }
}
