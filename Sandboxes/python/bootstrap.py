# Proctor's in-sandbox bootstrap: the first Python code of every run, before the program.
#
# argv: bootstrap.py AFTER_START_BPF|- PROGRAM [ARGS...]
#
# Run mode (proctor run): stacks the profile's "afterStart" seccomp filter (e.g. no more
# execve or fork; filters only ever tighten), then runs PROGRAM as __main__. The program gets no
# control descriptor at all: fd 3 is closed before it runs, unless the grader placed
# .proctor-runner beside it (a program of the grader's own, like the repository runner, that
# runs no sample code in its process).
#
# Harness mode (proctor grade; .proctor-harness is present beside PROGRAM): the candidate and the
# tests run in two processes, and only the tester writes the completion record on fd 3
# (proctor_runtime/supervisor.py says how, and why the candidate cannot forge it).
#
# Other records on fd 3: "exception TYPE<TAB>FILE<TAB>LINE<TAB>MESSAGE" for the exception that
# ended the run (every field escaped), "memory_error" for an uncaught MemoryError,
# "internal_error ..." when the bootstrap itself failed before any sample code existed. They only
# refine why a run failed; none can make it pass, and the grader decides a status from what it
# observed itself.
#
# The runtime is the package proctor_runtime beside this file, one concern per module. The
# grader compiles this file and the package into one bytecode file once per sandbox
# (Sources/Sandbox/Run/BootstrapCompiler.swift): the modules travel in it as marshalled code
# (_RUNTIME, defined above this file's first line) and are served by the finder below. So a run
# reads one file, compiles nothing, imports only the modules its mode needs (a plain run never
# loads the codec or the tester), and no directory of ours is on the program's sys.path.
import os
import sys


def _install_runtime():
    codes = globals().get("_RUNTIME")
    if codes is None:
        # Run from the source tree (the runtime's unit tests): the package beside this file.
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        return
    import marshal
    from _frozen_importlib import ModuleSpec  # always loaded: no file is read for it

    class RuntimeFinder:
        """Serves proctor_runtime and its modules from the bundle's code, and nothing else."""

        @classmethod
        def find_spec(cls, name, path=None, target=None):
            if name not in codes:
                return None
            return ModuleSpec(name, cls, is_package=name == "proctor_runtime")

        @staticmethod
        def create_module(spec):
            return None

        @staticmethod
        def exec_module(module):
            exec(marshal.loads(codes[module.__name__]), module.__dict__)

    sys.meta_path.insert(0, RuntimeFinder)


def _runtime_missing(error):
    """No runtime, no run: the grader (or its bundle) is not this bootstrap's. Said on fd 3 as the
    sandbox's failure, so no sample is failed for it."""
    try:
        os.write(3, ("internal_error bootstrap: cannot load proctor_runtime (%s)\n" % type(error).__name__).encode())
    except OSError:
        pass
    os._exit(125)


try:
    _install_runtime()
    from proctor_runtime.program import site_builtins  # (served by the finder above)
except ImportError as error:
    _runtime_missing(error)

site_builtins()


def main():
    from proctor_runtime.channel import load_filter, stack_filter, tell
    from proctor_runtime.program import add_site_packages, run_program

    add_site_packages()
    if len(sys.argv) < 3:
        tell("internal_error bootstrap usage")
        os._exit(125)
    after_start, program = load_filter(sys.argv[1]), sys.argv[2]
    if os.path.exists(os.path.join(os.path.dirname(program), ".proctor-harness")):
        from proctor_runtime.supervisor import harness

        harness(program, after_start)
    else:
        stack_filter(after_start)
        run_program(program)


if __name__ == "__main__":
    main()
