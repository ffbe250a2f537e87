import Foundation
import Results
import Sandbox

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

    static let artifactOutput = "artifact.out"
    static let compileMessageBytes = 4096

    init(_ definition: LanguageDefinition, sandboxesDirectory: String) throws(GradeError) {
        let missing = definition.missingTools
        guard missing.isEmpty else {
            throw GradeError(
                "language \(definition.name): \(missing.joined(separator: ", ")) not found; install Debian's \(definition.package) (make setup does)")
        }
        do {
            let run = try SandboxProfile.load(named: definition.run.profile, sandboxesDirectory: sandboxesDirectory)
            runSandbox = try Sandbox(profile: run)
            runLimits = run.definition.limits
            if let compile = definition.compile {
                compileSandbox = try Sandbox(profile: try SandboxProfile.load(named: compile.profile, sandboxesDirectory: sandboxesDirectory))
            } else {
                compileSandbox = nil
            }
        } catch {
            throw GradeError("language \(definition.name): \(error)")
        }
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

    func cacheKey(_ source: String, steps: [[String]]) -> String {
        Digest.sha256(
            [definition.name, toolchain, definition.source, definition.run.program]
                .joined(separator: "\u{0}") + "\u{0}" + steps.map { $0.joined(separator: "\u{1}") }.joined(separator: "\u{2}")
                + "\u{0}" + source)
    }

    /// The shell script the compile run executes: each step (quoted word by word, `set -e`),
    /// then the artifact copied into the output file the grader reads.
    func compileScript(steps: [[String]]) -> String {
        let source = "../" + definition.source
        var lines = ["set -e"]
        for step in steps {
            lines.append(
                step.map { word in
                    let expanded = word.replacingOccurrences(of: "{source}", with: source).replacingOccurrences(of: "{artifact}", with: "artifact")
                    return "'" + expanded.replacingOccurrences(of: "'", with: "'\\''") + "'"
                }.joined(separator: " "))
        }
        if definition.compiles { lines.append("cat artifact > ../\(Self.artifactOutput)") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Compiles `source` (or finds it compiled): see `Compiled`.
    public func compile(_ source: String, cache: ArtifactCache, steps override: [[String]]? = nil) -> Compiled {
        guard let compileSandbox else { return .program(Array(source.utf8), milliseconds: 0, cached: false) }
        let steps = override ?? definition.compile?.steps ?? []
        let key = cacheKey(source, steps: steps)
        switch cache.get(key) {
        case .program(let bytes): return .program(bytes, milliseconds: 0, cached: true)
        case .error(let message): return .error(message, milliseconds: 0, outcome: nil)
        case nil: break
        }
        var request = RunRequest(source: compileScript(steps: steps), programName: "compile.sh")
        request.files = [definition.source: Array(source.utf8)]
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
