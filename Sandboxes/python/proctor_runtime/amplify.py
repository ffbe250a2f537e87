"""`style=amplify`: learns the shape of a task's inputs from its tests and mutates them into more
inputs (type-preserving, bounded), keeping those on which the reference behaves, so a sample can
be tested beyond the task's own few cases (`proctor stronger-tests`)."""
from .channel import emit_results, tell
from .codec import CandidateEnded, CandidateGone, CaseTimeout, pack, unpack
from .compare import same


def _json_plain(value):
    """True when value survives JSON unchanged (so a problems file can carry it)."""
    import json
    import math

    def plain(item):
        kind = type(item)
        if kind in (bool, int, str) or item is None:
            return True
        if kind is float:
            return math.isfinite(item)
        if kind is list:
            return all(plain(element) for element in item)
        if kind is dict:
            return all(type(key) is str and plain(element) for key, element in item.items())
        return False

    return plain(value) and len(json.dumps(value)) <= 100000


def _listed(value):
    """value with every tuple made a list."""
    if type(value) in (list, tuple):
        return [_listed(item) for item in value]
    if type(value) is dict:
        return {key: _listed(item) for key, item in value.items()}
    return value


def _mutate(value, rng, depth=0):
    """A nearby value of the same type: boundaries, small steps, sign flips, lengths."""
    kind = type(value)
    if kind is bool:
        return not value
    if kind is int:
        # Small steps first: a reference that is exponential in n (fib done recursively) must
        # still answer most mutants within the budget.
        return rng.choice([value + 1, value - 1, -value, 0, 1, -1, value + rng.randint(-10, 10),
                           value * 2 if abs(value) < 100 else value // 2, rng.randint(-100, 100),
                           # Farther: larger values and products of larger primes.
                           value * rng.choice((3, 7, 11, 13)) if abs(value) < 1000 else value + rng.randint(1, 50),
                           value + rng.randint(20, 80)])
    if kind is float:
        return rng.choice([value * 2, value / 2, -value, 0.0, 1.0, value + rng.uniform(-1, 1),
                           round(rng.uniform(-100, 100), 3)])
    if kind is str:
        alphabet = value or "abcxyz AZ09"
        characters = list(value)
        operation = rng.randrange(10)
        if operation == 9:
            # A character beyond ASCII (the contract's alphabet, when it has one, drops it).
            characters.insert(rng.randint(0, len(characters)), rng.choice("\u00e9\u00df\u00fc\u4e2d"))
            return "".join(characters)[:1000]
        if operation == 0 and characters:
            del characters[rng.randrange(len(characters))]
        elif operation == 1:
            characters.insert(rng.randint(0, len(characters)), rng.choice(alphabet))
        elif operation == 8:
            characters.insert(0, rng.choice(alphabet))
        elif operation == 2 and len(characters) > 1:
            i, j = rng.randrange(len(characters)), rng.randrange(len(characters))
            characters[i], characters[j] = characters[j], characters[i]
        elif operation == 3:
            characters = characters * 2
        elif operation == 4:
            characters = []
        elif operation == 5:
            return value.swapcase()
        elif operation == 6:
            characters.reverse()
        else:
            characters.append(rng.choice(alphabet))
        return "".join(characters)[:1000]
    if kind is list:
        items = list(value)
        operation = rng.randrange(10)
        if operation == 8 and depth < 4:
            return [_mutate(item, rng, depth + 1) for item in items][:1000]  # every element at once
        if operation == 9:
            choice = rng.random()
            if choice < 0.35:
                return items[:1]
            if choice < 0.7:
                return [-item if type(item) in (int, float) else item for item in items]
            # Every number negative (a maximum that starts from 0 is wrong only there).
            return [-abs(item) - 1 if type(item) in (int, float) else item for item in items]
        if operation == 0 and items:
            del items[rng.randrange(len(items))]
        elif operation in (1, 2) and items and depth < 4:
            i = rng.randrange(len(items))
            items[i] = _mutate(items[i], rng, depth + 1)
        elif operation == 3 and items:
            items.insert(rng.randint(0, len(items)), _mutate(rng.choice(items), rng, depth + 1))
        elif operation == 4:
            items.reverse()
        elif operation == 5:
            rng.shuffle(items)
        elif operation == 6:
            items = items + items
        else:
            items = []
        return items[:1000]
    if kind is dict and value:
        items = dict(value)
        key = rng.choice(list(items))
        if rng.random() < 0.3:
            del items[key]
        else:
            items[key] = _mutate(items[key], rng, depth + 1)
        return items
    return value


def _paths(value, prefix="", out=None):
    """A value's type structure as paths (`list>int`, `dict.v>str`); an empty container is its
    kind alone, so it fits wherever that kind did."""
    out = set() if out is None else out
    kind = type(value)
    name = prefix + kind.__name__
    out.add(name)
    if kind in (list, tuple, set, frozenset):
        for item in value:
            _paths(item, name + ">", out)
    elif kind is dict:
        for key, item in value.items():
            _paths(key, name + ".k>", out)
            _paths(item, name + ".v>", out)
    return out


def _numbers(value, out):
    if type(value) in (int, float):
        out.append(value)
    elif type(value) in (list, tuple):
        for item in value:
            _numbers(item, out)
    elif type(value) is dict:
        for item in value.values():
            _numbers(item, out)
    return out


def _learn(seeds, prompt):
    """What every input the task's own tests use has in common, per argument, that a correct
    program may rely on: its type structure; numbers all positive (then zero and negatives are
    outside); numbers never negative, or values never empty, when the prompt says so too
    (`non-negative`, `non-empty`: a test set without a negative or an empty list does not make
    one invalid); a list always sorted, or its elements always distinct (no ties); the few
    characters its strings use (binary strings, digits, brackets); and which arguments always
    have equal lengths. EvalPlus's HumanEval+ states such contracts; a correct program need
    not handle what they exclude."""
    text = (prompt or "").lower()
    says_nonnegative = any(word in text for word in ("non-negative", "nonnegative", "natural number"))
    says_nonempty = any(word in text for word in ("non-empty", "nonempty", "not empty"))
    positions = max(len(args) for args in seeds)
    rules = []
    for position in range(positions):
        values = [args[position] for args in seeds if len(args) > position]
        numbers = [number for value in values for number in _numbers(value, [])]
        strings = [value for value in values if type(value) is str] + [
            item for value in values if type(value) in (list, tuple) for item in value if type(item) is str]
        sized = [value for value in values if type(value) in (str, list, tuple, dict)]
        listed = [value for value in values if type(value) in (list, tuple)]
        characters = set("".join(strings))
        # A small alphabet used over enough text: binary strings, brackets, digits.
        alphabet = characters if strings and 0 < len(characters) <= 10 and len("".join(strings)) >= 8 else None
        rules.append({
            "paths": set().union(*[_paths(value) for value in values]),
            "positive": bool(numbers) and all(number > 0 for number in numbers),
            "nonnegative": says_nonnegative and bool(numbers) and all(number >= 0 for number in numbers),
            # Never empty when the prompt says so, or when its strings spell something (a binary
            # number is never "").
            "nonempty": (says_nonempty or alphabet is not None) and bool(sized) and all(len(value) > 0 for value in sized),
            "sorted": len([value for value in listed if len(value) > 1]) >= 2 and all(_sorted(value) for value in listed),
            "distinct": any(len(value) > 1 for value in listed) and all(_distinct(value) for value in listed),
            "alphabet": alphabet,
        })
    equal_lengths = []
    for i in range(positions):
        for j in range(i + 1, positions):
            pairs = [(args[i], args[j]) for args in seeds if len(args) > j]
            if len(pairs) >= 2 and all(type(a) in (str, list, tuple) and type(b) in (str, list, tuple) and len(a) == len(b)
                                       for a, b in pairs):
                equal_lengths.append((i, j))
    return {"arity": {len(args) for args in seeds}, "rules": rules, "equal_lengths": equal_lengths}


def _sorted(value):
    try:
        return all(a <= b for a, b in zip(value, value[1:]))
    except TypeError:
        return False


def _distinct(value):
    try:
        return len(set(value)) == len(value)
    except TypeError:
        return False


def _outside(learned, args):
    """Why a mutant is outside what the tests show of the task's contract (None: inside)."""
    if len(args) not in learned["arity"]:
        return "arity"
    for position, (value, rule) in enumerate(zip(args, learned["rules"])):
        if not _paths(value) <= rule["paths"]:
            return "type"
        numbers = _numbers(value, [])
        if rule["positive"] and any(number <= 0 for number in numbers):
            return "not_positive"
        if rule["nonnegative"] and any(number < 0 for number in numbers):
            return "negative"
        if rule["nonempty"] and type(value) in (str, list, tuple, dict) and len(value) == 0:
            return "empty"
        if rule["sorted"] and type(value) in (list, tuple) and not _sorted(value):
            return "unsorted"
        if rule["distinct"] and type(value) in (list, tuple) and not _distinct(value):
            return "duplicates"
        if rule["alphabet"] is not None:
            text = value if type(value) is str else "".join(item for item in value if type(item) is str) if type(value) in (list, tuple) else ""
            if not set(text) <= rule["alphabet"]:
                return "alphabet"
    for i, j in learned["equal_lengths"]:
        if len(args) > j and (type(args[i]) not in (str, list, tuple) or type(args[j]) not in (str, list, tuple) or len(args[i]) != len(args[j])):
            return "lengths"
    return None


def _edges(value):
    """Values at the usual edges of a value's type, tried before random mutants: growth, numbers
    without small factors, every number negative, one element, none, a character beyond ASCII."""
    kind = type(value)
    if kind is int:
        return [value + 60, 143, 221, -value - 1, 0]
    if kind is str:
        return [value + "\u00e9", "", value[::-1]]
    if kind is list and all(type(item) in (int, float) for item in value):
        return [[-abs(item) - 1 for item in value], value[:1], [], value[::-1]]
    if kind is list:
        return [value[:1], [], value[::-1]]
    return []


def amplify_tests(spec, line, call, run_tests):
    """style=amplify: the inputs the original tests use, then mutants of them."""
    import json
    import random

    import hashlib

    problem = json.loads(line)
    entry = spec["entry_point"]
    budget = float(spec.get("budget", "1"))
    wanted = int(spec.get("per_task", "20"))
    avoid = set(spec.get("avoid", "").split(","))
    rng = random.Random(spec.get("seed", "0") + "\0" + str(problem.get("task_id")))
    recorded = []

    def record(args):
        recorded.append(unpack(pack(list(args))))

    run_tests(record)
    seeds, seen = [], set()
    for args in recorded:
        if not _json_plain(args):
            # Tuples cannot be JSON: use lists instead when the reference answers the same.
            listed = _listed(args)
            try:
                if _json_plain(listed) and same(call(entry, listed, budget), call(entry, args, budget), 0):
                    args = listed
            except CaseTimeout:
                raise
            except (CandidateEnded, CandidateGone):
                raise
            except BaseException:
                pass
        text = json.dumps(args, sort_keys=True) if _json_plain(args) else None
        if text is not None and text not in seen:
            seen.add(text)
            seeds.append(args)
    if not seeds:
        raise ValueError("the tests call %s with no input that JSON can carry" % entry)
    learned = _learn(seeds, problem.get("prompt") or problem.get("text"))
    contract = spec.get("contract") == "1"
    rejected = {}
    kept, attempts, stuck = [], 0, False
    # Edges first (at most half the wanted inputs), then random mutants.
    edges = []
    for seed_args in seeds:
        for i, arg in enumerate(seed_args):
            for edge in _edges(arg):
                edges.append(seed_args[:i] + [edge] + seed_args[i + 1:])
    rng.shuffle(edges)
    while len(kept) < wanted and attempts < wanted * 30:
        attempts += 1
        if edges and len(kept) < wanted // 2:
            args = edges.pop()
        else:
            base = rng.choice(seeds + kept)
            args = list(base)
            if args and rng.random() < 0.7:
                i = rng.randrange(len(args))
                args[i] = _mutate(args[i], rng)
            else:
                args = [_mutate(arg, rng) for arg in args]
        if not _json_plain(args):
            continue
        text = json.dumps(args, sort_keys=True)
        if text in seen:
            continue
        seen.add(text)
        digest = hashlib.sha256(text.encode()).hexdigest()[:16]
        if digest in avoid:
            continue  # the reference got stuck on it in an earlier attempt
        reason = _outside(learned, args)
        if reason is None and contract:
            try:
                call("__proctor_contract__", args, budget)
            except CaseTimeout:
                raise
            except (CandidateEnded, CandidateGone):
                raise
            except BaseException:
                reason = "contract"
        if reason is not None:
            rejected[reason] = rejected.get(reason, 0) + 1
            continue
        try:
            first = call(entry, args, budget)
            second = call(entry, args, budget)
        except CaseTimeout:
            # The reference is stuck in this call: say on which input, and end. The grader runs
            # the task again with that input avoided; the same seed replays the same mutants.
            tell("amplify_stuck " + digest)
            stuck = True
            break
        except (CandidateEnded, CandidateGone):
            raise
        except BaseException:
            rejected["raises"] = rejected.get("raises", 0) + 1
            continue  # outside the prompt's contract
        if same(first, second, 0):
            kept.append(args)
        else:
            rejected["nondeterministic"] = rejected.get("nondeterministic", 0) + 1
    problem["base_input"] = seeds
    problem["plus_input"] = kept
    problem["entry_point"] = entry
    if problem.get("test_list"):
        # MBPP: the reference is a whole program and the prompt English, not code to continue.
        setup = "\n".join([problem.get("test_setup_code") or ""] + list(problem.get("test_imports") or []))
        problem["canonical_solution"] = problem.get("code") or problem.get("canonical_solution") or ""
        if setup.strip():
            problem["canonical_solution"] += "\n" + setup + "\n"
        problem["prompt_is_code"] = False
    problem.setdefault("atol", 0)
    if stuck:
        raise CaseTimeout()
    tell("amplified %d %d %d" % (len(seeds), len(kept), attempts))
    tell("amplify_rejected " + " ".join("%s=%d" % item for item in sorted(rejected.items())))
    emit_results(spec, json.dumps(problem).encode("utf-8"))
    return True
