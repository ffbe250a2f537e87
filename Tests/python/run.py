"""Runs the runtime's unit tests with the sandbox's interpreter, against Sandboxes/python.

usage: /usr/bin/python3 -I -S Tests/python/run.py   (the Swift suite RuntimeUnitTests runs it)"""
import os
import sys
import unittest

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "..", "Sandboxes", "python"))
suite = unittest.defaultTestLoader.discover(here, pattern="test_*.py", top_level_dir=here)
result = unittest.TextTestRunner(verbosity=1).run(suite)
sys.exit(0 if result.wasSuccessful() and result.testsRun > 0 else 1)
