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
    """Makes proctor_runtime importable: from the bundle's code when the grader compiled one, else
    from the package beside this file (the runtime's unit tests run it from the source tree)."""
    codes = globals().get("_RUNTIME")
    if codes is None:
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

    def preload(*names):
        """Runs the modules a mode needs, in dependency order, without the import system's search:
        each later `from .x import` finds its module in sys.modules. A cold run pays per module
        it uses, not for the whole runtime (measured: below the single-file bootstrap's CPU)."""
        for name in ("",) + names:
            full = "proctor_runtime" + ("." + name if name else "")
            if full in sys.modules:
                continue
            if full not in codes:
                raise ImportError("no module named %r in the bundle" % full)
            module = type(sys)(full)
            module.__spec__ = ModuleSpec(full, RuntimeFinder, is_package=not name)
            module.__package__ = "proctor_runtime"
            if not name:
                module.__path__ = []
            sys.modules[full] = module
            exec(marshal.loads(codes[full]), module.__dict__)
            if name:
                setattr(sys.modules["proctor_runtime"], name, module)

    global _preload
    _preload = preload


def _preload(*names):
    """Without a bundle the import system finds the modules itself."""


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
    _preload("channel", "program")
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
        _preload("codec", "candidate", "supervisor")
        from proctor_runtime.supervisor import harness

        harness(program, after_start)
    else:
        stack_filter(after_start)
        run_program(program)


if __name__ == "__main__":
    main()
