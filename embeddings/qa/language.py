"""The language a question is asked in, which picks its retrieval path (English, or cross-lingual).

py3langid (a naive Bayes over byte n-grams, model inside the wheel) restricted to the languages the cross-lingual
encoder reads. English stays the default: a question goes the cross-lingual way only when the detector is sure
(short English questions such as "Putin?" must keep today's English path), or when it is written in a script
English does not use (Cyrillic, Hangul, kana, Han...) or opens with Spanish "¿" / "¡" ("¿Está Corea del Norte
modernizando sus armas?" reads 0.896 Spanish).
"""

from __future__ import annotations

import functools
import re
from typing import Any

from embeddings.models.multilingual import LANGUAGES

SURE = 0.9  # the detector's probability a Latin-script question needs to leave the English path
MIN_LETTERS = 40  # a Latin-script passage with fewer letters is taken for English (short lines fool the detector)
MIN_LETTERS_NON_LATIN = 10  # a passage mostly in Hangul, kana, Han, Cyrillic... tells its language sooner
_NON_LATIN = re.compile(r"[^\W\d_a-zA-Z\u00c0-\u024f]")  # a letter outside Latin: Cyrillic, Greek, Hangul, kana, Han...
_INVERTED = re.compile(r"[¿¡]")  # Spanish opens its questions and exclamations with them; English never does


@functools.cache
def _identifier() -> Any:  # py3langid's LanguageIdentifier (the package has no type hints)
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(sorted(LANGUAGES))
    return identifier


def question_language(question: str) -> str:
    """The ISO 639-1 code of the question's language among LANGUAGES; "en" when unsure."""
    language, probability = _identifier().classify(question)
    if language == "en":
        return "en"
    if _NON_LATIN.search(question) or _INVERTED.search(question) or probability >= SURE:
        return language
    return "en"


def text_language(text: str) -> str:
    """The language a passage is written in, among LANGUAGES; "en" when the detector is unsure or a Latin-script
    passage is too short to tell (a byline, "AP", "3. Ukraine": short lines fool it), so English passages are not
    taken for foreign ones. Mostly Hangul, kana, Han or Cyrillic is foreign from a few words on."""
    letters = [char for char in text if char.isalpha()]
    non_latin = sum(1 for char in letters if _NON_LATIN.match(char))
    foreign_script = len(letters) >= MIN_LETTERS_NON_LATIN and non_latin > len(letters) / 2
    if not foreign_script and len(letters) < MIN_LETTERS:
        return "en"
    language, probability = _identifier().classify(text)
    return str(language) if foreign_script or probability >= SURE else "en"
