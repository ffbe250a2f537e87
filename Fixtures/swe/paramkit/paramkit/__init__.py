"""Counting words: a Proctor fixture for SWE-bench-style grading with pytest."""


def count_words(text):
    return len(text.split(" "))
