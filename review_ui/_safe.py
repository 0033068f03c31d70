"""Content shown as text: escaping for every widget that renders Markdown (or HTML).

User and model content (headlines, bodies, finding matches, reasons, error messages that quote
input) never becomes a link, an image, HTML or formatting. Put it through `md()` before it goes
into `st.markdown`, `st.caption`, `st.info/success/warning/error`, headings or widget labels;
through `html_text()` when it goes into HTML built by us (`_highlight`); or show it with
`st.text` / `st.code`, which render nothing. Labels we write ourselves need neither.

    st.markdown(f"### {md(material.title)}\\n{code(material.id)}")
"""

from __future__ import annotations

import re

# Every ASCII character that starts Markdown or Streamlit syntax: links and images ([]()!),
# autolinks (: @ . for "https://", "www." and e-mail), HTML and entities (< > &), emphasis,
# code, strike, headings, tables, LaTeX ($) and Streamlit directives (:red[...], :material/x:).
# A backslash before ASCII punctuation is always the literal character in CommonMark.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|<>~$:&@.=^])")
# "-" only matters at the start of a line (list item, rule, setext heading); mid-text it stays
# as typed, so messages like "needs --offer" read as written.
_LINE_START_DASH = re.compile(r"(?m)^(\s*)-")
_LINE_BREAKS = re.compile(r"\r\n|\r|\n|\u2028|\u2029|\x85")
# In our own HTML (an HTML block inside Markdown) the inline-syntax characters become numeric
# entities: literal in the browser, never Markdown even if the block were ever cut short. (The
# HTML is one line, so line-start syntax such as "-" or "=" cannot occur.)
_HTML_SPECIAL = {c: f"&#{ord(c)};" for c in "\\`*_{}[]()#+!|~$:@."}
_HTML_BASE = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"}


def md(text: object, *, inline: bool = True) -> str:
    """text escaped for Markdown: shown exactly as written, nothing rendered.

    inline=True (headings, labels, one-line messages) turns line breaks into spaces;
    inline=False keeps them as hard line breaks.
    """
    out = _MD_SPECIAL.sub(r"\\\1", "" if text is None else str(text))
    out = _LINE_START_DASH.sub(r"\1\\-", out)
    return _LINE_BREAKS.sub(" " if inline else "  \n", out)


def code(text: object) -> str:
    """text as an inline code span (ids, field names): literal, whatever it holds."""
    s = _LINE_BREAKS.sub(" ", "" if text is None else str(text))
    # A code span ends at a backtick run as long as its opening one: open with a longer run.
    longest = max((len(m) for m in re.findall(r"`+", s)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if s.startswith("`") or s.endswith("`") or not s.strip() else ""
    return f"{fence}{pad}{s}{pad}{fence}"


def html_text(text: object, *, attribute: bool = False) -> str:
    """text escaped for HTML that sits inside Markdown (unsafe_allow_html): literal, one line.

    Line breaks become <br> (a space inside an attribute value): a blank line would end the
    HTML block and let whatever follows be parsed as Markdown.
    """
    s = "" if text is None else str(text)
    out = "".join(_HTML_BASE.get(c) or _HTML_SPECIAL.get(c) or c for c in s)
    return _LINE_BREAKS.sub(" " if attribute else "<br>", out)
