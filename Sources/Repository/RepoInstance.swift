import Foundation
import Grader
import Results

/// One repository task in SWE-bench's shape: a repository at a base commit, the patch that adds
/// the task's tests, and the tests that must go from failing to passing (and keep passing).
public struct RepoInstance: Sendable {
    public var instanceID: String
    /// A path to a local git repository or bare mirror (relative paths: against `--repos`).
    public var repo: String
    public var baseCommit: String
    public var testPatch: String
    public var failToPass: [String]
    public var passToPass: [String]
    /// The test command; nil means pytest on the files the test patch touches.
    public var testCommand: String?
    public var setupCommand: String?
    /// Whether patches may add or edit test configuration (conftest.py, pytest.ini, …).
    public var allowTestConfig: Bool
    /// The instance's own fix (SWE-bench's `patch`), graded by `--predictions gold`.
    public var goldPatch: String?
    /// SWE-bench's `version`: with `--specs`, picks the environment and test command.
    public var version: String? = nil
    /// SWE-bench's `environment_setup_commit`: where the environment's requirements are read.
    public var environmentSetupCommit: String? = nil
    /// `repo` as the instance gave it (`owner/name` in SWE-bench's rows), before `located`.
    public var repositoryName: String? = nil

    /// The repository's name for specs and log parsers: `owner/name`.
    public var specName: String { repositoryName ?? repo }

    public init(
        instanceID: String, repo: String, baseCommit: String, testPatch: String, failToPass: [String], passToPass: [String],
        testCommand: String?, setupCommand: String?, allowTestConfig: Bool, goldPatch: String? = nil
    ) {
        self.instanceID = instanceID
        self.repo = repo
        self.baseCommit = baseCommit
        self.testPatch = testPatch
        self.failToPass = failToPass
        self.passToPass = passToPass
        self.testCommand = testCommand
        self.setupCommand = setupCommand
        self.allowTestConfig = allowTestConfig
        self.goldPatch = goldPatch
    }

    /// Parses one instance line that came from elsewhere (a queue); errors name `source`.
    public static func parse(jsonLine: String, source: String) throws(GradeError) -> RepoInstance {
        try parse(object: JSONInput.object(Array(jsonLine.utf8), file: source, line: 1), path: source, line: 1)
    }

    /// Reads an instances file; errors name file and line.
    public static func read(path: String) throws(GradeError) -> [RepoInstance] {
        let reader = try JSONLines(path: path)
        var instances: [RepoInstance] = []
        var seen: [String: Int] = [:]
        while let (line, bytes) = try reader.next() {
            let instance = try parse(object: JSONInput.object(bytes, file: path, line: line), path: path, line: line)
            if let earlier = seen[instance.instanceID] {
                throw GradeError(file: path, line: line, "duplicate instance_id '\(instance.instanceID)' (first on line \(earlier))")
            }
            seen[instance.instanceID] = line
            instances.append(instance)
        }
        guard !instances.isEmpty else { throw GradeError("\(path): no instances in file") }
        return instances
    }

    static func parse(object: [String: JSONValue], path: String, line: Int) throws(GradeError) -> RepoInstance {
        func text(_ key: String, required: Bool = true) throws(GradeError) -> String? {
            guard let value = object[key]?.string else {
                if required { throw GradeError(file: path, line: line, "missing field '\(key)'") }
                return nil
            }
            return value
        }
        func tests(_ key: String) throws(GradeError) -> [String] {
            // SWE-bench ships these lists as JSON strings; plain lists are accepted too.
            if let list = object[key]?.array {
                let names = list.compactMap(\.string)
                guard names.count == list.count else { throw GradeError(file: path, line: line, "'\(key)' must list strings") }
                return names
            }
            if let encoded = object[key]?.string,
                let names = try? JSONDecoder().decode([String].self, from: Data(encoded.utf8))
            {
                return names
            }
            throw GradeError(file: path, line: line, "'\(key)' must be a list of test names (or a JSON string of one)")
        }
        let id = try text("instance_id")!
        let commit = try text("base_commit")!
        guard commit.count >= 4, commit.allSatisfy(\.isHexDigit) else {
            throw GradeError(file: path, line: line, "'base_commit' must be a commit id (hex)")
        }
        var allow = false
        if case .bool(let value) = object["allow_test_config"] { allow = value }
        var instance = RepoInstance(
            instanceID: id, repo: try text("repo")!, baseCommit: commit, testPatch: try text("test_patch")!,
            failToPass: try tests("FAIL_TO_PASS"), passToPass: try tests("PASS_TO_PASS"),
            testCommand: try text("test_cmd", required: false), setupCommand: try text("setup_cmd", required: false),
            allowTestConfig: allow, goldPatch: try text("patch", required: false))
        // SWE-bench writes versions as strings; a number (0.2 from a hand-made file) is taken as written.
        if let version = object["version"]?.string {
            instance.version = version
        } else if case .number(let number) = object["version"] {
            instance.version = "\(number)"
        }
        instance.environmentSetupCommit = try text("environment_setup_commit", required: false)
        instance.repositoryName = try text("repository_name", required: false)
        return instance
    }

    /// The instance with `repo` made absolute: relative paths resolve against `base`.
    public func located(against base: String) -> RepoInstance {
        var located = self
        located.repositoryName = specName
        located.repo = URL(fileURLWithPath: repo.hasPrefix("/") ? repo : base + "/" + repo).standardizedFileURL.path
        // SWE-bench names repositories `owner/name`; a checkout may also sit at `owner__name`.
        let flat = base + "/" + repo.replacingOccurrences(of: "/", with: "__")
        if !repo.hasPrefix("/"), !FileManager.default.fileExists(atPath: located.repo), FileManager.default.fileExists(atPath: flat) {
            located.repo = URL(fileURLWithPath: flat).standardizedFileURL.path
        }
        return located
    }

    /// The instance as one JSON line in SWE-bench's shape (lists as lists).
    public var jsonLine: String {
        var object: [String: JSONValue] = [
            "instance_id": .string(instanceID), "repo": .string(repo), "base_commit": .string(baseCommit),
            "test_patch": .string(testPatch), "FAIL_TO_PASS": .array(failToPass.map(JSONValue.string)),
            "PASS_TO_PASS": .array(passToPass.map(JSONValue.string)), "allow_test_config": .bool(allowTestConfig),
        ]
        if let testCommand { object["test_cmd"] = .string(testCommand) }
        if let setupCommand { object["setup_cmd"] = .string(setupCommand) }
        if let goldPatch { object["patch"] = .string(goldPatch) }
        if let version { object["version"] = .string(version) }
        if let environmentSetupCommit { object["environment_setup_commit"] = .string(environmentSetupCommit) }
        if let repositoryName { object["repository_name"] = .string(repositoryName) }
        return JSONValue.object(object).compactText
    }
}
