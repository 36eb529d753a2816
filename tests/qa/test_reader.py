"""The short answer: the phrase that answers, of the kind the question asks for, read with the real models."""

from __future__ import annotations

import numpy as np
import pytest

from embeddings.models.entities import EntityTagger
from embeddings.models.span_head import SpanHead
from embeddings.qa.answer_types import answer_type
from embeddings.qa.candidates import FEATURES
from embeddings.qa.engine import shared_reranker, shared_tagger
from embeddings.qa.reader import Reader

PACT = (
    "The so-called “Comprehensive Strategic Partnership Agreement” was signed last week coinciding with the visit to "
    "Pyongyang of the Russian president, Vladimir Putin, who signed the pact together with the North Korean Kim Jong-un."
)
CONDEMNED = "South Korea, Japan and the United States condemned the recent agreement between North Korea and Russia."
IRONCLAD = "The announcement concludes by assuring that the US commitment to the defense of its two allies “remains ironclad”."


@pytest.fixture(scope="module")
def reader(real_encoder) -> Reader:
    return Reader(real_encoder, shared_reranker(), shared_tagger(), span_head=SpanHead())


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("who signed the pact?", "person"),
        ("where was the pact signed?", "place"),
        ("when did the talks fail?", "date"),
        ("how many people attended?", "number"),
        ("how much did the bridge cost?", "amount"),
        ("what percentage of voters agreed?", "percent"),
        ("how long is the bridge?", "size"),
        ("how long is the trial expected to last?", "duration"),  # a length of time, not a size
        ("how did the US describe its commitment?", "description"),
        ("what did the statement call for?", "thing"),  # "call for" asks what they demand, not what they named it
        ("what did the company cite as the reason it terminated the deal?", "thing"),  # not "term"
        ("why did the talks fail?", "reason"),
        ("who visited Pyongyang when the pact was signed?", "person"),  # the question word said first asks
        ("where was the pact signed and who signed it?", "place"),
        ("Aaron Judge, who hit 62 home runs, broke the record. How many games were left?", "number"),  # the asking one
    ],
)
def test_the_question_says_what_kind_of_answer_it_wants(question, kind):
    assert answer_type(question).name == kind


def test_which_and_what_questions_ask_for_the_kind_their_noun_names():
    parse = EntityTagger().parse_question("Which US national park was impacted by severe flooding this week?")
    assert (parse.asked_noun, parse.asked_phrase) == ("park", "US national park")
    kind = answer_type("Which US national park was impacted?", parse.asked_noun, parse.asked_phrase)
    assert kind.accepts("FAC") and kind.accepts("GPE") and kind.phrase == "US national park"
    assert answer_type("Which fast food chain has the slowest drive-thru?").accepts("ORG")
    assert answer_type("What was the final score of the game?", "score", "final score").accepts("CARDINAL")  # "24–10"
    assert not answer_type("why did the talks fail?").wants_phrase


def test_the_name_of_a_thing_asks_for_a_thing_of_its_kind():
    tagger = shared_tagger()
    assert tagger.parse_question("What was the name of the storm that hit Jacksonville?").asked_noun == "storm"
    assert answer_type("What was the name of the storm?", "storm", "storm").accepts("EVENT")
    assert tagger.parse_question("What is the name of the local business service?").asked_phrase == "local business service"
    assert tagger.parse_question("What is the official name of South Korea?").asked_noun == "name"  # of a name: a name


def test_who_may_be_answered_by_a_country_though_a_person_is_expected():
    kind = answer_type("who condemned the agreement?")  # "South Korea, Japan and the United States condemned ..."
    assert kind.admits("GPE") and not kind.accepts("GPE") and kind.accepts("PERSON")
    assert not answer_type("when was the pact signed?").admits("GPE")


@pytest.mark.parametrize("apostrophe", ["’", "'"])
def test_a_person_ends_before_a_possessive_the_small_model_reads_on_past(apostrophe):
    text = f"Twitter locked rapper Kanye West{apostrophe}s Twitter account over a tweet posted on Saturday."
    people = [text[m.start : m.end] for m in EntityTagger().mentions([text])[0] if m.label == "PERSON"]
    assert people == ["Kanye West"]  # spaCy's small model tags "Kanye West's Twitter" as the person


def test_who_signed_names_both_signatories_each_bold_in_the_verbatim_quote(reader):
    found = reader.read("who signed the pact?", [PACT], ["Seoul, Tokyo and Washington condemn the pact"])
    assert found.text == "Vladimir Putin and Kim Jong-un" and found.kind == "person"
    assert [PACT[start:end] for start, end in found.spans] == ["Vladimir Putin", "Kim Jong-un"]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("where was the pact signed?", "Pyongyang"),
        ("what is the pact called?", "Comprehensive Strategic Partnership Agreement"),
        ("when was the pact signed?", "last week"),
    ],
)
def test_a_phrase_of_the_asked_kind_answers(reader, question, expected):
    assert reader.read(question, [PACT], ["Pact signed"]).text == expected


def test_a_list_in_the_sentence_is_the_answer_whole(reader):
    found = reader.read("which countries condemned the pact?", [CONDEMNED], ["Allies condemn the pact"])
    assert found.text == "South Korea, Japan and the United States"
    assert len(found.spans) == 1


def test_how_someone_described_something_is_their_quoted_words(reader):
    assert reader.read("how did the US describe its commitment?", [IRONCLAD], ["Allies"]).text == "remains ironclad"


def test_what_the_question_already_names_is_never_the_answer(reader):
    passage = "Netflix announced on Sunday that Squid Game will return for a second season."
    assert reader.read("which show did Netflix renew?", [passage], ["Netflix renews its hit"]).text == "Squid Game"


def test_why_questions_get_the_answering_sentence(reader):
    passage = "The talks collapsed in 2019. They failed because neither side would give up its demands."
    found = reader.read("why did the talks fail?", [passage], ["Talks"])
    assert found.kind is None and found.text == "They failed because neither side would give up its demands."


def test_the_span_heads_own_answer_joins_the_candidates_unless_a_mention_has_its_bounds():
    from embeddings.models.entities import Mention
    from embeddings.models.span_head import SPAN
    from embeddings.qa.answer_types import answer_type
    from embeddings.qa.candidates import Sentence, SpanScores
    from embeddings.qa.reader import _with_proposal

    # "xx The ban on smoking began." starts at 3 in its passage; the head says "ban on smoking" (passage 7..21).
    offsets = ((3, 6), (7, 10), (11, 13), (14, 21), (22, 27))
    start, end = np.log([0.05, 0.8, 0.05, 0.05, 0.05]), np.log([0.05, 0.05, 0.05, 0.8, 0.05])
    sentence = Sentence(0, 3, 28, 0.9, SpanScores(offsets, start, end))
    text = "The ban on smoking began."
    tagged = [Mention(0, 3, "PHRASE")]
    assert _with_proposal(tagged, sentence, text) == [*tagged, Mention(4, 18, SPAN)]
    assert _with_proposal([Mention(4, 18, "PHRASE")], sentence, text) == [Mention(4, 18, "PHRASE")]
    assert _with_proposal(tagged, Sentence(0, 3, 28, 0.9), text) == tagged  # no head read it
    piece = SpanScores(((3, 6), (7, 10), (11, 13), (14, 18), (18, 21)), start, end)  # "smok" + "ing"
    assert _with_proposal([], Sentence(0, 3, 28, 0.9, piece), text) == [Mention(4, 18, SPAN)]  # "ban on smok" widened
    assert answer_type("what was banned?").admits(SPAN) and not answer_type("why was it banned?").admits(SPAN)


def test_a_proposal_that_lists_part_of_a_list_of_names_answers_with_the_whole_list():
    from embeddings.models.span_head import SPAN
    from embeddings.qa.candidates import Candidate, Sentence
    from embeddings.qa.reader import _as_name

    sentence = Sentence(0, 0, len(CONDEMNED), 0.9)

    def candidate(text: str, label: str) -> Candidate:
        start = CONDEMNED.index(text)
        return Candidate(sentence, start, start + len(text), label, np.zeros(len(FEATURES)))

    names = [candidate("South Korea", "GPE"), candidate("Japan", "GPE"), candidate("the United States", "GPE")]
    partial = candidate("Japan and the United States", SPAN)
    assert _as_name(partial, [*names, partial], [CONDEMNED]) is names[1]  # whose list is then taken whole
    # A widened name may cover others ("South Korea, Japan" over "Korea" and "Japan"): each covered one is skipped,
    # checked against the name kept before it (not merely the one sorted before it), so the list reads name, gap, name.
    wide = Candidate(sentence, names[0].start, names[1].end, "GPE", np.zeros(len(FEATURES)))
    proposal = candidate("South Korea, Japan and the United States", SPAN)
    overlapping = [wide, candidate("Korea", "GPE"), names[1], names[2], proposal]
    assert _as_name(proposal, overlapping, [CONDEMNED]) is wide
    mixed = candidate("the United States condemned the recent agreement", SPAN)
    assert _as_name(mixed, [*names, mixed], [CONDEMNED]) is mixed  # more than names: left as proposed


@pytest.mark.parametrize(
    ("sentence", "name", "shown"),
    [
        ("Rep. Liz Cheney’s supporters say her reelection hopes were doomed.", "Liz Cheney", "Rep. Liz Cheney"),
        ("Crews repair utilities disabled by Hurricane Fiona, now a Category 4 storm.", "Fiona", "Hurricane Fiona"),
        ("She was best known for playing Lt. Nyota Uhura in the series.", "Nyota Uhura", "Lt. Nyota Uhura"),
        ("Putin signed the pact together with the North Korean Kim Jong-un.", "Kim Jong-un", "Kim Jong-un"),
        ("Tesla chief executive Elon Musk said the deal was off.", "Elon Musk", "Elon Musk"),
        ("The ship was built for the U.S. Navy in Maine.", "Maine", "Maine"),
    ],
)
def test_a_name_is_shown_with_the_title_or_kind_said_before_it_but_not_another_entity(sentence, name, shown):
    from embeddings.qa.candidates import full_name_start

    mentions = EntityTagger().mentions([sentence])[0]
    mention = next(m for m in mentions if sentence[m.start : m.end] == name)
    assert sentence[full_name_start(sentence, mention, mentions) : mention.end] == shown


def test_the_answer_says_the_title_before_the_name_in_its_quote(reader):
    passage = "Rep. Liz Cheney lost her primary in Wyoming on Tuesday to a challenger backed by Donald Trump."
    found = reader.read("Which Republican lost her primary in Wyoming?", [passage], ["Wyoming primary"])
    assert found.text == "Rep. Liz Cheney" and passage[found.start : found.end] == found.text


def test_a_shortened_name_is_answered_with_the_full_name_the_article_says():
    from embeddings.qa.candidates import Candidate, Sentence
    from embeddings.qa.names import fuller_name

    passages = [
        "The Avalanche finish the playoffs with a record of 16-4.",
        "The Colorado Avalanche defeated the Tampa Bay Lightning in Game 6.",
    ]

    def candidate(passage: int, text: str, label: str, score: float) -> Candidate:
        start = passages[passage].index(text)
        sentence = Sentence(passage, 0, len(passages[passage]), score)
        return Candidate(sentence, start, start + len(text), label, np.zeros(len(FEATURES)))

    short, full = candidate(0, "Avalanche", "FAC", 0.9), candidate(1, "The Colorado Avalanche", "ORG", 0.5)
    lightning = candidate(1, "the Tampa Bay Lightning", "ORG", 0.5)
    same_article = ["Colorado Avalanche win first Stanley Cup"] * 2
    team = answer_type("Which team finished the playoffs 16-4?")
    assert fuller_name([short, full, lightning], 0, passages, same_article, team) == 1
    assert fuller_name([short, full], 0, passages, ["One story", "Another story"], team) == 0  # another article's
    bidens = ["Biden tested positive.", "Joe Biden and Jill Biden spoke."]
    people = [
        Candidate(Sentence(0, 0, 22, 0.9), 0, 5, "PERSON", np.zeros(len(FEATURES))),
        Candidate(Sentence(1, 0, 31, 0.5), 0, 9, "PERSON", np.zeros(len(FEATURES))),
        Candidate(Sentence(1, 0, 31, 0.5), 14, 24, "PERSON", np.zeros(len(FEATURES))),
    ]
    who = answer_type("who tested positive?")
    assert fuller_name(people, 0, bidens, ["Covid"] * 2, who) == 0  # two fuller names end so: which one is not known
    cities = ["Washington sent troops.", "George Washington crossed the river."]
    city = Candidate(Sentence(0, 0, 23, 0.9), 0, 10, "GPE", np.zeros(len(FEATURES)))
    general = Candidate(Sentence(1, 0, 37, 0.5), 0, 17, "PERSON", np.zeros(len(FEATURES)))
    assert fuller_name([city, general], 0, cities, ["History"] * 2, answer_type("which city sent troops?", "city", "city")) == 0


@pytest.mark.parametrize(
    ("question", "counted"),
    [
        ("How many minutes did the violence go on?", "minutes"),
        ("Approximately how many positive monkeypox cases are in the United States?", "cases"),
        ("How many people live in Warsaw?", "people"),
        ("How many were killed?", None),
        ("How much did the bridge cost?", None),
    ],
)
def test_a_how_many_question_says_what_it_counts(question, counted):
    assert answer_type(question).counted == counted


def test_a_number_that_counts_what_the_question_counts_is_marked():
    from embeddings.qa.candidates import counts

    assert counts("minutes", "187 minutes", " of violence") == 1.0
    assert counts("minutes", "three hours", " of violence") == 0.0
    assert counts("swings", "2 million", " infant swings and rockers") == 1.0
    assert counts(None, "2 million", " infant swings") == 0.0


def test_a_number_is_answered_alone_not_joined_to_the_next_one(reader):
    passage = "ABC owns eight television stations and has over 232 affiliated stations across the country."
    found = reader.read("How many stations does ABC own?", [passage], ["ABC"])
    assert found.text == "eight" and len(found.spans) == 1


def test_a_list_of_dates_stays_whole():
    from embeddings.qa.candidates import Candidate, Sentence
    from embeddings.qa.pieces import with_partners

    text = "NASA may try again on August 29, September 2 or September 5."
    sentence = Sentence(0, 0, len(text), 0.9)
    dates = [
        Candidate(sentence, text.index(day), text.index(day) + len(day), "DATE", np.zeros(len(FEATURES)))
        for day in ("August 29", "September 2", "September 5")
    ]
    spans = with_partners(dates[0], dates, np.zeros(3), text)
    assert [text[start:end] for start, end in spans] == ["August 29, September 2 or September 5"]


def test_a_phrase_after_another_verb_is_not_a_second_answer():
    """ "violate X and threaten Y": Y is what is threatened, not a second thing violated; "X together with ... Y"
    still joins two names."""
    from embeddings.models.entities import PHRASE
    from embeddings.qa.candidates import Candidate, Sentence
    from embeddings.qa.pieces import with_partners

    tagger = shared_tagger()
    text = "The transfers violate multiple United Nations Security Council Resolutions and threaten stability in Europe."
    sentence = Sentence(0, 0, len(text), 0.9)
    phrases = [
        Candidate(sentence, text.index(words), text.index(words) + len(words), PHRASE, np.zeros(len(FEATURES)))
        for words in ("multiple United Nations Security Council Resolutions", "stability")
    ]
    assert len(with_partners(phrases[0], phrases, np.zeros(2), text)) == 2  # joining words alone would join them
    spans = with_partners(phrases[0], phrases, np.zeros(2), text, tagger.says_a_verb)
    assert [text[start:end] for start, end in spans] == ["multiple United Nations Security Council Resolutions"]
    pact = "Vladimir Putin, who signed the pact together with the North Korean Kim Jong-un, left."
    people = [
        Candidate(
            Sentence(0, 0, len(pact), 0.9), pact.index(name), pact.index(name) + len(name), "PERSON", np.zeros(len(FEATURES))
        )
        for name in ("Vladimir Putin", "Kim Jong-un")
    ]
    spans = with_partners(people[0], people, np.zeros(2), pact, tagger.says_a_verb)
    assert [pact[start:end] for start, end in spans] == ["Vladimir Putin", "Kim Jong-un"]


def test_a_second_name_joins_only_by_words_that_say_what_is_asked():
    """Kim signed the pact together with Putin, but the sentence does not say he visited Pyongyang with him."""
    from embeddings.qa.candidates import Candidate, Sentence
    from embeddings.qa.pieces import asked_words, with_partners

    def shown(text: str, names: tuple[str, str], question: str | None) -> list[str]:
        sentence = Sentence(0, 0, len(text), 0.9)
        people = [Candidate(sentence, text.index(n), text.index(n) + len(n), "PERSON", np.zeros(len(FEATURES))) for n in names]
        asked = asked_words(question) if question else None
        return [text[start:end] for start, end in with_partners(people[0], people, np.zeros(2), text, None, asked)]

    pact = "Vladimir Putin, who signed the pact together with the North Korean Kim Jong-un, left."
    signatories = ("Vladimir Putin", "Kim Jong-un")
    assert shown(pact, signatories, "who signed the pact?") == ["Vladimir Putin", "Kim Jong-un"]  # "signed" ~ "sign"
    assert shown(pact, signatories, "which president visited North Korea?") == ["Vladimir Putin"]
    assert shown(pact, signatories, None) == ["Vladimir Putin", "Kim Jong-un"]  # no question: the joiner decides
    assert shown(pact, signatories[::-1], "who did Putin sign the pact with?") == ["Kim Jong-un"]  # Putin is named
    assert shown(pact, signatories[::-1], "who was Putin’s partner in signing the pact?") == ["Kim Jong-un"]
    song = "The Song dynasty, together with the Ming dynasty, framed the Yuan."  # a lowercase word names no one
    assert shown(song, ("Ming dynasty", "Song dynasty"), "What dynasty came before the Yuan?") == ["Song dynasty", "Ming dynasty"]
    together = "Mary Leakey, together with Louis Leakey, dug at the site."  # nothing said but the joining words
    assert shown(together, ("Mary Leakey", "Louis Leakey"), "who dug at the site?") == ["Mary Leakey", "Louis Leakey"]


def test_the_span_heads_answer_keeps_its_brackets_balanced():
    from embeddings.qa.reader import _bracketed

    text = "one (or more) of the departments"
    assert text[: _bracketed(text, 0, len("one (or more"))] == "one"  # a bracket opened and left open: cut before it
    assert text[: _bracketed(text, 0, len("one (or more)"))] == "one (or more)"
    arms = "the Democratic People’s Republic of Korea (North Korea’s official name) to Russia"
    start = arms.index("North")
    assert _bracketed(arms, start, len(arms)) == start  # closes a bracket it did not open: no span


def test_a_name_found_in_one_sentence_is_that_name_where_the_tagger_missed_it():
    from embeddings.models.entities import PHRASE, Mention
    from embeddings.qa.candidates import with_names_found_elsewhere

    texts = [
        "King Charles III welcomes Sunak at the palace.",
        "Brady announces that Sunak will lead the Conservative Party.",
        "Sunak-style budgets and the Sunaks were not mentioned.",
    ]

    def at(text: str, words: str, label: str) -> Mention:
        return Mention(text.index(words), text.index(words) + len(words), label)

    first, second = texts[:2]
    found = [
        [at(first, "King Charles III", "PERSON"), at(first, "Sunak", PHRASE)],  # "Sunak" missed, a noun phrase has its bounds
        [at(second, "Brady", "PERSON"), at(second, "Sunak", "ORG"), at(second, "the Conservative Party", "ORG")],
        [],
    ]
    widened = with_names_found_elsewhere(found, texts)
    assert [(texts[0][m.start : m.end], m.label) for m in widened[0]] == [("King Charles III", "PERSON"), ("Sunak", "ORG")]
    assert widened[1] == found[1]  # nothing it did not already have
    assert widened[2] == []  # "Sunak-style" and "Sunaks" are other words
    assert with_names_found_elsewhere([[], []], ["a", "b"]) == [[], []]


def test_a_name_is_not_found_inside_another_mention():
    from embeddings.models.entities import Mention
    from embeddings.qa.candidates import with_names_found_elsewhere

    texts = ["Washington said no.", "The University of Washington agreed."]
    found = [[Mention(0, 10, "PERSON")], [Mention(0, 31, "ORG")]]
    assert with_names_found_elsewhere(found, texts) == found


def test_candidate_phrases_embedded_before_are_not_embedded_again(real_encoder, monkeypatch):
    reader = Reader(real_encoder, shared_reranker(), shared_tagger(), span_head=SpanHead())
    embedded: list[str] = []
    encode = real_encoder.encode

    def counting(texts, *args, **kwargs):
        embedded.extend(texts)
        return encode(texts, *args, **kwargs)

    passage = "The park reopened after Yellowstone National Park closed all five entrances because of the flooding."
    question = "Which national park was hit by severe flooding?"
    before = reader.candidates(question, [passage], ["Floods"])[2]
    monkeypatch.setattr(real_encoder, "encode", counting)
    again = reader.candidates(question, [passage], ["Floods"])[2]
    assert embedded == [] and [c.features.tolist() for c in again] == [c.features.tolist() for c in before]
    reader.candidates("Which national park closed its entrances?", [passage], ["Floods"])
    assert embedded and all(text not in embedded for text in ("Yellowstone National Park", "all five entrances"))


def test_a_name_is_widened_from_its_article_but_a_place_is_not(reader):
    from embeddings.qa.reader import Found

    passages = ["Sunak said he was honoured. China agreed.", "It looked over for Rishi Sunak. Troops left North China."]
    sunak = Found(0, ((0, 5),), 0, 27, 3.0, "Sunak", "person")
    who = answer_type("who became prime minister?")
    fuller = reader._said_in_full(sunak, "PERSON", passages, ["Profile"] * 2, who)
    assert fuller is not None and fuller.text == "Rishi Sunak" and fuller.short == sunak
    assert passages[1][fuller.start : fuller.end] == "Rishi Sunak" and fuller.passage == 1
    assert reader._said_in_full(sunak, "PERSON", passages, ["Profile", "Another story"], who) is None
    china = Found(0, ((28, 33),), 28, 41, 3.0, "China", "place")
    assert reader._said_in_full(china, "GPE", passages, ["History"] * 2, answer_type("where did he rule?")) is None


def test_a_bare_count_says_how_many_but_not_how_much():
    much, many = answer_type("how much?"), answer_type("how many?")
    assert much.accepts("CARDINAL") and not much.says("CARDINAL")  # "how much?" -> "two" (allies) is no answer
    assert much.says("MONEY") and much.says("PERCENT") and much.says("QUANTITY")
    assert many.says("CARDINAL") and not answer_type("when?").says("GPE")


def test_a_bare_follow_up_gets_a_phrase_of_its_kind_or_nothing(reader):
    title = ["Seoul, Tokyo and Washington condemn the pact"]
    when = reader.read("and when?", [PACT], title, topic="who signed the pact? and when?", typed=True)
    assert when is not None and when.text == "last week" and when.kind == "date"
    assert reader.read("how much?", [PACT], title, topic="who signed the pact? how much?", typed=True) is None
    assert reader.read("how much?", [PACT], title, topic="who signed the pact? how much?") is not None  # untyped: as before


@pytest.mark.parametrize(
    ("question", "admitted"),
    [
        ("How long did Putin stay in Pyongyang?", False),  # a name cannot say how long
        ("How many people did Putin meet in Pyongyang?", False),
        ("When did the pact take effect?", True),  # "when" may be a clause ("when the Methodists ... separated")
        ("Which city did Putin visit?", True),
    ],
)
def test_the_span_heads_guess_inside_a_name_cannot_answer_how_long_or_how_many(question, admitted):
    from embeddings.models.entities import Mention
    from embeddings.models.span_head import SPAN
    from embeddings.qa.candidates import Sentence, candidates_in

    text = "The Pyongyang-Moscow rapprochement was signed last week."
    sentence = Sentence(0, 0, len(text), 0.9)
    name, guess = text.index("Pyongyang-Moscow"), text.index("Moscow")
    mentions = [Mention(name, name + 16, "GPE"), Mention(guess, guess + 6, SPAN)]
    found = candidates_in(text, sentence, mentions, set(), answer_type(question), "", best=True)
    assert any(c.label == SPAN for c in found) is admitted
    guess_with_a_number = "The Moscow 2024 summit was signed last week."
    mentions = [Mention(4, 15, "EVENT"), Mention(4, 15, SPAN)]
    found = candidates_in(guess_with_a_number, Sentence(0, 0, 44, 0.9), mentions, set(), answer_type(question), "", best=True)
    assert any(c.label == SPAN for c in found)  # a digit: it may say how many
