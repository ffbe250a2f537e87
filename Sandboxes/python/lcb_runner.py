# LiveCodeBench's way of running a program on one test case, reproduced inside the sandbox
# (`--judge lcb`, the default for LiveCodeBench's layout). What it reproduces, from
# lcb_runner/evaluation/testing_util.py (LiveCodeBench 28fef95) — facts of its behaviour, code
# of our own:
#
# - its guard first (`reliability_guard`: quit, help and a list of os/shutil/subprocess
#   functions set to None; resource, psutil, tkinter, joblib, ipdb made unimportable), and
#   `sys.set_int_max_str_digits(50000)` as its evaluator sets it;
# - stdin tests: a last top-level `if __name__ == '__main__':` is unwrapped (only when it is the
#   last statement), every other top-level statement but imports is moved into a function,
#   LiveCodeBench's import block (star imports of string, re, datetime, collections, heapq,
#   bisect, copy, math, random, statistics, itertools, functools, operator, io, sys, json,
#   builtins, typing, and `sys.setrecursionlimit(50000)`) goes first, the module is named
#   `tmp_sol`; a program that does not parse is run as it is (and fails as it fails there);
# - the call: `sys.stdin` is a StringIO of the input, the original stdin object's read,
#   readline (lines without their newline) and readlines answer from the input too,
#   `builtins.open` opens the input, `sys.stdout` is a StringIO whose close() takes one argument;
#   SystemExit ends the call quietly; anything else is a runtime error. What bypasses those
#   objects (fd 0 and 1, `open(0)` through the import block's own `open`) meets /dev/null, as
#   in LiveCodeBench's worker process;
# - functional tests: the import block, then the code; `Solution()` when the text holds
#   "class Solution"; each input line is a JSON argument; a tuple result becomes a list.
#
# Where it differs, on purpose: one process per test case (LiveCodeBench runs a sample's tests
# in one process, so state can leak between them); threads the program started are joined
# before its output is read (LiveCodeBench races them); the functional result is printed as
# JSON and compared in the grader as data, so an object whose __eq__ always says yes does not
# pass; time limits are the sandbox's, not SIGALRM.
#
# The grader appends one line: `_proctor_lcb(MODE, FUNCTION, CODE_BASE64)`.

import base64
import builtins
import io
import os
import sys
import types

IMPORTS = "".join(
    ["from %s import *\n" % name for name in (
        "string", "re", "datetime", "collections", "heapq", "bisect", "copy", "math", "random", "statistics",
        "itertools", "functools", "operator", "io", "sys", "json", "builtins", "typing")]
    + ["import %s\n" % name for name in (
        "string", "re", "datetime", "collections", "heapq", "bisect", "copy", "math", "random", "statistics",
        "itertools", "functools", "operator", "io", "sys", "json")]
    + ["sys.setrecursionlimit(50000)\n"])


def _guard():
    builtins.quit = None
    builtins.help = None
    os.environ["OMP_NUM_THREADS"] = "1"
    for name in ("kill", "system", "putenv", "remove", "removedirs", "rmdir", "fchdir", "setuid", "fork", "forkpty",
                 "killpg", "rename", "renames", "truncate", "replace", "unlink", "fchmod", "fchown", "chmod", "chown",
                 "chroot", "lchflags", "lchmod", "lchown", "getcwd", "chdir"):
        setattr(os, name, None)
    import shutil
    import subprocess

    shutil.rmtree = shutil.move = shutil.chown = None
    subprocess.Popen = None
    for name in ("ipdb", "joblib", "resource", "psutil", "tkinter"):
        sys.modules[name] = None


def _unwrap_main(code):
    import ast

    try:
        body = ast.parse(code).body
        last = body[-1]
        if isinstance(last, ast.If) and ast.unparse(last.test).strip() == "__name__ == '__main__'":
            return ast.unparse(body[:-1]) + "\n" + ast.unparse(last.body)
    except Exception:
        pass
    return code


def _as_function(code):
    import ast

    try:
        body = ast.parse(code).body
        imports = [node for node in body if isinstance(node, (ast.Import, ast.ImportFrom))]
        rest = [node for node in body if not isinstance(node, (ast.Import, ast.ImportFrom))]
        function = ast.FunctionDef(
            name="wrapped_function",
            args=ast.arguments(posonlyargs=[], args=[], kwonlyargs=[], kw_defaults=[], defaults=[]),
            body=rest, decorator_list=[], lineno=-1)
        return IMPORTS + "\n" + ast.unparse(imports) + "\n" + ast.unparse(function)
    except Exception:
        return code


class _InputFile(io.StringIO):
    """What `open(...)` gives while a stdin test runs: the test's input, whatever was asked."""

    def __init__(self, data, *args, **kwargs):
        super().__init__(data)

    def write(self, text):
        return len(text)


def _load(code):
    module = types.ModuleType("tmp_sol", "")
    exec(code, module.__dict__)
    return module.Solution() if "class Solution" in code else module


def _write_all(fd, data):
    while data:
        data = data[os.write(fd, data):]


def _fail():
    import traceback

    traceback.print_exc()
    sys.stderr.flush()
    os._exit(1)


def _proctor_lcb(mode, function_name, encoded):
    code = base64.b64decode(encoded).decode("utf-8")
    data = sys.stdin.read()
    out = os.dup(1)
    null = os.open("/dev/null", os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)
    sys.set_int_max_str_digits(50000)
    _guard()
    if mode == "functional":
        try:
            target = getattr(_load(IMPORTS + "\n\n" + code), function_name)
            import json

            arguments = [json.loads(line) for line in data.split("\n")]
            result = target(*arguments)
            if isinstance(result, tuple):
                result = list(result)
            text = json.dumps(result)
        except BaseException:
            _fail()
        _write_all(out, text.encode())
        os._exit(0)
    try:
        target = getattr(_load(_as_function(_unwrap_main(code))), "wrapped_function")
    except BaseException:
        _fail()
    original = sys.stdin
    lines = iter(data.split("\n"))
    original.readline = lambda *args: next(lines)
    original.readlines = lambda *args: data.split("\n")
    original.read = lambda *args: data
    sys.stdin = io.StringIO(data)
    real_open = builtins.open
    builtins.open = lambda *args, **kwargs: _InputFile(data)
    captured = io.StringIO()
    captured.close = lambda x: 1
    real_stdout = sys.stdout
    sys.stdout = captured
    try:
        try:
            target()
        except SystemExit:
            pass
        threading = sys.modules.get("threading")
        if threading is not None:
            for thread in threading.enumerate():
                if thread is not threading.current_thread() and not thread.daemon:
                    thread.join()
    except BaseException:
        sys.stdout = real_stdout
        _fail()
    finally:
        builtins.open = real_open
    sys.stdout = real_stdout
    text = captured.getvalue()
    _write_all(out, text.encode("utf-8", "surrogateescape"))
    os._exit(0)
