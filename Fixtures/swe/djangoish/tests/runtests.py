#!/usr/bin/env python
"""A test runner in the shape of Django's tests/runtests.py: module labels relative to tests/,
unittest's verbose output (`name ... ok`, docstrings on their own line, FAIL:/ERROR: headers)."""
import argparse
import os
import sys
import unittest

here = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [here, os.path.dirname(here)]
parser = argparse.ArgumentParser()
parser.add_argument("--verbosity", type=int, default=1)
parser.add_argument("--settings")
parser.add_argument("--parallel", type=int, default=1)
parser.add_argument("labels", nargs="*")
options = parser.parse_args()
print("Testing against Django installed in '%s'" % os.path.dirname(here))
suite = unittest.defaultTestLoader.loadTestsFromNames(options.labels or ["pricing_tests.tests"])
result = unittest.TextTestRunner(verbosity=options.verbosity, stream=sys.stderr).run(suite)
sys.exit(0 if result.wasSuccessful() else 1)
