"""Money in cents: VAT per rate, rounding half up, discounts spread over rates, display."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orders.money import Amount, _spread, compute_totals, format_cents, vat_in_gross


@pytest.mark.parametrize(
    ("gross", "rate", "vat"),
    [
        (121, 2100, 21),  # exact
        (100, 2100, 17),  # 17.355 -> 17
        (106, 600, 6),
        (1000, 600, 57),  # 56.60 -> 57
        (53, 600, 3),  # 3.0 exactly
        (9, 600, 1),  # 0.509 -> 1
        (8, 600, 0),  # 0.453 -> 0
        (0, 2100, 0),
        (500, 0, 0),
    ],
)
def test_vat_in_gross_rounds_half_up_to_the_cent(gross, rate, vat):
    assert vat_in_gross(gross, rate) == vat


def test_vat_in_gross_rounds_an_exact_half_up():
    # 21 cents at 100%: the VAT is exactly 10.5 cents.
    assert vat_in_gross(21, 10_000) == 11


def test_vat_of_a_negative_amount_mirrors_the_positive_one():
    assert vat_in_gross(-121, 2100) == -21
    assert vat_in_gross(-21, 10_000) == -11


@pytest.mark.parametrize(
    ("cents", "shown"),
    [(0, "€ 0,00"), (5, "€ 0,05"), (1250, "€ 12,50"), (123456, "€ 1.234,56"), (-495, "-€ 4,95")],
)
def test_format_cents_uses_comma_decimals_and_dot_thousands(cents, shown):
    assert format_cents(cents) == shown


def test_format_cents_names_another_currency_by_its_code():
    assert format_cents(1000, "USD") == "USD 10,00"


def test_totals_of_lines_at_two_rates_and_shipping():
    totals = compute_totals(
        items=[Amount(1000, 600), Amount(2000, 600), Amount(1210, 2100)],
        shipping=Amount(495, 2100),
    )
    assert totals.items_cents == 4210
    assert totals.shipping_cents == 495
    assert totals.discount_cents == 0
    assert totals.total_cents == 4705
    # VAT on the sum per rate, not the sum of per-line VAT.
    assert totals.vat_by_rate == {600: (3000, vat_in_gross(3000, 600)), 2100: (1705, vat_in_gross(1705, 2100))}
    assert totals.vat_cents == 170 + 296
    assert totals.net_cents == totals.total_cents - totals.vat_cents


def test_vat_per_rate_is_computed_on_the_sum_not_summed_per_line():
    # Three lines of 9 cents at 6%: per line 0.509 -> 1 each (3), on the sum 27 -> 1.53 -> 2.
    totals = compute_totals(items=[Amount(9, 600)] * 3)
    assert totals.vat_cents == 2


def test_a_discount_is_spread_over_the_rates_in_proportion():
    totals = compute_totals(items=[Amount(3000, 600), Amount(1000, 2100)], discounts=[-1000])
    assert totals.discount_cents == -1000
    assert totals.total_cents == 3000
    assert totals.vat_by_rate[600][0] == 2250
    assert totals.vat_by_rate[2100][0] == 750
    assert sum(gross for gross, _vat in totals.vat_by_rate.values()) == totals.total_cents


def test_a_discount_larger_than_the_order_makes_it_free_never_negative():
    totals = compute_totals(items=[Amount(1500, 600)], shipping=Amount(495, 2100), discounts=[-5000])
    assert totals.discount_cents == -1995
    assert totals.total_cents == 0
    assert totals.vat_cents == 0
    assert totals.vat_by_rate == {}


def test_a_free_product_discount_leaves_shipping_to_pay_with_its_vat():
    # A discount covering exactly the items: what remains is spread over both rates by weight.
    totals = compute_totals(items=[Amount(1000, 600)], shipping=Amount(500, 2100), discounts=[-1000])
    assert totals.total_cents == 500
    assert sum(gross for gross, _vat in totals.vat_by_rate.values()) == 500


def test_several_discounts_add_up():
    totals = compute_totals(items=[Amount(2000, 600)], discounts=[-300, -200])
    assert totals.discount_cents == -500
    assert totals.total_cents == 1500


def test_no_items_total_zero():
    totals = compute_totals(items=[])
    assert (totals.total_cents, totals.vat_cents, totals.vat_by_rate) == (0, 0, {})


def test_spread_gives_the_remainder_cents_to_the_largest_remainders():
    assert _spread(100, {600: 1, 2100: 1, 0: 1}) == {0: 34, 600: 33, 2100: 33}
    assert _spread(0, {600: 5}) == {600: 0}
    assert _spread(10, {}) == {}


@given(
    lines=st.lists(
        st.tuples(st.integers(min_value=0, max_value=100_000), st.sampled_from([0, 600, 900, 2100])),
        max_size=12,
    ),
    shipping=st.integers(min_value=0, max_value=2_000),
    discount=st.integers(min_value=0, max_value=200_000),
)
def test_totals_always_add_up(lines, shipping, discount):
    totals = compute_totals(
        items=[Amount(gross, rate) for gross, rate in lines],
        shipping=Amount(shipping, 2100),
        discounts=[-discount],
    )
    charged = sum(gross for gross, _rate in lines) + shipping
    assert totals.total_cents == max(charged - discount, 0)
    assert totals.total_cents >= 0
    assert totals.discount_cents <= 0
    assert totals.items_cents + totals.shipping_cents + totals.discount_cents == totals.total_cents
    assert sum(gross for gross, _vat in totals.vat_by_rate.values()) == totals.total_cents
    assert totals.vat_cents == sum(vat for _gross, vat in totals.vat_by_rate.values())
    for rate, (gross, vat) in totals.vat_by_rate.items():
        assert vat == vat_in_gross(gross, rate)
        assert 0 <= vat <= gross


@given(amount=st.integers(min_value=0, max_value=10**7), weights=st.lists(st.integers(0, 10**6), min_size=1))
def test_spread_shares_sum_to_the_amount(amount, weights):
    keyed = dict(enumerate(weights))
    shares = _spread(amount, keyed)
    if sum(weights):
        assert sum(shares.values()) == amount
        assert all(share >= 0 for share in shares.values())
    else:
        assert shares == {}
