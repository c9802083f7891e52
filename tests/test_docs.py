"""The documentation a person finds their way in: every command, option and route is in docs/, every link resolves.

The guides are read as Markdown by markdown-it-py (the parser the server renders the administrator's guide with), so
a link in a code block is no link and a heading's anchor is the one GitHub makes. Run after a merge as well: pages
written on other branches are checked as soon as they exist.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import click
import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token
from starlette.routing import Mount, Route

from blankett.cli import main
from blankett.web.app import create_app

ROOT = Path(__file__).parents[1]
DOCS = ROOT / "docs"
GUIDES = ("administrator.md", "drift.md", "integration.md", "utveckling.md")
MD = MarkdownIt("commonmark").enable("table")


def _pages() -> list[Path]:
    return [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]


def _text(tokens: list[Token]) -> str:
    return "".join(t.content for t in tokens if t.type in ("text", "code_inline"))


def _slug(heading: str, seen: dict[str, int]) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, each space a hyphen, repeats numbered."""
    slug = re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
    n = seen.get(slug, 0)
    seen[slug] = n + 1
    return slug if n == 0 else f"{slug}-{n}"


def _anchors(page: Path) -> set[str]:
    tokens = MD.parse(page.read_text(encoding="utf-8"))
    seen: dict[str, int] = {}
    return {_slug(_text(tokens[i + 1].children or []), seen) for i, t in enumerate(tokens) if t.type == "heading_open"}


def _links(page: Path) -> Iterator[tuple[str, str]]:
    """("link" or "image", target) for every link and image outside code (markdown-it's %-escapes undone)."""
    for block in MD.parse(page.read_text(encoding="utf-8")):
        for t in block.children or []:
            if t.type == "link_open":
                yield "link", unquote(str(t.attrs["href"]))
            elif t.type == "image":
                yield "image", unquote(str(t.attrs["src"]))


def _problems(page: Path) -> Iterator[str]:
    for kind, target in _links(page):
        if re.match(r"[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto: – not ours to fetch
            continue
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        if not file.exists():
            yield f"{page.name}: {kind} {target}: {file.relative_to(ROOT) if file.is_relative_to(ROOT) else file} " \
                  "finns inte"
        elif anchor and file.suffix == ".md" and anchor not in _anchors(file):
            yield f"{page.name}: {kind} {target}: rubriken #{anchor} finns inte i {file.name}"


def _sections() -> list[str]:
    """docs/ cut at every heading: the text under one heading, up to the next."""
    sections: list[str] = []
    for page in sorted(DOCS.glob("*.md")):
        sections += re.split(r"(?m)^#{1,6} ", page.read_text(encoding="utf-8"))
    return sections


def _commands(cmd: click.Command = main, path: str = "blankett") -> Iterator[tuple[str, click.Command]]:
    yield path, cmd
    if isinstance(cmd, click.Group):
        for name, sub in sorted(cmd.commands.items()):
            yield from _commands(sub, f"{path} {name}")


def test_the_guides_are_there_and_the_readme_links_to_each():
    links = {target for kind, target in _links(ROOT / "README.md") if kind == "link"}
    assert [g for g in GUIDES if not (DOCS / g).is_file() or f"docs/{g}" not in links] == []


def test_every_link_and_image_in_the_readme_and_docs_resolves_anchors_too():
    assert len(_pages()) > len(GUIDES)
    assert [p for page in _pages() for p in _problems(page)] == []


def _said(flag: str, sections: list[str]) -> bool:
    return any(re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", s) for s in sections)


def test_every_command_and_option_is_documented_in_docs():
    """Each command under one of its names, and each option under one of its spellings (``--idag``/``--today``),
    in a section of docs/ that names the command; an option's ``--no-…`` form as well."""
    sections = _sections()
    names: dict[int, list[str]] = {}
    commands: dict[int, click.Command] = {}
    for path, cmd in _commands():
        names.setdefault(id(cmd), []).append(path)
        commands[id(cmd)] = cmd
    missing = []
    for key, cmd in commands.items():
        own = [s for s in sections for path in names[key] if re.search(rf"{re.escape(path)}(?![\w-])", s)]
        if not own:
            missing.append(" / ".join(names[key]))
        for param in cmd.params:
            if isinstance(param, click.Option) and not param.hidden:
                missing += [f"{names[key][0]} {' / '.join(spellings)}" for spellings in (param.opts, param.secondary_opts)
                            if spellings and not any(_said(flag, own) for flag in spellings)]
    assert missing == []


def _route_pattern(path: str) -> str:
    """A route's path as the docs may write it: ``{job}`` as it stands or as a value (``/api/blank.pdf``)."""
    parts = re.split(r"\{(\w+)(?::\w+)?\}", path)
    out = ""
    for i, part in enumerate(parts):
        out += re.escape(part) if i % 2 == 0 else rf"(?:\{{{part}\}}|[\w.-]+)"
    return out


@pytest.mark.parametrize("route", [r for r in create_app("dokumentation").routes], ids=lambda r: r.path)
def test_every_web_and_api_route_is_documented_in_docs_with_its_methods(route):
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(DOCS.glob("*.md")))
    if isinstance(route, Mount):
        assert f"`{route.path}/" in text
        return
    assert isinstance(route, Route)
    for method in sorted((route.methods or {"GET"}) - {"HEAD"}):  # a GET may be named by its path alone
        prefix = "(?:GET )?" if method == "GET" else f"{method} "
        assert re.search(rf"`{prefix}{_route_pattern(route.path)}[`?]", text), f"{method} {route.path}"


def test_the_steps_to_send_the_form_back_encrypted_are_the_published_pages_word_for_word():
    """docs/kryptering.md and the page ``blankett publish`` writes give the officer the same steps (issue 21)."""
    from blankett.publish import PASSWORD_ADVICE, RETURN_STEPS

    text = (DOCS / "kryptering.md").read_text(encoding="utf-8")
    for program, steps in RETURN_STEPS.items():
        numbered = "\n".join(f"{n}. {step}" for n, step in enumerate(steps, start=1))
        assert f"**{program}**\n\n{numbered}\n" in text, program
    assert " ".join(text.split()).count(PASSWORD_ADVICE) == 1
