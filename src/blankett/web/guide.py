"""The administrator's guide as a page of the server itself (``/hjalp``), so a server without internet shows it too.

The package carries a copy of ``docs/administrator.md`` and the pictures it shows (``web/guide/``; a test keeps
them equal to ``docs/``). The Markdown is rendered by markdown-it-py with raw HTML switched off, so the guide's text
can never put markup or script on the page; links to the other guides (files beside it in ``docs/``, not served)
become their text and the file's name, and pictures are served from the package by name only.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token

GUIDE = Path(__file__).parent / "guide"
SOURCE = GUIDE / "administrator.md"
PICTURES = GUIDE / "bilder"
#: The address of the guide and of its pictures.
PATH = "/hjalp"
PICTURE_PATH = PATH + "/bilder/"


def pictures() -> dict[str, Path]:
    """The pictures the server may send, by file name (nothing else in or outside the folder is reachable)."""
    return {p.name: p for p in PICTURES.glob("*.png")} if PICTURES.is_dir() else {}


def slug(heading: str, seen: dict[str, int]) -> str:
    """The anchor GitHub gives a heading, so the guide's own ``#…`` links work on the page as on GitHub."""
    base = re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
    n = seen.get(base, 0)
    seen[base] = n + 1
    return base if n == 0 else f"{base}-{n}"


def _is_relative(href: str) -> bool:
    return not re.match(r"[a-z][a-z0-9+.-]*:", href) and not href.startswith(("/", "#"))


def _inline(children: list[Token]) -> list[Token]:
    """Pictures pointed at the server; a link to another guide replaced by its text and the guide's file name."""
    out: list[Token] = []
    dropped: list[str] = []
    for t in children:
        if t.type == "image" and _is_relative(str(t.attrs.get("src", ""))):
            t.attrs["src"] = PICTURE_PATH + Path(str(t.attrs["src"])).name
        if t.type == "link_open":
            path, _, anchor = str(t.attrs.get("href", "")).partition("#")
            if _is_relative(str(t.attrs.get("href", ""))) and path and Path(path).name == SOURCE.name:
                t.attrs["href"] = "#" + anchor if anchor else "#main"
            elif _is_relative(str(t.attrs.get("href", ""))):
                dropped.append(Path(path).name)
                continue
        if t.type == "link_close" and dropped:
            name = dropped.pop()
            text = Token("text", "", 0)
            text.content = f" ({name}{' i README' if name == 'README.md' else ' i mappen docs'})"
            out.append(text)
            continue
        out.append(t)
    return out


@functools.cache
def render() -> str:
    """The guide as HTML for the page's main part (its own first heading left out: the page has the title)."""
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    tokens = md.parse(SOURCE.read_text(encoding="utf-8"))
    seen: dict[str, int] = {}
    for i, t in enumerate(tokens):
        if t.type == "heading_open":
            inline = tokens[i + 1].children or []
            t.attrs["id"] = slug("".join(c.content for c in inline if c.type in ("text", "code_inline")), seen)
        if t.type == "inline" and t.children:
            t.children = _inline(t.children)
    if tokens and tokens[0].type == "heading_open" and tokens[0].tag == "h1":
        tokens = tokens[3:]
    return str(md.renderer.render(tokens, md.options, {}))
