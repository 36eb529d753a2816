"""The bot's own words in the user's language: abstention, the answer's lead-in, "More sources", help.

The engine says which language a question was asked in (`Answer.language`); Telegram says which language the
user's app is set to (`language_code`, for /help). English is the fallback for every other language.
Quotes stay as the articles wrote them: only the words around them are translated.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Words:
    """One language's phrases; `{question}`, `{count}` and `{example}` are filled in by the renderers."""

    abstain: str  # console and `ask`
    abstain_html: str  # Telegram, echoing the question
    answer: str  # before a short answer: "Answer:"
    sentence: str  # console lead-in when the answer is a whole sentence, marked in the first quote
    sentence_html: str  # the same in Telegram, where the sentence is bold
    paragraph: str
    under: str
    more_sources: str  # the button, with the number left
    more_sources_for: str  # the header above further sources
    help: str  # Telegram /help for a language other than English (English keeps its richer text)
    example: str
    queued: str = "Queued: {ahead} ahead of your question. The answer will appear here."  # Telegram, in a burst
    week_of: str = "the week of {day}"  # what "last week" in the answer means
    dated: str = "the article is dated {day}"


ENGLISH = Words(
    abstain="I couldn't find that in the articles.",
    abstain_html="Sorry, I couldn't find an answer to “{question}” in the articles. Try other words, or see /sources.",
    answer="Answer:",
    sentence="From the articles (the answering sentence is marked):",
    sentence_html="From the articles (the answer is in bold):",
    paragraph="paragraph",
    under="under",
    more_sources="More sources ({count})",
    more_sources_for="More sources for “{question}”:",
    help="",
    example="who signed the pact?",
)

_HELP_TAIL = "/sources, /about, /help"

WORDS: dict[str, Words] = {
    "en": ENGLISH,
    "ru": Words(
        abstain="Я не нашёл этого в статьях.",
        abstain_html="К сожалению, я не нашёл ответа на «{question}» в статьях. Попробуйте другие слова или посмотрите /sources.",
        answer="Ответ:",
        sentence="Из статей (отвечающее предложение выделено):",
        sentence_html="Из статей (ответ выделен жирным):",
        paragraph="абзац",
        under="раздел",
        more_sources="Ещё источники ({count})",
        more_sources_for="Ещё источники для «{question}»:",
        help="Я отвечаю на вопросы по новостным статьям (статей: <b>{count}</b>). Спросите простыми словами, например:\n"
        "<i>{example}</i>\n\nЯ отвечаю цитатой из абзаца статьи и называю статью. Если в статьях ответа нет, я так и скажу.",
        example="Кто подписал пакт?",
        queued="В очереди: перед вашим вопросом ещё {ahead}. Ответ появится здесь.",
        week_of="неделя с {day}",
        dated="статья датирована {day}",
    ),
    "es": Words(
        abstain="No encontré eso en los artículos.",
        abstain_html="Lo siento, no encontré una respuesta a «{question}» en los artículos. "
        "Pruebe con otras palabras o vea /sources.",
        answer="Respuesta:",
        sentence="De los artículos (la frase que responde está marcada):",
        sentence_html="De los artículos (la respuesta está en negrita):",
        paragraph="párrafo",
        under="en",
        more_sources="Más fuentes ({count})",
        more_sources_for="Más fuentes para «{question}»:",
        help="Respondo preguntas sobre artículos de noticias (artículos: <b>{count}</b>). Pregunte con palabras sencillas, "
        "por ejemplo:\n<i>{example}</i>\n\nRespondo citando el párrafo del artículo y lo nombro. "
        "Si los artículos no lo dicen, se lo digo.",
        example="¿Quién firmó el pacto?",
        queued="En cola: {ahead} por delante de su pregunta. La respuesta aparecerá aquí.",
        week_of="la semana del {day}",
        dated="el artículo es del {day}",
    ),
    "de": Words(
        abstain="Das habe ich in den Artikeln nicht gefunden.",
        abstain_html="Leider habe ich keine Antwort auf „{question}“ in den Artikeln gefunden. "
        "Versuchen Sie andere Worte oder sehen Sie /sources.",
        answer="Antwort:",
        sentence="Aus den Artikeln (der antwortende Satz ist markiert):",
        sentence_html="Aus den Artikeln (die Antwort ist fett):",
        paragraph="Absatz",
        under="unter",
        more_sources="Weitere Quellen ({count})",
        more_sources_for="Weitere Quellen zu „{question}“:",
        help="Ich beantworte Fragen zu Nachrichtenartikeln (Artikel: <b>{count}</b>). Fragen Sie in einfachen Worten, "
        "zum Beispiel:\n<i>{example}</i>\n\nIch antworte mit einem Zitat aus dem Absatz und nenne den Artikel. "
        "Steht es nicht in den Artikeln, sage ich das.",
        example="Wer hat den Pakt unterzeichnet?",
        queued="In der Warteschlange: {ahead} vor Ihrer Frage. Die Antwort erscheint hier.",
        week_of="die Woche vom {day}",
        dated="der Artikel ist vom {day}",
    ),
    "fr": Words(
        abstain="Je n'ai pas trouvé cela dans les articles.",
        abstain_html="Désolé, je n'ai pas trouvé de réponse à « {question} » dans les articles. "
        "Essayez d'autres mots ou voyez /sources.",
        answer="Réponse :",
        sentence="D'après les articles (la phrase qui répond est marquée) :",
        sentence_html="D'après les articles (la réponse est en gras) :",
        paragraph="paragraphe",
        under="sous",
        more_sources="Plus de sources ({count})",
        more_sources_for="Plus de sources pour « {question} » :",
        help="Je réponds aux questions sur des articles d'actualité (articles : <b>{count}</b>). Posez votre question "
        "simplement, par exemple :\n<i>{example}</i>\n\nJe réponds en citant le paragraphe et en nommant l'article. "
        "Si les articles ne le disent pas, je vous le dis.",
        example="Qui a signé le pacte ?",
        queued="En attente : {ahead} avant votre question. La réponse apparaîtra ici.",
        week_of="la semaine du {day}",
        dated="l’article est daté du {day}",
    ),
    "ko": Words(
        abstain="기사에서 그 내용을 찾지 못했습니다.",
        abstain_html="죄송합니다. 기사에서 “{question}”에 대한 답을 찾지 못했습니다. "
        "다른 단어로 물어보시거나 /sources를 확인하세요.",
        answer="답변:",
        sentence="기사에서 (답이 되는 문장이 표시되어 있습니다):",
        sentence_html="기사에서 (답은 굵게 표시되어 있습니다):",
        paragraph="문단",
        under="소제목",
        more_sources="출처 더 보기 ({count})",
        more_sources_for="“{question}”에 대한 추가 출처:",
        help="뉴스 기사에 대한 질문에 답합니다 (기사 <b>{count}</b>개). 쉬운 말로 물어보세요. 예:\n<i>{example}</i>\n\n"
        "기사의 문단을 인용하고 기사 이름을 알려 드립니다. 기사에 없는 내용이면 그렇다고 말씀드립니다.",
        example="누가 조약에 서명했나요?",
        queued="대기 중: 질문 앞에 {ahead}개가 있습니다. 답변이 여기에 표시됩니다.",
        week_of="{day}부터 한 주",
        dated="기사 날짜 {day}",
    ),
    "ja": Words(
        abstain="記事の中に見つかりませんでした。",
        abstain_html="申し訳ありません。記事の中に「{question}」への答えが見つかりませんでした。"
        "別の言葉で試すか、/sources をご覧ください。",
        answer="答え:",
        sentence="記事より（答えとなる文に印を付けています）:",
        sentence_html="記事より（答えは太字です）:",
        paragraph="段落",
        under="見出し",
        more_sources="他の出典 ({count})",
        more_sources_for="「{question}」の他の出典:",
        help="ニュース記事についての質問に答えます（記事 <b>{count}</b> 件）。普通の言葉で質問してください。"
        "例:\n<i>{example}</i>\n\n"
        "記事の段落を引用し、記事名を示します。記事に書かれていなければ、そうお伝えします。",
        example="誰が条約に署名しましたか？",
        queued="順番待ち：あなたの質問の前に{ahead}件あります。回答はここに表示されます。",
        week_of="{day}からの週",
        dated="記事の日付 {day}",
    ),
    "zh": Words(
        abstain="我在文章中没有找到这个内容。",
        abstain_html="抱歉，我在文章中没有找到“{question}”的答案。请换个说法，或查看 /sources。",
        answer="答案：",
        sentence="来自文章（回答的句子已标出）：",
        sentence_html="来自文章（答案为粗体）：",
        paragraph="段落",
        under="小标题",
        more_sources="更多来源 ({count})",
        more_sources_for="“{question}”的更多来源：",
        help="我回答关于新闻文章的问题（共 <b>{count}</b> 篇文章）。请用简单的话提问，例如：\n<i>{example}</i>\n\n"
        "我会引用文章段落并注明文章。如果文章中没有，我会告诉您。",
        example="谁签署了条约？",
        queued="排队中：您的问题前还有 {ahead} 个。答案将显示在这里。",
        week_of="{day}起的那一周",
        dated="文章日期 {day}",
    ),
}


def words(language: str | None) -> Words:
    """The phrases for an ISO 639-1 code or a Telegram language_code ("pt-br", "zh-hans"); English when unknown."""
    return WORDS.get((language or "en").split("-")[0].split("_")[0].lower(), ENGLISH)


def help_text(language: str | None, count: int) -> str | None:
    """The /help message (Telegram HTML) in `language`, or None for English, whose help says more."""
    chosen = words(language)
    if chosen is ENGLISH:
        return None
    return chosen.help.format(count=count, example=chosen.example) + "\n\n" + _HELP_TAIL
