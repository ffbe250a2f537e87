# Proctor's unittest watcher for repository tasks whose suite runs under unittest (Django's
# runtests.py and its like): on PYTHONPATH as sitecustomize, so Python imports it at start-up,
# before any code of the repository. In the one process the eval script starts the test command
# with (PROCTOR_STREAM set; see proctor_stream.py) it wraps unittest's TestResult so each test's
# outcome, as unittest decided it, goes out on Proctor's authenticated stream — under its
# unittest name (`str(test)`) and, when it has one, under its docstring's first line, the two
# names SWE-bench's Django log parser gives a test — and `finish` when the run stops. The grader
# checks the log against it. In every other process it only hands over to the environment's own
# sitecustomize, if there is one.
#
# The wrappers are installed before the stream's audit hook: a later change to TestResult,
# TestCase or TestSuite, or to any function or class unittest's modules define, is flagged, and
# an outcome leaves only from these wrappers with unittest's TestCase.run or TestSuite.run on the
# stack.
import os
import sys


def _hand_over():
    """Runs the environment's own sitecustomize (the one this file hides on sys.path)."""
    import importlib.machinery
    import importlib.util

    here = os.path.dirname(os.path.abspath(__file__))
    rest = [entry for entry in sys.path if os.path.abspath(entry or ".") != here]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", rest)
    if spec is not None and spec.loader is not None:
        module = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
        except Exception:
            pass


def _watch_unittest():
    import unittest.case
    import unittest.result
    import unittest.suite

    import proctor_stream

    base = unittest.result.TestResult
    originals = {name: getattr(base, name) for name in (
        "addSuccess", "addFailure", "addError", "addSkip", "addExpectedFailure", "addUnexpectedSuccess", "addSubTest",
        "stopTestRun")}
    audit = sys.audit

    def names(test):
        try:
            found = [str(test)]
            description = test.shortDescription()
            if description:
                found.append(str(description))
            return found
        except Exception:
            return []

    def report(test, outcome):
        for name in names(test):
            audit("proctor.stream", "outcome", test, name, "call", outcome)

    def wrapping(name, outcome):
        original = originals[name]

        def wrapper(self, test, *rest):
            report(test, outcome)
            return original(self, test, *rest)

        wrapper.__name__ = name
        return wrapper

    # What each of TestResult's calls says of the test: an expected failure is a pass, an
    # unexpected success a failure (as unittest's wasSuccessful and SWE-bench's parser see them).
    outcomes = {"addSuccess": "passed", "addFailure": "failed", "addError": "failed", "addSkip": "skipped",
                "addExpectedFailure": "passed", "addUnexpectedSuccess": "failed"}

    def addSubTest(self, test, subtest, err):
        if err is not None:
            report(test, "failed")
        return originals["addSubTest"](self, test, subtest, err)

    def stopTestRun(self):
        audit("proctor.stream", "finish", 0)
        return originals["stopTestRun"](self)

    wrappers = [wrapping(name, outcome) for name, outcome in outcomes.items()] + [addSubTest, stopTestRun]
    for wrapper in wrappers:
        setattr(base, wrapper.__name__, wrapper)
    # The baseline is now, before any repository code: unittest loads the tests (importing the
    # code under test) before the run starts, so there is no later moment to take it.
    callers = [report.__code__, stopTestRun.__code__]
    ancestors = [unittest.case.TestCase.run.__code__, unittest.suite.TestSuite.run.__code__]
    proctor_stream.start(callers, ancestors, ("unittest", "proctor_stream", "sitecustomize"), None)


if os.environ.get("PROCTOR_STREAM"):
    try:
        _watch_unittest()
    except Exception:
        pass
_hand_over()
