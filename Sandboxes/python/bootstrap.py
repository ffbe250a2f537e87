# Proctor's in-sandbox bootstrap: the first Python code of every run, before the program.
#
# argv: bootstrap.py AFTER_START_BPF|- PROGRAM [ARGS...]
#
# 1. Stacks the profile's "afterStart" seccomp filter (e.g. no more execve). The grader compiled
#    it; we only hand the instructions to the kernel. Filters only ever tighten, so the program
#    cannot undo this.
# 2. Runs the program as __main__.
# 3. Tells the grader on fd 3 (its private channel, not stdout) when an uncaught MemoryError
#    ended the program, so memory exhaustion is told apart from an ordinary crash.
#
# Nothing here is trusted for a verdict: the program can reach fd 3 too. The grader only uses
# these lines to refine why a run failed, never to decide that it passed.
import os
import sys

CONTROL_FD = 3


def _tell(line):
    try:
        os.write(CONTROL_FD, (line + "\n").encode())
    except OSError:
        pass


def _stack_filter(path):
    import ctypes

    with open(path, "rb") as handle:
        program = handle.read()

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    buffer = ctypes.create_string_buffer(program, len(program))
    fprog = SockFprog(len(program) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    libc = ctypes.CDLL(None, use_errno=True)
    PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 22, 2
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
        _tell("internal_error after-start filter: errno %d" % ctypes.get_errno())
        os._exit(125)


def main():
    if len(sys.argv) < 3:
        _tell("internal_error bootstrap usage")
        os._exit(125)
    after_start, program = sys.argv[1], sys.argv[2]
    if after_start != "-":
        _stack_filter(after_start)
    sys.argv = sys.argv[2:]
    sys.path.insert(0, os.path.dirname(program))
    with open(program, "rb") as handle:
        code = compile(handle.read(), program, "exec")
    # A fresh __main__ module, as `python3 program.py` would give (runpy costs ~5 ms to import).
    module = type(sys)("__main__")
    module.__file__ = program
    module.__builtins__ = __builtins__
    sys.modules["__main__"] = module
    try:
        exec(code, module.__dict__)
    except MemoryError:
        _tell("memory_error")
        raise


main()
