"""Prices: a Proctor fixture whose tests run under a Django-style verbose runner."""


def total(prices, discount=0):
    """The sum of `prices` less `discount` percent."""
    return sum(prices) - discount
