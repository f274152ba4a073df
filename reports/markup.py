"""Section bodies: markdown rendered and sanitised, split at the ``[[tabella]]`` markers."""

import re

import markdown
import nh3

TABLE_MARKER = "[[tabella]]"

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "u", "sup", "sub", "code", "blockquote", "hr",
    "ul", "ol", "li", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {"th": {"align", "colspan", "rowspan"}, "td": {"align", "colspan", "rowspan"}}

_MARKER_RE = re.compile(r"^\s*\[\[tabella\]\]\s*$", re.MULTILINE)


def render_markdown(text):
    """Markdown to HTML that is safe to print: raw HTML in the text never survives as markup."""
    if not text or not text.strip():
        return ""
    html = markdown.markdown(text, extensions=["tables", "sane_lists"], output_format="html")
    html = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, link_rel=None)
    # A caption of a figure the original printed (and this report cannot redraw) reads
    # as a note, not as body text. Applied to the sanitised markup, which is ours.
    html = html.replace("<p><em>Fig.", '<p class="figref"><em>Fig.')
    # A paragraph that is a heading in all but name (bold alone, or a short line in capitals)
    # is kept with what follows it on the page.
    html = _LEAD_IN.sub(_lead_in, html)
    return html.replace("<table>", '<table class="md">')


_LEAD_IN = re.compile(r"<p>((?:<strong>[^<]{2,120}</strong>)|[^<]{3,90})</p>")


def _lead_in(match):
    text = match.group(1)
    bold = text.startswith("<strong>")
    words = re.sub(r"<[^>]+>", "", text).strip()
    letters = [c for c in words if c.isalpha()]
    capitals = len(letters) >= 3 and sum(c.isupper() for c in letters) >= 0.7 * len(letters)
    if (bold or capitals) and not words.endswith((".", ";", ",")):
        return f'<p class="lead-in">{text}</p>'
    return match.group(0)


def split_body(text):
    """The body as a list of ('html', str) and ('marker', heading) in document order.

    ``heading`` is the last line of text before the marker (the table's caption in the
    seeds' layout), used to match the marker with a DataTable.
    """
    parts = []
    heading = ""
    pieces = _MARKER_RE.split(text or "")
    for index, piece in enumerate(pieces):
        html = render_markdown(piece)
        if html:
            parts.append(("html", html))
        lines = [line.strip(" *#-_") for line in piece.strip().splitlines() if line.strip()]
        if lines:
            heading = lines[-1]
        if index < len(pieces) - 1:
            parts.append(("marker", heading))
    return parts


_WORD_RE = re.compile(r"[^\W\d_]{3,}|\d{4}", re.UNICODE)
_ACCENTS = str.maketrans("àáâèéêìíîòóôùúû", "aaaeeeiiiooouuu")


def _words(text):
    return set(_WORD_RE.findall((text or "").lower().translate(_ACCENTS)))


def _score(heading, title):
    title_words = _words(title)
    if not title_words:
        return 0.0
    return len(title_words & _words(heading)) / len(title_words)


def align_tables(markers, titles):
    """Match tables (in order) to markers (in order), best caption likeness first.

    Returns ``{marker_index: table_index}``. Every table gets a marker while there are
    enough of them (a table left over is printed after the text); order is kept, so
    a dynamic programme over (marker, table) maximises the summed likeness.
    """
    m, n = len(markers), len(titles)
    if not m or not n:
        return {}
    must = 1000.0  # placing a table outweighs any likeness
    neg = float("-inf")
    best = [[neg] * (n + 1) for _ in range(m + 1)]
    choice = [[None] * (n + 1) for _ in range(m + 1)]
    for i in range(m + 1):
        best[i][0] = 0.0
    for i in range(1, m + 1):
        for j in range(1, n + 1):
            skip = best[i - 1][j]
            take = best[i - 1][j - 1] + must + _score(markers[i - 1], titles[j - 1])
            if take > skip:  # on a tie the table stays at the earlier marker
                best[i][j], choice[i][j] = take, "take"
            else:
                best[i][j], choice[i][j] = skip, "skip"
    j = min(n, m)
    mapping = {}
    i = m
    while i > 0 and j > 0:
        if choice[i][j] == "take":
            mapping[i - 1] = j - 1
            j -= 1
        i -= 1
    return mapping
