"""A post full of hostile strings, built by the real toolchain: Hexo 7, hexo-theme-butterfly, hexo-renderer-marked.

The toolchain is installed from npm (``npm ci`` against tests/hexo/package-lock.json) into a cache folder keyed by
the lock file's hash, so it is downloaded once per machine. Skipped only where Node.js/npm cannot be found.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest

from arxiv_digest.models import Figure, FigureKind, Listing, Paper, Review, Section, SectionName
from arxiv_digest.render import PostRenderer, post_path
from arxiv_digest.topics import Topic

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "tests" / "hexo" / "package-lock.json"
DAY = date(2024, 6, 20)

# Each is a way untrusted text could become markup, script, a link or MathJax-typeset TeX in the built page.
HOSTILE = [
    r"$\href{javascript:alert(1)}{click}$",
    r"\(\href{javascript:alert(2)}{inline}\)",
    r"\[\url{javascript:alert(3)}\]",
    r"$$\class{evil}{\style{color:red}{x}}$$",
    r"\begin{equation}\href{javascript:alert(4)}{env}\end{equation}",
    r"$\html{data-x}{y}$ and \$\href{javascript:alert(5)}{escaped}\$",
    "<script>alert(6)</script>",
    "<svg onload=alert(7)>",
    "<iframe src=javascript:alert(8)></iframe>",
    "<details open ontoggle=alert(9)>x</details>",
    "<img src=x onerror=alert(10)>",
    "[click](javascript:alert(11))",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxMik8L3NjcmlwdD4=)",
    "<javascript:alert(13)>",
    "see https://evil.example/phish and www.evil.example or mail@evil.example",
    "![x](javascript:alert(14))",
    "{% raw %}{{ site.url }}{% endraw %} {# c #}",
    "NUL\x00 BEL\x07 ESC\x1b[31m RLO\u202eevil\u202c",
    "`code` **bold** _em_ > quote # heading",
]
SECTION_FIELDS = {
    "summary": {"summary": 0, "key_takeaways": 3},
    "overview": {"title_translation": 0, "affiliation": 0, "keywords": 3, "background": 0, "past_methods": 0,
                 "method": 0, "performance": 0},
    "methods": {"steps": 4},
    "conclusion": {"significance": 0, "innovation": 0, "performance": 0, "workload": 0},
}
MATH_COMMANDS = ("\\href", "\\url", "\\class", "\\style", "\\html")


def _npm() -> tuple[str, str] | None:
    node, npm = shutil.which("node"), shutil.which("npm")
    return (node, npm) if node and npm else None


@pytest.fixture(scope="module")
def toolchain() -> Path:
    """node_modules with hexo, the butterfly theme and the renderers, installed once per lock file."""
    if _npm() is None:
        pytest.skip("Node.js and npm are not installed (CI installs them from Debian: apt-get install nodejs npm)")
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "arxiv-digest"
    folder = base / f"hexo-{hashlib.sha256(LOCK.read_bytes()).hexdigest()[:16]}"
    if not (folder / "node_modules" / "hexo" / "package.json").exists():
        tmp = base / f".{folder.name}.partial-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        shutil.copy(LOCK.with_name("package.json"), tmp)
        shutil.copy(LOCK, tmp)
        done = subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"], cwd=tmp,
                              capture_output=True, text=True, timeout=900, check=False)
        assert done.returncode == 0, f"npm ci failed: {done.stderr[-2000:]}"
        shutil.rmtree(folder, ignore_errors=True)
        tmp.rename(folder)
    return folder


def _hostile(i: int) -> str:
    return HOSTILE[i % len(HOSTILE)]


def hostile_review() -> Review:
    """One paper whose every untrusted string (metadata, caption, each LLM field) is a hostile one."""
    n = iter(range(10_000))
    paper = Paper(
        arxiv_id="2406.10001v1", title="Diffusion Models " + _hostile(next(n)),
        authors=[_hostile(next(n)), _hostile(next(n))], summary=" ".join(HOSTILE),
        published=datetime(2024, 6, 18, 19, tzinfo=UTC), updated=datetime(2024, 6, 18, 19, tzinfo=UTC),
        primary_category="cs.CV", categories=["cs.CV"], comment=_hostile(next(n)),
        abs_url="https://arxiv.org/abs/2406.10001v1", pdf_url="https://arxiv.org/pdf/2406.10001v1",
    )
    sections = {}
    for name, fields in SECTION_FIELDS.items():
        content = {f: ([_hostile(next(n)) for _ in range(k)] if k else _hostile(next(n))) for f, k in fields.items()}
        sections[name] = Section(name=SectionName(name), ok=True, content=content)
    figure = Figure(kind=FigureKind.FIGURE, number="1", page=1, bbox=(0, 0, 10, 10), caption=_hostile(next(n)),
                    key="figures/ab/abc.png", content_type="image/png", width=10, height=10, nbytes=10)
    return Review(paper=paper, figures=[figure], code_links=["https://github.com/lattice/denoisers"],
                  sections=sections, errors=[])


class _Page(HTMLParser):
    """Tags, attributes and text of a page; text inside script/style is left out, as MathJax leaves it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth, self.article_depth = 0, None
        self.article_tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []
        self.article_text: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "img", "hr", "meta", "link", "input", "source", "wbr"):
            self._record(tag, attrs)
            return
        self.depth += 1
        if dict(attrs).get("id") == "article-container":
            self.article_depth = self.depth
        self._record(tag, attrs)
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        if self.article_depth is not None and self.depth == self.article_depth:
            self.article_depth = -1  # closed: done
        self.depth -= 1

    def _record(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.article_depth is not None and self.article_depth > 0:
            self.article_tags.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        self.text.append(data)
        if self.article_depth is not None and self.article_depth > 0:
            self.article_text.append(data)


def math_spans(text: str) -> list[str]:
    """What MathJax would typeset with butterfly's delimiters ($, $$, \\(, \\[) and environments."""
    text = text.replace("\\$", "")  # processEscapes: an escaped dollar is a literal one
    pattern = r"\$\$.+?\$\$|\$.+?\$|\\\(.+?\\\)|\\\[.+?\\\]|\\begin\{([^}]*)\}.+?\\end\{\1\}"
    return [m.group(0) for m in re.finditer(pattern, text, re.S)]


def test_hostile_post_builds_to_inert_html(toolchain: Path, tmp_path: Path) -> None:
    topic = Topic(name="Diffusion Models", query='abs:"diffusion models"', language="en")
    listing = Listing(topic=topic.name, listing_date=DAY, window_start=datetime(2024, 6, 18, 18, tzinfo=UTC),
                      window_end=datetime(2024, 6, 19, 18, tzinfo=UTC), query="q", total_results=1,
                      papers=[hostile_review().paper])
    post = PostRenderer(ROOT / "include" / "templates").render(
        topic, listing, [hostile_review()], public_url="/images/arxiv-digest/", model="gemini-2.5-flash")

    site = tmp_path / "site"
    (site / "source").mkdir(parents=True)
    (site / "node_modules").symlink_to(toolchain / "node_modules")
    manifest = json.loads((toolchain / "package.json").read_text())
    manifest["hexo"] = {"version": json.loads((toolchain / "node_modules/hexo/package.json").read_text())["version"]}
    (site / "package.json").write_text(json.dumps(manifest))  # hexo's CLI runs only in a folder that says "hexo"
    (site / "_config.yml").write_text("title: Digest\nurl: http://blog.example.org\ntheme: butterfly\n")
    (site / "_config.butterfly.yml").write_text("math:\n  use: mathjax\n  per_page: true\n")
    target = site / "source" / post_path("_posts/Paper", DAY, topic)
    target.parent.mkdir(parents=True)
    target.write_text(post, encoding="utf-8")
    built = subprocess.run([str(toolchain / "node_modules" / ".bin" / "hexo"), "generate"], cwd=site,
                           capture_output=True, text=True, timeout=300, check=False)
    log = built.stdout + built.stderr
    assert built.returncode == 0 and not re.search(r"\b(ERROR|FATAL)\b|YAMLException|Template render error", log), log
    pages = [p for p in (site / "public").rglob("index.html") if "article-container" in p.read_text("utf-8")]
    assert len(pages) == 1, sorted(str(p) for p in (site / "public").rglob("index.html"))
    html = pages[0].read_text("utf-8")
    assert "mathjax" in html.lower()  # the page really loads MathJax: the math checks below matter

    page = _Page()
    page.feed(html)
    tags = page.article_tags
    assert tags, "no article found"
    names = {t for t, _ in tags}
    assert not names & {"script", "svg", "iframe", "object", "embed", "math", "style", "form", "input"}, names
    attrs = [(t, k.lower(), (v or "").strip().lower()) for t, a in tags for k, v in a]
    assert [a for a in attrs if a[1].startswith("on")] == []
    links = [v for _, k, v in attrs if k in ("href", "src", "srcset", "action", "formaction", "xlink:href")]
    assert [v for v in links if v.startswith(("javascript:", "data:", "vbscript:"))] == []
    hosts = {re.sub(r"^https?://([^/]+)/.*$", r"\1", v) for v in links if v.startswith("http")}
    assert hosts <= {"arxiv.org", "github.com"}, hosts  # no autolinked URL from the text
    assert not any(v.startswith("mailto:") for v in links)

    for where, text in (("article", "".join(page.article_text)), ("page", "".join(page.text))):
        bad = [s for s in math_spans(text) if any(c in s for c in MATH_COMMANDS)]
        assert bad == [], (where, bad[:3])
        assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\u202a-\u202e\u2066-\u2069]", text), where
    article = "".join(page.article_text)
    assert "alert(6)" in article and "evil.example/phish" in article  # the text is shown, only inert
