"""Reading the renderer's HTML back with the standard library's parser, and checking it is safe."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"br", "hr", "img", "input", "meta", "link", "source", "wbr", "col", "area", "base", "embed", "track"}


@dataclass
class Tag:
    name: str
    attrs: dict[str, str | None]
    text: str = ""  # all the text inside, as a browser would show it (entities decoded)
    children: list[Tag] = field(default_factory=list)

    def find_all(self, name: str | None = None, **attrs: str) -> list[Tag]:
        found: list[Tag] = []
        for child in self.children:
            wanted = name is None or child.name == name
            if wanted and all(child.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items()):
                found.append(child)
            found += child.find_all(name, **attrs)
        return found

    def find(self, name: str | None = None, **attrs: str) -> Tag:
        found = self.find_all(name, **attrs)
        assert found, f"no <{name} {attrs}> in the HTML"
        return found[0]

    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def by_class(self, cls: str) -> list[Tag]:
        return [t for t in self.find_all() if cls in t.classes()]


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Tag("root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Tag(tag, dict(attrs))
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Tag(tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        assert tag not in VOID, f"</{tag}>"
        assert self.stack[-1].name == tag, f"</{tag}> closes <{self.stack[-1].name}>"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        for node in self.stack:
            node.text += data


def parse(markup: str) -> Tag:
    """The tree of ``markup``; fails on a mis-nested or unclosed tag."""
    builder = _Builder()
    builder.feed(markup)
    builder.close()
    assert builder.stack == [builder.root], f"unclosed: {[t.name for t in builder.stack[1:]]}"
    return builder.root


ALLOWED_TAGS = {
    "div", "span", "a", "strong", "em", "del", "code", "pre", "blockquote", "br", "hr", "h2", "h3", "img",
    "figure", "figcaption", "button", "select", "option", "optgroup", "input", "textarea", "label", "time",
    "ul", "ol", "li",
}  # fmt: skip


def assert_safe(markup: str) -> Tag:
    """No script or foreign tag, no inline handler, no unsafe link or image: whatever the input was."""
    root = parse(markup)
    for tag in root.find_all():
        assert tag.name in ALLOWED_TAGS, f"<{tag.name}> in {markup}"
        for name, value in tag.attrs.items():
            assert not name.startswith("on"), f"{name}= on <{tag.name}>"
            assert name != "style" or (value or "").startswith("border-left-color: #"), value
        if tag.name == "a":
            href = tag.attrs.get("href") or ""
            # Checked independently of the renderer's own safe_url: a plain prefix, nothing hidden.
            assert href.startswith(("http://", "https://", "mailto:")), href
            assert not re.search(r"[\x00-\x20\x7f]", href), href
            assert tag.attrs.get("rel") == "noopener noreferrer" and tag.attrs.get("target") == "_blank"
        if tag.name == "img":
            src = tag.attrs.get("src") or ""
            assert src.startswith(("http://", "https://", "/files/")), src
    return root
