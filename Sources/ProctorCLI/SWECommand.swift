import ArgumentParser
import Foundation
import Grader
import Repository
import Sandbox

/// `proctor swe`: SWE-bench without Docker — build environments, validate instances, import
/// SWE-bench's specs, parse a log. Grading itself is `proctor grade-repo --specs`.
public struct SWECommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "swe",
        abstract: "SWE-bench without Docker: environments, validation, specs, log parsing.",
        discussion: """
            A typical session with SWE-bench Lite and local checkouts of its repositories \
            (REPOS/owner/name or REPOS/owner__name, each a git clone with the base commits):

              proctor swe specs --from-swebench swebench-4.1.0-py3-none-any.whl --out specs.json
              proctor swe env build --instances lite.jsonl --repos REPOS --specs specs.json
              proctor swe validate --instances lite.jsonl --repos REPOS --specs specs.json --out validation/
              proctor grade-repo --instances lite.jsonl --predictions preds.jsonl --repos REPOS --specs specs.json
            """,
        subcommands: [SWEEnvCommand.self, SWEValidateCommand.self, SWESpecsCommand.self, SWEParseCommand.self]
    )

    public init() {}
}

struct SWEEnvCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "env", abstract: "Environment layers.", subcommands: [SWEEnvBuildCommand.self, SWEEnvLockCommand.self])
}

/// Options naming the instances to work on.
struct SWEInstanceOptions: ParsableArguments {
    @Option(help: "Instances file (.jsonl, SWE-bench's rows: repo, version, base_commit, environment_setup_commit, …).")
    var instances: String

    @Option(help: "Directory holding the repositories (REPOS/owner/name or REPOS/owner__name; default: the instances file's).")
    var repos: String?

    @Option(help: "Only these instances (comma-separated ids).")
    var instanceIds: String?

    var wanted: [String]? { instanceIds.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } } }

    func load() throws -> [RepoInstance] {
        var rows: [RepoInstance]
        do {
            rows = try RepoInstance.read(path: instances)
        } catch {
            throw CLIFailure.from(error)
        }
        if let wanted {
            let known = Set(rows.map(\.instanceID))
            if let missing = wanted.first(where: { !known.contains($0) }) {
                throw CLIFailure.usage("proctor: --instance-ids: no instance '\(missing)' in \(instances)")
            }
            rows = rows.filter { wanted.contains($0.instanceID) }
        }
        let base = InputPath.absolute(repos ?? (instances as NSString).deletingLastPathComponent)
        return rows.map { $0.located(against: base) }
    }
}

struct SWEEnvBuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build (or find cached) the environment and instance layers of each instance, and report.",
        discussion: """
            Layers are built on the host, as the trusted step: a venv per repository and version \
            with the spec's packages from the package index, then per instance the repository at \
            its base commit with the spec's install step done. Steps that would change the machine \
            (apt-get, locale-gen) are skipped and named. Each layer is content-addressed and \
            reused; a failed or interrupted build is started again next time. Writes nothing \
            else; exit status 1 when some instance has no environment.
            """)

    @OptionGroup var selection: SWEInstanceOptions
    @OptionGroup var swe: SWEOptions

    func run() throws {
        let store = try swe.store(required: true)!
        let instances = try selection.load()
        var failed = 0
        for instance in instances {
            let started = Date()
            do {
                let layers = try store.layers(for: instance) { print("  " + $0) }
                let seconds = Date().timeIntervalSince(started)
                print("ok      \(instance.instanceID)  python \(layers.pythonVersion)  \(String(format: "%.1f", seconds)) s  \(layers.instance)")
            } catch {
                failed += 1
                print("FAILED  \(instance.instanceID): \(error.message)")
            }
        }
        print("\(instances.count - failed) of \(instances.count) instances have environments under \(store.root)")
        if failed > 0 { throw ExitCode(1) }
    }
}

struct SWEEnvLockCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lock",
        abstract: "Write a lock per built environment layer: the versions it got, for --locks.",
        discussion: """
            A layer built from unpinned requirements gets whatever the package index has that \
            day. The lock of a built layer (OWNER__NAME-VERSION.txt: its pip freeze as name==version \
            lines) given back with --locks makes a later build, here or on another machine, get the \
            same versions (pip's constraints; the lock is part of the layer's key).
            """)

    @Option(help: "Where the layers are (as --env-cache).")
    var envCache: String = "/var/cache/proctor/swe"

    @Option(help: "Directory to write the locks into.")
    var out: String

    func run() throws {
        let written: [String]
        do {
            written = try SWEEnvironmentStore.writeLocks(root: URL(fileURLWithPath: envCache).standardizedFileURL.path, to: out)
        } catch {
            throw CLIFailure.from(error)
        }
        for file in written { print(file) }
        print("\(written.count) locks in \(out)")
    }
}

struct SWEValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check each instance can be graded here: gold must be FULL and an empty patch NO.",
        discussion: "Writes OUT/gold/, OUT/empty/ (grade-repo's layout) and OUT/validation.json; exit status 1 when some instance is not reproducible.")

    @OptionGroup var selection: SWEInstanceOptions
    @OptionGroup var swe: SWEOptions

    @Option(help: "Output directory.")
    var out: String = "results/swe-validate"

    @Option(help: "Predictions graded in parallel.")
    var workers: Int = 1

    @OptionGroup(title: "sandbox and limits (default here: the swe profile, 1800s per test run)")
    var sandbox: SandboxOptions

    @Option(help: "none, or loopback (see grade-repo --network).")
    var network: String = "none"

    func validate() throws {
        try sandbox.validate(defaultTimeout: "1800s")
        guard workers >= 1 else { throw ValidationError("--workers must be at least 1") }
    }

    func run() throws {
        let store = try swe.store(required: true)!
        var selected = try sandbox.selection(defaultProfile: "swe", defaultTimeout: "1800s", network: network)
        selected.fitTestSuites(cpuGiven: sandbox.cpu != nil)
        selected.profile = selected.profile.withReadablePaths(store.readablePaths)
        let directory: String
        do {
            directory = try SandboxesDirectory.locate(explicit: sandbox.sandboxes)
        } catch {
            throw CLIFailure.usage("proctor: \(error)")
        }
        var options = RepoGradeOptions(
            instancesPath: selection.instances, predictionsPath: "gold", outDirectory: out, profile: selected.profile,
            limits: selected.limits, sandboxesDirectory: directory)
        options.reposDirectory = selection.repos
        options.instanceIDs = selection.wanted
        options.workers = workers
        options.swe = store
        options.sweRules = swe.sweRules
        options.proctorVersion = ProctorVersion.string
        let rows: [SWEValidation.Row]
        do {
            rows = try SWEValidation.run(options)
        } catch {
            throw CLIFailure.from(error)
        }
        for row in rows {
            print("\(row.reproducible ? "ok    " : "NOT   ") \(row.instanceID)  gold \(row.gold), empty \(row.empty)\(row.reason.map { "  — \($0)" } ?? "")")
        }
        let good = rows.filter(\.reproducible).count
        print("\(good) of \(rows.count) instances reproducible here; details: \(out)/validation.json")
        if good < rows.count { throw ExitCode(1) }
    }
}

struct SWESpecsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "specs",
        abstract: "Write a specs file from an installed or downloaded swebench package (SWE-bench's own specs).",
        discussion: """
            PATH is a swebench wheel (pip download --no-deps swebench==4.1.0), its unpacked \
            directory, or a site-packages directory holding it. The package's constants are read \
            by /usr/bin/python3 on this machine (a trusted step: the package is data you chose) and \
            written as JSON: per repository its log parser, requirements paths and test directive \
            style, per version the Python version, packages, install and test commands.
            """)

    @Option(name: .customLong("from-swebench"), help: "The swebench package: a wheel, or a directory holding swebench/.")
    var source: String

    @Option(help: "Where to write the specs (JSON).")
    var out: String = "swe-specs.json"

    func run() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-I", "-c", Self.reader, source]
        let pipe = Pipe()
        let errors = Pipe()
        process.standardOutput = pipe
        process.standardError = errors
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CLIFailure.usage("proctor: \(source): cannot read SWE-bench's specs: \(String(decoding: message, as: UTF8.self).split(separator: "\n").last ?? "")")
        }
        try data.write(to: URL(fileURLWithPath: out))
        do {
            let specs = try SWESpecs.read(path: out)
            let versions = specs.repositories.values.map(\.versions.count).reduce(0, +)
            print("\(out): \(specs.repositories.count) repositories, \(versions) versions")
        } catch {
            throw CLIFailure.from(error)
        }
    }

    /// Reads the constants module from a wheel or a directory (it imports nothing beyond the
    /// standard library) and prints Proctor's specs JSON.
    static let reader = #"""
        import json, sys, zipfile, os
        source = sys.argv[1]
        names = ["swebench/harness/constants/python.py", "swebench/harness/constants.py"]
        text = None
        if zipfile.is_zipfile(source):
            with zipfile.ZipFile(source) as wheel:
                for name in names:
                    if name in wheel.namelist():
                        text = wheel.read(name).decode("utf-8"); break
        else:
            for name in names:
                for root in (source, os.path.dirname(source)):
                    path = os.path.join(root, name)
                    if os.path.exists(path):
                        text = open(path, encoding="utf-8").read(); break
                if text: break
        if text is None:
            sys.exit("no swebench/harness/constants in " + source)
        scope = {"__name__": "swebench_constants"}
        exec(compile(text, "constants", "exec"), scope)
        specs = scope.get("MAP_REPO_VERSION_TO_SPECS_PY") or scope.get("MAP_REPO_VERSION_TO_SPECS")
        paths = scope.get("MAP_REPO_TO_REQS_PATHS", {})
        environments = scope.get("MAP_REPO_TO_ENV_YML_PATHS", {})
        keep = ("python", "packages", "pip_packages", "pre_install", "install", "eval_commands", "test_cmd")
        out = {}
        for repo, versions in sorted(specs.items()):
            entry = {"versions": {}}
            if repo in paths: entry["requirements_paths"] = list(paths[repo])
            if repo in environments: entry["environment_paths"] = list(environments[repo])
            for version, spec in versions.items():
                if "test_cmd" not in spec or "python" not in spec: continue
                entry["versions"][version] = {k: spec[k] for k in keep if k in spec}
                cpus = spec.get("nano_cpus", (spec.get("docker_specs") or {}).get("nano_cpus"))
                if isinstance(cpus, (int, float)): entry["versions"][version]["nano_cpus"] = int(cpus)
            out[repo] = entry
        json.dump({"repositories": out}, sys.stdout, indent=1, sort_keys=True)
        """#
}

struct SWEParseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parse",
        abstract: "Parse a test log as SWE-bench's parser for a repository does; print each test's status as JSON.")

    @Option(help: "The repository (owner/name): picks SWE-bench's parser for it.")
    var repo: String

    @Option(help: "A parser by name instead: \(LogParser.allCases.map(\.rawValue).joined(separator: ", ")).")
    var parser: String?

    @Argument(help: "The log (test_output.txt).")
    var log: String

    func run() throws {
        guard let data = FileManager.default.contents(atPath: log) else { throw CLIFailure.usage("proctor: \(log): cannot read") }
        let chosen: LogParser
        if let parser {
            guard let named = LogParser(rawValue: parser) else { throw CLIFailure.usage("proctor: --parser \(parser): unknown") }
            chosen = named
        } else {
            chosen = LogParser.standard(forRepository: repo)
        }
        let statuses = chosen.parse(RepoGradeRun.testSection(String(decoding: data, as: UTF8.self)))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(statuses.mapValues(\.rawValue)), as: UTF8.self))
    }
}
