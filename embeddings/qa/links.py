"""Links that open the article scrolled to the quoted passage: a URL text fragment (`#:~:text=...`).

Browsers that support text fragments (Chrome, Edge, Safari, Firefox 131+) highlight the first match of the quote's
opening words; others simply open the article. https://wicg.github.io/scroll-to-text-fragment/
"""

from __future__ import annotations

from urllib.parse import quote as percent_encode
from urllib.parse import urlsplit, urlunsplit

FRAGMENT_WORDS = 8  # enough to be unique on a news page, few enough to survive small differences in the page's markup


def fragment_text(text: str) -> str:
    """`text` percent-encoded for a text directive, where '-', ',' and '&' have meanings of their own."""
    return percent_encode(text, safe="").replace("-", "%2D")


def quote_link(url: str | None, quote: str, words: int = FRAGMENT_WORDS) -> str | None:
    """`url` with a text fragment made of the quote's first `words` words; None without a web address or a quote."""
    if not url or not quote.strip():
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    start = " ".join(quote.split()[:words])
    return urlunsplit(parts._replace(fragment=":~:text=" + fragment_text(start)))
