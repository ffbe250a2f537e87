import Foundation
import Testing

import Grader
@testable import Repository

/// SWE-bench's log parsers, reproduced: logs written in the formats the official harness's logs
/// have (pytest `-rA` summaries, Django's verbose runner with its quirks, sympy's runner), each
/// with the statuses SWE-bench's parser gives them.
@Suite struct LogParserTests {
    @Test func pytestSummaryLinesCutIdsAtTheFirstSpaceAndLaterLinesWin() {
        let log = """
            ============================= test session starts ==============================
            tests/test_a.py ..F.                                                      [100%]
            =========================== short test summary info ============================
            PASSED tests/test_a.py::test_one
            PASSED tests/test_a.py::test_count[two words]
            FAILED tests/test_a.py::test_two - AssertionError: assert 1 == 2
            XFAIL tests/test_a.py::test_known - reason: not yet
            SKIPPED [1] tests/test_a.py:12: needs a network
            ERROR tests/test_a.py::test_fixture - RuntimeError: boom
            XPASS tests/test_a.py::test_lucky
            PASSED tests/test_a.py::test_two
            """
        let statuses = LogParser.pytest.parse(log)
        #expect(statuses["tests/test_a.py::test_one"] == .passed)
        #expect(statuses["tests/test_a.py::test_count[two"] == .passed)  // cut as SWE-bench's lists are
        #expect(statuses["tests/test_a.py::test_two"] == .passed)  // the later line wins
        #expect(statuses["tests/test_a.py::test_known"] == .xfail)
        #expect(statuses["[1]"] == .skipped)  // SWE-bench's quirk: the word after SKIPPED
        #expect(statuses["tests/test_a.py::test_fixture"] == .error)
        #expect(statuses["tests/test_a.py::test_lucky"] == nil)
    }

    @Test func pytestOptionsCutsAbsolutePathParameters() {
        let log = "PASSED tests/test_x.py::test_load[/tmp/pytest-of-root/data/file.txt]\nFAILED tests/test_x.py::test_glob[/a/*.py] - boom\nPASSED tests/test_x.py::test_url[//host/path]"
        let statuses = LogParser.pytestOptions.parse(log)
        #expect(statuses["tests/test_x.py::test_load[/file.txt]"] == .passed)
        #expect(statuses["tests/test_x.py::test_glob[/a/*.py]"] == .failed)
        #expect(statuses["tests/test_x.py::test_url[//host/path]"] == .passed)
    }

    @Test func pytestV2DropsColourAndReadsTrailingStatuses() {
        let log = "\u{1b}[32mPASSED\u{1b}[0m tests/t.py::test_a\ntests/t.py::test_b FAILED\ntests/t.py::test_c SKIPPED\n\u{1b}[31mFAILED\u{1b}[0m tests/t.py::test_d - oops\nnoise word PASSED"
        let statuses = LogParser.pytestV2.parse(log)
        #expect(
            statuses == [
                "tests/t.py::test_a": .passed, "tests/t.py::test_b": .failed, "tests/t.py::test_c": .skipped, "tests/t.py::test_d": .failed,
                "noise": .unknown,
            ])
        // A test with such a status is in neither list, as in SWE-bench.
        let grading = SWEGrading(statuses: statuses, failToPass: ["noise"], passToPass: ["noise"], exitCode: 1)
        #expect(grading.failToPassSuccess.isEmpty && grading.failToPassFailure.isEmpty && grading.passToPassFailure.isEmpty)
    }

    @Test func djangoVerboseRunnerWithItsQuirks() {
        let log = """
            Creating test database for alias 'default'...
            test_can_delete (admin_inlines.tests.TestInline) ... ok
            test_immutable_content_type (admin_inlines.tests.TestInlineAdminForm)
            Regression for #9362 ... ok
            test_media (admin_widgets.tests.MixinTests) ... test_render_options (admin_widgets.tests.MixinTests) ... ok
            test_add_inlines (admin_inlines.tests.SeleniumTests) ... skipped 'No browsers specified.'
            test_merge (forms_tests.tests.MediaTests) ... FAIL
            test_broken (forms_tests.tests.MediaTests) ... ERROR
            test_noisy (forms_tests.tests.MediaTests) ... printed something
            ok
            test_checks (check_framework.tests.Checks) ... System check identified no issues (0 silenced).
            ok

            ======================================================================
            FAIL: test_media (admin_widgets.tests.MixinTests) (lang='de')
            ----------------------------------------------------------------------
            ERROR: test_setup (forms_tests.tests.OtherTests)
            Ran 9 tests in 0.1s
            """
        let statuses = LogParser.django.parse(log)
        #expect(statuses["test_can_delete (admin_inlines.tests.TestInline)"] == .passed)
        #expect(statuses["Regression for #9362"] == .passed)  // a docstring names the test
        // Two names on one line (a subtest's output): the pair is one "name", neither test alone.
        #expect(statuses["test_media (admin_widgets.tests.MixinTests) ... test_render_options (admin_widgets.tests.MixinTests)"] == .passed)
        #expect(statuses["test_render_options (admin_widgets.tests.MixinTests)"] == nil)
        #expect(statuses["test_media"] == .failed)  // from the FAIL: header's first word
        #expect(statuses["test_add_inlines (admin_inlines.tests.SeleniumTests)"] == .skipped)
        #expect(statuses["test_merge (forms_tests.tests.MediaTests)"] == .failed)
        #expect(statuses["test_broken (forms_tests.tests.MediaTests)"] == .error)
        #expect(statuses["test_noisy (forms_tests.tests.MediaTests)"] == .passed)  // `ok` on the next line
        #expect(statuses["test_checks (check_framework.tests.Checks)"] == .passed)
        #expect(statuses["test_setup"] == .error)
    }

    @Test func sympyRunner() {
        let log = """
            sympy/core/tests/test_basic.py[3] test_a ok
            test_b F
            test_c E
            test_d ok
            ________________ sympy/core/tests/test_basic.py:test_b _________________
            Traceback (most recent call last):
            """
        let statuses = LogParser.sympy.parse(log)
        #expect(statuses["test_b"] == .failed)
        #expect(statuses["test_c"] == .error)
        #expect(statuses["test_d"] == .passed)
        #expect(statuses["test_a"] == nil)  // not at the start of its line
        #expect(statuses["sympy/core/tests/test_basic.py:test_b"] == .failed)
    }

    @Test func seabornAndMatplotlib() {
        let seaborn = LogParser.seaborn.parse("tests/test_a.py::test_x PASSED [ 50%]\nFAILED tests/test_a.py::test_y - boom\nPASSED tests/test_a.py::test_z")
        #expect(seaborn == ["tests/test_a.py::test_x": .passed, "tests/test_a.py::test_y": .failed, "tests/test_a.py::test_z": .passed])
        let matplotlib = LogParser.matplotlib.parse("PASSED lib/test_w.py::test_click[MouseButton.LEFT]")
        #expect(matplotlib == ["lib/test_w.py::test_click[1]": .passed])
    }

    @Test func repositoriesGetSWEBenchsParsers() {
        #expect(LogParser.standard(forRepository: "django/django") == .django)
        #expect(LogParser.standard(forRepository: "sympy/sympy") == .sympy)
        #expect(LogParser.standard(forRepository: "pylint-dev/pylint") == .pytestOptions)
        #expect(LogParser.standard(forRepository: "sphinx-doc/sphinx") == .pytestV2)
        #expect(LogParser.standard(forRepository: "pallets/flask") == .pytest)
    }
}

/// SWE-bench's status rules, 4.1.0's and the later harness's, and the checks that make a log worthless.
@Suite struct SWEGradingTests {
    /// swebench 4.1.0's rules (the default): a skipped test is in neither list, F2P or P2P alike
    /// (an F2P list of skipped tests counts as all passed, as its ratio of an empty list is 1).
    @Test func statusRulesOf41() {
        let statuses: [String: TestStatus] = ["f1": .passed, "f2": .xfail, "f3": .skipped, "p1": .skipped, "p2": .xfail, "p3": .failed]
        let grading = SWEGrading(statuses: statuses, failToPass: ["f1", "f2", "f3", "gone"], passToPass: ["p1", "p2"], exitCode: 1)
        #expect(grading.failToPassSuccess == ["f1", "f2"])
        #expect(grading.failToPassFailure == ["gone"])  // missing fails; skipped is neither
        #expect(grading.passToPassSuccess == ["p2"] && grading.passToPassFailure.isEmpty)  // skipped: neither
        #expect(grading.resolved == .partial)
        #expect(SWEGrading(statuses: statuses, failToPass: ["f1"], passToPass: ["p3"], exitCode: 1).resolved == .no)
        #expect(SWEGrading(statuses: statuses, failToPass: [], passToPass: ["p1"], exitCode: 1).resolved == .full)
        #expect(SWEGrading(statuses: statuses, failToPass: ["f3"], passToPass: ["p2"], exitCode: 0).resolved == .full)
        // Ids are looked up exactly: a cut id matches nothing but itself.
        #expect(SWEGrading(statuses: ["t[a-1]": .passed], failToPass: ["t[a"], passToPass: [], exitCode: 0).resolved == .no)
    }

    /// The later harness's rules (`--swe-rules 5`).
    @Test func statusRulesOf5() {
        let statuses: [String: TestStatus] = ["f1": .passed, "f2": .xfail, "f3": .skipped, "p1": .skipped, "p2": .xfail, "p3": .failed]
        let grading = SWEGrading(
            statuses: statuses, failToPass: ["f1", "f2", "f3", "gone"], passToPass: ["p1", "p2"], exitCode: 0, rules: .swebench5)
        #expect(grading.failToPassSuccess == ["f1", "f2"])
        #expect(grading.failToPassFailure == ["f3", "gone"])  // skipped and missing fail
        #expect(grading.passToPassSuccess == ["p1", "p2"])  // skipped and xfail are maintained
        #expect(grading.resolved == .partial)
        #expect(SWEGrading(statuses: statuses, failToPass: ["f3"], passToPass: [], exitCode: 0, rules: .swebench5).resolved == .no)
        #expect(SWEGrading(statuses: ["t[a-1]": .passed], failToPass: ["t[a"], passToPass: [], exitCode: 0, rules: .swebench5).resolved == .full)
    }

    @Test func aLogWithoutTestsIsNoVerdictAndTheExitStatusCountsOnlyUnder5() {
        for rules in SWEGrading.Rules.allCases {
            let none = SWEGrading(statuses: [:], failToPass: ["a"], passToPass: [], exitCode: 0, rules: rules)
            #expect(none.invalid != nil && none.resolved == .no)
            #expect(SWEGrading(statuses: ["a": .passed], failToPass: ["a"], passToPass: [], exitCode: 0, rules: rules).resolved == .full)
        }
        // The tests printed PASSED lines but the command failed: 4.1.0 reads the log as it is…
        #expect(SWEGrading(statuses: ["a": .passed], failToPass: ["a"], passToPass: [], exitCode: 1).resolved == .full)
        // …the later harness calls it forged output, or a crash after them.
        let forged = SWEGrading(statuses: ["a": .passed], failToPass: ["a"], passToPass: [], exitCode: 1, rules: .swebench5)
        #expect(forged.invalid?.contains("exited with status 1") == true)
    }

    /// pytest's parser keeps the first word as the status as it stands (SWE-bench stores it
    /// verbatim): `ERROR: …` is no status, and a test named by such a line is in neither list.
    @Test func aStatusWordFollowedByMoreIsNoStatus() {
        let statuses = LogParser.pytest.parse("ERROR: Wrong expression passed to '-k'\nPASSED t.py::ok\nFAILED: t.py::odd\n")
        #expect(statuses == ["Wrong": .unknown, "t.py::ok": .passed, "t.py::odd": .unknown])
        let grading = SWEGrading(statuses: statuses, failToPass: ["t.py::ok"], passToPass: ["t.py::odd"], exitCode: 0)
        #expect(grading.resolved == .full && grading.passToPassFailure.isEmpty)
    }

    /// SWE-bench's harness-error markers anywhere in a log (a test may print one) leave it unread.
    @Test func harnessErrorMarkersAreFound() {
        #expect(RepoGradeRun.badMarker(in: "ok\n>>>>> Tests Timed Out\n") == ">>>>> Tests Timed Out")
        #expect(RepoGradeRun.badMarker(in: "tests printed >>>>> Tests Errored here") == ">>>>> Tests Errored")
        #expect(RepoGradeRun.badMarker(in: ">>>>> Start Test Output\nPASSED a\n>>>>> End Test Output") == nil)
    }

    /// Under the 5 rules (4.1.0 looks ids up exactly).
    @Test func anIdCutInsideItsParametersMatchesTheTestsItBegins() {
        let statuses: [String: TestStatus] = ["t.py::test[a-1]": .passed, "t.py::test[a-2]": .failed, "t.py::ok[x-1]": .passed]
        #expect(SWEGrading.status(of: "t.py::test[a", in: statuses) == .failed)
        #expect(SWEGrading.status(of: "t.py::ok[x", in: statuses) == .passed)
        #expect(SWEGrading.status(of: "t.py::test", in: statuses) == nil)  // not cut inside brackets: exact only
    }
}

/// Specs as data: test directives, parse errors that name the key.
@Suite struct SWESpecsTests {
    static let specs = Checkout.root + "/Fixtures/swe/specs.json"

    @Test func directivesAreTestFilesOnlyAndDjangoStyleModules() throws {
        let specs = try SWESpecs.read(path: Self.specs)
        let files = ["tests/pricing_tests/tests.py", "tests/data/config.toml", "tests/pricing_tests/fixtures.json", "tests/img.png"]
        #expect(specs.testDirectives(repository: "proctor-fixtures/djangoish", testPatchFiles: files) == ["pricing_tests.tests"])
        #expect(specs.testDirectives(repository: "proctor-fixtures/paramkit", testPatchFiles: files) == ["tests/pricing_tests/tests.py"])
        #expect(specs.testDirectives(repository: "django/django", testPatchFiles: ["tests/admin_inlines/tests.py"]) == ["admin_inlines.tests"])
        #expect(specs.parser(repository: "proctor-fixtures/sympyish") == .sympy)
        #expect(specs.parser(repository: "sympy/sympy") == .sympy)
    }

    @Test func badSpecsNameTheProblem() throws {
        let path = try Checkout.file("specs.json", [#"{"repositories": {"a/b": {"versions": {"1.0": {"python": "3.11"}}}}}"#])
        #expect(throws: GradeError.self) { try SWESpecs.read(path: path) }
        do {
            _ = try SWESpecs.read(path: path)
        } catch {
            #expect(error.message.contains("test_cmd") && error.message.contains(path))
        }
        let specs = try SWESpecs.read(path: Self.specs)
        #expect(throws: GradeError.self) { try specs.spec(repository: "proctor-fixtures/paramkit", version: "9.9") }
        #expect(throws: GradeError.self) { try specs.spec(repository: "unknown/repo", version: "1.0") }
    }
}

/// The cause line of a failed build step or of a run that parsed no tests: the first real error.
@Suite struct CauseLineTests {
    @Test func theFirstTracebacksExceptionIsTheCause() {
        let log = """
            collecting ...
            Traceback (most recent call last):
              File "requests/compat.py", line 9, in <module>
                from collections import Mapping
            ImportError: cannot import name 'Mapping' from 'collections'

            During handling of the above exception, another exception occurred:

            Traceback (most recent call last):
              File "conftest.py", line 2, in <module>
                import urllib3
            ModuleNotFoundError: No module named 'urllib3'
            """
        #expect(SWEEnvironmentStore.causeLine(in: log) == "ImportError: cannot import name 'Mapping' from 'collections'")
    }

    @Test func pytestsInternalErrorNamesItsCause() {
        let log = """
            INTERNALERROR> Traceback (most recent call last):
            INTERNALERROR>   File "_pytest/main.py", line 270, in wrap_session
            INTERNALERROR>     session.exitstatus = doit(config, session) or 0
            INTERNALERROR> AttributeError: module 'py' has no attribute 'path'
            ValueError: printed later by something else
            """
        #expect(SWEEnvironmentStore.causeLine(in: log) == "INTERNALERROR> AttributeError: module 'py' has no attribute 'path'")
    }

    @Test func pytestsOwnLinesAndPipsErrors() {
        #expect(
            SWEEnvironmentStore.causeLine(in: "==== ERRORS ====\nE   ModuleNotFoundError: No module named 'docutils'\nE   TypeError: later\n")
                == "E   ModuleNotFoundError: No module named 'docutils'")
        #expect(
            SWEEnvironmentStore.causeLine(in: "ERROR tests/test_a.py - ImportError: no 'b'\nERROR tests/test_c.py - ImportError: x\n")
                == "ERROR tests/test_a.py - ImportError: no 'b'")
        #expect(
            SWEEnvironmentStore.causeLine(in: "Collecting foo\nERROR: Could not find a version that satisfies the requirement foo==9\nERROR: No matching distribution\n")
                == "ERROR: Could not find a version that satisfies the requirement foo==9")
        #expect(SWEEnvironmentStore.causeLine(in: "all fine\n") == nil)
    }
}

/// conda `environment.yml` specs as pip requirements, best effort (SWE-bench builds xarray's
/// versions, and some of matplotlib's, from one).
@Suite struct CondaEnvironmentTests {
    @Test func dependenciesBecomePyPIRequirementsAndTheRestIsNamed() {
        let yaml = """
            name: xarray-tests  # a comment
            channels:
              - conda-forge
              - nodefaults
            dependencies:
              - python=3.10
              - aiobotocore
              - bottleneck>=1.3
              - dask-core
              - hdf5
              - libnetcdf
              - matplotlib-base
              - netcdf4 1.6.*
              - numpy=1.23
              - pandas=1.5.3=py310h_0
              - conda-forge::pint >=0.22
              - 'scipy<1.12'
              - sparse   # optional
              - pip
              - pip:
                  - numpy_groupies
                  - git+https://example.invalid/x.git
            other:
              - not-a-dependency
            """
        let environment = CondaEnvironment(yaml: yaml)
        #expect(
            environment.requirements == [
                "aiobotocore", "bottleneck>=1.3", "dask", "matplotlib", "netCDF4==1.6.*", "numpy==1.23.*", "pandas==1.5.3.*",
                "pint>=0.22", "scipy<1.12", "sparse", "numpy_groupies", "git+https://example.invalid/x.git",
            ])
        #expect(environment.leftOut == ["hdf5 (no PyPI package)", "libnetcdf (no PyPI package)"])
    }
}
