"""Which kind of place a name is (GeoNames, offline), and the candidate feature "which country?" questions use."""

from __future__ import annotations

import pytest

from embeddings.models.entities import Mention
from embeddings.qa.answer_types import answer_type
from embeddings.qa.candidates import FEATURES, Candidate, Sentence, candidates_in, of_the_place_kind
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


CITY_KIND = answer_type("Which additional city did he designate as a drop-off location?", asked_noun="city")


def _city_candidates(text: str, names: list[str]) -> list[Candidate]:
    sentence = Sentence(0, 0, len(text), 0.9)
    mentions = [Mention(text.index(name), text.index(name) + len(name), "GPE") for name in names]
    return candidates_in(text, sentence, mentions, {"drop-off", "location"}, CITY_KIND, "Migrants bused north", best=True)


def test_only_places_of_the_kind_asked_answer_when_some_are():
    # The small tagger calls Governor Abbott a place; GeoNames knows New York is a city and Abbott is not.
    text = "Abbott said buses would now also drop migrants off in New York, the governor's office said."
    found = _city_candidates(text, ["Abbott", "New York"])
    kept, texts = of_the_place_kind(found, [text[c.start : c.end] for c in found], CITY_KIND)
    assert texts == ["New York"] and [text[c.start : c.end] for c in kept] == ["New York"]


def test_every_candidate_stays_when_none_is_a_known_place_of_the_kind():
    # An old or small place GeoNames does not list may still be the answer.
    text = "The first settlement was Jazdów, raided by Abbott's clans."
    found = _city_candidates(text, ["Jazdów", "Abbott"])
    kept, texts = of_the_place_kind(found, [text[c.start : c.end] for c in found], CITY_KIND)
    assert kept == found and texts == ["Jazdów", "Abbott"]


def test_a_common_word_that_is_also_a_town_is_no_place():
    # GeoNames lists towns called "Part"; as a lowercase word it names none.
    text = "Abbott said New York was part of the plan."
    found = _city_candidates(text, ["Abbott", "part"])
    kept, _ = of_the_place_kind(found, [text[c.start : c.end] for c in found], CITY_KIND)
    assert kept == found


def test_a_place_fits_whatever_the_tagger_called_it():
    # The small tagger reads "Sri Lanka" as a person; the question asks for a country all the same.
    text = "Sri Lanka has plunged into chaos and its president has fled to Singapore."
    sentence = Sentence(0, 0, len(text), 0.9)
    mentions = [Mention(0, 9, "PERSON"), Mention(text.index("Singapore"), len(text) - 1, "GPE")]
    mentions.append(Mention(text.index("its president"), text.index("its president") + 13, "PHRASE"))
    kind = answer_type("Which island nation plunged into chaos in recent days?", asked_noun="nation")
    found = candidates_in(text, sentence, mentions, {"island", "chaos"}, kind, "Sri Lanka in chaos", best=True)
    _, texts = of_the_place_kind(found, [text[c.start : c.end] for c in found], kind)
    assert texts == ["Sri Lanka", "Singapore"]
