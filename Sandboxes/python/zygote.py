# Proctor's warm pool (fork server): one per worker slot, sandboxed exactly like a cold run
# (slot uid, namespaces, tmpfs, rlimits, Landlock, seccomp). It starts the interpreter and
# imports what the bootstrap and typical solutions need once, then forks one child per sample.
#
# argv: zygote.py BOOTSTRAP AFTER_START_BPF|-
# fd 3: a SOCK_SEQPACKET socket to the grader. The first packet is the pool's configuration
# (`key=value` lines: abi, read_execute, read_write, sample, and cpu when the grader leased the
# pool a core: zygote, tester and candidates then stay on it, so the many wake-ups of a sample's
# calls are context switches on one core, not cross-core interrupts). Each later packet is one
# sample: `key=value` lines (program name, rlimits) with nine descriptors attached —
#   for the candidate: stdout, stderr, requests (read end), replies (write end), program (memfd)
#   for the tests:     control, requests (write end), replies (read end), spec+tests (memfd)
# A packet whose header says mode=plain (a stdin/stdout test case) carries five descriptors
# instead: stdout, stderr, stdin (the test's input, a memfd), program (memfd), control; its
# candidate runs the program as __main__ with that stdin, and no tester takes part.
# The reply is one packet "STATUS UTIME_US STIME_US MAXRSS_KIB PEAK_BYTES STOPPED" once the
# sample is over.
#
# Three kinds of process, so that nothing of one sample can reach another:
#   zygote     never reads a sample's program or tests (it only passes descriptors on), so the
#              children it forks inherit nothing of earlier samples, not even freed memory.
#   candidate  forked per sample; stacks the per-sample restrictions (rlimits, a Landlock domain
#              of its own: read-write only in the scratch directory, signals scoped away from
#              the pool; then the afterStart filter: no exec, no new processes) before it reads
#              the program, and runs the sample's code. It never sees the tests or fd 3.
#   tester     one per pool, forked before any sample; runs each sample's tests against the
#              candidate over two pipes (the runtime's supervisor, plain data only) and
#              writes the control records. No candidate is ever forked from it.
# Without an afterStart filter (a candidate could start processes) the zygote SIGKILLs
# everything it can reach after each sample and forks a fresh tester.
#
# With a user namespace (the grader maps it), the pool has a world of its own in which each
# sample gets a fresh one (`_home_world`): the zygote is the init of the pool's own PID and mount
# namespaces, resets the PID counter before each sample (every candidate is PID 1000) and puts a
# fresh tmpfs over the workdir after it, and watches each sample's memory as the grader watches
# a cold run (without one, the reply's PEAK_BYTES and STOPPED are 0).
import gc
import select
import os
import resource
import signal
import socket
import sys
import time

import ctypes
import fcntl

# What HumanEval/MBPP-style solutions commonly import, so children do not pay for it.
import bisect, collections, functools, heapq, itertools, math, random, re, string, typing  # noqa: E401,F401

CHANNEL_FD = 3
CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWPID = 0x20000, 0x10000000, 0x20000000
SYS_UNSHARE, SYS_CAPSET = 272, 126
MS_NOSUID, MS_NODEV, MS_NOEXEC = 2, 4, 8
_libc = ctypes.CDLL(None, use_errno=True)


def _check(result, what):
    if result != 0:
        raise OSError(ctypes.get_errno(), what)


def _drop_capabilities():
    """Clears every capability the zygote's user namespace gave (effective, permitted,
    inheritable; ambient follows). Nothing here ever execs, so the bounding set is moot."""
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)
    data = (ctypes.c_uint32 * 6)()
    _check(_libc.syscall(SYS_CAPSET, header, data), "capset")


def _home_world(sample, tmpfs):
    """Gives the pool a world in which every sample can have a fresh one cheaply (called once, in
    the zygote, right after its user namespace is mapped): new mount and PID namespaces owned by
    that user namespace. This process stays outside, waiting; its child is the PID namespace's
    init and carries on as the zygote. There it mounts a procfs of the namespace and a tmpfs
    over the pool's workdir, and keeps the namespace's `ns_last_pid` open: before each sample
    the zygote resets the PID counter and after it puts a fresh tmpfs in place (`_renew_scratch`), so
    every sample starts from the same PID, the same inode numbers and an empty scratch,
    whatever the one before did — a world of its own for the price of one fork. Returns
    (ns_last_pid descriptor, workdir) in the new zygote; signals stay blocked in it (it is
    init: nothing a sample sends may end or interrupt it)."""
    _check(_libc.syscall(SYS_UNSHARE, CLONE_NEWNS | CLONE_NEWPID), "unshare")
    signal.pthread_sigmask(signal.SIG_BLOCK, signal.valid_signals())
    zygote = os.fork()
    if zygote:
        os.closerange(0, 1 << 16)
        try:
            os.waitpid(zygote, 0)
        finally:
            os._exit(0)
    _libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: the pool ends with the process outside
    if _libc.mount(b"proc", b"/proc", b"proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, b"hidepid=invisible") != 0:
        _check(_libc.mount(b"proc", b"/proc", b"proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, None), "mount proc")
    workdir = os.path.dirname(os.path.dirname(sample))
    _mount_scratch(workdir, tmpfs)
    return os.open("/proc/sys/kernel/ns_last_pid", os.O_WRONLY | os.O_CLOEXEC), workdir


SAMPLE_PID = 1000  # every sample's candidate gets this PID (its threads the ones after it)
MNT_DETACH = 2


def _mount_scratch(workdir, tmpfs):
    _check(_libc.mount(b"proctor-sample", workdir.encode(), b"tmpfs", MS_NOSUID | MS_NODEV, tmpfs.encode()), "mount tmpfs")


def _renew_scratch(workdir, sample, tmpfs):
    """A fresh tmpfs over the pool's workdir (the last one detached: nothing a sample wrote, no
    inode number it moved, survives), with the sample's directory in it."""
    _check(_libc.umount2(workdir.encode(), MNT_DETACH), "umount")
    _mount_scratch(workdir, tmpfs)
    os.makedirs(sample, 0o700)


WATCH_INTERVAL = 0.01  # seconds between looks, as the grader's MemoryWatch (20 ms) or finer


def _socket_charge():
    """What one unix socket can hold queued: the kernel's default send buffer (setting another
    is refused), with room for the one message that may pass it."""
    try:
        with open("/proc/sys/net/core/wmem_default", "rb") as handle:
            return int(handle.read()) * 3 // 2
    except (OSError, ValueError):
        return 212992 * 3 // 2


SOCKET_CHARGE = _socket_charge()
PIPE_CHARGE = 16 * 4096  # a pipe's ring at its default size (F_SETPIPE_SZ is refused)


def _buffers(pid, seen):
    """What the process's pipes and sockets could hold in the kernel, each charged at its most
    (this init cannot take a copy of a sample's descriptor to ask, as the grader does for a cold
    run; the strict tier's descriptor limit keeps the charge small)."""
    total = 0
    try:
        entries = os.listdir("/proc/%s/fd" % pid)
    except OSError:
        return 0
    for entry in entries:
        try:
            target = os.readlink("/proc/%s/fd/%s" % (pid, entry))
        except OSError:
            continue
        if target in seen:
            continue
        if target.startswith("pipe:"):
            total += PIPE_CHARGE
        elif target.startswith("socket:"):
            total += SOCKET_CHARGE
        else:
            continue
        seen.add(target)
    return total


def _sample_memory(workdir, pids):
    """What the sample holds, as the grader counts a cold run: the proportional set size of its
    processes (`pids`: the candidate; the strict tier starts no other), what their pipes and
    sockets can hold, and what its scratch tmpfs holds."""
    total = 0
    seen = set()
    for entry in pids:
        total += _buffers(entry, seen)
        try:
            with open("/proc/%s/smaps_rollup" % entry, "rb") as handle:
                for line in handle:
                    if line.startswith(b"Pss:"):
                        total += int(line.split()[1]) * 1024
                        break
        except (OSError, ValueError):
            pass
    try:
        usage = os.statvfs(workdir)
        total += (usage.f_blocks - usage.f_bfree) * usage.f_frsize
    except OSError:
        pass
    return total


def _look(state):
    """One look at the sample's memory (`state`: candidate, workdir, limit, peak, stopped); past
    the limit the candidate is killed."""
    if not state["limit"] or state["stopped"]:
        return
    used = _sample_memory(state["workdir"], [state["candidate"]])
    state["peak"] = max(state["peak"], used)
    if used > state["limit"]:
        state["stopped"] = True
        os.kill(state["candidate"], signal.SIGKILL)


def _reap(state, block):
    """wait4 of the candidate (None while it runs and `block` is false); its scratch is looked
    at once more as it ends (what it wrote is still there)."""
    pid, status, usage = os.wait4(state["candidate"], 0 if block else os.WNOHANG)
    if not pid:
        return None
    if state["workdir"] is None:
        return status, usage  # no world of its own: the pool's rlimits bound it, nothing to look at
    state["peak"] = max(state["peak"], _sample_memory(state["workdir"], []))
    if state["limit"] and state["peak"] > state["limit"]:
        state["stopped"] = True
    return status, usage


def _wait_watching(state, seconds=None):
    """Waits for the candidate, looking at its memory every WATCH_INTERVAL. With `seconds` (a
    harness candidate whose tests are done: time to end as a program ends, its threads joined
    and its atexit handlers run) it is killed once they are up (the cold run's `_await_end`)."""
    deadline = None if seconds is None else time.monotonic() + seconds
    while True:
        reaped = _reap(state, False)
        if reaped is not None:
            return reaped
        left = WATCH_INTERVAL if deadline is None else deadline - time.monotonic()
        if left <= 0:
            os.kill(state["candidate"], signal.SIGKILL)
            return _reap(state, True)
        signal.sigtimedwait([signal.SIGCHLD], min(left, WATCH_INTERVAL))
        _look(state)


def _reply_watching(state, tester):
    """The tester's summary of a harness sample, looking at the candidate's memory meanwhile."""
    while True:
        ready, _, _ = select.select([tester], [], [], WATCH_INTERVAL)
        if ready:
            return tester.recv(256)
        _look(state)


RLIMITS = (("cpu", resource.RLIMIT_CPU), ("data", resource.RLIMIT_DATA), ("as", resource.RLIMIT_AS),
           ("fsize", resource.RLIMIT_FSIZE), ("nofile", resource.RLIMIT_NOFILE), ("nproc", resource.RLIMIT_NPROC))


def _load_runtime(path):
    """Loads the bootstrap (which installs the runtime's finder) and the runtime's modules a warm
    pool uses; returns the package."""
    module = type(sys)("proctor_bootstrap")
    module.__file__ = path
    with open(path, "rb") as handle:
        data = handle.read()
    if path.endswith(".pyc"):
        import marshal

        code = marshal.loads(data[16:])  # our own bytecode, compiled by the grader
    else:
        code = compile(data, path, "exec")
    exec(code, module.__dict__)
    import proctor_runtime.candidate
    import proctor_runtime.channel
    import proctor_runtime.codec
    import proctor_runtime.program
    import proctor_runtime.supervisor

    return proctor_runtime


def _warm_up(runtime):
    """Runs our own tiny program through the compiler, the `typing` names and the codec once.
    CPython initialises parts of the compiler and caches lazily; done here, the children share
    the result instead of each paying for it (measured: ~1.4 ms CPU per sample)."""
    source = (b"from typing import Dict, List, Optional, Tuple\n\n"
              b"def f(values: List[int], k: int = 1) -> Dict[str, Tuple[int, ...]]:\n"
              b"    return {'a': tuple(sorted(values))[:k], 'b': (1.5, None, 'x', b'y')}\n")
    namespace = {}
    exec(compile(source, "warm-up", "exec"), namespace)
    runtime.codec.unpack(runtime.codec.pack({"kind": "return", "value": namespace["f"]([3, 1, 2], k=2)}))


def _read_all(fd):
    size = os.fstat(fd).st_size
    data = os.pread(fd, size, 0) if size else b""
    os.close(fd)
    return data


def _landlock_ruleset(abi, read_execute, read_write):
    """The Landlock ruleset a sample's child restricts itself with (rules hold the directories'
    inodes: built once when the scratch directory is emptied between samples, per sample when
    each sample has a fresh tmpfs).
    Returns a function that applies it, or one that does nothing without Landlock."""
    if abi < 1:
        def nothing():
            return None

        nothing.release = lambda: None
        return nothing
    libc = ctypes.CDLL(None, use_errno=True)
    handled = (1 << 13) - 1
    if abi >= 2:
        handled |= 1 << 13
    if abi >= 3:
        handled |= 1 << 14
    if abi >= 5:
        handled |= 1 << 15
    file_rights = (1 << 0) | (1 << 1) | (1 << 2) | (1 << 14) | (1 << 15)
    # Scoped (ABI 6): no signals to, no abstract sockets of, processes outside the sample's domain.
    attr = (ctypes.c_uint64 * 3)(handled, 0b11 if abi >= 4 else 0, 0b11 if abi >= 6 else 0)
    size = 8 if abi < 4 else (16 if abi < 6 else 24)
    ruleset = libc.syscall(444, ctypes.byref(attr), size, 0)
    if ruleset < 0:
        raise OSError(ctypes.get_errno(), "landlock_create_ruleset")

    class PathBeneath(ctypes.Structure):
        _pack_ = 1
        _fields_ = [("allowed", ctypes.c_uint64), ("fd", ctypes.c_int32)]

    execute, read_file, read_dir = 1 << 0, 1 << 2, 1 << 3
    for paths, rights in ((read_execute, execute | read_file | read_dir), (read_write, handled)):
        for path in paths:
            try:
                fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            except FileNotFoundError:
                continue
            allowed = rights if os.path.isdir(path) else rights & file_rights
            rule = PathBeneath(allowed & handled, fd)
            if libc.syscall(445, ruleset, 1, ctypes.byref(rule), 0) != 0:
                raise OSError(ctypes.get_errno(), "landlock_add_rule " + path)
            os.close(fd)
    restrict_self = libc.syscall

    def restrict():
        if restrict_self(446, ruleset, 0) != 0:
            raise OSError(ctypes.get_errno(), "landlock_restrict_self")
        os.close(ruleset)

    restrict.release = lambda: os.close(ruleset)  # the zygote's copy, once a child has its own
    return restrict


def _wipe(path):
    """Empties the scratch directory after a sample, whatever permissions it left behind."""
    os.chmod(path, 0o700)
    with os.scandir(path) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                _wipe(entry.path)
                os.rmdir(entry.path)
            else:
                os.unlink(entry.path)


def _owned_directories(path):
    """The sample directory and those above it that the pool's uid owns (the scratch tmpfs, the
    pool's workdir): a sample could chmod them or touch their times, which Landlock does not
    govern, so the zygote puts their metadata back after each sample."""
    found = []
    while path not in ("", "/"):
        info = os.lstat(path)
        if info.st_uid != os.getuid():
            break
        found.append((path, info.st_mode & 0o7777, info.st_atime_ns, info.st_mtime_ns))
        path = os.path.dirname(path)
    return found


def _restore(directories):
    for path, mode, atime, mtime in directories:
        os.chmod(path, mode)
        os.utime(path, ns=(atime, mtime), follow_symlinks=False)


def _settle(stack_filter, restrict, sockets, header, sample, control, placed):
    """A forked child's set-up, the same for every kind of sample: the sample's rlimits, its
    directory, its own Landlock domain, `placed` (descriptors) moved to 0, 1, 2, … — lifted above
    the targets first, so no placement clobbers another — everything else closed (the channel,
    the tester's socket, the other side's descriptors); then the afterStart filter."""
    try:
        for held in sockets:
            held.detach()  # their descriptors are closed below; the objects must not close others
        for name, limit in RLIMITS:
            value = int(header[name])
            resource.setrlimit(limit, (value, value + 1 if name == "cpu" else value))
        os.chdir(sample)
        os.environ["HOME"] = os.environ["TMPDIR"] = sample
        restrict()
        floor = len(placed) + 1
        lifted = [fcntl.fcntl(fd, fcntl.F_DUPFD, floor) if fd is not None else None for fd in placed]
        for target, fd in enumerate(lifted):
            if fd is not None:
                os.dup2(fd, target)
        os.closerange(len(placed), 1 << 16)
        random.seed()
    except BaseException as error:
        os.write(control, ("internal_error warm pool child set-up: %s\n" % error).encode())
        os._exit(125)
    stack_filter()


def _candidate(runtime, stack_filter, restrict, sockets, header, fds, sample):
    """The forked child: restrict itself, then load and serve the sample's program (fd 5) over
    the request and reply pipes (3 and 4). Its stdin stays the pool's /dev/null."""
    stdout, stderr, requests, replies, program, control = fds[:6]
    _settle(stack_filter, restrict, sockets, header, sample, control, [None, stdout, stderr, requests, replies, program])
    source = _read_all(5)
    name = header["program"]
    sys.argv = [name]
    runtime.candidate.serve_candidate(source, name, 3, 4)
    os._exit(0)


def _plain(runtime, stack_filter, restrict, sockets, header, fds, sample):
    """The forked child of a stdin/stdout test case: the same restrictions as a harness
    candidate, then the program (fd 3) as __main__ with the test's input on fd 0."""
    stdout, stderr, stdin, program, control = fds
    os.lseek(stdin, 0, os.SEEK_SET)  # the grader wrote the input into it: read from the start
    _settle(stack_filter, restrict, sockets, header, sample, control, [stdin, stdout, stderr, program])
    source = _read_all(3)
    import atexit

    atexit._clear()  # only the program's own handlers run at its end (`_program_end`)
    name = header["program"]
    sys.argv = [name]
    module = type(sys)("__main__")
    module.__file__ = name
    module.__builtins__ = __builtins__
    sys.modules["__main__"] = module
    try:
        exec(compile(source, name, "exec"), module.__dict__)
    except SystemExit as exit:
        code = exit.code
        if code is None:
            runtime.program.program_end(0)
        if type(code) is int:
            runtime.program.program_end(code & 0xFF)
        sys.stderr.write("%s\n" % (code,))
        runtime.program.program_end(1)
    except BaseException:
        import traceback

        traceback.print_exc()
        runtime.program.program_end(1)
    runtime.program.program_end(0)


def _tester(runtime, stack_filter, connection):
    """The pool's test runner: one sample at a time, records on fd 3, a summary to the zygote."""
    os.closerange(3, connection.fileno())
    os.closerange(connection.fileno() + 1, 1 << 16)
    null = fcntl.fcntl(0, fcntl.F_DUPFD, 10)  # above 1-3, which each sample's descriptors take
    stack_filter()

    def candidate_gone():
        raise runtime.codec.CandidateGone()

    while True:
        message, fds, _, _ = socket.recv_fds(connection, 256, 6)
        if not message or len(fds) != 6:
            os._exit(0)
        stdout, stderr, control, requests, replies, payload = fds
        for source, target in ((stdout, 1), (stderr, 2), (control, 3)):
            os.dup2(source, target)
            os.close(source)
        before = resource.getrusage(resource.RUSAGE_SELF)
        try:
            spec, _, tests = _read_all(payload).partition(b"\0")
            code = runtime.supervisor.supervise(runtime.supervisor.parse_spec(spec.decode()), tests, requests, replies,
                                        candidate_gone, send_go=False)
        except runtime.codec.CandidateGone:
            code = -1  # the run ends the way the candidate process did
        except BaseException as error:
            runtime.channel.tell("internal_error warm pool tester: %s" % error)
            code = 125
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except BaseException:
            pass
        os.close(requests)  # the candidate reads EOF and exits
        os.close(replies)
        os.dup2(null, 1)
        os.dup2(null, 2)
        os.close(3)
        after = resource.getrusage(resource.RUSAGE_SELF)
        connection.send(b"%d %d %d" % (code, int((after.ru_utime - before.ru_utime) * 1e6),
                                       int((after.ru_stime - before.ru_stime) * 1e6)))


def _start_tester(runtime, stack_filter):
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    if os.fork() == 0:
        ours.detach()
        signal.pthread_sigmask(signal.SIG_SETMASK, [])  # the zygote's are blocked when it is init
        try:
            if _IN_USER_NAMESPACE:
                # The tester gets no power from the pool's user namespace and a Landlock domain
                # of its own: the runtime to read, /dev/null, nothing to write.
                _drop_capabilities()
                if _TESTER_RESTRICT is not None:
                    _TESTER_RESTRICT()
            _tester(runtime, stack_filter, theirs)
        except BaseException as error:
            os.write(2, ("warm pool tester: %r\n" % (error,)).encode())  # the pool's stderr: /dev/null
        finally:
            os._exit(125)
    theirs.close()
    return ours


def _sweep():
    """Kills every process the zygote can reach (all of them are a sample's leftovers or the
    tester). Safe only because the pool is alone in its PID namespace (the grader ensures it)."""
    try:
        os.kill(-1, signal.SIGKILL)
    except ProcessLookupError:
        pass
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            return


_IN_USER_NAMESPACE = False
_TESTER_RESTRICT = None


def main():
    global _IN_USER_NAMESPACE, _TESTER_RESTRICT
    runtime = _load_runtime(sys.argv[1])
    runtime.program.add_site_packages()
    after_start = runtime.channel.load_filter(sys.argv[2])
    stack_filter = runtime.channel.prepare_filter(after_start)
    channel = socket.socket(fileno=CHANNEL_FD)
    # A user namespace of the pool's own, so that each sample can get namespaces of its own
    # without any power reaching the sample; the grader writes its map (our uid, to itself).
    try:
        _check(_libc.syscall(SYS_UNSHARE, CLONE_NEWUSER), "unshare")
        channel.send(b"userns yes")
        _IN_USER_NAMESPACE = True
    except OSError:
        channel.send(b"userns no")
    config = runtime.supervisor.parse_spec(channel.recv(1 << 16).decode())
    fresh = _IN_USER_NAMESPACE and config.get("fresh") == "1"
    sample = config["sample"]
    last_pid = workdir = None
    if fresh:
        last_pid, workdir = _home_world(sample, config["tmpfs"])
        os.makedirs(sample, 0o700)
    else:
        os.mkdir(sample, 0o700)
        # As in a fresh world (where every signal is blocked): a child's end is waited for with
        # sigtimedwait (`_wait_watching`); the children unblock it.
        signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGCHLD])
    read_execute = [path for path in config["read_execute"].split("\x1f") if path]
    read_write = [path for path in config["read_write"].split("\x1f") if path]
    restrict = _landlock_ruleset(int(config["abi"]), read_execute, [sample] + read_write)
    if _IN_USER_NAMESPACE:
        # The tester gets a domain of its own: the runtime, /dev/null, nothing to write.
        _TESTER_RESTRICT = _landlock_ruleset(int(config["abi"]), read_execute, read_write)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    if config.get("cpu"):
        try:
            os.sched_setaffinity(0, {int(config["cpu"])})
        except (OSError, ValueError):
            pass  # the core went away (offlined, or a cpuset changed): run unpinned
    tester = _start_tester(runtime, stack_filter)
    directories = _owned_directories(sample)
    if fresh:
        # Those on the sample's tmpfs are new with every sample; the ones above it are restored.
        directories = [entry for entry in directories if not (entry[0] + "/").startswith(workdir + "/")]
    _warm_up(runtime)
    gc.collect()
    gc.freeze()
    preloaded = set()
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(channel, 1 << 16, 16)
        except OSError:
            os._exit(0)
        if not message:
            os._exit(0)
        header = runtime.supervisor.parse_spec(message.decode())
        plain = header.get("mode") == "plain"
        if header.get("preload") and header["preload"] not in preloaded:
            # Modules the grader asks for once (LiveCodeBench's runner imports its import block,
            # ast and its guard's modules on every test case): loaded here, before the fork.
            preloaded.add(header["preload"])
            for name in header["preload"].split(","):
                if name.isidentifier():
                    try:
                        __import__(name)
                    except ImportError:
                        pass
            gc.collect()
            gc.freeze()
        if len(fds) != (5 if plain else 9):
            os._exit(0)
        if fresh:
            os.pwrite(last_pid, b"%d" % (SAMPLE_PID - 1), 0)  # the candidate's PID: the same for every sample (at offset 0: a sysctl ignores writes past it)
        child = os.fork()
        if child == 0:
            if fresh:
                try:
                    signal.pthread_sigmask(signal.SIG_SETMASK, [])
                    _libc.prctl(1, signal.SIGKILL)
                    os.close(last_pid)
                    _drop_capabilities()
                except BaseException as error:
                    os.write(fds[5 if not plain else 4], ("internal_error warm pool world: %s\n" % error).encode())
                    os._exit(125)
            else:
                signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGCHLD])
                if _IN_USER_NAMESPACE:
                    _drop_capabilities()
            if plain:
                _plain(runtime, stack_filter, restrict, (channel, tester), header, fds, sample)
            _candidate(runtime, stack_filter, restrict, (channel, tester), header, fds, sample)
        if fresh:
            restrict.release()  # the child has its copy; the next sample gets a ruleset of its own
        # The sample's memory is watched as a cold run's is (in a world of its own; otherwise the
        # pool's scratch is shared and its rlimits hold).
        state = {"candidate": child, "workdir": workdir, "limit": int(header.get("data") or 0) if fresh else 0,
                 "peak": 0, "stopped": False}
        if plain:
            for fd in fds:
                os.close(fd)
            status, usage = _wait_watching(state) if fresh else os.wait4(child, 0)[1:]
            test_utime = test_stime = 0
        else:
            socket.send_fds(tester, [b"sample"], [fds[0], fds[1], fds[5], fds[6], fds[7], fds[8]])
            for fd in fds:
                os.close(fd)
            summary = (_reply_watching(state, tester) if fresh else tester.recv(256)).split()
            if len(summary) == 3 and summary[0] == b"124":
                os.kill(child, signal.SIGKILL)  # an input ran past its own limit: end the candidate
            status, usage = _wait_watching(state, runtime.supervisor.END_GRACE)
            if len(summary) != 3:
                os._exit(1)  # the tester died: the grader re-runs this sample cold
            code, test_utime, test_stime = (int(field) for field in summary)
            if code >= 0:
                status = code << 8
        peak, stopped = state["peak"], int(state["stopped"])
        if after_start is None:
            _sweep()
            tester = _start_tester(runtime, stack_filter)
        clean = True
        if not fresh:
            try:
                _restore(directories)  # modes and times as the first sample found them
                _wipe(sample)
            except OSError:
                clean = False
        channel.send(b"%d %d %d %d %d %d" % (status, int(usage.ru_utime * 1e6) + test_utime,
                                             int(usage.ru_stime * 1e6) + test_stime, usage.ru_maxrss, peak, stopped))
        if clean and fresh:
            # After the reply, off the sample's path: a fresh tmpfs, and the next sample's Landlock
            # ruleset, whose rule must name the new directory's inode.
            try:
                _restore(directories)  # those above the tmpfs: modes and times as the first sample found them
                _renew_scratch(workdir, sample, config["tmpfs"])
                restrict = _landlock_ruleset(int(config["abi"]), read_execute, [sample] + read_write)
            except OSError:
                clean = False
        if not clean:
            os._exit(0)  # leftovers it cannot remove must not meet the next sample: a fresh pool


main()
