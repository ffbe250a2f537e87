"""The plain-data codec between the tester and the candidate process: exact builtin types only
(an object whose `__eq__` always says True cannot cross), sets rebuilt in the candidate's own
iteration order, messages framed by length on a pipe. Everything decoded is the candidate's and
is treated as hostile: a malformed message is an error of the sample, never of the tester."""
import os
import sys
import time


# A message between the tester and the candidate process: a value as large as the run's memory
# holds can be a right answer (EvalPlus's HumanEval/15 expects strings of tens of MB); the run's
# memory limit is what bounds it, this only refuses nonsense lengths.
MAX_MESSAGE = 1 << 30


def _encode(value, out):
    kind = type(value)
    if value is None:
        out.append(b"N")
    elif kind is bool:
        out.append(b"T" if value else b"F")
    elif kind is int:
        # Two's complement bytes, not decimal digits: no int-to-str digit limit on values that are right.
        data = value.to_bytes((value.bit_length() + 8) // 8, "big", signed=True)
        out.append(b"i" + len(data).to_bytes(4, "big") + data)
    elif kind is float:
        text = value.hex().encode()
        out.append(b"f" + len(text).to_bytes(4, "big") + text)
    elif kind is complex:
        text = ("%s,%s" % (value.real.hex(), value.imag.hex())).encode()
        out.append(b"c" + len(text).to_bytes(4, "big") + text)
    elif kind is str:
        data = value.encode("utf-8", "surrogatepass")
        out.append(b"s" + len(data).to_bytes(4, "big") + data)
    elif kind is bytes:
        out.append(b"b" + len(value).to_bytes(4, "big") + value)
    elif kind is list or kind is tuple:
        out.append((b"l" if kind is list else b"t") + len(value).to_bytes(4, "big"))
        for item in value:
            _encode(item, out)
    elif kind is set or kind is frozenset:
        # Elements in iteration order, and the size of the hash table they sit in: the other side
        # rebuilds a set that iterates in the same order (see _rebuild_set).
        table = _table_size(value)
        out.append((b"S" if kind is set else b"Z") + len(value).to_bytes(4, "big") + table.to_bytes(4, "big"))
        for item in value:
            _encode(item, out)
    elif kind is dict:
        out.append(b"d" + len(value).to_bytes(4, "big"))
        for key, item in value.items():
            _encode(key, out)
            _encode(item, out)
    else:
        _encode_stdlib(value, kind, out)


# A defaultdict's default factory crosses by name, and only as one of these.
_FACTORIES = {kind.__name__: kind for kind in (int, float, str, list, tuple, set, dict, bool, bytes, frozenset)}


def _table_size(value):
    """Slots in a set's hash table (8 while it lives in the set object itself; each further slot
    is a 16-byte entry)."""
    return max(8, (sys.getsizeof(value) - sys.getsizeof(type(value)())) // 16)


def _encode_stdlib(value, kind, out):
    """The standard library's containers (Counter, OrderedDict, defaultdict, deque, named
    tuples) cross as what they are; the other side rebuilds them as the real stdlib types, never
    as a class the candidate defined."""
    collections = sys.modules.get("collections")
    if collections is not None and kind in (collections.Counter, collections.OrderedDict, collections.defaultdict):
        if kind is collections.defaultdict:
            factory = value.default_factory
            name = "none" if factory is None else next((n for n, builtin in _FACTORIES.items() if factory is builtin), None)
            if name is None:
                raise TypeError("cannot compare a defaultdict whose default factory is not a builtin type")
            out.append(b"D")
            _encode(name, out)
        else:
            out.append(b"C" if kind is collections.Counter else b"O")
        out.append(len(value).to_bytes(4, "big"))
        for key, item in dict.items(value):
            _encode(key, out)
            _encode(item, out)
    elif collections is not None and kind is collections.deque:
        out.append(b"Q")
        _encode(-1 if value.maxlen is None else value.maxlen, out)
        _encode(list(value), out)
    elif isinstance(value, tuple) and kind.__bases__ == (tuple,) and type(getattr(kind, "_fields", None)) is tuple:
        out.append(b"n")
        _encode(str(kind.__name__), out)
        _encode([str(field) for field in kind._fields], out)
        _encode(tuple(value), out)
    else:
        raise TypeError("cannot compare a value of type %s (only plain builtin data crosses to the tests)" % kind.__name__)


_NAMED_TUPLES = {}


def _named_tuple(name, fields):
    """A named tuple type made here (cached), from names checked as identifiers."""
    if (type(name) is not str or type(fields) is not list or len(fields) > 256 or not name.isidentifier()
            or not all(type(field) is str and field.isidentifier() and not field.startswith("_") for field in fields)):
        raise ValueError("malformed named tuple from the other process")
    key = (name, tuple(fields))
    made = _NAMED_TUPLES.get(key)
    if made is None:
        import collections

        if len(_NAMED_TUPLES) >= 256:
            _NAMED_TUPLES.clear()
        made = _NAMED_TUPLES[key] = collections.namedtuple(name, fields)
    return made


def pack(value):
    out = []
    _encode(value, out)
    return b"".join(out)


_SET_BUDGET = 20000  # set constructions one message may spend matching iteration orders


def _grown_set(order, table):
    """A set whose hash table has `table` slots (grown with fillers, which are then removed),
    holding `order` added in that order."""
    made, fillers = set(), []
    while _table_size(made) < table and len(fillers) < 4 * table:
        filler = ("proctor-filler", len(fillers))
        made.add(filler)
        fillers.append(filler)
    for filler in fillers:
        made.discard(filler)
    for item in order:
        made.add(item)
    return made


def _rebuild_set(items, table, frozen, budget):
    """A set (or frozenset) of `items` that iterates in their order, as the sender's did, so code
    that depends on a set's order behaves as it would in one process. Both processes share the
    hash seed; what differs is the table's history. Tries the usual constructions, the sender's
    table size, then (for small sets, within a budget per message) other insertion orders; falls
    back to a plain set when nothing matches."""
    import itertools

    kind = frozenset if frozen else set
    makers = [kind, lambda order: kind(dict.fromkeys(order))]
    if not frozen and table > 8:
        makers.append(lambda order: _grown_set(order, table))
    orders = itertools.permutations(items) if len(items) <= 6 else (items,)
    for order in orders:
        for make in makers:
            if budget[0] <= 0:
                return kind(items)
            budget[0] -= 1
            try:
                made = make(list(order))
            except TypeError:
                return kind(items)  # unhashable: the plain constructor says so
            if list(made) == items:
                return made
    return kind(items)


def unpack(data):
    position = 0
    budget = [_SET_BUDGET]

    def take(count):
        nonlocal position
        if count < 0 or position + count > len(data):
            raise ValueError("malformed value from the candidate process")
        chunk = data[position:position + count]
        position += count
        return chunk

    def size():
        return int.from_bytes(take(4), "big")

    def value():
        tag = take(1)
        if tag == b"N":
            return None
        if tag == b"T":
            return True
        if tag == b"F":
            return False
        if tag == b"i":
            return int.from_bytes(take(size()), "big", signed=True)
        if tag == b"f":
            return float.fromhex(take(size()).decode("ascii"))
        if tag == b"c":
            real, imaginary = take(size()).decode("ascii").split(",")
            return complex(float.fromhex(real), float.fromhex(imaginary))
        if tag == b"s":
            return take(size()).decode("utf-8", "surrogatepass")
        if tag == b"b":
            return bytes(take(size()))
        if tag in (b"l", b"t"):
            items = [value() for _ in range(size())]
            return items if tag == b"l" else tuple(items)
        if tag in (b"S", b"Z"):
            count, table = size(), size()
            items = [value() for _ in range(count)]
            return _rebuild_set(items, table, tag == b"Z", budget)
        if tag == b"d" or tag in (b"C", b"O", b"D"):
            factory = None
            if tag == b"D":
                name = value()
                if name not in _FACTORIES and name != "none":
                    raise ValueError("malformed value from the candidate process")
                factory = None if name == "none" else _FACTORIES[name]
            count = size()
            result = {}
            for _ in range(count):
                key = value()
                result[key] = value()
            if tag == b"d":
                return result
            import collections

            if tag == b"C":
                return collections.Counter(result)
            if tag == b"O":
                return collections.OrderedDict(result)
            return collections.defaultdict(factory, result)
        if tag == b"Q":
            import collections

            maxlen, items = value(), value()
            if type(maxlen) is not int or type(items) is not list or maxlen < -1:
                raise ValueError("malformed value from the candidate process")
            return collections.deque(items, None if maxlen == -1 else maxlen)
        if tag == b"n":
            name, fields, items = value(), value(), value()
            made = _named_tuple(name, fields)
            if type(items) is not tuple or len(items) != len(fields):
                raise ValueError("malformed value from the candidate process")
            return made(*items)
        raise ValueError("malformed value from the candidate process")

    result = value()
    if position != len(data):
        raise ValueError("malformed value from the candidate process")
    return result


def send(fd, message):
    """A message is a plain value (usually a dict) packed with the codec above, length-prefixed."""
    data = pack(message)
    if len(data) > MAX_MESSAGE:
        raise OverflowError("value too large to compare (%d bytes)" % len(data))
    data = len(data).to_bytes(4, "big") + data
    while data:
        data = data[os.write(fd, data):]


def _read_exactly(fd, count, deadline=None):
    """`count` bytes, or None at EOF; with a `deadline` (time.monotonic()) every byte must be in
    by then, or CaseTimeout."""
    chunks = []
    while count > 0:
        if deadline is not None:
            import select
            import time

            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise CaseTimeout()
        chunk = os.read(fd, min(count, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        count -= len(chunk)
    return b"".join(chunks)


def receive(fd, deadline=None):
    header = _read_exactly(fd, 4, deadline)
    if header is None:
        return None
    size = int.from_bytes(header, "big")
    if size > MAX_MESSAGE:
        raise ValueError("oversized message from the candidate process")
    body = _read_exactly(fd, size, deadline)
    if body is None:
        return None
    message = unpack(body)
    if type(message) is not dict:
        raise ValueError("malformed message from the candidate process")
    return message


class CandidateEnded(Exception):
    """The candidate process ended (or broke the protocol) before the tests completed."""


class CandidateError(Exception):
    """An exception raised in the candidate whose type is not a builtin exception."""


class CandidateGone(BaseException):
    """Warm pool: the candidate process ended; the run ends the way the candidate did."""


class CaseTimeout(Exception):
    """One input took longer than its limit; the candidate is killed, the run ends."""
