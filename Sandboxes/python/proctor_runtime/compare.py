"""The comparison rules of inputs problems, EvalPlus's: floats within `atol` (NaN equals NaN),
everything else exactly, with the exact type; large expected values compared by digest."""
from .codec import pack


MAX_CASES = 20000


def same(out, expected, atol):
    import math

    if type(expected) is float and type(out) in (float, int) and type(out) is not bool:
        if math.isnan(expected) or math.isnan(out):
            return math.isnan(expected) and math.isnan(out)
        if out == expected:
            return True
        if math.isinf(expected) or math.isinf(out):
            return False
        tolerance = atol if atol else 1e-6
        return abs(out - expected) <= tolerance + 1e-7 * abs(expected)
    if type(expected) in (list, tuple) and type(out) is type(expected):
        return len(out) == len(expected) and all(same(a, b, atol) for a, b in zip(out, expected))
    try:
        return bool(out == expected)
    except BaseException:
        return False


# A reference's expected value this large, made only of exact types, is kept as the sha256 of its
# encoding (the tests file stays small however large the answers); a result matches it when it
# encodes to the same bytes: the same value with the same types (`1` for `True` does not).
DIGEST_OVER = 1 << 20


def exact(value):
    """Only None, bool, int, str, bytes, and lists, tuples and dicts of them (no floats: those
    compare with a tolerance; no sets: their encoding follows their table)."""
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if item is None or kind in (bool, int, str, bytes):
            continue
        if kind in (list, tuple):
            stack.extend(item)
        elif kind is dict:
            stack.extend(item.keys())
            stack.extend(item.values())
        else:
            return False
    return True


def digest_of(value):
    import hashlib

    return hashlib.sha256(pack(value)).hexdigest()


def short(value, limit=200):
    try:
        text = repr(value)
    except BaseException:
        text = "<unprintable>"
    return text if len(text) <= limit else text[:limit] + "..."
