# Proctor's warm pool (fork server): one per worker slot, sandboxed exactly like a cold run
# (slot uid, namespaces, tmpfs, rlimits, Landlock, seccomp). It starts the interpreter and
# imports what the bootstrap and typical solutions need once, then forks one child per sample.
#
# argv: zygote.py BOOTSTRAP AFTER_START_BPF|-
# fd 3: a SOCK_SEQPACKET socket to the grader. Each request is one packet of `key=value` lines
# with three descriptors attached (the sample's stdout, stderr and control channel); the reply
# is one packet "STATUS UTIME_US STIME_US MAXRSS_KIB" after the sample's process has ended.
#
# The zygote never runs sample code and never holds one sample's code or tests while serving
# another: the child reads its inputs after the fork. Each child stacks the per-sample
# restrictions before touching anything of the sample: its own rlimits, a Landlock domain of its
# own (read+delete on its inputs, read-write only in a fresh scratch directory; signals scoped
# so it cannot reach the zygote), and — inside the bootstrap's harness — the afterStart filter
# (no exec, no new processes). After each sample the zygote SIGKILLs every process it can reach
# (all of them are the sample's leftovers) so nothing carries over to the next one.
import gc
import os
import resource
import shutil
import signal
import socket
import sys

import ctypes

# What HumanEval/MBPP-style solutions commonly import, so children do not pay for it.
import bisect, collections, functools, heapq, itertools, math, random, re, string, typing  # noqa: E401,F401

CHANNEL_FD = 3


def _load_bootstrap(path):
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
    return module


def _landlock_restrict(abi, read_execute, read_remove, read_write):
    """A Landlock domain for one sample, stacked on the pool's (domains only ever narrow)."""
    if abi < 1:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    handled = (1 << 13) - 1
    if abi >= 2:
        handled |= 1 << 13
    if abi >= 3:
        handled |= 1 << 14
    if abi >= 5:
        handled |= 1 << 15
    file_rights = (1 << 0) | (1 << 1) | (1 << 2) | (1 << 14) | (1 << 15)
    attr = (ctypes.c_uint64 * 3)(handled, 0b11 if abi >= 4 else 0, 0b11 if abi >= 6 else 0)
    size = 8 if abi < 4 else (16 if abi < 6 else 24)
    ruleset = libc.syscall(444, ctypes.byref(attr), size, 0)
    if ruleset < 0:
        raise OSError(ctypes.get_errno(), "landlock_create_ruleset")

    class PathBeneath(ctypes.Structure):
        _pack_ = 1
        _fields_ = [("allowed", ctypes.c_uint64), ("fd", ctypes.c_int32)]

    execute, read_file, read_dir, remove_file = 1 << 0, 1 << 2, 1 << 3, 1 << 5
    for paths, rights in ((read_execute, execute | read_file | read_dir),
                          (read_remove, read_file | read_dir | remove_file),
                          (read_write, handled)):
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
    if libc.syscall(446, ruleset, 0) != 0:
        raise OSError(ctypes.get_errno(), "landlock_restrict_self")
    os.close(ruleset)


def _serve(bootstrap, after_start, request, fds, channel):
    """The forked child: become the sample's process, then run the bootstrap's harness."""
    try:
        channel.detach()  # fd 3 is about to become the sample's control channel
        for source, target in zip(fds, (1, 2, 3)):
            os.dup2(source, target)
        os.closerange(4, 1 << 16)
        for name, value in (("RLIMIT_CPU", "cpu"), ("RLIMIT_DATA", "data"), ("RLIMIT_AS", "as"),
                            ("RLIMIT_FSIZE", "fsize"), ("RLIMIT_NOFILE", "nofile"), ("RLIMIT_NPROC", "nproc")):
            limit = int(request[value])
            soft = limit
            hard = limit + 1 if value == "cpu" else limit
            resource.setrlimit(getattr(resource, name), (soft, hard))
        scratch = request["scratch"]
        os.chdir(scratch)
        for key in ("HOME", "TMPDIR"):
            os.environ[key] = scratch
        _landlock_restrict(int(request["abi"]), request["read_execute"].split("\x1f"), [request["inputs"]],
                           [scratch] + [path for path in request["read_write"].split("\x1f") if path])
        random.seed()
    except BaseException as error:
        os.write(3, ("internal_error warm pool child set-up: %s\n" % error).encode())
        os._exit(125)
    sys.argv = [request["program"]]
    bootstrap._harness(request["program"], after_start)
    os._exit(0)


def main():
    bootstrap = _load_bootstrap(sys.argv[1])
    after_start = bootstrap._load_filter(sys.argv[2])
    channel = socket.socket(fileno=CHANNEL_FD)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    gc.freeze()
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(channel, 1 << 16, 3)
        except OSError:
            os._exit(0)
        if not message:
            os._exit(0)
        request = dict(line.partition("=")[::2] for line in message.decode().split("\n") if line)
        scratch = request["scratch"]
        os.mkdir(scratch, 0o700)
        child = os.fork()
        if child == 0:
            _serve(bootstrap, after_start, request, fds, channel)
        for fd in fds:
            os.close(fd)
        _, status, usage = os.wait4(child, 0)
        # Leftovers of this sample (a thread-holding orphan, say) must not meet the next one.
        # Safe only because the pool is alone in its PID namespace (the grader guarantees it).
        try:
            os.kill(-1, signal.SIGKILL)
        except ProcessLookupError:
            pass
        shutil.rmtree(scratch, ignore_errors=True)
        reply = "%d %d %d %d" % (status, int(usage.ru_utime * 1e6), int(usage.ru_stime * 1e6), usage.ru_maxrss)
        channel.send(reply.encode())


main()
