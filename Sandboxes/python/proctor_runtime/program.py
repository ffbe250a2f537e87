"""How a program runs and ends inside the sandbox (`proctor run`, the warm pool's plain mode, and
the candidate process of a graded sample): as `python3 program.py` would, with `exit()` and
`quit()` defined although `-S` skips site, its exception reported on the channel, and its end
(threads joined, atexit handlers run, output flushed) in CPython's order."""
import os
import sys

from .channel import CONTROL_FD, error_line, error_message, escape, tell


class _Quitter:
    """`exit()` and `quit()` as the site module defines them (the sandbox starts Python with -S,
    which skips site): close stdin, raise SystemExit. Contest programs end with them."""

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return "Use %s() or Ctrl-D (i.e. EOF) to exit" % self.name

    def __call__(self, code=None):
        try:
            sys.stdin.close()
        except BaseException:
            pass
        raise SystemExit(code)


def site_builtins():
    import builtins

    for name in ("exit", "quit"):
        if not hasattr(builtins, name):
            setattr(builtins, name, _Quitter(name))


def fresh_module(name, filename):
    module = type(sys)(name)
    module.__file__ = filename
    module.__builtins__ = __builtins__
    sys.modules[name] = module
    return module


def run_program(program):
    """Run mode: the program as __main__, in this process. A sample's program never holds the
    control descriptor; a runner of the grader's own (.proctor-runner beside it) keeps it."""
    if not os.path.exists(os.path.join(os.path.dirname(program), ".proctor-runner")):
        try:
            os.close(CONTROL_FD)
        except OSError:
            pass
    sys.argv = sys.argv[2:]
    sys.path.insert(0, os.path.dirname(program))
    module = fresh_module("__main__", program)
    try:
        with open(program, "rb") as handle:
            code = compile(handle.read(), program, "exec")
        exec(code, module.__dict__)
    except MemoryError:
        tell("memory_error")
        raise
    except SystemExit:
        raise
    except BaseException as error:
        tell("exception %s\tprogram\t%d\t%s" % (escape(type(error).__name__), error_line(error, program),
                                                  escape(error_message(error))))
        raise


def flush_and_exit(code):
    """Ends the candidate process; what it printed is still in Python's buffers (a pipe is
    block-buffered) and belongs in the run's captured output."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:
            pass
    os._exit(code)


def program_end(code):
    """Ends a program as `python3 program.py` ends (CPython's finalization, in its order): the
    non-daemon threads it started are joined (contest programs run `main` in a thread for a
    deeper stack), then its atexit handlers run, then its output is flushed. The run's limits
    still hold meanwhile: a thread that never ends is the wall clock's."""
    threading = sys.modules.get("threading")
    if threading is not None:
        try:
            threading._shutdown()
        except BaseException:
            import traceback

            traceback.print_exc()
    atexit = sys.modules.get("atexit")
    if atexit is not None:
        atexit._run_exitfuncs()  # prints what a handler raises, as CPython does
    _flush_at_end()
    os._exit(code)


def _flush_at_end():
    """As CPython ends: output that cannot be written (fd 1 closed) is exit status 120."""
    failed = False
    for stream in (sys.stdout, sys.stderr):
        if getattr(stream, "closed", True):
            continue  # a stream the program closed is not flushed (nor an error), as in CPython
        try:
            stream.flush()
        except BaseException as error:
            failed = True
            try:
                os.write(2, ("Exception ignored on flushing sys.stdout: %r\n" % (error,)).encode())
            except OSError:
                pass
    if failed:
        os._exit(120)


def add_site_packages():
    """A Python environment the grader named (`--python-env`): its packages after the standard
    library on sys.path, so they can be imported but never shadow it."""
    path = os.environ.get("PROCTOR_SITE_PACKAGES")
    if path and path not in sys.path:
        sys.path.append(path)
