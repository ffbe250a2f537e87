"""`style=reference`: runs a task's own reference solution on its inputs (the grader caches the
results), so candidates are compared with what the reference returns, not with a file."""
import time

from .channel import emit_results, error_message, tell
from .codec import CandidateEnded, CandidateGone, CaseTimeout, pack
from .compare import DIGEST_OVER, MAX_CASES, exact, same


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


def run_reference(spec, line, call):
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
            origin = getattr(error, "_proctor_origin", None) or (type(error).__name__, 0, error_message(error))
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
            if len(cases) >= MAX_CASES:
                raise ValueError("more than %d inputs" % MAX_CASES)
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
                    origin = getattr(error, "_proctor_origin", None) or (type(error).__name__, 0, error_message(error))
                    raise ValueError("the reference raised %s on %s input #%d: %s" % (origin[0], group, index, origin[2]))
                seconds = time.perf_counter() - start
            if given is not None and given[1]:
                if has_reference and not same(expected, given[2], float(problem.get("atol") or 0)):
                    raise ValueError("the generator's expected output for %s input #%d differs from the reference's" %
                                     (group, index))
                expected = given[2]
            elif not has_reference:
                raise ValueError("%s input #%d has no expected output (no reference solution)" % (group, index))
            digest = None
            if type(expected) in (str, bytes, int, list, tuple, dict) and exact(expected):
                encoded = pack(expected)
                if len(encoded) > DIGEST_OVER:
                    import hashlib

                    digest, expected = hashlib.sha256(encoded).hexdigest(), None
                del encoded
            cases.append([group, index, args, expected, digest])
            tell("case %s %d %.6f" % (group, index, seconds))
    if not cases:
        raise ValueError("the problem has no inputs")
    emit_results(spec, pack({"atol": float(problem.get("atol") or 0), "cases": cases}))
    return True
