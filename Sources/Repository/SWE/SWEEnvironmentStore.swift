import Crypto
import Foundation
import Grader
import Results
import Synchronization

/// Environments for real repositories without Docker, as layers on disk, content-addressed and
/// cached under one root:
///
///     ROOT/envs/OWNER__NAME-VERSION-KEY/       a venv per repository and version: the spec's
///         venv/  build.log  layer.json  .complete   packages, from the package index (host step)
///     ROOT/instances/INSTANCE-KEY/             the repository at its base commit, its install
///         repo/  venv/  build.log  .complete   step done; venv/ is a thin venv whose site sees
///                                               the environment's (a .pth) and holds the
///                                               project's own (editable) install
///
/// Per prediction the sandbox covers `repo/` in place with an overlay whose writable part is
/// the run's tmpfs (`WorkingTree(inPlace:)`): the patch is applied there, the tests run there,
/// and the layers stay as built. Building is the trusted step — the host runs pip and the
/// repository's own install at its base commit, never a model's patch. A layer is complete when
/// its `.complete` exists; a half-built one (a crash, an error) is removed and built again.
/// Builders of the same layer take turns on a lock file, so workers share one build.
public struct SWEEnvironmentStore: Sendable {
    public let root: String
    /// Python version (`3.9`) → interpreter path.
    public let interpreters: [String: String]
    public let specs: SWESpecs
    /// A directory of locks (`--locks`): `OWNER__NAME-VERSION.txt` in pip's `name==version` form,
    /// as `proctor swe env lock` writes them from built layers. An environment layer whose lock
    /// is there is built with it as pip's constraints, so it gets the versions an earlier build
    /// got, not today's; the lock is part of the layer's key.
    public var locks: String?

    public init(root: String, interpreters: [String: String], specs: SWESpecs, locks: String? = nil) {
        self.root = root
        self.interpreters = interpreters
        self.specs = specs
        self.locks = locks
    }

    /// The lock file's name for a repository and version.
    public static func lockName(repository: String, version: String) -> String {
        repository.replacingOccurrences(of: "/", with: "__") + "-" + version + ".txt"
    }

    /// Writes a lock per environment layer built under `root` into `directory` (from its
    /// `layer.json`: the `name==version` lines of its pip freeze); where several layers are of one
    /// repository and version, the one built last. Returns the files written.
    public static func writeLocks(root: String, to directory: String) throws(GradeError) -> [String] {
        let envs = root + "/envs"
        var newest: [String: (date: Date, lines: [String])] = [:]
        for name in ((try? FileManager.default.contentsOfDirectory(atPath: envs)) ?? []).sorted() {
            let layer = envs + "/" + name
            guard let date = (try? FileManager.default.attributesOfItem(atPath: layer + "/.complete"))?[.modificationDate] as? Date,
                let data = FileManager.default.contents(atPath: layer + "/layer.json"),
                let record = try? JSONInput.object(Array(data), file: layer + "/layer.json", line: 1),
                let repository = record["repository"]?.string, let version = record["version"]?.string,
                case .array(let packages)? = record["packages"]
            else { continue }
            let lines = packages.compactMap(\.string).filter { $0.range(of: #"^[A-Za-z0-9._-]+==[^ ;@]+$"#, options: .regularExpression) != nil }
            let file = lockName(repository: repository, version: version)
            if let known = newest[file], known.date > date { continue }
            newest[file] = (date, lines)
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw GradeError("\(directory): cannot create (\(error.localizedDescription))")
        }
        var written: [String] = []
        for (file, entry) in newest.sorted(by: { $0.key < $1.key }) {
            try write(entry.lines.joined(separator: "\n") + "\n", to: directory + "/" + file)
            written.append(directory + "/" + file)
        }
        return written
    }

    /// What the sandbox must read beyond its profile: the layer cache, and the installation of
    /// each interpreter that lives outside /usr (a python-build-standalone archive unpacked
    /// anywhere): the directory above its `bin/` with symlinks resolved, or its own directory
    /// when it is not in a `bin/`. Read-only, like the rest of the runtime.
    public var readablePaths: [String] {
        var paths = [root]
        for interpreter in interpreters.values.sorted() {
            let real = URL(fileURLWithPath: interpreter).resolvingSymlinksInPath().deletingLastPathComponent()
            let prefix = (real.lastPathComponent == "bin" ? real.deletingLastPathComponent() : real).path
            if prefix == "/" || prefix == "/usr" || prefix.hasPrefix("/usr/") || paths.contains(prefix) { continue }
            paths.append(prefix)
        }
        return paths
    }

    /// The interpreters found without being told: Debian's `/usr/bin/python3.X` for every X.
    public static func defaultInterpreters() -> [String: String] {
        var found: [String: String] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: "/usr/bin")) ?? [] {
            guard name.hasPrefix("python3."), name.dropFirst(8).allSatisfy(\.isNumber), !name.dropFirst(8).isEmpty else { continue }
            found["3." + name.dropFirst(8)] = "/usr/bin/" + name
        }
        return found
    }

    /// A built environment: what the sandbox must be able to read, and how the tests find it.
    public struct Layers: Sendable {
        public var environment: String
        public var instance: String
        public var spec: SWESpecs.Version
        public var pythonVersion: String
        public var interpreter: String
        public var repository: String { instance + "/repo" }
        /// PATH for the tests: the instance's venv first (the project's scripts), then the environment's.
        public var path: String { "\(instance)/venv/bin:\(environment)/venv/bin:/usr/bin:/bin" }
        /// PYTHONUSERBASE for the tests: a user site holding only the layers' hook
        /// (`writeLayersHook`), which an interpreter reaches only when it did not find the venv.
        public var userBase: String { instance + "/userbase" }
    }

    /// The layers for `instance` (whose `repo` is the local repository), built if missing.
    /// `log` gets one line per step.
    public func layers(for instance: RepoInstance, log: (String) -> Void = { _ in }) throws(GradeError) -> Layers {
        let spec = try specs.spec(repository: instance.specName, version: instance.version)
        guard let interpreter = interpreters[spec.python] else {
            let known = interpreters.keys.sorted().joined(separator: ", ")
            throw GradeError(
                "\(instance.instanceID): needs Python \(spec.python), which is not available here (known: \(known.isEmpty ? "none" : known)); give --python \(spec.python)=/path/to/python\(spec.python)")
        }
        let source = try GitRepository(repository: instance.repo)
        let requirements = try requirementsText(instance, spec: spec, source: source, log: log)
        do {
            let environment = try buildEnvironment(instance, spec: spec, interpreter: interpreter, requirements: requirements, log: log)
            let built = try buildInstance(instance, spec: spec, environment: environment, interpreter: interpreter, source: source, log: log)
            return Layers(environment: environment, instance: built, spec: spec, pythonVersion: spec.python, interpreter: interpreter)
        } catch {
            // A build that fails under a stand-in interpreter most likely fails because of it.
            if let version = try? Self.interpreterVersion(interpreter), !version.hasPrefix(spec.python + ".") {
                throw GradeError("\(error.message) — the spec asks for Python \(spec.python); \(interpreter) is \(version)")
            }
            throw error
        }
    }

    // MARK: environment layer

    /// The requirements the spec names: a file read from the repository at the environment's
    /// commit (`-r` includes followed; `-e .` and comments left out), or the packages listed.
    func requirementsText(
        _ instance: RepoInstance, spec: SWESpecs.Version, source: GitRepository, log: (String) -> Void = { _ in }
    ) throws(GradeError) -> String {
        if spec.packages == "environment.yml" { return try condaRequirements(instance, source: source, log: log) }
        guard spec.packages == "requirements.txt" else {
            return (spec.packages ?? "").split(separator: " ").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "'\"")) }
                .joined(separator: "\n")
        }
        let commit = instance.environmentSetupCommit ?? instance.baseCommit
        let paths = specs.repositories[instance.specName]?.requirementsPaths ?? []
        for path in paths {
            let shown = try source.git(["show", "\(commit):\(path)"])
            guard shown.succeeded else { continue }
            let directory = (path as NSString).deletingLastPathComponent
            var included: [String] = []
            var own: [String] = []
            func excluded(_ line: String) -> Bool {
                let text = line.trimmingCharacters(in: .whitespaces)
                return text.hasPrefix("-e .") || text.hasPrefix("#") || text.hasPrefix(".[test")
            }
            for line in shown.output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
                let text = line.trimmingCharacters(in: .whitespaces)
                if text.hasPrefix("-r") {
                    let name = text.dropFirst(2).trimmingCharacters(in: .whitespaces)
                    let nested = try source.git(["show", "\(commit):\(directory.isEmpty ? name : directory + "/" + name)"])
                    if nested.succeeded { included += nested.output.split(separator: "\n").map(String.init).filter { !excluded($0) } }
                } else if !excluded(line) {
                    own.append(line)
                }
            }
            return (included + [own.joined(separator: "\n")]).joined(separator: "\n")
        }
        throw GradeError(
            "\(instance.instanceID): no requirements file at \(paths.isEmpty ? "(the specs name no requirements_paths)" : paths.joined(separator: ", ")) in \(instance.repo) at \(commit)")
    }

    /// A conda environment file (`"packages": "environment.yml"`), read at the environment's
    /// commit from the repository's `environment_paths` and turned into pip requirements, best
    /// effort (`CondaEnvironment`); what has no PyPI package is named in one line of the log and
    /// in the requirements file the layer keeps.
    func condaRequirements(_ instance: RepoInstance, source: GitRepository, log: (String) -> Void) throws(GradeError) -> String {
        let commit = instance.environmentSetupCommit ?? instance.baseCommit
        let paths = specs.repositories[instance.specName]?.environmentPaths ?? ["environment.yml", "ci/requirements/environment.yml"]
        for path in paths {
            let shown = try source.git(["show", "\(commit):\(path)"])
            guard shown.succeeded else { continue }
            let environment = CondaEnvironment(yaml: shown.output)
            var lines = ["# from the conda environment \(path) at \(commit), as pip requirements (Proctor, best effort)"]
            if !environment.leftOut.isEmpty {
                log("  conda \(path): left out \(environment.leftOut.joined(separator: "; "))")
                lines += environment.leftOut.map { "# left out: \($0)" }
            }
            return (lines + environment.requirements).joined(separator: "\n")
        }
        throw GradeError(
            "\(instance.instanceID): no conda environment file at \(paths.joined(separator: ", ")) in \(instance.repo) at \(commit)")
    }

    func buildEnvironment(
        _ instance: RepoInstance, spec: SWESpecs.Version, interpreter: String, requirements: String, log: (String) -> Void
    ) throws(GradeError) -> String {
        let version = try Self.interpreterVersion(interpreter)
        let lock = locks.flatMap { directory in
            FileManager.default.contents(atPath: directory + "/" + Self.lockName(repository: instance.specName, version: instance.version ?? ""))
        }.map { String(decoding: $0, as: UTF8.self) }
        var parts = ["env-2", interpreter, version, requirements, (spec.pipPackages ?? []).joined(separator: "\n")]
        if let lock { parts.append("lock\u{0}" + lock) }
        let key = Self.key(parts)
        let name = instance.specName.replacingOccurrences(of: "/", with: "__") + "-" + (instance.version ?? "") + "-" + key.prefix(16)
        let directory = root + "/envs/" + name
        try withLayer(directory, log: log) { () throws(GradeError) in
            log("environment \(name): \(version) at \(interpreter)")
            try Self.step([interpreter, "-m", "venv", directory + "/venv"], in: directory, environment: [:], log: directory + "/build.log")
            let python = directory + "/venv/bin/python"
            var pip = [python, "-m", "pip", "install", "--disable-pip-version-check", "--no-input"]
            if let lock {
                log("  locked: \(lock.split(separator: "\n").count) pins from --locks")
                try Self.write(lock, to: directory + "/constraints.txt")
                pip += ["-c", directory + "/constraints.txt"]
            }
            if !requirements.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                try Self.write(requirements, to: directory + "/requirements.txt")
                try Self.step(pip + ["-r", directory + "/requirements.txt"], in: directory, environment: [:], log: directory + "/build.log")
            }
            if let packages = spec.pipPackages, !packages.isEmpty {
                try Self.step(pip + packages, in: directory, environment: [:], log: directory + "/build.log")
            }
            let frozen = try Self.step([python, "-m", "pip", "freeze", "--all"], in: directory, environment: [:], log: nil)
            let record: [String: JSONValue] = [
                "repository": .string(instance.specName), "version": .string(instance.version ?? ""), "python": .string(version),
                "interpreter": .string(interpreter), "key": .string(key), "packages": .array(frozen.split(separator: "\n").map { .string(String($0)) }),
            ]
            try Self.write(JSONValue.object(record).compactText + "\n", to: directory + "/layer.json")
        }
        return directory
    }

    // MARK: instance layer

    func buildInstance(
        _ instance: RepoInstance, spec: SWESpecs.Version, environment: String, interpreter: String, source: GitRepository,
        log: (String) -> Void
    ) throws(GradeError) -> String {
        let key = Self.key([
            "instance-3", environment, instance.baseCommit, (spec.preInstall ?? []).joined(separator: "\n"), spec.install ?? "",
        ])
        let name = RepoGradeRun.directoryName(instance.instanceID) + "-" + key.prefix(16)
        let directory = root + "/instances/" + name
        try withLayer(directory, log: log) { () throws(GradeError) in
            log("instance \(name): \(instance.repo) at \(instance.baseCommit)")
            let buildLog = directory + "/build.log"
            let repo = directory + "/repo"
            // A clone that borrows the source's objects; the layer's own .git is never what the
            // sandbox applies patches with (the runner uses an empty git directory of its own).
            try Self.step(
                ["/usr/bin/git"] + GitRepository.overrides
                    + ["-c", "protocol.file.allow=always", "clone", "-q", "--shared", "--no-checkout", source.gitDirectory, repo],
                in: directory, environment: GitRepository.environment.merging(["GIT_ALLOW_PROTOCOL": "file"]) { $1 }, log: buildLog)
            try Self.step(
                ["/usr/bin/git"] + GitRepository.overrides + ["-C", repo, "checkout", "-q", "--detach", instance.baseCommit],
                in: directory, environment: GitRepository.environment, log: buildLog)
            try Self.verifyCheckout(repo, commit: instance.baseCommit, source: instance.repo, log: buildLog)
            // A thin venv whose site sees the environment's packages: the project's own install
            // lands here, never in the shared environment.
            try Self.step([interpreter, "-m", "venv", "--without-pip", directory + "/venv"], in: directory, environment: [:], log: buildLog)
            let own = try Self.sitePackages(of: directory + "/venv")
            let shared = try Self.sitePackages(of: environment + "/venv")
            try Self.write("\(shared)\n", to: own + "/_proctor_environment.pth")
            try Self.writeLayersHook(userBase: directory + "/userbase", sites: [own, shared])
            try Self.linkScripts(from: environment + "/venv/bin", to: directory + "/venv/bin")
            let variables = [
                "PATH": "\(directory)/venv/bin:\(environment)/venv/bin:/usr/bin:/bin", "VIRTUAL_ENV": directory + "/venv",
                "HOME": directory, "LANG": "C.UTF-8", "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INPUT": "1",
            ]
            for command in (spec.preInstall ?? []) + (spec.install.map { [$0] } ?? []) {
                if Self.isSystemStep(command) {
                    log("  skipped (changes the machine, not the layer; install what it needs from Debian): \(command)")
                    try Self.append("# skipped system step: \(command)\n", to: buildLog)
                    continue
                }
                log("  \(command)")
                try Self.step(["/bin/bash", "-c", command], in: repo, environment: variables, log: buildLog)
            }
            // The run's uid writes the tree through its overlay: copied-up files keep these modes.
            try Self.step(["/bin/chmod", "-R", "a+rwX", repo], in: directory, environment: [:], log: buildLog)
        }
        return directory
    }

    /// A checkout git could not complete exits 0 when objects are missing (a partial or damaged
    /// clone: it warns and leaves the files out), and the tests would later fail for want of
    /// them, or try to download them. Every tracked file must be in the tree as committed.
    static func verifyCheckout(_ repo: String, commit: String, source: String, log: String) throws(GradeError) {
        let status = try step(
            ["/usr/bin/git"] + GitRepository.overrides + ["-C", repo, "status", "--porcelain", "--untracked-files=no", "--no-renames"],
            in: repo, environment: GitRepository.environment, log: log)
        let missing = status.split(separator: "\n").map { String($0.dropFirst(3)) }.filter { !$0.isEmpty }
        guard missing.isEmpty else {
            throw GradeError(
                "incomplete checkout of \(source) at \(commit): \(missing.count) tracked file(s) missing or different (first: \(missing[0])); the repository lacks their objects (a partial, shallow or damaged clone: fetch it whole)")
        }
    }

    /// Steps that install into the machine (apt-get, locale generation): not part of a layer.
    static func isSystemStep(_ command: String) -> Bool {
        let words = command.split(whereSeparator: { $0 == " " || $0 == ";" || $0 == "&" }).map(String.init)
        return words.contains { ["apt-get", "apt", "locale-gen", "dpkg", "sudo", "conda"].contains($0) }
            || command.contains("/etc/")
    }

    /// Console scripts of the environment (pytest, django-admin, …) made again for the thin venv,
    /// so that they run its interpreter and see the project's own install.
    static func linkScripts(from source: String, to target: String) throws(GradeError) {
        let sourcePython = source + "/python"
        for name in (try? FileManager.default.contentsOfDirectory(atPath: source)) ?? [] {
            let from = source + "/" + name
            let to = target + "/" + name
            guard !FileManager.default.fileExists(atPath: to), let data = FileManager.default.contents(atPath: from),
                let text = String(data: data, encoding: .utf8), text.hasPrefix("#!")
            else { continue }
            let firstLine = text.prefix { $0 != "\n" }
            guard firstLine.contains(sourcePython) else { continue }
            let rewritten = "#!" + target + "/python" + text.dropFirst(firstLine.count)
            guard FileManager.default.createFile(atPath: to, contents: Data(rewritten.utf8), attributes: [.posixPermissions: 0o755]) else {
                throw GradeError("\(to): cannot write")
            }
        }
    }

    /// A venv is found only through the `pyvenv.cfg` beside the path Python was started as: a
    /// symlink to the venv's python made elsewhere (tox's `--current-env` makes
    /// `.tox/py39/bin/python`) starts the bare interpreter, which sees neither layer. Such an
    /// interpreter does read the user site of PYTHONUSERBASE (a venv does not), so the layer
    /// gets a user site of its own whose only content is this hook: it adds the layers'
    /// site-packages (their .pth files too) ahead of the interpreter's own, as the venv has them.
    /// The user site's path names the Python version, so another version is left alone.
    static func writeLayersHook(userBase: String, sites: [String]) throws(GradeError) {
        let version = ((sites.first ?? "") as NSString).deletingLastPathComponent
        let site = userBase + "/lib/" + (version as NSString).lastPathComponent + "/site-packages"
        do {
            try FileManager.default.createDirectory(atPath: site, withIntermediateDirectories: true)
        } catch {
            throw GradeError("\(site): cannot create (\(error.localizedDescription))")
        }
        let quoted = sites.map { "'" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'" }
        let hook = """
            # Written by Proctor with this layer (SWEEnvironmentStore.writeLayersHook): Python reads
            # this user site only when it did not find the instance's venv.
            import os
            import site
            import sys

            before = list(sys.path)
            for entry in (\(quoted.joined(separator: ", ")),):
                if entry not in sys.path and os.path.isdir(entry):
                    site.addsitedir(entry)
            added = [entry for entry in sys.path if entry not in before]
            first = next((index for index, entry in enumerate(before)
                          if entry.rstrip("/").endswith(("site-packages", "dist-packages"))), len(before))
            sys.path[:] = before[:first] + added + before[first:]

            """
        try write(hook, to: site + "/_proctor_layers.py")
        try write("import _proctor_layers\n", to: site + "/_proctor_layers.pth")
    }

    static func sitePackages(of venv: String) throws(GradeError) -> String {
        let lib = venv + "/lib"
        guard let version = ((try? FileManager.default.contentsOfDirectory(atPath: lib)) ?? []).filter({ $0.hasPrefix("python") }).sorted().last
        else { throw GradeError("\(venv): no lib/python*/") }
        return lib + "/" + version + "/site-packages"
    }

    // MARK: building blocks

    /// Layers whose digest this process has checked (once each: a layer is read-only to runs).
    private static let verified = Mutex<Set<String>>([])

    /// Builds `directory` with `body` unless it is complete; one builder at a time. A complete
    /// layer's `.complete` holds the digest of its files when it was built (`treeDigest`): it is
    /// checked before the layer is first used, so a layer changed since (its repository is
    /// world-writable on the host, for the runs' overlay) is refused, not graded with.
    private func withLayer(_ directory: String, log: (String) -> Void, _ body: () throws(GradeError) -> Void) throws(GradeError) {
        let complete = directory + "/.complete"
        if FileManager.default.fileExists(atPath: complete) { return try Self.verify(directory) }
        let parent = (directory as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        } catch {
            throw GradeError("\(parent): cannot create (\(error.localizedDescription))")
        }
        let lock = open(directory + ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard lock >= 0 else { throw GradeError("\(directory).lock: cannot open (errno \(errno))") }
        defer { close(lock) }
        while flock(lock, LOCK_EX) != 0 {
            guard errno == EINTR else { throw GradeError("\(directory).lock: cannot lock (errno \(errno))") }
        }
        if FileManager.default.fileExists(atPath: complete) { return try Self.verify(directory) }  // another builder finished it
        try? FileManager.default.removeItem(atPath: directory)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        } catch {
            throw GradeError("\(directory): cannot create (\(error.localizedDescription))")
        }
        do {
            try body()
        } catch {
            log("  failed: \(error.message) (log: \(directory)/build.log)")
            throw GradeError("\(error.message) (build log: \(directory)/build.log)")
        }
        let digest = Self.treeDigest(directory)
        guard FileManager.default.createFile(atPath: complete, contents: Data("tree-sha256 \(digest)\n".utf8)) else {
            throw GradeError("\(complete): cannot write")
        }
        Self.verified.withLock { _ = $0.insert(directory) }
    }

    /// Checks the layer's digest, once per process unless `cached` is false.
    static func verify(_ directory: String, cached: Bool = true) throws(GradeError) {
        if cached, verified.withLock({ $0.contains(directory) }) { return }
        let recorded = (try? String(contentsOfFile: directory + "/.complete", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let digest = treeDigest(directory)
        guard recorded == "tree-sha256 \(digest)" else {
            throw GradeError(
                "layer \(directory) changed since it was built (its files no longer match the digest in its .complete): remove it and it is built again")
        }
        verified.withLock { _ = $0.insert(directory) }
    }

    /// A digest of a layer's tree: every path (sorted, symlinks not followed) with its type, mode
    /// and content or target. Bytecode caches are left out (a host build that imports from a
    /// layer may add them), and so is `.complete` itself.
    static func treeDigest(_ directory: String) -> String {
        var hasher = SHA256()
        func add(_ text: String) { hasher.update(data: Array(text.utf8) + [0]) }
        func walk(_ relative: String) {
            let path = relative.isEmpty ? directory : directory + "/" + relative
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return }
            for name in names.sorted() where name != "__pycache__" && !name.hasSuffix(".pyc") && !(relative.isEmpty && name == ".complete") {
                let child = relative.isEmpty ? name : relative + "/" + name
                var info = stat()
                guard lstat(directory + "/" + child, &info) == 0 else { continue }
                let mode = String(info.st_mode & 0o7777, radix: 8)
                switch info.st_mode & S_IFMT {
                case S_IFDIR:
                    add("d \(child) \(mode)")
                    walk(child)
                case S_IFLNK:
                    add("l \(child) " + ((try? FileManager.default.destinationOfSymbolicLink(atPath: directory + "/" + child)) ?? ""))
                case S_IFREG:
                    add("f \(child) \(mode) \(info.st_size)")
                    if let handle = FileHandle(forReadingAtPath: directory + "/" + child) {
                        while let chunk = try? handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
                        try? handle.close()
                    }
                default:
                    add("o \(child)")
                }
            }
        }
        walk("")
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// The line of `output` that names the first real error — the cause, not its consequences
    /// (an `AttributeError: … 'Mapping'` comes before the `No module named 'urllib3'` it leads to):
    /// pytest's INTERNALERROR exception, else the exception of the first traceback (chained ones
    /// follow it), else pytest's first `E   …Error:` line or `ERROR path - …Error: …` summary,
    /// else pip's first `ERROR: …`, else the first line that names an exception. nil: none.
    public static func causeLine(in output: String) -> String? {
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .init(charactersIn: "\r")) }
        let exception = #"^[A-Za-z_][A-Za-z0-9_.]*(Error|Exception|Exit|Interrupt|Warning)\b(:.*)?$"#
        func names(_ line: String) -> Bool { line.range(of: exception, options: .regularExpression) != nil }
        let internalError = lines.filter { $0.hasPrefix("INTERNALERROR> ") }.map { String($0.dropFirst("INTERNALERROR> ".count)) }
        if let line = internalError.last(where: names) { return "INTERNALERROR> " + line }
        if let start = lines.firstIndex(where: { $0.hasPrefix("Traceback (most recent call last):") }),
            let line = lines[(start + 1)...].first(where: { !$0.isEmpty && !$0.hasPrefix(" ") && !$0.hasPrefix("\t") })
        {
            return line.trimmingCharacters(in: .whitespaces)
        }
        for line in lines {
            let text = line.trimmingCharacters(in: .whitespaces)
            if text.hasPrefix("E "), names(text.dropFirst(1).trimmingCharacters(in: .whitespaces)) { return text }
            if text.hasPrefix("ERROR "), let dash = text.range(of: " - "), names(String(text[dash.upperBound...])) { return text }
        }
        if let pip = lines.first(where: { $0.hasPrefix("ERROR: ") }) { return pip }
        return lines.map { $0.trimmingCharacters(in: .whitespaces) }.first(where: names)
    }

    static func write(_ text: String, to path: String) throws(GradeError) {
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) else { throw GradeError("\(path): cannot write") }
    }

    static func key(_ parts: [String]) -> String { Digest.sha256(parts.joined(separator: "\u{0}")) }

    static func interpreterVersion(_ interpreter: String) throws(GradeError) -> String {
        let output = try step([interpreter, "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"], in: "/", environment: [:], log: nil)
        return output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func append(_ text: String, to path: String) throws(GradeError) {
        guard let handle = FileHandle(forWritingAtPath: path) ?? {
            _ = FileManager.default.createFile(atPath: path, contents: nil)
            return FileHandle(forWritingAtPath: path)
        }() else { throw GradeError("\(path): cannot write") }
        handle.seekToEndOfFile()
        handle.write(Data(text.utf8))
        try? handle.close()
    }

    /// Runs a build step on the host; its output goes to `log` (and is returned). Fails with the
    /// last lines of the output.
    @discardableResult
    static func step(_ arguments: [String], in directory: String, environment: [String: String], log: String?) throws(GradeError) -> String {
        var variables = environment
        if variables["PATH"] == nil { variables["PATH"] = "/usr/bin:/bin" }
        if variables["LANG"] == nil { variables["LANG"] = "C.UTF-8" }
        let result = try GitRepository.run(arguments[0], Array(arguments.dropFirst()), in: directory, environment: variables)
        let output = result.output
        if let log { try append("$ \(arguments.joined(separator: " "))\n\(output)", to: log) }
        guard result.succeeded else {
            // The line that names the cause (an ImportError deep in pip's output), else the tail.
            let tail = causeLine(in: output) ?? output.split(separator: "\n").suffix(3).joined(separator: " | ")
            let shown = ([arguments[0]] + arguments.dropFirst().filter { !$0.hasPrefix("-c") && !$0.contains("=") }.prefix(6)).joined(separator: " ")
            throw GradeError("\(shown) failed (status \(result.status)): \(tail)")
        }
        return output
    }
}
