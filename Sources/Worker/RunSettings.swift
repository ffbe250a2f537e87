import Foundation
import Sandbox
import Grader

/// What a submitted run is graded under, stored with the run in the queue (as canonical JSON,
/// so resubmitting the same run compares equal) and read back by every worker.
public struct RunSettings: Codable, Sendable, Equatable {
    public var profile: String
    public var profileSHA256: String
    public var limits: ResourceLimits
    public var ks: [Int]
    public var problems: String
    public var samples: String
    /// "repo" for repository tasks (jobs are predictions, "problems" are instances); nil for samples.
    public var kind: String?
    /// Repository tasks: a suspicious instance is unresolved (`grade-repo --strict`); nil means no.
    public var strict: Bool?
    /// sha256 of the problems (instances) and samples (predictions) files as submitted: a run is
    /// the same run whatever path names those files (`./x.jsonl`, `x.jsonl`, a copy elsewhere).
    public var problemsSHA256: String?
    public var samplesSHA256: String?
    /// A Python virtual environment the samples may import from (`--python-env`): every worker
    /// must have it at this path.
    public var pythonEnv: String?
    /// Repository tasks graded SWE-bench's way (`submit --specs`): the specs, as JSON, so every
    /// worker uses the same ones; each worker builds the layers in its own `--env-cache`.
    public var sweSpecs: String?
    /// Whose rules decide those verdicts (`submit --swe-rules`: `5`); nil: swebench 4.1.0's.
    public var sweRules: String?
    /// `loopback`: the tests get a network namespace of their own with lo up; nil: no network.
    public var network: String?
    /// How stdin/stdout problems are judged (`submit --extract/--time-scale/--all-tests`); nil: the defaults.
    public var stdio: StdioOptions?
    /// How inputs problems are graded, the dynamic tasks' seed included (so every worker draws
    /// the same tests); nil: no inputs problem in the run. Each worker caches references in its own place.
    public var differential: DifferentialOptions?

    /// The run's profile as this machine has it (with the run's Python environment, if any).
    public func loadProfile(sandboxesDirectory: String) throws(SandboxError) -> SandboxProfile {
        var profile = try SandboxProfile.load(named: self.profile, sandboxesDirectory: sandboxesDirectory)
        if network == "loopback" { profile = try profile.withLoopbackNetwork() }
        return try pythonEnv.map { (path) throws(SandboxError) in try profile.withPythonEnvironment(path) } ?? profile
    }

    /// Whether `other` describes the same run: the same settings and the same file contents;
    /// the paths the files were given by do not count.
    public func sameRun(as other: RunSettings) -> Bool {
        guard problemsSHA256 != nil, samplesSHA256 != nil else { return self == other }
        var mine = self, theirs = other
        (mine.problems, mine.samples, theirs.problems, theirs.samples) = ("", "", "", "")
        return mine == theirs
    }

    public init(profile: String, profileSHA256: String, limits: ResourceLimits, ks: [Int], problems: String, samples: String) {
        self.profile = profile
        self.profileSHA256 = profileSHA256
        self.limits = limits
        self.ks = ks
        self.problems = problems
        self.samples = samples
    }

    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }

    public static func parse(_ json: String) throws -> RunSettings {
        try JSONDecoder().decode(RunSettings.self, from: Data(json.utf8))
    }
}
