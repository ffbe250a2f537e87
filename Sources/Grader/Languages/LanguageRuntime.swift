import Foundation
import Results
import Sandbox
import Synchronization

/// A language ready to grade in: its compile and run sandboxes, built from the profiles its
/// definition names, and its toolchain's version.
///
/// Why the compile step is a sandboxed run of its own: a compiler is a program fed hostile
/// input (`#include "/etc/shadow"`, a template that never ends, a build script), so it gets
/// its own limits, the toolchain read-only and nothing else of the host; its artifact comes
/// back through one output file, and the test runs never see the compiler.
public final class LanguageRuntime: Sendable {
    public let definition: LanguageDefinition
    let compileSandbox: Sandbox?
    let runSandbox: Sandbox
    /// The run profile's limits (address space, stack, processes, files), which the test's own
    /// time and memory limits are laid over.
    let runLimits: ResourceLimits
    /// The toolchain's version text (part of the cache key and of every row's audit).
    public let toolchain: String
    /// The function-test support files (`FunctionTests.files`) by file name, as templates.
    let supportFiles: [String: String]
    /// The warm-up's sources by file name (`Compile.warmup`).
    let warmupFiles: [String: String]
    /// The warm build cache, a tar of the warm-up's cache directory: made on the first compile
    /// (nil inside when the warm-up failed: compiles then start cold).
    private let warmCache = Mutex<[UInt8]??>(nil)
    /// A token no candidate can guess, for names in the completion-record code that share a
    /// namespace with the candidate (Go's package-level variable, JavaScript's module constant):
    /// new per grader process.
    let secret = "P" + (0..<2).map { _ in String(UInt64.random(in: 0...UInt64.max), radix: 36) }.joined()

    static let artifactOutput = "artifact.out"
    static let compileMessageBytes = 4096

    init(_ definition: LanguageDefinition, sandboxesDirectory: String) throws(GradeError) {
        let missing = definition.missingTools
        guard missing.isEmpty else {
            throw GradeError(
                "language \(definition.name): \(missing.joined(separator: ", ")) not found; install Debian's \(definition.package) (make setup does)"
            )
        }
        do {
            let run = try SandboxProfile.load(named: definition.run.profile, sandboxesDirectory: sandboxesDirectory)
            runSandbox = try Sandbox(profile: run)
            runLimits = run.definition.limits
            if let compile = definition.compile {
                compileSandbox = try Sandbox(
                    profile: try SandboxProfile.load(named: compile.profile, sandboxesDirectory: sandboxesDirectory))
            } else {
                compileSandbox = nil
            }
        } catch {
            throw GradeError("language \(definition.name): \(error)")
        }
        func read(_ paths: [String]) throws(GradeError) -> [String: String] {
            var files: [String: String] = [:]
            for path in paths {
                let full = sandboxesDirectory + "/languages/" + path
                guard let text = try? String(contentsOfFile: full, encoding: .utf8) else {
                    throw GradeError("language \(definition.name): support file \(full) cannot be read")
                }
                files[(path as NSString).lastPathComponent] = text
            }
            return files
        }
        supportFiles = try read(definition.functionTests?.files ?? [])
        warmupFiles = try read(definition.compile?.warmup?.files ?? [])
        self.definition = definition
        toolchain = definition.compile.map { Self.version($0.version) } ?? definition.run.profile
    }

    /// The version line of the toolchain (its first line), run once on the host.
    static func version(_ argv: [String]) -> String {
        guard let tool = argv.first else { return "unknown" }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = Array(argv.dropFirst())
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return "unknown" }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
        return text.isEmpty ? "unknown" : text
    }

    public enum Compiled {
        /// The program a test runs, how long compiling took (0 from the cache), and the run.
        case program([UInt8], milliseconds: Double, cached: Bool)
        /// The source did not compile: the compiler's message (its start, where the first error is).
        case error(String, milliseconds: Double, outcome: Outcome?)
        /// The sandbox, not the source, failed.
        case failure(String, outcome: Outcome?)
    }

    /// What a compile reads: the source (under its file name), the support files beside it and
    /// the steps that build them.
    public struct Build: Sendable {
        public var source: String
        public var sourceName: String
        public var files: [String: String] = [:]
        public var steps: [[String]]
    }

    func cacheKey(_ build: Build) -> String {
        var parts = [definition.name, toolchain, build.sourceName, definition.run.program]
        parts.append(build.steps.map { $0.joined(separator: "\u{1}") }.joined(separator: "\u{2}"))
        for name in build.files.keys.sorted() { parts += [name, build.files[name] ?? ""] }
        parts.append(build.source)
        return Digest.sha256(parts.map { String($0.utf8.count) + ":" + $0 }.joined(separator: "\u{0}"))
    }

    /// The shell script the compile run executes: each step (quoted word by word, `set -e`),
    /// then `ending` — by default the artifact copied into the output file the grader reads.
    /// `{source}` is the program's file, `{files}` every support file (one word each),
    /// `{artifact}` the output.
    func compileScript(_ build: Build, warm: Bool = false, ending: String? = nil) -> String {
        let source = "../" + build.sourceName
        let files = build.files.keys.sorted().map { "../" + $0 }
        var lines = ["set -e"]
        if warm, let cache = definition.compile?.warmup?.cache {
            lines.append(
                "mkdir -p \"$HOME/\(cache)\" && tar -xf ../\(Self.warmCacheFile) -C \"$HOME/\(cache)\" && rm -f ../\(Self.warmCacheFile)")
        }
        for step in build.steps {
            lines.append(
                step.flatMap { word in word == "{files}" ? files : [word] }.map { word in
                    let expanded = word.replacingOccurrences(of: "{source}", with: source).replacingOccurrences(
                        of: "{artifact}", with: "artifact")
                    return "'" + expanded.replacingOccurrences(of: "'", with: "'\\''") + "'"
                }.joined(separator: " "))
        }
        if let ending {
            lines.append(ending)
        } else if definition.compiles {
            lines.append("cat artifact > ../\(Self.artifactOutput)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Compiles `source` (or finds it compiled): see `Compiled`.
    public func compile(_ source: String, cache: ArtifactCache) -> Compiled {
        compile(Build(source: source, sourceName: definition.source, steps: definition.compile?.steps ?? []), cache: cache)
    }

    public func compile(_ build: Build, cache: ArtifactCache) -> Compiled {
        let source = build.source
        guard let compileSandbox else { return .program(Array(source.utf8), milliseconds: 0, cached: false) }
        let key = cacheKey(build)
        switch cache.get(key) {
        case .program(let bytes): return .program(bytes, milliseconds: 0, cached: true)
        case .error(let message): return .error(message, milliseconds: 0, outcome: nil)
        case nil: break
        }
        let warm = warmCacheBytes()
        var request = RunRequest(source: compileScript(build, warm: warm != nil), programName: "compile.sh")
        request.files = build.files.mapValues { Array($0.utf8) }
        request.files[build.sourceName] = Array(source.utf8)
        if let warm { request.files[Self.warmCacheFile] = warm }
        if definition.compiles { request.outputs = [Self.artifactOutput] }
        let outcome = compileSandbox.run(request)
        if outcome.runStatus.isInternalError {
            return .failure("the compile run failed: \(outcome.statusText) \(outcome.stderr.suffix(300))", outcome: outcome)
        }
        guard case .exited(0) = outcome.runStatus else {
            // Anything the compile ran into — its own error, a limit, a crash — is the source's.
            let message: String
            switch outcome.runStatus {
            case .exited: message = String((outcome.stderr + outcome.stdout).prefix(Self.compileMessageBytes))
            default: message = "the compiler stopped: \(outcome.statusText) (limits: CPU \(compileSandbox.profile.definition.limits.cpu))"
            }
            cache.put(key, .error(message))
            return .error(message, milliseconds: outcome.wallMs, outcome: outcome)
        }
        guard definition.compiles else {
            cache.put(key, .program(Array(source.utf8)))
            return .program(Array(source.utf8), milliseconds: outcome.wallMs, cached: false)
        }
        guard let artifact = outcome.outputs[Self.artifactOutput], !artifact.isEmpty else {
            return .failure("the compile run produced no artifact", outcome: outcome)
        }
        cache.put(key, .program(artifact))
        return .program(artifact, milliseconds: outcome.wallMs, cached: false)
    }

    static let warmCacheFile = "warm-cache.tar"

    /// Makes the warm build cache now (else the first compile does); its size in bytes, nil
    /// when the language has no warm-up or it failed.
    @discardableResult public func warmUp() -> Int? { warmCacheBytes()?.count }

    /// The warm build cache, made by the warm-up on first use (once per grader; concurrent
    /// compiles wait for it, as they would each have spent as long compiling cold).
    func warmCacheBytes() -> [UInt8]? {
        guard let warmup = definition.compile?.warmup, let compileSandbox else { return nil }
        return warmCache.withLock { state -> [UInt8]? in
            if let made = state { return made }
            let script = compileScript(
                Build(source: "", sourceName: definition.source, files: warmupFiles, steps: warmup.steps),
                ending: "tar -cf ../\(Self.warmCacheFile) -C \"$HOME/\(warmup.cache)\" .")
            var request = RunRequest(source: script, programName: "warmup.sh")
            request.files = warmupFiles.mapValues { Array($0.utf8) }
            request.outputs = [Self.warmCacheFile]
            let outcome = compileSandbox.run(request)
            var made: [UInt8]? = nil
            if case .exited(0) = outcome.runStatus, let tar = outcome.outputs[Self.warmCacheFile], !tar.isEmpty { made = tar }
            state = .some(made)
            return made
        }
    }

    /// One test's limits: the run profile's, with the test's CPU, wall, memory and output.
    func limits(for test: ResourceLimits) -> ResourceLimits {
        var limits = runLimits
        limits.cpu = test.cpu
        limits.wall = test.wall
        limits.memory = test.memory
        limits.outputLimit = test.outputLimit
        limits.captureBytes = test.captureBytes
        return limits
    }

    /// Runs the program on one test's input.
    public func run(_ program: [UInt8], stdin: [UInt8], limits test: ResourceLimits) -> Outcome {
        var request = RunRequest(program: program, programName: definition.run.program, stdin: stdin, limits: limits(for: test))
        request.executable = definition.compiles
        return runSandbox.run(request)
    }
}
