import Foundation
import Results
import Sandbox
import Testing

@testable import Grader

/// Languages beyond Python on stdin/stdout tasks, through `GradeRun` with the real toolchains
/// and sandbox: every fixture of `Fixtures/languages` gets the verdict `expected.jsonl` names —
/// right, wrong, compile error, runtime error, endless loop, memory hog, output flood, fork,
/// network, writes outside the workdir, exec of another program, exit before answering, a raw
/// dangerous syscall blocked and named. A language whose toolchain this machine lacks is
/// skipped with the package that provides it (`make setup` installs them all).
@Suite(.serialized) struct LanguageTests {
    static let fixtures = Checkout.root + "/Fixtures/languages"
    static let languages = (try? LanguageDefinition.all(sandboxesDirectory: Checkout.root + "/Sandboxes")) ?? []

    static func installed(_ name: String) -> Bool {
        guard let language = LanguageDefinition.named(name, in: languages) else { return false }
        return language.missingTools.isEmpty
    }

    /// Grades the fixtures of `language` and checks every verdict.
    static func gradeFixtures(_ language: String) throws {
        let samples = try String(contentsOfFile: fixtures + "/samples.jsonl", encoding: .utf8).split(separator: "\n").map(String.init)
        let expected = try Checkout.rows(fixtures + "/expected.jsonl")
        let mine = samples.filter { $0.contains("\"language\": \"\(language)\"") }
        let wanted = Dictionary(
            uniqueKeysWithValues: expected.filter { $0["language"] as? String == language }.map { ($0["completion_id"] as! String, $0) })
        #expect(!mine.isEmpty && mine.count == wanted.count, "\(language): \(mine.count) samples, \(wanted.count) expectations")
        let out = Checkout.outDirectory("languages-\(language)")
        let summary = try Checkout.grade(
            problems: fixtures + "/problems.jsonl", samples: try Checkout.file("languages-\(language).jsonl", mine), out: out, timeout: 5)
        #expect(summary.samplesGraded == mine.count)
        let rows = try Checkout.rows(out + "/samples.jsonl")
        for row in rows {
            let id = row["completion_id"] as! String
            let expectation = try #require(wanted[id])
            let status = row["status"] as? String
            #expect(
                status == expectation["status"] as? String,
                "\(id) (\(expectation["note"] ?? "")): \(status ?? "?"), expected \(expectation["status"] ?? "?"): \(row["error"] ?? "")")
            #expect(row["language"] as? String == language)
            #expect(((row["audit"] as? [String: Any])?["toolchain"] as? String)?.isEmpty == false)
            if status == "compile_error" {
                #expect(((row["error"] as? [String: Any])?["message"] as? String)?.isEmpty == false, "\(id): no compiler message")
            } else {
                #expect(row["compile_ms"] is Double, "\(id): no compile time")
            }
            if status == "blocked_syscall" {
                // Named, as in every language: the row's error and the sandbox status.
                let name = (row["error"] as? [String: Any])?["message"] as? String ?? ""
                #expect(["unshare", "ptrace"].contains(name), "\(id): blocked \(name)")
                #expect(row["sandbox_status"] as? String == "blocked_syscall(\(name))")
            }
        }
    }

    @Test(.enabled(if: installed("c"), "needs Debian's gcc (make setup installs it)"))
    func c() throws { try Self.gradeFixtures("c") }

    @Test(.enabled(if: installed("cpp"), "needs Debian's g++ (make setup installs it)"))
    func cpp() throws { try Self.gradeFixtures("cpp") }

    @Test(.enabled(if: installed("go"), "needs Debian's golang-go (make setup installs it)"))
    func go() throws { try Self.gradeFixtures("go") }

    @Test(.enabled(if: installed("rust"), "needs Debian's rustc (make setup installs it)"))
    func rust() throws { try Self.gradeFixtures("rust") }

    @Test(.enabled(if: installed("java"), "needs Debian's openjdk-17-jdk-headless (make setup installs it)"))
    func java() throws { try Self.gradeFixtures("java") }

    @Test(.enabled(if: installed("javascript"), "needs Debian's nodejs (make setup installs it)"))
    func javascript() throws { try Self.gradeFixtures("javascript") }

    /// A chat answer's fence names the language; the same program a second time comes from the
    /// cache (no compile run), and the first sample's own `language` field wins over a fence.
    @Test(.enabled(if: installed("cpp"), "needs Debian's g++ (make setup installs it)"))
    func fenceTagsNameTheLanguageAndTheSameProgramCompilesOnce() throws {
        let program = "#include <iostream>\nint main(){long long a,b;std::cin>>a>>b;std::cout<<a+b<<'\\n';}\n"
        let answer = "Here it is:\n```cpp\n" + program + "```\n"
        func line(_ id: String, _ completion: String, language: String? = nil) throws -> String {
            var row: [String: Any] = ["task_id": "lang/sum", "completion_id": id, "completion": completion]
            if let language { row["language"] = language }
            return String(decoding: try JSONSerialization.data(withJSONObject: row, options: [.sortedKeys]), as: UTF8.self)
        }
        let samples = try Checkout.file(
            "languages-fence.jsonl",
            [
                try line("first", answer), try line("again", answer),
                // A Python answer in a fence tagged python: the profile's own language.
                try line("python", "```python\na, b = map(int, input().split())\nprint(a + b)\n```\n"),
                // The field says C; the C++ program does not compile as C.
                try line("field-wins", answer, language: "c"),
            ])
        let out = Checkout.outDirectory("languages-fence")
        var options = GradeOptions(
            problemsPath: Self.fixtures + "/problems.jsonl", samplesPath: samples, outDirectory: out, profile: try Checkout.profile(),
            limits: try Checkout.profile().definition.limits)
        options.workers = 1
        _ = try Checkout.run(options)
        let rows = Dictionary(uniqueKeysWithValues: try Checkout.rows(out + "/samples.jsonl").map { ($0["completion_id"] as! String, $0) })
        #expect(rows["first"]?["status"] as? String == "accepted" && rows["first"]?["language"] as? String == "cpp")
        #expect(rows["first"]?["compile_cached"] as? Bool == false)
        #expect(rows["again"]?["status"] as? String == "accepted" && rows["again"]?["compile_cached"] as? Bool == true)
        #expect(rows["again"]?["compile_ms"] as? Double == 0)
        #expect(rows["python"]?["status"] as? String == "accepted" && rows["python"]?["language"] == nil)
        #expect(rows["field-wins"]?["status"] as? String == "compile_error" && rows["field-wins"]?["language"] as? String == "c")
    }

    /// A language whose toolchain is missing is refused up front, in one line naming the
    /// Debian package; a language no file defines is refused naming the ones there are.
    @Test func aMissingToolchainIsRefusedNamingItsPackage() throws {
        let sandboxes = Checkout.scratch + "/sandboxes-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: sandboxes, withIntermediateDirectories: true)
        for item in ["profiles", "seccomp", "python", "languages"] {
            try FileManager.default.copyItem(atPath: Checkout.root + "/Sandboxes/" + item, toPath: sandboxes + "/" + item)
        }
        let cobol = """
            {"name": "cobol", "description": "test", "aliases": ["cobol"], "package": "gnucobol",
             "source": "main.cob", "compile": {"profile": "toolchain", "steps": [["/usr/bin/proctor-no-such-cobc", "-x", "{source}", "-o", "{artifact}"]],
             "version": ["/usr/bin/proctor-no-such-cobc", "--version"]}, "run": {"profile": "native", "program": "main"}}
            """
        try cobol.write(toFile: sandboxes + "/languages/cobol.json", atomically: true, encoding: .utf8)
        let registry = try LanguageRegistry(sandboxesDirectory: sandboxes)
        #expect(throws: GradeError.self) { try registry.check("cobol") }
        do {
            try registry.check("cobol")
        } catch {
            #expect(error.description.contains("gnucobol") && !error.description.contains("\n"), "\(error)")
        }
        do {
            try registry.check("brainfuck")
            Issue.record("an unknown language was accepted")
        } catch {
            #expect(error.description.contains("no such language") && error.description.contains("cpp"), "\(error)")
        }
        try registry.check("python")
        // Through the grader: --language cobol stops the grade before it starts.
        let profile = try SandboxProfile.load(named: "python-strict", sandboxesDirectory: sandboxes)
        var stdio = StdioOptions()
        stdio.language = "cobol"
        #expect(throws: GradeError.self) {
            _ = try SampleGrader(profile: profile, limits: profile.definition.limits, pool: .cold, proctorVersion: "test", stdio: stdio)
        }
    }

    /// The artifact cache: bounded in bytes, least recently used out first.
    @Test func artifactCacheIsBoundedAndEvictsTheLeastRecentlyUsed() {
        let cache = ArtifactCache(limitBytes: 100)
        cache.put("a", .program([UInt8](repeating: 1, count: 40)))
        cache.put("b", .program([UInt8](repeating: 2, count: 40)))
        _ = cache.get("a")  // a is now more recent than b
        cache.put("c", .program([UInt8](repeating: 3, count: 40)))
        #expect(cache.get("b") == nil && cache.get("a") != nil && cache.get("c") != nil)
        #expect(cache.totalBytes <= 100 && cache.count == 2)
        cache.put("huge", .program([UInt8](repeating: 4, count: 101)))
        #expect(cache.get("huge") == nil && cache.count == 2)
        cache.put("message", .error("error: expected ';'"))
        if case .error(let message) = cache.get("message") { #expect(message.contains("expected")) } else { Issue.record("no message") }
    }
}

/// Function tasks in other languages (MultiPL-E and HumanEval-X layouts, `Fixtures/languages/
/// functions`): the program assembled as each suite does, and a pass only when the tests
/// finished — `exit(0)`, `_exit(0)`, `process.exit(0)`, printing "OK", a completion record
/// forged without the nonce, reading stdin for it: all fail.
@Suite(.serialized) struct FunctionTaskLanguageTests {
    static let fixtures = Checkout.root + "/Fixtures/languages/functions"

    /// The fixtures' problems by language, as the grader resolves them.
    static func problemLanguages() throws -> [String: String] {
        try ProblemSet(path: fixtures + "/problems.jsonl").problems.compactMapValues { $0.multilingual?.language }
    }

    /// Every language whose toolchain (and, for function tasks, whatever else they need) is here.
    static func ready(_ name: String) -> Bool {
        guard let language = LanguageDefinition.named(name, in: LanguageTests.languages) else { return false }
        return language.missingTools.isEmpty && language.missingForFunctionTests.isEmpty
    }

    /// Grades the fixtures of the languages this machine has (C++, JavaScript, Java, Go, Rust;
    /// MultiPL-E and HumanEval-X layouts) and checks each verdict; a language missing here is
    /// named in the test's output, and fails the test in CI (where make setup installs all).
    @Test func everyFixtureGetsItsVerdict() throws {
        let languages = try Self.problemLanguages()
        let missing = Set(languages.values).filter { !Self.ready($0) }.sorted()
        if !missing.isEmpty {
            print("FunctionTaskLanguageTests: skipping \(missing.joined(separator: ", ")): toolchain missing (make setup installs it)")
            #expect(ProcessInfo.processInfo.environment["CI"] == nil, "CI must have every toolchain: \(missing)")
        }
        let graded = Set(languages.filter { Self.ready($0.value) }.keys)
        let problems = try String(contentsOfFile: Self.fixtures + "/problems.jsonl", encoding: .utf8).split(separator: "\n").map(
            String.init
        )
        .filter { line in graded.contains { line.contains("\"\($0)\"") } }
        let samples = try String(contentsOfFile: Self.fixtures + "/samples.jsonl", encoding: .utf8).split(separator: "\n").map(String.init)
            .filter { line in graded.contains { line.contains("\"task_id\": \"\($0)\"") } }
        let out = Checkout.outDirectory("languages-functions")
        _ = try Checkout.grade(
            problems: try Checkout.file("function-problems.jsonl", problems), samples: try Checkout.file("function-samples.jsonl", samples),
            out: out,
            timeout: 5)
        let expected = Dictionary(
            uniqueKeysWithValues: try Checkout.rows(Self.fixtures + "/expected.jsonl").map { ($0["completion_id"] as! String, $0) })
        let rows = try Checkout.rows(out + "/samples.jsonl")
        #expect(rows.count == samples.count && !rows.isEmpty)
        var seen: Set<String> = []
        for row in rows {
            let id = row["completion_id"] as! String
            let expectation = try #require(expected[id])
            #expect(
                row["status"] as? String == expectation["status"] as? String,
                "\(id) \(row["task_id"] ?? "") (\(expectation["note"] ?? "")): \(row["status"] ?? "?"), expected \(expectation["status"] ?? "?"): \(row["error"] ?? "") \(row["stderr_tail"] ?? "")"
            )
            let language = row["language"] as? String ?? ""
            #expect(language == languages[row["task_id"] as? String ?? ""])
            seen.insert(language)
            #expect((row["passed"] as? Bool) == (expectation["status"] as? String == "passed"))
        }
        #expect(seen == Set(languages.values.filter(Self.ready)))
    }

    /// The layouts, exactly: MultiPL-E cuts at the first stop token and appends the tests;
    /// HumanEval-X's C++ puts the standard includes its prompt lacks first; its Go puts the test
    /// setup first, takes the prompt's import out and imports the listed packages the completion
    /// names; Java's tests start in MultiPL-E's `Problem` or HumanEval-X's `Main`.
    @Test func programsAreAssembledAsTheSuitesDo() throws {
        let problems = try ProblemSet(path: Self.fixtures + "/problems.jsonl")
        let cpp = try #require(problems.problems["Proctor_add_cpp"]?.multilingual)
        #expect(cpp.format == .multiplE && cpp.language == "cpp")
        #expect(cpp.program(completion: "    return a + b;\n}\nint main() {}\n") == cpp.prompt + "    return a + b;" + "\n" + cpp.tests)
        let humanEvalX = try #require(problems.problems["CPP/0"]?.multilingual)
        let program = humanEvalX.program(completion: "    return 1;\n}\n")
        #expect(
            program.hasPrefix("#include<stdlib.h>\n#include<algorithm>\n#include<math.h>\n#include<string>\n"), "\(program.prefix(200))")
        #expect(!program.hasPrefix("#include<stdio.h>") && program.hasSuffix(humanEvalX.tests))
        #expect(problems.problems["JavaScript/0"]?.multilingual?.failsOnOutput == true)

        let java = try #require(problems.problems["Proctor_add_java"]?.multilingual)
        #expect(java.language == "java" && java.entry == "Problem" && problems.problems["Java/0"]?.multilingual?.entry == "Main")
        #expect(java.program(completion: "        return a + b;\n    }\n}\n") == java.prompt + "        return a + b;" + "\n" + java.tests)
        let multiplEGo = try #require(problems.problems["Proctor_add_go"]?.multilingual)
        #expect(multiplEGo.language == "go" && multiplEGo.package(of: multiplEGo.program(completion: "")) == "add_test")
        #expect(problems.problems["Proctor_add_rs"]?.multilingual?.language == "rust")

        let go = try #require(problems.problems["Go/0"]?.multilingual)
        let sorted = go.program(completion: "    sort.Ints(values)\n    return values[0]\n}\n")
        #expect(sorted.hasPrefix(go.goSetup + "\nimport (\n\"sort\"\n)\n\n// Return the largest"), "\(sorted.prefix(300))")
        let plain = go.program(completion: "    return values[0]\n}\n")
        #expect(plain.hasPrefix(go.goSetup + "\n\n// Return the largest") && !plain.contains("\"sort\""), "\(plain.prefix(300))")
        #expect(go.package(of: plain) == "main")
        // A package clause that is not an identifier (code riding into Proctor's own file) is not taken.
        #expect(multiplEGo.package(of: "// x\npackage x;import\"os\";var/**/_=os.Exit\n") == "main")
        #expect(multiplEGo.package(of: "package _under_1\n") == "_under_1")
        // HumanEval-X's Rust (crates) and MultiPL-E's other languages are refused by name, with file and line.
        let rust = try Checkout.file(
            "humaneval-x-rust.jsonl", [#"{"task_id": "Rust/0", "prompt": "", "declaration": "use rand::Rng;", "test": ""}"#])
        #expect(throws: GradeError.self) { _ = try ProblemSet(path: rust) }
        let lua = try Checkout.file(
            "multipl-e-lua.jsonl", [#"{"name": "HumanEval_0", "language": "lua", "prompt": "", "tests": "", "stop_tokens": []}"#])
        do {
            _ = try ProblemSet(path: lua)
            Issue.record("a MultiPL-E Lua task was accepted")
        } catch {
            #expect(error.description.contains(":1:") && error.description.contains("lua"), "\(error)")
        }
    }

    /// A sealed function task in another language: its rows say passed or not and nothing else —
    /// not the compiler's message, not an assert's output, both of which quote the tests — while
    /// the same samples graded plainly do show them (so the check would catch a leak).
    @Test(.enabled(if: LanguageTests.installed("cpp"), "needs Debian's g++ (make setup installs it)"))
    func aSealedTaskLeaksNoTestThroughItsRows() throws {
        let problems = try String(contentsOfFile: Self.fixtures + "/problems.jsonl", encoding: .utf8).split(separator: "\n").map(
            String.init
        )
        .filter { $0.contains("\"Proctor_add_cpp\"") }
        let samples = try String(contentsOfFile: Self.fixtures + "/samples.jsonl", encoding: .utf8).split(separator: "\n").map(String.init)
            .filter { line in ["f0", "f1", "f2"].contains { line.contains("\"completion_id\": \"\($0)\"") } }
        let plainPath = try Checkout.file("sealed-cpp-problems.jsonl", problems)
        let samplesPath = try Checkout.file("sealed-cpp-samples.jsonl", samples)
        let key = SealKey.generate()
        let directory = Checkout.outDirectory("sealed-cpp")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let sealedPath = directory + "/problems.sealed.jsonl"
        _ = try SealedProblems.seal(input: plainPath, output: sealedPath, key: key, keepPublic: [])
        let testLiteral = "candidate((2), (3))"

        let plainOut = Checkout.outDirectory("sealed-cpp-plain")
        _ = try Checkout.grade(problems: plainPath, samples: samplesPath, out: plainOut, timeout: 5)
        let plainRows = Dictionary(
            uniqueKeysWithValues: try Checkout.rows(plainOut + "/samples.jsonl").map { ($0["completion_id"] as! String, $0) })
        let plainText = try String(contentsOfFile: plainOut + "/samples.jsonl", encoding: .utf8)
        #expect(plainText.contains(testLiteral), "the plain rows no longer quote the tests: this test checks nothing")

        let sealedOut = Checkout.outDirectory("sealed-cpp-run")
        _ = try Checkout.grade(problems: sealedPath, samples: samplesPath, out: sealedOut, timeout: 5) { $0.sealKey = key }
        let text = try String(contentsOfFile: sealedOut + "/samples.jsonl", encoding: .utf8)
        #expect(!text.contains(testLiteral) && !text.contains("assert"), "\(text.prefix(800))")
        for row in try Checkout.rows(sealedOut + "/samples.jsonl") {
            let id = row["completion_id"] as! String
            #expect(row["hidden"] as? Bool == true && row["stderr_tail"] == nil && row["error"] == nil, "\(row)")
            #expect(row["passed"] as? Bool == plainRows[id]?["passed"] as? Bool, "\(id)")
        }
    }

    /// What function tasks need beyond the toolchain (Go's testify) is refused up front, naming
    /// the Debian package, before any sample runs.
    @Test func aMissingTestLibraryIsRefusedNamingItsPackage() throws {
        let sandboxes = Checkout.scratch + "/sandboxes-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: sandboxes, withIntermediateDirectories: true)
        for item in ["profiles", "seccomp", "python", "languages"] {
            try FileManager.default.copyItem(atPath: Checkout.root + "/Sandboxes/" + item, toPath: sandboxes + "/" + item)
        }
        let path = sandboxes + "/languages/javascript.json"
        var definition = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
        var tests = definition["functionTests"] as! [String: Any]
        tests["requires"] = ["/usr/share/proctor-no-such-library": "node-no-such-package"]
        definition["functionTests"] = tests
        try JSONSerialization.data(withJSONObject: definition).write(to: URL(fileURLWithPath: path))
        let registry = try LanguageRegistry(sandboxesDirectory: sandboxes)
        let problems = try ProblemSet(path: Self.fixtures + "/problems.jsonl")
        do {
            try registry.check(functionTasks: problems)
            Issue.record("a missing test library was accepted")
        } catch {
            #expect(error.description.contains("node-no-such-package") && !error.description.contains("\n"), "\(error)")
        }
        // The languages whose needs are met pass the same check.
        try LanguageRegistry(sandboxesDirectory: Checkout.root + "/Sandboxes").check(
            functionTasks: try ProblemSet(
                path: try Checkout.file(
                    "cpp-only.jsonl",
                    [
                        try String(contentsOfFile: Self.fixtures + "/problems.jsonl", encoding: .utf8).split(separator: "\n").map(
                            String.init
                        )
                        .first { $0.contains("Proctor_add_cpp") } ?? ""
                    ])))
    }
}

/// The contest layouts with the languages contest programs are mostly written in: CodeContests
/// and LiveCodeBench problems, a checker, a float comparison and hidden tests judge C++, Java,
/// Go and Rust samples through the same stdin/stdout judge as Python's.
@Suite(.serialized) struct ContestLayoutLanguageTests {
    static let stdio = Checkout.root + "/Fixtures/stdio"

    static func grade(_ problems: String, _ lines: [String], name: String) throws -> [String: [String: Any]] {
        let out = Checkout.outDirectory("contest-\(name)")
        _ = try Checkout.grade(
            problems: stdio + "/" + problems, samples: try Checkout.file("contest-\(name).jsonl", lines), out: out, allowPartial: true,
            timeout: 5)
        return Dictionary(uniqueKeysWithValues: try Checkout.rows(out + "/samples.jsonl").map { ($0["completion_id"] as! String, $0) })
    }

    static func sample(_ task: String, _ id: String, _ language: String?, _ code: String) throws -> String {
        var object: [String: Any] = ["task_id": task, "completion_id": id, "completion": code]
        if let language { object["language"] = language }
        return String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    @Test(.enabled(if: LanguageTests.installed("cpp") && LanguageTests.installed("java"), "needs Debian's g++ and openjdk-17-jdk-headless"))
    func codeContestsAndLiveCodeBenchJudgeCppAndJava() throws {
        let cppMax =
            "#include <bits/stdc++.h>\nint main(){int n;std::cin>>n;long long best=LLONG_MIN,x;while(n--){std::cin>>x;best=std::max(best,x);}std::cout<<best<<\"\\n\";}\n"
        let javaAbs =
            "import java.util.*;\npublic class Main { public static void main(String[] a) { Scanner s = new Scanner(System.in); int n = s.nextInt(); long best = 0; for (int i = 0; i < n; i++) best = Math.max(best, Math.abs(s.nextLong())); System.out.println(best); } }\n"
        let contests = try Self.grade(
            "codecontests.jsonl",
            [try Self.sample("cc-max", "cpp-right", "cpp", cppMax), try Self.sample("cc-max", "java-abs", "java", javaAbs)], name: "cc")
        #expect(contests["cpp-right"]?["status"] as? String == "accepted", "\(contests["cpp-right"] ?? [:])")
        // A private test failed: `failed`, which of them and how is not told.
        #expect(
            contests["java-abs"]?["status"] as? String == "failed" && contests["java-abs"]?["passed"] as? Bool == false,
            "\(contests["java-abs"] ?? [:])")

        let square = "Here it is:\n```cpp\n#include <iostream>\nint main(){long long n;std::cin>>n;std::cout<<n*n<<std::endl;}\n```\n"
        let double =
            "```java\nimport java.util.*;\npublic class Main { public static void main(String[] a) { System.out.println(new Scanner(System.in).nextLong() * 2); } }\n```"
        let lcb = try Self.grade(
            "livecodebench.jsonl",
            [try Self.sample("lcb-square", "cpp-fence", nil, square), try Self.sample("lcb-double", "java-fence", nil, double)], name: "lcb"
        )
        #expect(
            lcb["cpp-fence"]?["status"] as? String == "accepted" && lcb["cpp-fence"]?["language"] as? String == "cpp",
            "\(lcb["cpp-fence"] ?? [:])")
        #expect(
            lcb["java-fence"]?["status"] as? String == "accepted" && lcb["java-fence"]?["language"] as? String == "java",
            "\(lcb["java-fence"] ?? [:])")
    }

    @Test(
        .enabled(
            if: ["cpp", "java", "go", "rust"].allSatisfy(LanguageTests.installed),
            "needs Debian's g++, openjdk-17-jdk-headless, golang-go and rustc"))
    func checkersFloatsAndHiddenTestsJudgeCompiledPrograms() throws {
        let divisor =
            "#include <cstdio>\nint main(){long n;scanf(\"%ld\",&n);for(long d=n-1;d>1;d--) if(n%d==0){printf(\"%ld\\n\",d);return 0;}}\n"
        let notDivisor =
            "import java.util.*;\npublic class Main { public static void main(String[] a) { System.out.println(new Scanner(System.in).nextLong()); } }\n"
        let hypot =
            "use std::io::Read;\nfn main(){let mut s=String::new();std::io::stdin().read_to_string(&mut s).unwrap();let v:Vec<f64>=s.split_whitespace().map(|x|x.parse().unwrap()).collect();println!(\"{:.6}\",(v[0]*v[0]+v[1]*v[1]).sqrt());}\n"
        let sum = "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tvar a, b int64\n\tfmt.Scan(&a, &b)\n\tfmt.Println(a + b)\n}\n"
        let overflow = "#include <cstdio>\nint main(){long long a,b;scanf(\"%lld %lld\",&a,&b);printf(\"%lld\\n\",a+b+(a>100000000));}\n"
        let rows = try Self.grade(
            "problems.jsonl",
            [
                try Self.sample("stdio/divisor", "cpp-checker", "cpp", divisor),
                try Self.sample("stdio/divisor", "java-checker", "java", notDivisor),
                try Self.sample("stdio/hypot", "rust-float", "rust", hypot), try Self.sample("stdio/sum", "go-hidden", "go", sum),
                try Self.sample("stdio/sum", "cpp-hidden-overflow", "cpp", overflow),
            ], name: "modes")
        // The checker accepts any proper divisor (the largest here, the tests' answer is the smallest).
        #expect(rows["cpp-checker"]?["status"] as? String == "accepted", "\(rows["cpp-checker"] ?? [:])")
        #expect(rows["java-checker"]?["status"] as? String == "wrong_answer", "\(rows["java-checker"] ?? [:])")
        #expect(rows["rust-float"]?["status"] as? String == "accepted", "\(rows["rust-float"] ?? [:])")
        #expect(rows["go-hidden"]?["status"] as? String == "accepted", "\(rows["go-hidden"] ?? [:])")
        // Wrong only on large inputs, so only the hidden test (1e9 + 1e9) fails: `failed`, its input out of the row.
        let hidden = try #require(rows["cpp-hidden-overflow"])
        #expect(hidden["status"] as? String == "failed" && hidden["passed"] as? Bool == false, "\(hidden)")
        let text = String(decoding: try JSONSerialization.data(withJSONObject: hidden), as: UTF8.self)
        #expect(!text.contains("1000000000 1000000000"), "the hidden test's input leaked: \(text.prefix(600))")
    }
}
