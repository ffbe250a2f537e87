from symkit.expand import square_coefficients


def test_constant():
    assert square_coefficients(0, 3) == (0, 0, 9)
