import Foundation
import Sandbox
import Synchronization

/// The languages of a sandboxes directory (`Sandboxes/languages`), each made ready on first use
/// and kept for the grade; one artifact cache for all of them.
public final class LanguageRegistry: Sendable {
    public let definitions: [LanguageDefinition]
    let sandboxesDirectory: String
    public let cache: ArtifactCache
    private let runtimes = Mutex<[String: Result<LanguageRuntime, GradeError>]>([:])

    public init(sandboxesDirectory: String, cacheBytes: Int = 512 << 20) throws(GradeError) {
        do {
            definitions = try LanguageDefinition.all(sandboxesDirectory: sandboxesDirectory)
        } catch {
            throw GradeError("languages: \(error)")
        }
        self.sandboxesDirectory = sandboxesDirectory
        cache = ArtifactCache(limitBytes: cacheBytes)
        // What a row graded in another language depends on: every language file and the
        // profiles they name (part of the key that decides whether an earlier row is reused).
        var files = ((try? FileManager.default.contentsOfDirectory(atPath: sandboxesDirectory + "/languages")) ?? []).sorted()
            .filter { $0.hasSuffix(".json") }.map { sandboxesDirectory + "/languages/" + $0 }
        files += definitions.flatMap(\.supportFiles).sorted().map { sandboxesDirectory + "/languages/" + $0 }
        let profiles = Set(definitions.flatMap { [$0.run.profile] + ($0.compile.map { [$0.profile] } ?? []) })
        files += profiles.sorted().map { sandboxesDirectory + "/profiles/" + $0 + ".json" }
        digest = Digest.sha256(
            files.map { file in file + "\u{0}" + ((try? String(contentsOfFile: file, encoding: .utf8)) ?? "") }.joined(separator: "\u{1}"))
    }

    /// sha256 over the language files, their support files and the profiles they name.
    public let digest: String

    /// Python is the profile's own language; every other name must be a language file's.
    public static func isPython(_ name: String) -> Bool { ["python", "python3", "py", "py3"].contains(name.lowercased()) }

    public func definition(_ name: String) -> LanguageDefinition? { LanguageDefinition.named(name, in: definitions) }

    /// Refuses up front, in one line naming the package, a language this machine cannot grade.
    public func check(_ name: String) throws(GradeError) {
        if Self.isPython(name) { return }
        guard let definition = definition(name) else {
            throw GradeError("--language \(name): no such language (\(known))")
        }
        _ = try runtime(definition).get()
    }

    /// Refuses up front what the problems' function tasks cannot be graded without: each
    /// language's toolchain and what its function tests require, naming the packages.
    public func check(functionTasks problems: ProblemSet) throws(GradeError) {
        for name in Set(problems.problems.values.compactMap { $0.multilingual?.language }).sorted() {
            guard let definition = definition(name) else { throw GradeError("no such language '\(name)' (\(known))") }
            _ = try runtime(definition).get()
            let missing = definition.missingForFunctionTests
            guard missing.isEmpty else {
                throw GradeError("\(name) function tasks: \(missing.joined(separator: ", ")) not found (make setup installs it)")
            }
        }
    }

    var known: String { (["python"] + definitions.map(\.name)).joined(separator: ", ") }

    /// The language `name` names, ready to compile and run in.
    public func runtime(named name: String) throws(GradeError) -> LanguageRuntime {
        guard let definition = definition(name) else { throw GradeError("no such language '\(name)' (\(known))") }
        return try runtime(definition).get()
    }

    func runtime(_ definition: LanguageDefinition) -> Result<LanguageRuntime, GradeError> {
        if let ready = runtimes.withLock({ $0[definition.name] }) { return ready }
        let made: Result<LanguageRuntime, GradeError>
        do {
            made = .success(try LanguageRuntime(definition, sandboxesDirectory: sandboxesDirectory))
        } catch {
            made = .failure(error)
        }
        return runtimes.withLock { runtimes in
            if let ready = runtimes[definition.name] { return ready }
            runtimes[definition.name] = made
            return made
        }
    }
}
