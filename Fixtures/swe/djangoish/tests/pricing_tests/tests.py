import unittest

from shop.pricing import total


class TotalTests(unittest.TestCase):
    def test_total(self):
        self.assertEqual(total([1, 2, 3]), 6)

    def test_empty(self):
        """An empty basket costs nothing."""
        self.assertEqual(total([]), 0)
