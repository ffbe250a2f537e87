import Foundation
import Grader

/// How each repository and version of a SWE-bench-style dataset is installed and tested: the
/// Python version, the packages of its environment, the install step, the test command, the log
/// parser. Data, not code: a JSON file the user gives (`--specs`), or one `proctor swe specs`
/// wrote from an installed `swebench` package, which ships SWE-bench's own.
///
///     {"repositories": {"pallets/flask": {
///         "log_parser": "pytest",                       (default: SWE-bench's for the repository)
///         "requirements_paths": ["requirements/dev.txt"],
///         "versions": {"2.3": {"python": "3.11", "packages": "requirements.txt",
///                              "pip_packages": ["Werkzeug==2.3.7"], "install": "python -m pip install -e .",
///                              "pre_install": [], "eval_commands": [], "test_cmd": "pytest -rA"}}}}}
public struct SWESpecs: Sendable, Codable {
    public var repositories: [String: Repository]

    public struct Repository: Sendable, Codable {
        public var logParser: LogParser?
        /// Where `"packages": "requirements.txt"` is read from, first found wins (at the
        /// instance's environment_setup_commit).
        public var requirementsPaths: [String]?
        /// Where `"packages": "environment.yml"` (conda's) is read from, first found wins.
        public var environmentPaths: [String]?
        /// How test files become the test command's arguments: `paths` (as they are) or
        /// `modules` (Django's: `tests/a/b.py` → `a.b`). Default: `modules` for django/django.
        public var testDirectives: DirectiveStyle?
        public var versions: [String: Version]

        enum CodingKeys: String, CodingKey {
            case logParser = "log_parser", requirementsPaths = "requirements_paths", environmentPaths = "environment_paths"
            case testDirectives = "test_directives", versions
        }
    }

    public enum DirectiveStyle: String, Sendable, Codable {
        case paths, modules
    }

    public struct Version: Sendable, Codable, Hashable {
        public var python: String
        /// `requirements.txt` (read from the repository), `environment.yml` (conda's, read as pip
        /// requirements: `CondaEnvironment`), or packages separated by spaces.
        public var packages: String?
        public var pipPackages: [String]?
        public var preInstall: [String]?
        public var install: String?
        public var evalCommands: [String]?
        public var testCommand: String
        /// The CPUs SWE-bench's container gets (`nano_cpus`, in billionths of a CPU, as Docker
        /// takes them; also read from `docker_specs`): the run is shown that many (`cpus`).
        public var nanoCPUs: Int64?

        /// Whole CPUs from `nanoCPUs` (at least one), or nil when the spec gives none.
        public var cpus: Int? { nanoCPUs.map { max(1, Int(($0 + 999_999_999) / 1_000_000_000)) } }

        enum CodingKeys: String, CodingKey {
            case python, packages, pipPackages = "pip_packages", preInstall = "pre_install", install
            case evalCommands = "eval_commands", testCommand = "test_cmd", nanoCPUs = "nano_cpus"
        }

        private enum DockerKeys: String, CodingKey {
            case dockerSpecs = "docker_specs"
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            python = try container.decode(String.self, forKey: .python)
            packages = try container.decodeIfPresent(String.self, forKey: .packages)
            pipPackages = try container.decodeIfPresent([String].self, forKey: .pipPackages)
            preInstall = try container.decodeIfPresent([String].self, forKey: .preInstall)
            install = try container.decodeIfPresent(String.self, forKey: .install)
            evalCommands = try container.decodeIfPresent([String].self, forKey: .evalCommands)
            nanoCPUs = try container.decodeIfPresent(Int64.self, forKey: .nanoCPUs)
            if nanoCPUs == nil, let docker = try? decoder.container(keyedBy: DockerKeys.self),
                let specs = try? docker.nestedContainer(keyedBy: CodingKeys.self, forKey: .dockerSpecs)
            {
                nanoCPUs = try specs.decodeIfPresent(Int64.self, forKey: .nanoCPUs)
            }
            // SWE-bench's newer specs may give the test command as a list: the last is the test run.
            if let list = try? container.decode([String].self, forKey: .testCommand), let last = list.last {
                testCommand = last
            } else {
                testCommand = try container.decode(String.self, forKey: .testCommand)
            }
        }
    }

    /// Reads a specs file; errors name the file and the key that is wrong.
    public static func read(path: String) throws(GradeError) -> SWESpecs {
        guard let data = FileManager.default.contents(atPath: path) else { throw GradeError("\(path): cannot read the specs file") }
        do {
            return try JSONDecoder().decode(SWESpecs.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            throw GradeError("\(path): missing '\(key.stringValue)' at \(Self.where(context))")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw GradeError("\(path): wrong type at \(Self.where(context)): \(context.debugDescription)")
        } catch let DecodingError.dataCorrupted(context) {
            throw GradeError("\(path): \(context.underlyingError.map { "\($0)" } ?? context.debugDescription) at \(Self.where(context))")
        } catch {
            throw GradeError("\(path): \(error)")
        }
    }

    private static func `where`(_ context: DecodingError.Context) -> String {
        context.codingPath.isEmpty ? "the top" : context.codingPath.map(\.stringValue).joined(separator: ".")
    }

    /// The spec of an instance's repository and version, or why there is none.
    public func spec(repository: String, version: String?) throws(GradeError) -> Version {
        guard let entry = repositories[repository] else {
            throw GradeError("no specs for repository '\(repository)' (known: \(repositories.keys.sorted().joined(separator: ", ")))")
        }
        guard let version else { throw GradeError("the instance has no 'version' (needed to pick \(repository)'s specs)") }
        guard let spec = entry.versions[version] else {
            throw GradeError("no specs for \(repository) version \(version) (known: \(entry.versions.keys.sorted().joined(separator: ", ")))")
        }
        return spec
    }

    public func parser(repository: String) -> LogParser {
        repositories[repository]?.logParser ?? LogParser.standard(forRepository: repository)
    }

    /// File endings that are never test modules: the test patch's data files are not handed to
    /// the test command (SWE-bench's list; "csv" has no dot there).
    static let nonTestEndings = [".json", ".png", "csv", ".txt", ".md", ".jpg", ".jpeg", ".pkl", ".yml", ".yaml", ".toml"]

    /// What the test command is run on, from the files the test patch touches: test files only;
    /// for Django, as module names relative to `tests/` (`tests/a/b.py` → `a.b`).
    public func testDirectives(repository: String, testPatchFiles: [String]) -> [String] {
        let style = repositories[repository]?.testDirectives ?? (repository == "django/django" ? .modules : .paths)
        let files = testPatchFiles.filter { file in !Self.nonTestEndings.contains { file.hasSuffix($0) } }
        guard style == .modules else { return files }
        return files.map { file in
            var name = Substring(file)
            if name.hasSuffix(".py") { name = name.dropLast(3) }
            if name.hasPrefix("tests/") { name = name.dropFirst(6) }
            return name.replacingOccurrences(of: "/", with: ".")
        }
    }
}
