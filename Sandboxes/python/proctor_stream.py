# Proctor's test stream: what a test runner decided, sent to the repository runner
# (repo_runner.py) in records the tested code cannot forge without being seen. Shared by the
# pytest plugin (proctor_pytest.py) and the unittest watcher (sitecustomize.py in unittest mode).
#
# The test command is started with PROCTOR_STREAM=KEYFD,OUTFD (only that command: the eval
# script closes both descriptors around every other step). start() runs before any repository
# code in the process: it reads a 32-byte key from KEYFD and closes it, moves OUTFD out of the
# way, and installs an audit hook that is the only sender. The key, the descriptor and the
# sequence counter live in that hook's closure — no module attribute names them, an audit hook
# cannot be removed, and the hook runs no code of the tests (no repr, no attribute lookups on
# their objects), so no frame of it is ever under tested code.
#
# A record leaves only when the trusted runner code raises the audit event `proctor.stream`
# from one of the functions it registered at start (the caller frame's code object and globals
# are checked: rebinding the runner's functions or calling them from elsewhere does not pass),
# with a registered ancestor frame on the stack (pytest's call_and_report, unittest's
# TestCase.run). Before an outcome leaves, the hook checks that the test machinery is as it was
# when collection began (pytest) or at start (unittest, which imports the code under test
# before its run starts): every function and class
# the protected modules defined is still bound under its name, and (pytest) the item is one
# pytest collected; at the end, the classes' own methods and descriptors too (a class attribute
# assignment raises no audit event). What plugins and conftest.py files change while the runner
# configures itself is the baseline (pytest patches its own Config then). Anything else goes out as a `suspicious`
# record, and the outcome as failed.
#
# Each record: the escaped fields, then PID, a per-process sequence number and a keyed BLAKE2b
# MAC over both and the fields. The runner drops and counts records that fail the check: bytes
# written to the pipe by anything but this hook cannot carry a valid MAC.
import os
import sys

_STARTED = False


def start(callers, ancestors, protected, flag_events):
    """Installs the sender; returns True when this process streams. `callers`: code objects allowed
    to raise `proctor.stream`; `ancestors`: code objects one of which must be on the stack under an
    outcome; `protected`: module-name prefixes whose functions and classes must stay bound (and
    whose classes' special attributes may not be set); `flag_events(event, args, flag)`: the
    runner's own watch over other audit events, or None. Every runner's hook flags trace and
    profile hooks, heap walks, other audit hooks, memory reads through ctypes and rewritten code."""
    global _STARTED
    # Everything the hook uses is bound here, once, as a local of this call: rebinding a module
    # attribute or a builtin later changes nothing the hook calls.
    import builtins

    type, len, str, id, frozenset, list, tuple, issubclass, all, any, int, set = (
        builtins.type, builtins.len, builtins.str, builtins.id, builtins.frozenset, builtins.list, builtins.tuple,
        builtins.issubclass, builtins.all, builtins.any, builtins.int, builtins.set)
    staticmethod, classmethod, property, object = builtins.staticmethod, builtins.classmethod, builtins.property, builtins.object
    BaseException, OSError, ValueError = builtins.BaseException, builtins.OSError, builtins.ValueError
    announced = os.environ.pop("PROCTOR_STREAM", None)
    if _STARTED or not announced:
        return False
    try:
        key_fd, out_fd = (int(part) for part in announced.split(","))
        key = b""
        while len(key) < 32:
            chunk = os.read(key_fd, 32 - len(key))
            if not chunk:
                break
            key += chunk
        os.close(key_fd)
        import fcntl

        try:
            out = fcntl.fcntl(out_fd, fcntl.F_DUPFD_CLOEXEC, 200)  # out of the way of the tests' own
        except OSError:
            out = os.dup(out_fd)  # the descriptor limit is below 200
        os.close(out_fd)
    except (OSError, ValueError):
        return False
    if len(key) != 32:
        return False
    _STARTED = True

    import _blake2

    blake2b = _blake2.blake2b

    def escape(text):
        return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")

    write = os.write
    getpid = os.getpid
    getframe = sys._getframe
    callers = frozenset(callers)
    ancestors = frozenset(ancestors)
    owner = sys._getframe(1).f_globals  # the runner module's namespace
    function_type = type(start)
    code_type = type(start.__code__)
    module_type = type(os)
    modules = sys.modules
    module_dict = module_type.__dict__["__dict__"].__get__
    class_dict = type.__dict__["__dict__"].__get__
    module_of = type.__dict__["__module__"].__get__
    qualname_of = type.__dict__["__qualname__"].__get__
    protected = tuple(protected)

    behaviour = (function_type, staticmethod, classmethod, property, type(type.__dict__["mro"]),
                 type(len), type(object.__init__))

    def take_snapshot():
        """(namespace, label, [(name, value)]) for every loaded module under `protected` — the
        functions and classes each module defined itself — and for each of those classes, what
        defines its behaviour (functions, descriptors, nested classes). Assigning to a class's
        attribute raises no audit event, so classes are compared like modules. Exact types only:
        no code of the tests runs here."""
        taken, classes = [], []
        for name, module in list(modules.items()):
            if type(name) is not str or type(module) is not module_type:
                continue
            if not any(name == p or name.startswith(p + ".") for p in protected):
                continue
            namespace = module_dict(module)
            own = []
            for key, value in list(namespace.items()):
                if type(key) is not str:
                    continue
                kind = type(value)
                if kind is function_type:
                    home = value.__module__
                elif issubclass(kind, type):
                    home = class_dict(value).get("__module__")
                else:
                    continue
                if type(home) is str and home == name:
                    own.append((key, value))
                    if kind is not function_type:
                        members = class_dict(value)
                        behaving = [(k, v) for k, v in list(members.items())
                                    if type(k) is str and (type(v) in behaviour or issubclass(type(v), type))]
                        classes.append((members, name + "." + key, behaving))
            taken.append((namespace, name, own))
        return taken, classes

    def changed_since(snapshot):
        # No lookups in the live namespaces (a planted key could run code on comparison): copy
        # the str-keyed entries, then look up in the copy.
        for namespace, name, own in snapshot:
            current = {k: v for k, v in list(namespace.items()) if type(k) is str}
            for key_name, value in own:
                if current.get(key_name) is not value:
                    return "%s.%s was rebound" % (name, key_name)
        return None

    snapshots = {"start": take_snapshot(), "collection": None}
    state = {"pid": getpid(), "seq": 0, "busy": False, "flagged": set(), "items": None}

    def send(fields):
        pid = getpid()
        if pid != state["pid"]:
            state["pid"], state["seq"] = pid, 0  # a forked child counts on its own
        body = "\t".join(fields)
        head = "%d\t%d\t" % (pid, state["seq"])
        state["seq"] += 1
        mac = blake2b((head + body).encode("utf-8", "backslashreplace"), key=key, digest_size=16).hexdigest()
        try:
            write(out, (body + "\t" + head + mac + "\n").encode("utf-8", "backslashreplace"))
        except OSError:
            pass

    def flag(kind, detail=""):
        if kind not in state["flagged"]:
            state["flagged"].add(kind)
            send(("suspicious", escape(kind), escape(detail[:300] if type(detail) is str else "?")))

    def machinery_changed(classes=False):
        """Why an outcome cannot be believed: a function or class of the test machinery was
        rebound at module level since the runner began collecting (the baseline: what plugins
        and conftest.py files do while the runner configures itself — pytest patches its own
        Config then — is theirs). With `classes`, the classes' own attributes too (at the end of
        the run: comparing them costs too much to do for every test)."""
        modules, members = snapshots["collection"] or snapshots["start"]
        return changed_since(modules) or (changed_since(members) if classes else None)

    def trusted_call(outcome):
        frame = getframe(3)  # 0: this function, 1: stream_event, 2: the hook, 3: who raised the event
        if frame.f_code not in callers or frame.f_globals is not owner:
            return False
        if not outcome or not ancestors:
            return True
        depth = 0
        while frame is not None and depth < 60:
            if frame.f_code in ancestors:
                return True
            frame = frame.f_back
            depth += 1
        return False

    def stream_event(args):
        if not args or type(args[0]) is not str:
            return
        kind = args[0]
        if not trusted_call(kind == "outcome"):
            flag("forged_stream", "proctor.stream raised from outside Proctor's runner code")
            return
        if kind == "collecting" and len(args) == 1 and snapshots["collection"] is None:
            snapshots["collection"] = take_snapshot()
        elif kind == "collected" and len(args) == 2 and type(args[1]) is list and state["items"] is None:
            state["items"] = (frozenset(id(item) for item in args[1]), args[1])
        elif kind == "outcome" and len(args) == 5 and all(type(a) is str for a in args[2:]):
            item, nodeid, when, outcome = args[1], args[2], args[3], args[4]
            # The machinery is checked as the test's own phase reports (setup and teardown of one
            # test share its check: a rebinding lasts, or it changed nothing the call ran).
            problem = machinery_changed() if when == "call" else None
            if problem is None and state["items"] is not None and id(item) not in state["items"][0]:
                problem = "%s: not an item pytest collected" % nodeid
            if problem is not None:
                flag("patches_test_machinery", problem)
                outcome = "failed"
            send(("outcome", escape(nodeid), escape(when), escape(outcome)))
        elif kind == "flag" and len(args) == 3 and type(args[1]) is str and type(args[2]) is str:
            flag(args[1], args[2])
        elif kind == "finish" and len(args) == 2 and type(args[1]) is int:
            problem = machinery_changed(classes=True)
            if problem is not None:
                flag("patches_test_machinery", problem)
            send(("finish", str(args[1])))

    def hook(event, args):
        if state["busy"]:
            return
        state["busy"] = True
        try:
            if event == "proctor.stream":
                stream_event(args)
            elif event == "function.__new__" and args and type(args[0]) is code_type and args[0] in callers:
                flag("forges_runner", "a new function from Proctor's runner code")
            elif event == "object.__setattr__" and len(args) > 1 and type(args[1]) is str and args[1] == "__code__" and type(args[0]) is function_type:
                flag("rewrites_code", "a function's __code__ was replaced")
            elif event in ("ctypes.string_at", "ctypes.wstring_at", "ctypes.cdata"):
                flag("reads_memory", event)
            elif event in ("sys.settrace", "sys.setprofile"):
                flag("trace_hook", event)
            elif event in ("gc.get_objects", "gc.get_referrers", "gc.get_referents"):
                flag("heap_walk", event)
            elif event == "sys.addaudithook":
                flag("audit_hook", "another audit hook was installed")
            elif event in ("object.__setattr__", "object.__delattr__") and len(args) > 1 and issubclass(type(args[0]), type):
                # Raised for a class's special attributes (__name__, __bases__, …); its other
                # attributes raise nothing, which the snapshot's class check covers instead.
                home = module_of(args[0])
                if type(home) is str and home.split(".")[0] in protected:
                    name = args[1] if type(args[1]) is str else "?"
                    flag("patches_test_machinery", "%s.%s" % (qualname_of(args[0]), name))
            elif flag_events is not None:
                flag_events(event, args, flag)
        except BaseException:
            pass
        finally:
            state["busy"] = False

    sys.addaudithook(hook)
    send(("started",))  # from here on the grader expects the stream to reach `finish`
    return True
