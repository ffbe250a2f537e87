# Proctor's repository-task runner: the program a `python`-profile sandbox runs for one
# prediction, with the instance's worktree (at the base commit, seen through an overlay on the
# run's scratch tmpfs) as its current directory.
#
# argv: repo_runner.py MODEL_PATCH TEST_PATCH SETUP_COMMAND TEST_COMMAND
#       repo_runner.py --swe MODEL_PATCH TEST_PATCH EVAL_SCRIPT LOG   (SWE-bench's test commands
#       and log parsers: the eval script's output goes to LOG; see run_eval)
#   MODEL_PATCH, TEST_PATCH: file names beside this program (the grader's canonical re-emission
#   of the model's patch, already checked path by path; and the instance's test patch).
#   An empty SETUP_COMMAND means none.
#
# The model's patch is applied here, inside the sandbox, never on the host: what it writes is
# bounded by the run's quota and discarded with the run. `git apply` runs against an empty git
# directory of our own on the scratch tmpfs (never a .git found in the tree), then GNU patch
# with fuzz if git refused. Then the test patch, then the setup and test commands via /bin/sh.
#
# This process is the grader's: it keeps the control descriptor (fd 3) and runs no repository
# code itself (every command is a child, which does not inherit fd 3). Records, one a line,
# fields separated by tabs and escaped (backslash, newline, tab, CR):
#   apply_try NAME ok|failed OUTPUT     one per strategy tried
#   applied NAME fuzzy|exact            the model's patch is in the tree ("nothing": none of it was kept)
#   apply_failed                        no strategy applied it: no tests run
#   test_patch_failed OUTPUT            the instance's test patch did not apply
#   tests_started                       the setup command (if any) passed; the tests start now
#   tests_finished STATUS               (--swe) the eval script's exit status
#   started, outcome NODEID WHEN OUTCOME, suspicious KIND DETAIL, finish STATUS
#                                       forwarded from Proctor's test stream (proctor_stream.py,
#                                       beside this program, under the pytest plugin or the
#                                       unittest watcher) once each record's MAC and sequence
#                                       check; nothing else from that pipe passes
#   stream_forged COUNT                 records on the stream's pipe that failed the check
import hashlib
import hmac
import os
import subprocess
import sys
import threading

CONTROL_FD = 3


def escape(text):
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")


def tell(*fields):
    line = "\t".join(escape(str(field)) for field in fields) + "\n"
    os.write(CONTROL_FD, line.encode("utf-8", "backslashreplace"))


def run(arguments, environment):
    completed = subprocess.run(arguments, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               env=environment)
    return completed.returncode, completed.stdout.decode("utf-8", "replace")[:2000]


def git_environment():
    """git that reads no configuration but ours and no .git in the tree: its git directory is an
    empty repository on the scratch tmpfs, its work tree the current directory."""
    scratch = os.environ.get("TMPDIR") or "/tmp"
    git_dir = os.path.join(scratch, ".proctor-apply-git")
    base = {"PATH": "/usr/bin:/bin", "LC_ALL": "C", "HOME": scratch, "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_ALLOW_PROTOCOL": "", "GIT_TERMINAL_PROMPT": "0"}
    code, output = run(["/usr/bin/git", "init", "-q", "--bare", "--template=", git_dir], base)
    if code != 0:
        tell("apply_try", "git init", "failed", output)
    return dict(base, GIT_DIR=git_dir, GIT_WORK_TREE=os.getcwd())


def apply_model_patch(patch, environment):
    strategies = (
        ("git apply", ["/usr/bin/git", "-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null", "apply",
                       "--whitespace=nowarn", patch]),
        ("patch --fuzz", ["/usr/bin/patch", "-p1", "--fuzz=3", "--batch", "--forward", "--no-backup-if-mismatch",
                          "-r", "-", "-i", patch]),
    )
    for name, arguments in strategies:
        code, output = run(arguments, environment)
        tell("apply_try", name, "ok" if code == 0 else "failed", output.strip())
        if code == 0:
            tell("applied", name, "fuzzy" if "with fuzz" in output else "exact")
            return True
    tell("apply_failed")
    return False


STREAM_KINDS = {"started": 1, "outcome": 4, "suspicious": 3, "finish": 2}
MAX_STREAM_LINES = 200000
FINISHED = threading.Event()
# The descriptors the test command gets (and only it: the eval script closes them around its
# other steps): the stream's key to read once, the stream to write.
KEY_FD, OUT_FD = 61, 62


class Stream:
    """The authenticated test stream (proctor_stream.py): a pipe for the records, the key on a
    pipe of its own, read once by the first process of the test command that loads Proctor's
    stream (before any repository code in it runs)."""

    def __init__(self):
        self.key = os.urandom(32)
        self.read_fd, self.write_fd = os.pipe()
        key_read, key_write = os.pipe()
        os.write(key_write, self.key)
        os.close(key_write)
        # Placed at the numbers the test command is told of; the originals closed.
        os.dup2(key_read, KEY_FD)
        os.dup2(self.write_fd, OUT_FD)
        os.close(key_read)
        os.close(self.write_fd)
        self.forged = 0
        self.sequences = {}
        self.reader = threading.Thread(target=self.forward, daemon=True)
        self.reader.start()

    def passes(self):
        return (KEY_FD, OUT_FD)

    def environment(self, environment):
        return dict(environment, PROCTOR_STREAM="%d,%d" % (KEY_FD, OUT_FD))

    def close(self):
        """After the test command: our copies of the descriptors closed, the records read."""
        for fd in (KEY_FD, OUT_FD):
            try:
                os.close(fd)
            except OSError:
                pass
        wait_for_stream(self.reader)
        if self.forged:
            tell("stream_forged", self.forged)

    def check(self, raw):
        """The record's fields when its MAC and sequence are right; None otherwise."""
        parts = raw.rsplit(b"\t", 3)
        if len(parts) != 4:
            return None
        body, pid, seq, mac = parts
        if not pid.isdigit() or not seq.isdigit():
            return None
        expected = hashlib.blake2b(pid + b"\t" + seq + b"\t" + body, key=self.key, digest_size=16).hexdigest().encode()
        if not hmac.compare_digest(expected, mac) or self.sequences.get(pid, 0) != int(seq):
            return None
        self.sequences[pid] = int(seq) + 1
        return body

    def forward(self):
        """Passes the plugin's records on to the grader, checked for MAC, order and shape, until
        the pipe closes; counts what fails the check."""
        with os.fdopen(self.read_fd, "rb") as stream:
            forwarded = 0
            for raw in stream:
                if forwarded >= MAX_STREAM_LINES or len(raw) > 16384:
                    continue
                body = self.check(raw.rstrip(b"\n"))
                if body is None:
                    self.forged += 1
                    continue
                line = body.decode("utf-8", "replace")
                fields = line.split("\t")
                if STREAM_KINDS.get(fields[0]) != len(fields):
                    continue
                os.write(CONTROL_FD, (line + "\n").encode("utf-8", "backslashreplace"))
                forwarded += 1
                if fields[0] == "finish":
                    FINISHED.set()


def run_tests(command, inputs):
    """The test command, with Proctor's pytest plugin and its stream; plugin auto-loading off, so
    a plugin a patch planted in package metadata never loads."""
    stream = Stream()
    environment = stream.environment(os.environ)
    environment["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    environment["PYTHONPATH"] = inputs + ((":" + environment["PYTHONPATH"]) if environment.get("PYTHONPATH") else "")
    try:
        code = subprocess.call(["/bin/sh", "-c", command], env=environment, pass_fds=stream.passes())
    finally:
        stream.close()
    return code


def wait_for_stream(reader):
    """Until the plugin's session-end record is through (everything before it is), or 5 s: a
    process the tests left behind (forked, not exec'd) may hold the pipe open for as long as it
    lives, so the end of the pipe is not waited for."""
    FINISHED.wait(5)
    reader.join(0.1)


def run_eval(inputs, script, log_name, watch):
    """SWE-bench's way: the eval script (written by the grader: the spec's environment and eval
    commands, then the test command on the test directives) with stdout and stderr together in
    the log file beside this program, read back whole by the grader and parsed per repository.
    The exit status travels over the control descriptor, which the tests cannot write.

    With `watch` (`pytest` or `unittest`), the test command streams what the runner decided, as
    for Proctor's own runs: pytest loads Proctor's plugin through PYTEST_ADDOPTS, unittest
    Proctor's watcher through sitecustomize.py on PYTHONPATH. The grader checks the log against
    the stream, so summary lines printed by tested code cannot turn a failure into a pass.
    Plugin auto-loading stays as SWE-bench has it (the environment's plugins are part of the
    suite). The eval script hands the stream's descriptors to the test command alone."""
    environment = dict(os.environ)
    stream = None
    if watch:
        stream = Stream()
        if watch == "pytest":
            environment["PROCTOR_PYTEST_ADDOPTS"] = environment.get("PYTEST_ADDOPTS", "")
            environment["PYTEST_ADDOPTS"] = ("-p proctor_pytest " + environment.get("PYTEST_ADDOPTS", "")).strip()
        environment["PROCTOR_PYTHONPATH"] = environment.get("PYTHONPATH", "")
        environment["PYTHONPATH"] = inputs + ((":" + environment["PYTHONPATH"]) if environment.get("PYTHONPATH") else "")
    try:
        with open(os.path.join(inputs, log_name), "ab", buffering=0) as log:
            code = subprocess.call(["/bin/bash", os.path.join(inputs, script)], stdin=subprocess.DEVNULL, stdout=log,
                                   stderr=subprocess.STDOUT, env=environment,
                                   pass_fds=stream.passes() if stream else ())
    finally:
        if stream:
            stream.close()
    tell("tests_finished", code)
    return 0


def show_cpus(inputs):
    """The CPU count the spec gives the container (`.proctor-cpus` beside this program, written by
    the grader): the tests run on that many of the CPUs the run may use — a different set for
    each concurrent run's uid where there are enough — as a container limited to them would
    report through its cgroup files, which the run's root holds too."""
    try:
        with open(os.path.join(inputs, ".proctor-cpus")) as handle:
            wanted = int(handle.read())
    except (OSError, ValueError):
        return
    allowed = sorted(os.sched_getaffinity(0))
    if 0 < wanted < len(allowed):
        start = (os.getuid() * wanted) % len(allowed)
        os.sched_setaffinity(0, [allowed[(start + index) % len(allowed)] for index in range(wanted)])


def main():
    swe = sys.argv[1] == "--swe"
    if swe:
        model, tests, script, log_name = sys.argv[2:6]
        watch = sys.argv[6] if sys.argv[6:7] in (["pytest"], ["unittest"]) else None
    else:
        model, tests, setup, command = sys.argv[1:5]
    inputs = os.path.dirname(os.path.abspath(sys.argv[0]))
    show_cpus(inputs)
    environment = git_environment()
    if os.path.getsize(os.path.join(inputs, model)) == 0:
        tell("applied", "nothing", "exact")  # the grader kept none of the patch's changes
    elif not apply_model_patch(os.path.join(inputs, model), environment):
        return 0
    code, output = run(["/usr/bin/git", "apply", "--whitespace=nowarn", os.path.join(inputs, tests)], environment)
    if code != 0:
        tell("test_patch_failed", output.strip())
        return 0
    if swe:
        tell("tests_started")
        return run_eval(inputs, script, log_name, watch)
    if setup.strip():
        code = subprocess.call(["/bin/sh", "-c", setup])
        if code != 0:
            sys.stderr.write("proctor: setup command exited with status %d\n" % code)
            return code if 0 < code < 256 else 1
    tell("tests_started")
    code = run_tests(command, inputs)
    return code if 0 <= code < 256 else 1


if __name__ == "__main__":
    sys.exit(main())
