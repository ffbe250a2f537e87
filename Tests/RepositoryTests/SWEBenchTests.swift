import Foundation
import Results
import Sandbox
import Testing

import Grader
@testable import Repository

/// SWE-bench's way end to end, on fixture repositories our scripts build (Fixtures/swe): a pytest
/// suite whose parametrized ids contain spaces, a Django-style runner and a sympy-style runner,
/// each with environment and instance layers built from a small spec (two pinned packages from
/// the package index for the pytest one), the real sandbox, and the verdict from the log.
@Suite(.serialized, .enabled(if: geteuid() == 0, "in-place overlays need a mount namespace (run the tests as root)"))
struct SWEBenchTests {
    static let fixtures = Checkout.root + "/Fixtures/swe"
    /// One cache for the suite's tests: the layers are built once and reused.
    static let cache = "/tmp/proctor-grader-tests/swe-cache-\(getpid())"

    static func repositories() throws -> String {
        let directory = Checkout.outDirectory("swe-repos")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Checkout.root + "/scripts/build-swe-fixtures")
        process.arguments = [directory]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return directory
    }

    static func store() throws -> SWEEnvironmentStore {
        // The fixtures name Python 3.11; whatever Debian's python3 is, it stands in for it here.
        SWEEnvironmentStore(
            root: cache, interpreters: ["3.11": "/usr/bin/python3"], specs: try SWESpecs.read(path: fixtures + "/specs.json"))
    }

    static func options(repos: String, out: String, predictions: String = "gold") throws -> RepoGradeOptions {
        let store = try store()
        let profile = try SandboxProfile.load(named: "swe", sandboxesDirectory: Checkout.root + "/Sandboxes").withReadablePaths(store.readablePaths)
        var limits = profile.definition.limits
        limits.wall = TimeSpan(seconds: 120)
        limits.cpu = limits.wall
        var options = RepoGradeOptions(
            instancesPath: fixtures + "/instances.jsonl", predictionsPath: predictions, outDirectory: out, profile: profile, limits: limits,
            sandboxesDirectory: Checkout.root + "/Sandboxes")
        options.reposDirectory = repos
        options.swe = store
        return options
    }

    @Test func goldIsFullAndAnEmptyPatchIsNoForEachRunner() throws {
        let repos = try Self.repositories()
        let out = Checkout.outDirectory("swe-validate")
        let rows = try SWEValidation.run(try Self.options(repos: repos, out: out))
        #expect(rows.count == 3)
        for row in rows {
            #expect(row.reproducible, "\(row.instanceID): \(row.reason ?? "")")
            #expect(row.gold == "FULL" && row.empty == "NO")
        }
        // The pytest instance: its ids were cut at the space, as SWE-bench's lists are, and matched.
        let pytest = try RepoGradeRun.report(in: out + "/gold/proctor-fixtures__paramkit-1")
        #expect(pytest.failToPass.success == ["tests/test_words.py::test_count[double"])
        #expect(pytest.logParser == "pytest" && pytest.testExitCode == 0 && pytest.profilePath?.hasSuffix("swe.json") == true)
        // The data file the test patch adds is not a test directive.
        #expect(pytest.testCommand?.hasSuffix("'tests/test_words.py'") == true)
        // Django-style: module labels, a docstring as a test's name.
        let django = try RepoGradeRun.report(in: out + "/gold/proctor-fixtures__djangoish-1")
        #expect(django.testCommand?.hasSuffix("'pricing_tests.tests'") == true)
        #expect(django.failToPass.success.contains("Percent discounts apply to the sum."))
        let empty = try RepoGradeRun.report(in: out + "/empty/proctor-fixtures__sympyish-1")
        #expect(empty.failToPass.failure == ["test_binomial"] && empty.passToPass.success == ["test_constant"])
        // The whole log is kept.
        let log = try String(contentsOfFile: out + "/empty/proctor-fixtures__djangoish-1/test_output.txt", encoding: .utf8)
        #expect(log.contains("FAIL: test_full_discount") && log.contains(">>>>> End Test Output"))
    }

    /// tox's `--current-env` runs the tests through `.tox/py/bin/python`, a symlink to
    /// `sys.executable`: CPython started through it finds no `pyvenv.cfg` and, on its own, neither
    /// layer. The instance's tests (Fixtures/swe/instances-interpreters.jsonl, spec 0.2) run that
    /// way and check, from inside, that a subprocess of `sys.executable`, a fresh symlink to it, a
    /// script's shebang and `python -m` all see the project's install and the pinned pytest — and
    /// (tests/test_world.py) that they are shown the spec's two CPUs.
    @Test func theLayersAreSeenHoweverPythonIsStarted() throws {
        let repos = try Self.repositories()
        let out = Checkout.outDirectory("swe-interpreters")
        var options = try Self.options(repos: repos, out: out)
        options.instancesPath = Self.fixtures + "/instances-interpreters.jsonl"
        let rows = try SWEValidation.run(options)
        #expect(rows.count == 1)
        let row = try #require(rows.first)
        let report = try RepoGradeRun.report(in: out + "/gold/proctor-fixtures__paramkit-2")
        #expect(row.gold == "FULL" && row.empty == "NO", "\(row.reason ?? "") — \(report.passToPass.failure)")
        #expect(report.passToPass.success.count == 10, "\(report.passToPass)")
        // Spec 0.2 gives the container two CPUs (nano_cpus): the tests checked the cgroup files
        // and the affinity they were shown; the report says so.
        #expect(report.cpus == 2)
        // One of those tests runs `python -m pytest`: the suite's own doing, not marked.
        #expect(report.suspicious.isEmpty, "\(report.suspicious)")
    }

    /// The same subprocess started from a line the model's patch added is marked (and under
    /// --strict unresolved): what only a patch could add, not a project's own pytest re-runs.
    @Test func aPytestRerunFromThePatchIsMarked() throws {
        let repos = try Self.repositories()
        let out = Checkout.outDirectory("swe-rerun")
        let predictions = try Checkout.file("rerun.jsonl", [#"{"instance_id": "proctor-fixtures__paramkit-2", "model_name_or_path": "rerun", "model_patch": "diff --git a/paramkit/__init__.py b/paramkit/__init__.py\nindex fb40510..a7ddd88 100644\n--- a/paramkit/__init__.py\n+++ b/paramkit/__init__.py\n@@ -2,4 +2,10 @@\n \n \n def count_words(text):\n-    return len(text.split(\" \"))\n+    return len(text.split())\n+\n+\n+import subprocess as _subprocess\n+import sys as _sys\n+\n+_subprocess.run([_sys.executable, \"-m\", \"pytest\", \"--version\"], capture_output=True)\n"}"#])
        var options = try Self.options(repos: repos, out: out, predictions: predictions)
        options.instancesPath = Self.fixtures + "/instances-interpreters.jsonl"
        options.strict = true
        try Checkout.run(options)
        let report = try RepoGradeRun.report(in: out + "/proctor-fixtures__paramkit-2")
        #expect(report.suspicious.contains { $0.contains("reruns_pytest") }, "\(report.suspicious)")
        #expect(report.resolution == "NO" && report.failToPass.success == ["tests/test_words.py::test_count[double"])
    }

    /// `--python 3.11=/elsewhere/bin/python3.11`: an interpreter outside /usr (here a copy of
    /// Debian's, which finds its standard library by its built-in prefix, as an unpacked
    /// python-build-standalone archive finds its own). The sandbox is given its installation to
    /// read and the instance grades; a profile without it is told so before any test runs.
    @Test func anInterpreterOutsideUsrIsReadableInsideTheRuns() throws {
        let home = "/tmp/proctor-second-python-\(getpid())"
        try? FileManager.default.removeItem(atPath: home)
        try FileManager.default.createDirectory(atPath: home + "/bin", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        defer { try? FileManager.default.removeItem(atPath: home) }
        let interpreter = home + "/bin/python3.11"
        try FileManager.default.copyItem(atPath: URL(fileURLWithPath: "/usr/bin/python3").resolvingSymlinksInPath().path, toPath: interpreter)
        let base = try Self.store()
        let store = SWEEnvironmentStore(root: base.root, interpreters: ["3.11": interpreter], specs: base.specs)
        #expect(store.readablePaths == [base.root, home])

        let repos = try Self.repositories()
        let out = Checkout.outDirectory("swe-second-python")
        var options = try Self.options(repos: repos, out: out)
        options.swe = store
        options.profile = try SandboxProfile.load(named: "swe", sandboxesDirectory: Checkout.root + "/Sandboxes")
            .withReadablePaths(store.readablePaths)
        options.instanceIDs = ["proctor-fixtures__paramkit-1"]
        let rows = try SWEValidation.run(options)
        #expect(rows.first?.gold == "FULL" && rows.first?.empty == "NO", "\(rows.first?.reason ?? "")")
        let report = try RepoGradeRun.report(in: out + "/gold/proctor-fixtures__paramkit-1")
        #expect(report.interpreter == "3.11=" + interpreter)

        // The same without the installation readable: one clear error, no test run.
        let blind = Checkout.outDirectory("swe-second-python-blind")
        options.outDirectory = blind
        options.profile = try SandboxProfile.load(named: "swe", sandboxesDirectory: Checkout.root + "/Sandboxes")
            .withReadablePaths([store.root])
        options.predictionsPath = "gold"
        try Checkout.run(options)
        let refused = try RepoGradeRun.report(in: blind + "/proctor-fixtures__paramkit-1")
        #expect(refused.error?.contains("does not start inside the sandbox") == true, "\(refused.error ?? "")")
        #expect(refused.error?.contains("--python 3.11=" + interpreter) == true)
    }

    /// A repository missing a blob: git's checkout warns and exits 0, and the layer would be
    /// "complete" without the file. The build fails instead, naming the file and the cause; and a
    /// complete layer changed afterwards is refused before use. (Spec 0.3: no packages, no
    /// install, so nothing comes from the package index.)
    @Test func anIncompleteCheckoutFailsTheLayerAndAChangedLayerIsRefused() throws {
        let repos = try Self.repositories()
        let source = repos + "/proctor-fixtures__paramkit"
        let git = Process()
        git.executableURL = URL(fileURLWithPath: "/usr/bin/git")
        git.arguments = ["-C", source, "rev-parse", "HEAD:paramkit/__init__.py"]
        let pipe = Pipe()
        git.standardOutput = pipe
        try git.run()
        git.waitUntilExit()
        let blob = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let line = try String(contentsOfFile: Self.fixtures + "/instances.jsonl", encoding: .utf8).split(separator: "\n")[0]
        var fields = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
        fields["instance_id"] = "proctor-fixtures__paramkit-3"
        fields["version"] = "0.3"
        let instances = try Checkout.file("instances-3.jsonl", [String(decoding: try JSONSerialization.data(withJSONObject: fields), as: UTF8.self)])
        let store = SWEEnvironmentStore(
            root: Checkout.outDirectory("swe-cache-verify"), interpreters: ["3.11": "/usr/bin/python3"], specs: try Self.store().specs)

        // The whole repository first: the layers build, and are checked when used again.
        let instance = try RepoInstance.read(path: instances)[0].located(against: repos)
        let layers = try store.layers(for: instance)
        #expect(FileManager.default.fileExists(atPath: layers.repository + "/paramkit/__init__.py"))
        #expect(try String(contentsOfFile: layers.instance + "/.complete", encoding: .utf8).hasPrefix("tree-sha256 "))
        // Changed on the host after it was built (its tree is world-writable for the overlay).
        try "def count_words(text):\n    return 2\n".write(toFile: layers.repository + "/paramkit/__init__.py", atomically: false, encoding: .utf8)
        #expect(throws: Never.self) { try store.layers(for: instance) }  // this process checked it already
        do {
            try SWEEnvironmentStore.verify(layers.instance, cached: false)
            Issue.record("a layer changed since it was built was accepted")
        } catch {
            #expect(error.message.contains("changed since it was built"), "\(error.message)")
        }
        try FileManager.default.removeItem(atPath: layers.instance)

        // Now without the blob.
        try FileManager.default.removeItem(atPath: source + "/.git/objects/" + blob.prefix(2) + "/" + blob.dropFirst(2))
        do {
            _ = try store.layers(for: instance)
            Issue.record("a checkout without one of its files made a complete layer")
        } catch {
            #expect(error.message.contains("incomplete checkout") && error.message.contains("paramkit/__init__.py"), "\(error.message)")
        }
        #expect(!FileManager.default.fileExists(atPath: layers.instance + "/.complete"))
    }

    /// Spec 0.4 names `iniconfig` unpinned: built today it gets today's release. `swe env lock`
    /// writes the versions a layer got; given back with --locks they are pip's constraints, so a
    /// later build gets the same (here an old release named in a lock), in a layer of its own.
    @Test func aLockPinsWhatAnUnpinnedLayerGets() throws {
        let repos = try Self.repositories()
        let line = try String(contentsOfFile: Self.fixtures + "/instances.jsonl", encoding: .utf8).split(separator: "\n")[0]
        var fields = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
        fields["instance_id"] = "proctor-fixtures__paramkit-4"
        fields["version"] = "0.4"
        let instances = try Checkout.file("instances-4.jsonl", [String(decoding: try JSONSerialization.data(withJSONObject: fields), as: UTF8.self)])
        let instance = try RepoInstance.read(path: instances)[0].located(against: repos)
        let root = Checkout.outDirectory("swe-cache-locks")
        let specs = try Self.store().specs

        let free = try SWEEnvironmentStore(root: root, interpreters: ["3.11": "/usr/bin/python3"], specs: specs).layers(for: instance)
        let locks = Checkout.outDirectory("swe-locks")
        let written = try SWEEnvironmentStore.writeLocks(root: root, to: locks)
        #expect(written == [locks + "/proctor-fixtures__paramkit-0.4.txt"])
        let lock = try String(contentsOfFile: written[0], encoding: .utf8)
        let layer = try String(contentsOfFile: free.environment + "/layer.json", encoding: .utf8)
        let got = try #require(lock.split(separator: "\n").first { $0.lowercased().hasPrefix("iniconfig==") })
        #expect(layer.contains(String(got)), "the lock holds what the layer got")

        // An earlier build's lock: the old release, in a layer of its own.
        try "iniconfig==1.1.1\n".write(toFile: written[0], atomically: true, encoding: .utf8)
        let locked = try SWEEnvironmentStore(root: root, interpreters: ["3.11": "/usr/bin/python3"], specs: specs, locks: locks).layers(for: instance)
        #expect(locked.environment != free.environment)
        let pinned = try String(contentsOfFile: locked.environment + "/layer.json", encoding: .utf8)
        #expect(pinned.contains("iniconfig==1.1.1"), "\(pinned)")
    }

    /// A prediction that changes the build (here: adds a setup.py): SWE-bench's eval script runs the
    /// install step again after the patch, and so does Proctor's, then the tests as usual.
    @Test func aPatchThatChangesTheBuildRunsTheInstallAgain() throws {
        let repos = try Self.repositories()
        let out = Checkout.outDirectory("swe-reinstall")
        let predictions = try Checkout.file("build.jsonl", [#"{"instance_id": "proctor-fixtures__paramkit-1", "model_name_or_path": "build", "model_patch": "diff --git a/paramkit/__init__.py b/paramkit/__init__.py\nindex fb40510..9e0455f 100644\n--- a/paramkit/__init__.py\n+++ b/paramkit/__init__.py\n@@ -2,4 +2,4 @@\n \n \n def count_words(text):\n-    return len(text.split(\" \"))\n+    return len(text.split())\ndiff --git a/setup.py b/setup.py\nnew file mode 100644\nindex 0000000..6068493\n--- /dev/null\n+++ b/setup.py\n@@ -0,0 +1,3 @@\n+from setuptools import setup\n+\n+setup()\n"}"#])
        var options = try Self.options(repos: repos, out: out, predictions: predictions)
        options.instanceIDs = ["proctor-fixtures__paramkit-1"]
        try Checkout.run(options)
        let report = try RepoGradeRun.report(in: out + "/proctor-fixtures__paramkit-1")
        #expect(report.reinstalled == true && report.resolution == "FULL", "\(report.error ?? "")")
        let script = try String(contentsOfFile: out + "/proctor-fixtures__paramkit-1/eval.sh", encoding: .utf8)
        #expect(script.contains("python -m pip install --no-build-isolation --no-deps -e ."))
        let log = try String(contentsOfFile: out + "/proctor-fixtures__paramkit-1/test_output.txt", encoding: .utf8)
        #expect(log.contains("+ python -m pip install"), "the install ran inside the run")
    }

    @Test func layersAreBuiltOnceAndReused() throws {
        let repos = try Self.repositories()
        let store = try Self.store()
        let instance = try RepoInstance.read(path: Self.fixtures + "/instances.jsonl")[0].located(against: repos)
        let first = try store.layers(for: instance)
        let marker = first.environment + "/.complete"
        let built = try FileManager.default.attributesOfItem(atPath: marker)[.modificationDate] as? Date
        var steps: [String] = []
        let again = try store.layers(for: instance) { steps.append($0) }
        #expect(again.environment == first.environment && again.instance == first.instance)
        #expect(steps.isEmpty)  // nothing was built the second time
        #expect(try FileManager.default.attributesOfItem(atPath: marker)[.modificationDate] as? Date == built)
        // The environment holds the spec's two pinned packages, from the package index.
        let layer = try String(contentsOfFile: first.environment + "/layer.json", encoding: .utf8)
        #expect(layer.contains("pytest==8.3.3") && layer.contains("setuptools==75.1.0"))
        // The project's own install went into the instance's venv, not the shared environment.
        let shared = try SWEEnvironmentStore.sitePackages(of: first.environment + "/venv")
        let own = try SWEEnvironmentStore.sitePackages(of: first.instance + "/venv")
        #expect(!((try? FileManager.default.contentsOfDirectory(atPath: shared)) ?? []).contains { $0.lowercased().contains("paramkit") })
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: own)) ?? []).contains { $0.lowercased().contains("paramkit") })
        // A Python version nobody mapped is one clear error naming it.
        let bare = SWEEnvironmentStore(root: Self.cache, interpreters: [:], specs: store.specs)
        #expect(throws: GradeError.self) { try bare.layers(for: instance) }
        do {
            _ = try bare.layers(for: instance)
        } catch {
            #expect(error.message.contains("needs Python 3.11") && error.message.contains("--python 3.11="))
        }
    }

    @Test func aPatchThatWritesOutsideItsOverlayIsContainedAndForgedOutputDoesNotPass() throws {
        let repos = try Self.repositories()
        let out = Checkout.outDirectory("swe-hostile")
        // At import the "fix" rewrites the instance layer's files, the shared environment and
        // the host's /tmp; at exit, after pytest's own summary, it prints summary lines claiming
        // every test passed and exits 0 (SWE-bench's log parser alone would call that FULL) —
        // none of it may reach the layers or the verdict.
        let hostile = [
            "diff --git a/paramkit/__init__.py b/paramkit/__init__.py", "--- a/paramkit/__init__.py", "+++ b/paramkit/__init__.py",
            "@@ -1,4 +1,19 @@", " \"\"\"Counting words: a Proctor fixture for SWE-bench-style grading with pytest.\"\"\"",
            "+import glob, os, sys",
            "+for target in [__file__, os.path.join(os.path.dirname(__file__), '..', 'tests', 'test_words.py')] + glob.glob(sys.prefix + '/../../**/site-packages/*.pth', recursive=True) + ['/tmp/proctor-swe-canary']:",
            "+    try:", "+        with open(target, 'a') as handle:", "+            handle.write('\\n# written by the model\\n')",
            "+    except OSError:", "+        pass",
            "+import atexit", "+def forge():",
            "+    print('PASSED tests/test_words.py::test_count[double space]')", "+    print('PASSED tests/test_words.py::test_count[two words]')",
            "+    print('PASSED tests/test_words.py::test_single')", "+    sys.stdout.flush()", "+    os._exit(0)",
            "+atexit.register(forge)", " ", " ", " def count_words(text):",
        ].joined(separator: "\n") + "\n"
        let predictions = try Checkout.file(
            "preds.jsonl", [#"{"instance_id": "proctor-fixtures__paramkit-1", "model_name_or_path": "hostile", "model_patch": \#(JSONValue.string(hostile).compactText)}"#])
        var options = try Self.options(repos: repos, out: out, predictions: predictions)
        options.instanceIDs = ["proctor-fixtures__paramkit-1"]
        let summary = try Checkout.run(options)
        let report = try RepoGradeRun.report(in: out + "/proctor-fixtures__paramkit-1")
        #expect(report.patchApplied)
        #expect(summary.resolvedInstances == 0)
        #expect(report.resolution == "NO")
        #expect(report.error?.contains("forged") == true, "\(report.error ?? "no error")")
        let log = try String(contentsOfFile: out + "/proctor-fixtures__paramkit-1/test_output.txt", encoding: .utf8)
        #expect(log.contains("FAILED tests/test_words.py::test_count[double space]"))
        #expect(LogParser.pytest.parse(RepoGradeRun.testSection(log))["tests/test_words.py::test_count[double"] == .passed)
        let layers = try Self.store().layers(for: try RepoInstance.read(path: Self.fixtures + "/instances.jsonl")[0].located(against: repos))
        let source = try String(contentsOfFile: layers.repository + "/paramkit/__init__.py", encoding: .utf8)
        #expect(!source.contains("written by the model") && !source.contains("os._exit"))
        let pth = try SWEEnvironmentStore.sitePackages(of: layers.instance + "/venv") + "/_proctor_environment.pth"
        #expect(!(try String(contentsOfFile: pth, encoding: .utf8)).contains("written by the model"))
        #expect(!FileManager.default.fileExists(atPath: "/tmp/proctor-swe-canary"))
    }

    /// A Django-style suite is watched like a pytest one: unittest's own decisions stream out of
    /// the test process under the names the log uses, so forged `... ok` lines do not pass, and
    /// patching unittest's result classes is marked (and unresolved under --strict).
    @Test func aUnittestSuiteIsWatchedForgedLinesAndPatchedResultsDoNotPass() throws {
        let repos = try Self.repositories()
        func grade(_ name: String, _ added: [String], strict: Bool = false) throws -> (RepoGradeRun.InstanceReport, String) {
            let out = Checkout.outDirectory("swe-unittest-" + name)
            let patch = [
                "diff --git a/shop/pricing.py b/shop/pricing.py", "--- a/shop/pricing.py", "+++ b/shop/pricing.py",
                "@@ -1,4 +1,\(4 + added.count) @@", " \"\"\"Prices: a Proctor fixture whose tests run under a Django-style verbose runner.\"\"\"",
            ] + added.map { "+" + $0 } + [" ", " ", " def total(prices, discount=0):"]
            let text = patch.joined(separator: "\n") + "\n"
            let predictions = try Checkout.file(
                "preds-\(name).jsonl",
                [#"{"instance_id": "proctor-fixtures__djangoish-1", "model_name_or_path": "hostile", "model_patch": \#(JSONValue.string(text).compactText)}"#])
            var options = try Self.options(repos: repos, out: out, predictions: predictions)
            options.instanceIDs = ["proctor-fixtures__djangoish-1"]
            options.strict = strict
            try Checkout.run(options)
            return (try RepoGradeRun.report(in: out + "/proctor-fixtures__djangoish-1"), out + "/proctor-fixtures__djangoish-1")
        }
        // At exit, after unittest's own report, lines claiming the failing tests passed (SWE-bench's
        // Django parser alone would read them as passes).
        let (forged, forgedDirectory) = try grade("forged-lines", [
            "import sys as _sys, weakref as _weakref", "class _Keeper:", "    pass", "_keeper = _Keeper()",
            "def _claim():",
            "    _sys.stderr.write('test_discount (pricing_tests.tests.TotalTests.test_discount)\\nPercent discounts apply to the sum. ... ok\\n')",
            "    _sys.stderr.write('test_full_discount (pricing_tests.tests.TotalTests.test_full_discount) ... ok\\n')",
            "    _sys.stderr.flush()",
            "_weakref.finalize(_keeper, _claim)",
        ])
        #expect(forged.resolution == "NO")
        #expect(forged.error?.contains("forged") == true, "\(forged.error ?? "no error")")
        let log = try String(contentsOfFile: forgedDirectory + "/test_output.txt", encoding: .utf8)
        #expect(LogParser.django.parse(RepoGradeRun.testSection(log))["test_full_discount (pricing_tests.tests.TotalTests.test_full_discount)"] == .passed)
        // unittest's verbose result class patched (found by computed names) so a failure is
        // recorded as a success: marked, and unresolved under --strict.
        let patched = [
            "import importlib as _importlib", "_runner = _importlib.import_module('unit' + 'test.runner')",
            "_result = getattr(_runner, 'TextTest' + 'Result')", "setattr(_result, 'addFailure', lambda self, test, err: self.addSuccess(test))",
        ]
        let (marked, _) = try grade("patched-result", patched, strict: true)
        #expect(marked.resolution == "NO")
        #expect(marked.suspicious.contains { $0.hasPrefix("audit: patches_test_machinery: unittest.runner.TextTestResult.addFailure was rebound") }, "\(marked.suspicious)")
    }
}

