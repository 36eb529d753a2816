"""Follow-up questions: "and when was it signed?" means nothing alone; it borrows the previous question's words."""

from __future__ import annotations

import re
from collections.abc import Sequence

# A question that leans on the previous one: opening with "and", "what about"..., or naming something by a pronoun.
_FOLLOW_UP = re.compile(
    r"^(and|but|also|so|what about|how about|then)\b|\b(he|she|it|they|them|his|her|its|their|that|this|those|these)\b",
    re.IGNORECASE,
)
# The same in the other languages the bot answers in: "А когда он был подписан?", "Und wo wurde er unterzeichnet?",
# "그럼 ...", "それは...". Pronouns that are also articles or common verbs ("la", "le", "es", "sie") are left out, and
# so is French inversion ("Où le pacte a-t-il été signé ?" names its own topic).
_FOLLOW_UP_ELSEWHERE = re.compile(
    r"^\W*(?:а|и|но|y|pero|und|aber|et|mais|그럼|그리고|그건|그것은|では|じゃあ|それ|那么|那|它)(?=\W|[가-힣ぁ-んァ-ン一-龥])"
    r"|(?<![\w-])(?:он|она|оно|они|его|её|их|это|él|ella|ellos|ellas|eso|esto|er|ihn|ihm|il|elle|ils|elles|ça|cela)(?!\w)",
    re.IGNORECASE,
)


# A question made only of these words ("where?", "and why?", "when was that?") names no topic of its own.
_NO_TOPIC = frozenset(
    "and but so then what who whom whose which when where why how much many long is are was were did does do has "
    "have had will would could can that this there else exactly about again".split()
)
_WORD = re.compile(r"[\w’']+")
# The same in the other languages the bot answers in (issue 11): "А когда?", "¿Y dónde?", "Und wann?", "Et où ?"; the
# scripts without spaces by a pattern: "언제요?", "いつ？", "那什么时候呢？".
_NO_TOPIC_IN = {
    language: frozenset(words.split())
    for language, words in {
        "ru": "а и но так тогда когда где куда откуда кто кого кому сколько почему зачем как что это был была было были ещё",
        "es": "y e pero entonces cuándo dónde adónde quién quiénes cuánto cuánta cuántos cuántas por qué cómo fue eso",
        "de": "und aber dann wann wo wohin woher wer wen wem wie viel viele warum wieso was war das denn genau",
        "fr": "et mais alors quand où qui combien pourquoi comment quoi c’était c'était ça donc",
    }.items()
}
_NO_TOPIC_CJK = {
    "ko": re.compile(
        r"(?:그럼|그리고|그러면)?\s*(?:언제|어디서|어디에서|어디|누가|누구|왜|얼마나|얼마|몇)"
        r"(?:요|에요|예요|였어요|인가요|입니까|였나요)?"
    ),
    "ja": re.compile(
        r"(?:では|じゃあ|それは|それで)?\s*(?:いつ|どこで|どこ|誰|なぜ|どうして|いくら)(?:ですか|でしたか|か|に|で)?"
    ),
    "zh": re.compile(r"(?:那么|那|还有)?\s*(?:什么时候|何时|在哪里|在哪儿|哪里|哪儿|谁|为什么|多少)(?:呢|啊|了)?"),
}
_ENDING = re.compile(r"[\s?？!！。.¿¡]+")


def is_follow_up(question: str) -> bool:
    """Does the question lean on the previous one: an opening "and ...", a pronoun, or no topic word at all ("where?")."""
    return bool(_FOLLOW_UP.search(question) or _FOLLOW_UP_ELSEWHERE.search(question)) or names_no_topic(question)


def names_no_topic(question: str) -> bool:
    """Is the question made of question words alone ("where?", "and when?", "how much?", "А когда?", "いつ？"): it
    asks for a kind of answer about the conversation's topic and says nothing the passages could match."""
    words = [word.lower() for word in _WORD.findall(question)]
    return all(word in _NO_TOPIC for word in words) or no_topic_language(question) is not None


def bare_follow_up(question: str, topic: str) -> bool:
    """Is `question` a follow-up of question words alone that `topic` (it with the question it continues, from
    `with_context`) gives a subject to: then only a phrase of the kind it asks answers it ("how much?" -> an amount)."""
    return topic != question and names_no_topic(question)


def no_topic_language(question: str) -> str | None:
    """The language of a question made of another language's question words alone ("Und wann?" -> "de"), which
    a language detector cannot tell from two short words; None for English words or a question with a topic."""
    words = [word.lower() for word in _WORD.findall(question)]
    if words and not all(word in _NO_TOPIC for word in words):
        for language, vocabulary in _NO_TOPIC_IN.items():
            if all(word in vocabulary for word in words):
                return language
    bare = _ENDING.sub("", question)
    return next((language for language, pattern in _NO_TOPIC_CJK.items() if bare and pattern.fullmatch(bare)), None)


def with_context(question: str, history: Sequence[str]) -> str:
    """The text to retrieve with: a follow-up question is prefixed by the conversation's last self-contained question.

    Walking back past earlier follow-ups keeps the topic in a chain ("who signed the pact?" -> "and when?" ->
    "where was it?") without stacking every turn into the query.
    """
    if not history or not is_follow_up(question):
        return question
    for previous in reversed(history):
        previous = " ".join(previous.split())
        if previous and not is_follow_up(previous):
            return f"{previous} {question}"
    return f"{' '.join(history[-1].split())} {question}"
