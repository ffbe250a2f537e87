"""The candidate process of a graded sample: holds nothing of the grader's (the control channel is
closed before any candidate code exists, the tests are deleted before it loads), loads the
program, and answers the tester's calls with plain data until the tests are done."""
import os

from .channel import CONTROL_FD, error_line, error_message, stack_filter, tell
from .codec import receive, send
from .program import flush_and_exit, fresh_module, program_end


def serve_candidate(source, program, requests, replies):
    """Loads the candidate and answers calls until the supervisor closes `requests`.

    Runs only in a process that holds nothing of the grader's: no control channel, no tests.
    When the tests are done it ends as a program ends (`program_end`: its threads joined, its
    atexit handlers run), within the grace its supervisor gives it (END_GRACE)."""
    import atexit

    atexit._clear()  # the handlers of whoever forked us are not the program's
    module = fresh_module("candidate", program)

    def report(error):
        # SystemExit ends the candidate (no completion can follow); anything else is an answer.
        if isinstance(error, SystemExit):
            send(replies, {"kind": "exit", "code": error.code if type(error.code) is int else 0})
            flush_and_exit(0)
        send(replies, {"kind": "raised", "type": type(error).__name__, "line": error_line(error, program),
                        "message": error_message(error)[:2000]})

    try:
        exec(compile(source, program, "exec"), module.__dict__)
    except BaseException as error:
        report(error)
        flush_and_exit(1)
    exports = [name for name, value in list(module.__dict__.items())
               if callable(value) and not name.startswith("__")]
    send(replies, {"kind": "loaded", "exports": exports})
    while True:
        request = receive(requests)
        if request is None:
            program_end(0)
        try:
            function = module.__dict__[request["call"]]
            result = function(*request["args"], **request["kwargs"])
            send(replies, {"kind": "return", "value": result})
        except BaseException as error:
            report(error)


def _scope_signals():
    """Landlock ABI 6+: a domain of the candidate's own that handles no file access but scopes
    signals and abstract sockets, so the candidate cannot signal its supervisor (its kill(-1)
    reaches nothing). A warm pool's children get the same scope from their per-sample domain."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    LANDLOCK_CREATE_RULESET_VERSION = 1
    if libc.syscall(444, None, 0, LANDLOCK_CREATE_RULESET_VERSION) < 6:
        return
    attr = (ctypes.c_uint64 * 3)(0, 0, 0b11)  # handled fs, handled net, scoped (abstract unix, signal)
    ruleset = libc.syscall(444, ctypes.byref(attr), 24, 0)
    if ruleset < 0 or libc.syscall(446, ruleset, 0) != 0:
        tell("internal_error candidate signal scope: errno %d" % ctypes.get_errno())
        flush_and_exit(125)
    os.close(ruleset)


def run_candidate(program, requests, replies, after_start):
    """The forked child of a cold run: everything the sample's code can touch lives here."""
    _scope_signals()
    try:
        os.close(CONTROL_FD)
    except OSError:
        pass
    stack_filter(after_start)
    if receive(requests) is None:  # "go": the supervisor has removed the tests and spec
        os._exit(0)
    with open(program, "rb") as handle:
        source = handle.read()
    serve_candidate(source, program, requests, replies)
