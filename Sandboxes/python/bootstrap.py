# Proctor's in-sandbox bootstrap: the first Python code of every run, before the program.
#
# argv: bootstrap.py AFTER_START_BPF|- PROGRAM [ARGS...]
#
# 1. Stacks the profile's "afterStart" seccomp filter (e.g. no more execve). The grader compiled
#    it; we only hand the instructions to the kernel. Filters only ever tighten, so the program
#    cannot undo this.
# 2. Runs the program as __main__.
# 3. Tells the grader on fd 3 (its private channel, not stdout) how the program ended:
#    "completed NONCE" only when the program ran to its end without an exception — the one
#    record that lets a sample pass; "exception TYPE<TAB>LINE<TAB>MESSAGE" for the exception
#    that ended it; "memory_error" for an uncaught MemoryError, so memory exhaustion is told
#    apart from an ordinary crash. An exit before the end (sys.exit, os._exit, a signal)
#    writes nothing, so it can never count as completion.
#
# The nonce comes from .proctor-nonce in the workdir, which is read and deleted before the
# program starts.
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


def _take_nonce():
    try:
        with open(".proctor-nonce") as handle:
            nonce = handle.read().strip()
        os.unlink(".proctor-nonce")
        return nonce
    except OSError:
        return None


def _describe(error, program):
    line = 0
    trace = error.__traceback__
    while trace is not None:
        if trace.tb_frame.f_code.co_filename == program:
            line = trace.tb_lineno
        trace = trace.tb_next
    try:
        message = str(error)
    except BaseException:
        message = "<unprintable>"
    message = message[:2000].replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")
    return "exception %s\t%d\t%s" % (type(error).__name__, line, message)


def main():
    if len(sys.argv) < 3:
        _tell("internal_error bootstrap usage")
        os._exit(125)
    after_start, program = sys.argv[1], sys.argv[2]
    nonce = _take_nonce()
    if after_start != "-":
        _stack_filter(after_start)
    sys.argv = sys.argv[2:]
    sys.path.insert(0, os.path.dirname(program))
    # A fresh __main__ module, as `python3 program.py` would give (runpy costs ~5 ms to import).
    module = type(sys)("__main__")
    module.__file__ = program
    module.__builtins__ = __builtins__
    sys.modules["__main__"] = module
    try:
        with open(program, "rb") as handle:
            code = compile(handle.read(), program, "exec")
        exec(code, module.__dict__)
    except MemoryError:
        _tell("memory_error")
        raise
    except SystemExit:
        raise
    except BaseException as error:
        _tell(_describe(error, program))
        raise
    if nonce:
        _tell("completed " + nonce)


main()
