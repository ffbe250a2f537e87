"""Expanding (a + b)**2 into its coefficients: a Proctor fixture tested by a sympy-style runner."""


def square_coefficients(a, b):
    """The coefficients of x**2, x and 1 in (a*x + b)**2."""
    return (a * a, a * b, b * b)
