"""Proctor's runtime inside the sandbox: the Python code of ours that runs in every sandboxed run,
one concern per module. `bootstrap.py` (beside this package) is the entry; the grader compiles
the package once per sandbox and hands each run the bytecode (see `bootstrap.py`).

  channel       the grader's channel (fd 3) and the seccomp filters
  program       running a program and ending it as CPython does
  codec         plain data between the tester and the candidate process
  candidate     the candidate process of a graded sample
  supervisor    the tester of a graded sample (harness mode)
  compare       the comparison rules of inputs problems
  differential  `style=inputs`: EvalPlus-style base and plus inputs
  reference     `style=reference`: a task's reference run on its inputs
  amplify       `style=amplify`: more inputs mutated from a task's own
"""
