import pytest

from paramkit import count_words


def test_single():
    assert count_words("word") == 1


@pytest.mark.parametrize("text,expected", [("one two", 2)], ids=["two words"])
def test_count(text, expected):
    assert count_words(text) == expected
