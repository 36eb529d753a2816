"""Which kind of place a name is (GeoNames, offline), and the candidate feature "which country?" questions use."""

from __future__ import annotations

import pytest

from embeddings.models.entities import Mention
from embeddings.qa.answer_types import answer_type
from embeddings.qa.candidates import FEATURES, Sentence, candidates_in
from embeddings.qa.places import CITY, COUNTRY, STATE, fits, place_kinds


@pytest.mark.parametrize(
    ("name", "kinds"),
    [
        ("Saudi Arabia", {COUNTRY}),
        ("the United Kingdom", {COUNTRY}),  # "the" and the news' short forms
        ("U.S.", {COUNTRY}),
        ("Italy’s", {COUNTRY}),  # a possessive
        ("Riyadh", {CITY}),
        ("Kiev", {CITY}),  # a big city's English alternate name
        ("Texas", {STATE}),
        ("Georgia", {COUNTRY, STATE}),
        ("Comprehensive Strategic Partnership Agreement", set()),
    ],
)
def test_a_name_is_known_as_the_places_it_names(name, kinds):
    assert place_kinds(name) == kinds


def test_a_name_fits_when_it_is_a_place_of_the_kind_asked():
    assert fits("country", "Saudi Arabia") == 1.0 and fits("country", "Riyadh") == 0.0
    assert fits("state", "Georgia") == 1.0 and fits("city", "Texas") == 0.0
    assert fits("country", "Netflix") == 0.0
    assert fits("person", "Riyadh") == 0.0  # the question does not ask for a country, state or city


def test_which_country_candidates_carry_whether_they_name_a_country():
    text = "Saudi Arabia seized rainbow-colored toys from shops in the country's capital, Riyadh, on Tuesday."
    sentence = Sentence(0, 0, len(text), 0.9)
    mentions = [Mention(0, 12, "GPE"), Mention(text.index("Riyadh"), text.index("Riyadh") + 6, "GPE")]
    kind = answer_type("Which country cracked down on rainbow-colored toys?", asked_noun="country")
    found = candidates_in(text, sentence, mentions, {"rainbow", "toys"}, kind, "Toys seized", best=True)
    column = FEATURES.index("place_kind")
    assert {text[c.start : c.end]: float(c.features[column]) for c in found} == {"Saudi Arabia": 1.0, "Riyadh": 0.0}
