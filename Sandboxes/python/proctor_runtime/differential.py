"""`style=inputs` (EvalPlus-style problems): the reference's cases, base then plus, each call with a
time limit of its own; one record per group and for the first input that failed."""
from .channel import error_message, escape, tell
from .codec import CandidateEnded, CandidateGone, CaseTimeout, unpack
from .compare import digest_of, same, short


def grade_inputs(spec, blob, call):
    """style=inputs: base cases first, then plus (skipped once base failed). Returns True when
    every case passed, False when one failed, or raises CaseTimeout."""
    data = unpack(blob)
    atol = float(data.get("atol") or 0)
    limits = [float(limit) for limit in spec["limits"].split(",")]
    if len(limits) != len(data["cases"]):
        raise ValueError("the grader gave %d limits for %d cases" % (len(limits), len(data["cases"])))
    hidden = spec.get("hidden") == "1"
    entry = spec["entry_point"]
    # [group, index, args, expected, digest or None, limit]
    cases = [case + [limits[position]] for position, case in enumerate(data["cases"])]
    all_passed = True
    for group in ("base", "plus"):
        positions = [position for position, case in enumerate(cases) if case[0] == group]
        if not positions:
            continue
        if not all_passed:
            tell("group %s skipped 0 %d" % (group, len(positions)))
            continue
        # Every input of the group is called before any of its results is compared: which calls
        # a candidate gets never depends on whether an earlier answer was right (plus follows a
        # passed base, as in EvalPlus: one bit per sample). A timeout or the candidate ending
        # stops the run (the candidate does not survive either).
        results = {}
        for done, position in enumerate(positions, 1):
            _, index, args, expected, _, limit = cases[position]
            try:
                results[position] = ("return", call(entry, args, limit))
            except CaseTimeout:
                tell("group %s failed %d %d" % (group, done, len(positions)))
                tell("failure %s %d timeout\t%s" % (group, index, "" if hidden else escape("input " + short(args))))
                tell("case_timeout %s %d %d" % (group, index, int(limit * 1000)))
                raise
            except (CandidateEnded, CandidateGone):
                raise
            except BaseException as error:
                results[position] = ("raised", error)
        done = 0
        for position in positions:
            _, index, args, expected, digest, _ = cases[position]
            kind, out = results[position]
            done += 1
            where = "%s input #%d" % (group, index)
            if kind == "raised":
                error = out
                origin = getattr(error, "_proctor_origin", None) or (type(error).__name__, 0, error_message(error))
                tell("group %s failed %d %d" % (group, done, len(positions)))
                detail = "" if hidden else "input %s raised %s: %s" % (short(args), origin[0], origin[2])
                tell("failure %s %d raised\t%s" % (group, index, escape(detail)))
                tell("exception %s\tprogram\t%d\t%s" % (escape(origin[0]), origin[1], escape(
                    "%s raised %s" % (where, origin[0]) if hidden else "%s: %s" % (where, origin[2]))))
                all_passed = False
                break
            if not (digest_of(out) == digest if digest is not None else same(out, expected, atol)):
                tell("group %s failed %d %d" % (group, done, len(positions)))
                wanted = "the reference's value (sha256 %s)" % digest[:16] if digest is not None else short(expected)
                detail = "" if hidden else "input %s: expected %s, got %s" % (short(args), wanted, short(out))
                tell("failure %s %d wrong\t%s" % (group, index, escape(detail)))
                tell("exception WrongAnswer\ttests\t0\t%s" % escape(
                    "%s: wrong result" % where if hidden else "%s: %s" % (where, detail)))
                all_passed = False
                break
        else:
            tell("group %s passed %d %d" % (group, done, len(positions)))
    return all_passed
