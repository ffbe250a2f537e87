"""The plain-data codec (proctor_runtime/codec.py): values cross exactly, with their types, and
whatever the other side sends that is not a well-formed message is refused."""
import collections
import math
import os
import unittest

from proctor_runtime import codec


class RoundTrip(unittest.TestCase):
    def same_after_crossing(self, value):
        back = codec.unpack(codec.pack(value))
        self.assertEqual(back, value)
        self.assertIs(type(back), type(value))
        return back

    def test_scalars_keep_their_exact_types(self):
        for value in (None, True, False, 0, -1, 2 ** 200, -(2 ** 70), 1.5, -0.0, 1e308, 3 + 4j, "", "é 😀", b"\x00\xff", "\udc80"):
            self.same_after_crossing(value)
        self.assertIs(codec.unpack(codec.pack(True)), True)  # never 1
        self.assertIs(type(codec.unpack(codec.pack(1))), int)  # never True

    def test_floats_cross_bit_for_bit(self):
        for value in (0.1, 1 / 3, 5e-324, float("inf"), -float("inf")):
            self.assertEqual(codec.unpack(codec.pack(value)).hex(), value.hex())
        self.assertTrue(math.isnan(codec.unpack(codec.pack(float("nan")))))

    def test_containers_nest(self):
        value = {"a": [1, (2, 3), {4: b"x"}], (1, "k"): [[], (), {}], None: frozenset({1, 2})}
        back = self.same_after_crossing(value)
        self.assertIs(type(back["a"][1]), tuple)

    def test_sets_iterate_in_the_order_they_were_sent(self):
        for value in ({1, 9, 17, 25}, set(range(100, 0, -7)), {"b", "a", "c", (1, 2)}, frozenset({-1, -2, 2 ** 61 - 1})):
            back = self.same_after_crossing(value)
            self.assertEqual(list(back), list(value))

    def test_standard_library_containers_stay_what_they_are(self):
        counter = collections.Counter("hello")
        self.same_after_crossing(counter)
        ordered = collections.OrderedDict([("b", 1), ("a", 2)])
        self.assertEqual(list(self.same_after_crossing(ordered)), ["b", "a"])
        default = collections.defaultdict(list, {"x": [1]})
        self.assertIs(self.same_after_crossing(default).default_factory, list)
        self.assertEqual(self.same_after_crossing(collections.deque([1, 2], 5)).maxlen, 5)
        Point = collections.namedtuple("Point", ["x", "y"])
        back = codec.unpack(codec.pack(Point(1, 2)))
        self.assertEqual((back.x, back.y, type(back).__name__), (1, 2, "Point"))

    def test_objects_that_are_not_plain_data_do_not_cross(self):
        class AlwaysEqual:
            def __eq__(self, other):
                return True

        class Sneaky(int):
            pass

        for value in (AlwaysEqual(), Sneaky(3), [1, AlwaysEqual()], object(), len, collections.defaultdict(lambda: 0)):
            with self.assertRaises(TypeError):
                codec.pack(value)


class Hostile(unittest.TestCase):
    """Bytes from the candidate process: anything malformed is a ValueError, never a crash."""

    def test_malformed_messages_are_refused(self):
        good = codec.pack({"kind": "return", "value": [1, "two", (3.0,)]})
        cases = [
            b"", b"?", b"i\x00\x00\x00\x09\x01", good[:-1], good + b"N", b"l\xff\xff\xff\xff",
            b"D" + codec.pack("eval") + b"\x00\x00\x00\x00",
            b"n" + codec.pack("not a name") + codec.pack(["x"]) + codec.pack((1,)),
            b"n" + codec.pack("P") + codec.pack(["_x"]) + codec.pack((1,)),
            b"n" + codec.pack("P") + codec.pack(["x", "y"]) + codec.pack((1,)),
            b"Q" + codec.pack(-2) + codec.pack([]),
        ]
        for data in cases:
            with self.assertRaises(ValueError, msg=repr(data)):
                codec.unpack(data)

    def test_random_bytes_never_escape_as_another_error(self):
        import random

        rng = random.Random(7)
        good = codec.pack({"a": [1, 2.5, "x", b"y", {3}, (None, True)]})
        for _ in range(3000):
            data = bytearray(good)
            for _ in range(rng.randint(1, 4)):
                data[rng.randrange(len(data))] = rng.randrange(256)
            try:
                codec.unpack(bytes(data))
            except (ValueError, UnicodeDecodeError, OverflowError):
                pass

    def test_a_message_crosses_a_pipe_framed(self):
        read, write = os.pipe()
        try:
            codec.send(write, {"call": "f", "args": [1, [2]], "kwargs": {}})
            self.assertEqual(codec.receive(read), {"call": "f", "args": [1, [2]], "kwargs": {}})
        finally:
            os.close(read)
            os.close(write)

    def test_the_end_of_the_pipe_is_no_message(self):
        read, write = os.pipe()
        os.close(write)
        try:
            self.assertIsNone(codec.receive(read))
        finally:
            os.close(read)


if __name__ == "__main__":
    unittest.main()
