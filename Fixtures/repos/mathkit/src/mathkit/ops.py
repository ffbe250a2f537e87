"""Arithmetic helpers. `mean` and `clamp` have bugs the fixture instances fix."""


def add(a, b):
    return a + b


def mean(values):
    total = 0
    for value in values:
        total += value
    return total // len(values)


def clamp(value, low, high):
    if value < low:
        return high
    if value > high:
        return low
    return value
