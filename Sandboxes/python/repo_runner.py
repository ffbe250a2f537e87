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
#   outcome NODEID WHEN OUTCOME, suspicious KIND DETAIL, finish STATUS
#                                       forwarded from Proctor's pytest plugin (proctor_pytest.py,
#                                       beside this program), which streams them over a pipe of
#                                       ours while pytest runs; nothing else from that pipe passes
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


STREAM_KINDS = {"outcome": 4, "suspicious": 3, "finish": 2}
MAX_STREAM_LINES = 200000
FINISHED = threading.Event()


def forward_stream(read_fd):
    """Passes the plugin's records on to the grader, checked for shape, until the pipe closes."""
    with os.fdopen(read_fd, "rb") as stream:
        forwarded = 0
        for raw in stream:
            if forwarded >= MAX_STREAM_LINES or len(raw) > 16384:
                continue
            line = raw.rstrip(b"\n").decode("utf-8", "replace")
            fields = line.split("\t")
            if STREAM_KINDS.get(fields[0]) != len(fields):
                continue
            os.write(CONTROL_FD, (line + "\n").encode("utf-8", "backslashreplace"))
            forwarded += 1
            if fields[0] == "finish":
                FINISHED.set()


def run_tests(command, inputs):
    """The test command, with Proctor's pytest plugin announced on a pipe only it is told of;
    plugin auto-loading off, so a plugin a patch planted in package metadata never loads."""
    read_fd, write_fd = os.pipe()
    environment = dict(os.environ)
    environment["PROCTOR_OUTCOME_FD"] = str(write_fd)
    environment["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    environment["PYTHONPATH"] = inputs + ((":" + environment["PYTHONPATH"]) if environment.get("PYTHONPATH") else "")
    reader = threading.Thread(target=forward_stream, args=(read_fd,), daemon=True)
    reader.start()
    try:
        code = subprocess.call(["/bin/sh", "-c", command], env=environment, pass_fds=(write_fd,))
    finally:
        os.close(write_fd)
    wait_for_stream(reader)
    return code


def wait_for_stream(reader):
    """Until the plugin's session-end record is through (everything before it is), or 5 s: a
    process the tests left behind (forked, not exec'd) may hold the pipe open for as long as it
    lives, so the end of the pipe is not waited for."""
    FINISHED.wait(5)
    reader.join(0.1)


def run_eval(inputs, script, log_name, stream):
    """SWE-bench's way: the eval script (written by the grader: the spec's environment and eval
    commands, then the test command on the test directives) with stdout and stderr together in
    the log file beside this program, read back whole by the grader and parsed per repository.
    The exit status travels over the control descriptor, which the tests cannot write.

    With `stream` (a pytest suite), Proctor's plugin is added through PYTEST_ADDOPTS and streams
    what pytest decided, as for Proctor's own runs: the grader checks the log against it, so
    summary lines printed by tested code cannot turn a failure into a pass. Plugin auto-loading
    stays as SWE-bench has it (the environment's plugins are part of the suite)."""
    environment = dict(os.environ)
    read_fd = write_fd = None
    if stream:
        read_fd, write_fd = os.pipe()
        environment["PROCTOR_OUTCOME_FD"] = str(write_fd)
        environment["PROCTOR_PYTEST_ADDOPTS"] = environment.get("PYTEST_ADDOPTS", "")
        environment["PYTEST_ADDOPTS"] = ("-p proctor_pytest " + environment.get("PYTEST_ADDOPTS", "")).strip()
        environment["PROCTOR_PYTHONPATH"] = environment.get("PYTHONPATH", "")
        environment["PYTHONPATH"] = inputs + ((":" + environment["PYTHONPATH"]) if environment.get("PYTHONPATH") else "")
        reader = threading.Thread(target=forward_stream, args=(read_fd,), daemon=True)
        reader.start()
    try:
        with open(os.path.join(inputs, log_name), "ab", buffering=0) as log:
            code = subprocess.call(["/bin/bash", os.path.join(inputs, script)], stdin=subprocess.DEVNULL, stdout=log,
                                   stderr=subprocess.STDOUT, env=environment,
                                   pass_fds=(write_fd,) if write_fd is not None else ())
    finally:
        if write_fd is not None:
            os.close(write_fd)
    if stream:
        wait_for_stream(reader)
    tell("tests_finished", code)
    return 0


def main():
    swe = sys.argv[1] == "--swe"
    if swe:
        model, tests, script, log_name = sys.argv[2:6]
        stream = sys.argv[6:7] == ["pytest"]
    else:
        model, tests, setup, command = sys.argv[1:5]
    inputs = os.path.dirname(os.path.abspath(sys.argv[0]))
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
        return run_eval(inputs, script, log_name, stream)
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
