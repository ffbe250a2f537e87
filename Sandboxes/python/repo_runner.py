# Proctor's repository-task runner: the program a `python`-profile sandbox runs for one
# prediction, with the prepared working tree as its current directory.
#
# argv: repo_runner.py SETUP_COMMAND TEST_COMMAND   (an empty SETUP_COMMAND means none)
# Both run through /bin/sh; the run's exit status is the test command's (or the failed
# setup command's). The grader reads the JUnit report the test command writes in the tree.
import subprocess
import sys


def main():
    setup, test = sys.argv[1], sys.argv[2]
    if setup.strip():
        code = subprocess.call(["/bin/sh", "-c", setup])
        if code != 0:
            sys.stderr.write("proctor: setup command exited with status %d\n" % code)
            sys.exit(code if 0 < code < 256 else 1)
    code = subprocess.call(["/bin/sh", "-c", test])
    sys.exit(code if 0 <= code < 256 else 1)


if __name__ == "__main__":
    main()
