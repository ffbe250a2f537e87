"""The comparison rules of inputs problems (proctor_runtime/compare.py), EvalPlus's: floats within
a tolerance, NaN equal to NaN, everything else exactly and with the exact type."""
import unittest

from proctor_runtime import compare


class Same(unittest.TestCase):
    def test_floats_within_the_tolerance(self):
        self.assertTrue(compare.same(0.1 + 0.2, 0.3, 0))
        self.assertTrue(compare.same(1.0005, 1.0, 1e-3))
        self.assertFalse(compare.same(1.01, 1.0, 1e-3))
        self.assertFalse(compare.same(1.0 + 1e-5, 1.0, 0))  # the default tolerance is 1e-6
        self.assertTrue(compare.same(2, 2.0, 0))  # an int where a float is expected
        # Python's equality decides where the types are not floats: EvalPlus counts True == 1.0 too.
        self.assertTrue(compare.same(True, 1.0, 0))
        self.assertFalse(compare.same(True, 1.5, 0))

    def test_nan_and_infinities(self):
        nan, inf = float("nan"), float("inf")
        self.assertTrue(compare.same(nan, nan, 0))
        self.assertFalse(compare.same(0.0, nan, 0))
        self.assertTrue(compare.same(inf, inf, 0))
        self.assertFalse(compare.same(-inf, inf, 0))
        self.assertFalse(compare.same(1e308, inf, 1e-6))

    def test_sequences_compare_element_by_element_with_their_own_type(self):
        self.assertTrue(compare.same([0.1 + 0.2, [1.0]], [0.3, [1.0]], 0))
        self.assertFalse(compare.same((1, 2), [1, 2], 0))
        self.assertFalse(compare.same([1, 2], [1, 2, 3], 0))

    def test_everything_else_exactly(self):
        self.assertTrue(compare.same({"a": 1}, {"a": 1}, 0))
        self.assertFalse(compare.same("1", 1, 0))
        self.assertFalse(compare.same({1.0000001}, {1.0}, 0))  # sets are not toleranced

    def test_a_value_whose_comparison_raises_is_different(self):
        class Raises:
            def __eq__(self, other):
                raise RuntimeError("no")

        self.assertFalse(compare.same(Raises(), 1, 0))


class Digests(unittest.TestCase):
    def test_exact_values_are_plain_data_without_floats_or_sets(self):
        self.assertTrue(compare.exact([1, "a", b"b", None, True, (2,), {"k": [3]}]))
        for value in (1.5, [1, 2.0], {1}, {"k": frozenset()}, object()):
            self.assertFalse(compare.exact(value))

    def test_a_digest_tells_types_apart(self):
        self.assertEqual(compare.digest_of([1, "x"]), compare.digest_of([1, "x"]))
        self.assertNotEqual(compare.digest_of([1]), compare.digest_of([True]))
        self.assertNotEqual(compare.digest_of((1,)), compare.digest_of([1]))

    def test_short_is_bounded(self):
        self.assertEqual(compare.short("x" * 10), repr("x" * 10))
        self.assertTrue(compare.short("x" * 1000).endswith("...") and len(compare.short("x" * 1000)) == 203)


if __name__ == "__main__":
    unittest.main()
