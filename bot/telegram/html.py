"""Answers as Telegram HTML: escaped text, the answer in bold, each source a quoted paragraph, split to fit.

Telegram counts a message's length after parsing the HTML, in UTF-16 code units, and rejects more than 4096.
Messages are made of self-contained blocks (balanced tags), joined with blank lines and split only between
blocks; a text too long for one block is cut into several, preferably after a sentence.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from urllib.parse import urlparse

from bot.messages import help_text, words
from bot.render import by_article, date_note, display_date
from embeddings import Answer, ArticleSummary, IndexInfo, Source

MESSAGE_LIMIT = 4096
QUESTION_ECHO_LIMIT = 200
TITLE_LIMIT = 300
ARTICLES_LISTED = 50
EXPANDABLE_FROM = 400  # quotes longer than this (characters) are shown folded: the reader taps to read the rest

_TAG = re.compile(r"<[^>]*>")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*\s+")
_SPACE = re.compile(r"\s+")


def plural(count: int, noun: str) -> str:
    """'1 article', '2 articles'."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def utf16_length(text: str) -> int:
    """Length as Telegram counts it: characters outside the Basic Multilingual Plane count twice."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def visible_text(message_html: str) -> str:
    """What the user reads: the text after tags are removed and entities decoded."""
    return html.unescape(_TAG.sub("", message_html))


def visible_length(message_html: str) -> int:
    """The length Telegram checks: the visible text, in UTF-16 code units."""
    return utf16_length(visible_text(message_html))


def shorten(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters at a word boundary, with an ellipsis when cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip() + "…"


def text_pieces(text: str, budget: int) -> list[tuple[int, int]]:
    """(start, end) ranges covering `text`, each at most `budget` UTF-16 units, cut after a sentence when possible.

    Falls back to a space, then to a hard cut. Whitespace at the cuts is dropped.
    """
    pieces: list[tuple[int, int]] = []
    start, size = 0, len(text)
    while start < size:
        while start < size and text[start].isspace():
            start += 1
        if start == size:
            break
        end, used = start, 0
        while end < size and used + utf16_length(text[end]) <= budget:
            used += utf16_length(text[end])
            end += 1
        if end == start:  # a budget smaller than one character: still make progress
            end += 1
        elif end < size:
            window = text[start : end + 1]  # one more character: a sentence may end exactly at the budget
            cuts = [match.end() for match in _SENTENCE_END.finditer(window)] or [match.end() for match in _SPACE.finditer(window)]
            if cuts:
                end = start + min(cuts[-1], end - start)
        piece_end = end
        while piece_end > start and text[piece_end - 1].isspace():
            piece_end -= 1
        pieces.append((start, piece_end))
        start = end
    return pieces


def _escaped_with_bold(text: str, start: int, end: int, bold: Sequence[tuple[int, int]]) -> str:
    """text[start:end], escaped, with the parts inside the `bold` ranges wrapped in <b> (empty ranges: none)."""
    out, at = [], start
    for left, right in sorted(bold):
        left, right = max(at, left), min(end, right)
        if right <= left:
            continue
        out += [html.escape(text[at:left]), f"<b>{html.escape(text[left:right])}</b>"]
        at = right
    return "".join([*out, html.escape(text[at:end])])


def _link(title: str, url: str | None) -> str:
    """The title, escaped, as a link when the url is a web address Telegram will accept."""
    title = html.escape(shorten(title, TITLE_LIMIT))
    if url and urlparse(url).scheme in {"http", "https"} and urlparse(url).netloc:
        return f'<a href="{html.escape(url, quote=True)}">{title}</a>'
    return title


def citation_html(source: Source) -> str:
    """'— Title, Outlet, Jun 24, 2024', the title linking to the quoted passage in the article when it has a url."""
    rest = [part for part in (source.outlet, display_date(source.date)) if part]
    return "— " + ", ".join([_link(source.title, source.link), *(html.escape(part) for part in rest)])


def _answer_spans(source: Source) -> tuple[tuple[int, int], ...]:
    return source.highlights or ((source.highlight,) if source.highlight else ())


def quote_blocks(source: Source, limit: int = MESSAGE_LIMIT) -> list[str]:
    """The verbatim paragraph in a <blockquote> (the answer bold, a long one expandable), after its paragraph number.

    A paragraph too long for one message becomes several quotes.
    """
    label = f"¶{source.paragraph}"
    budget = limit - len(label) - 1
    opening = "<blockquote expandable>" if len(source.quote) > EXPANDABLE_FROM else "<blockquote>"
    return [
        f"{label}\n{opening}{_escaped_with_bold(source.quote, start, end, _answer_spans(source))}</blockquote>"
        for start, end in text_pieces(source.quote, budget)
    ]


def source_blocks(sources: Sequence[Source], limit: int = MESSAGE_LIMIT) -> list[str]:
    """The sources grouped by article: each article's quotes, then its citation once (title, outlet, date)."""
    blocks: list[str] = []
    for group in by_article(sources):
        citation = citation_html(group[0])
        quotes = [block for source in group for block in quote_blocks(source, limit - visible_length(citation) - 1)]
        if not quotes:  # empty paragraphs: the citation alone
            quotes = [citation]
        else:
            quotes[-1] += "\n" + citation
        blocks.extend(quotes)
    return blocks


def split_messages(blocks: Iterable[str], limit: int = MESSAGE_LIMIT, separator: str = "\n\n") -> list[str]:
    """Blocks packed into as few messages as fit under `limit`, cut only between blocks.

    Raises ValueError for a block that alone exceeds the limit (the renderers never make one).
    """
    messages: list[str] = []
    current = ""
    for block in blocks:
        if visible_length(block) > limit:
            raise ValueError(f"a block of {visible_length(block)} characters cannot fit in a message")
        candidate = f"{current}{separator}{block}" if current else block
        if current and visible_length(candidate) > limit:
            messages.append(current)
            candidate = block
        current = candidate
    if current:
        messages.append(current)
    return messages


def abstain_html(question: str, language: str = "en") -> str:
    """A short polite sentence, no quotes: the articles do not hold the answer."""
    return words(language).abstain_html.format(question=html.escape(shorten(question, QUESTION_ECHO_LIMIT)))


def answer_line(answer: Answer) -> str:
    """The short answer in bold (with what a relative date in it means); for a sentence answer, a plain lead-in:
    the sentence itself is bold in the first quote and is not printed twice."""
    if answer.answer_type is None:
        return words(answer.language).sentence_html
    return f"<b>{html.escape(shorten(answer.answer or '', MESSAGE_LIMIT // 4))}</b>{html.escape(date_note(answer))}"


def answer_messages(answer: Answer, count: int) -> list[str]:
    """The short answer first, then the first `count` sources grouped by article; or the polite abstention."""
    if answer.abstained or not answer.answer:
        return [abstain_html(answer.question, answer.language)]
    return split_messages([answer_line(answer), *source_blocks(answer.sources[:count])])


def more_sources_messages(answer: Answer, start: int, count: int) -> list[str]:
    """Sources `start` to `start + count` of an answer, under a line naming the question."""
    header = words(answer.language).more_sources_for.format(question=html.escape(shorten(answer.question, QUESTION_ECHO_LIMIT)))
    return split_messages([header, *source_blocks(answer.sources[start : start + count])])


def articles_messages(articles: Sequence[ArticleSummary], listed: int = ARTICLES_LISTED) -> list[str]:
    """The indexed articles, newest first: title, outlet, date and passage count (the first `listed`)."""
    if not articles:
        return ["The index holds no articles yet."]
    newest = sorted(articles, key=lambda article: article.date or "", reverse=True)
    passages = sum(article.passages for article in articles)
    lines = [f"<b>{plural(len(articles), 'article')}, {plural(passages, 'passage')}</b>"]
    for article in newest[:listed]:
        rest = [part for part in (article.outlet, display_date(article.date)) if part]
        where = ", ".join([_link(article.title, article.url), *(html.escape(part) for part in rest)])
        lines.append(f"• {where} ({plural(article.passages, 'passage')})")
    if len(newest) > listed:
        lines.append(f"…and {plural(len(newest) - listed, 'older article')}.")
    return split_messages(lines, separator="\n")


def about_html(info: IndexInfo) -> str:
    """What the index is: its size, the model that embedded it, and when it was built."""
    return (
        f"<b>Index</b>: {plural(info.articles, 'article')}, {plural(info.passages, 'passage')}\n"
        f"<b>Model</b>: {html.escape(info.model)} ({info.dimension} dimensions)\n"
        f"<b>Built</b>: {html.escape(info.built_at)}\n"
        f"<b>Version</b>: {html.escape(info.version)}"
    )


def help_html(articles: Sequence[ArticleSummary], language: str | None = None) -> str:
    """What the bot knows (how many articles, from which outlets and dates) and how to ask, with an example;
    shorter, in the user's `language` (Telegram's language_code) when that is not English."""
    translated = help_text(language, len(articles))
    if translated is not None:
        return translated
    outlets = sorted({article.outlet for article in articles if article.outlet})
    dates = sorted(article.date for article in articles if article.date)
    known = f"I answer questions about <b>{plural(len(articles), 'news article')}</b>"
    if outlets:
        named = ", ".join(html.escape(outlet) for outlet in outlets[:5]) + (" and others" if len(outlets) > 5 else "")
        known += f" from {named}"
    if dates:
        first, last = display_date(dates[0]), display_date(dates[-1])
        known += f", dated {html.escape(first)}" if first == last else f", dated {html.escape(first)} to {html.escape(last)}"
    return (
        f"{known}.\n\n"
        "Ask in plain words, for example:\n<i>who signed the pact?</i>\n\n"
        "I reply with a short answer and quote the paragraphs it comes from, naming each article. "
        "A follow-up such as <i>and when was it signed?</i> builds on your previous question. "
        "When the articles don't say, I tell you so.\n\n"
        "In a group, mention me or reply to my message.\n\n"
        "/sources lists the articles, /about describes the index, /help shows this message."
    )
