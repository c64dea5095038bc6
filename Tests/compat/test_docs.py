"""The documentation a newcomer reads: every relative link and #anchor in the Markdown files
resolves, the README stays a short front door with exactly two set-up commands, and no
document or script points outside the repository."""
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Not the packages a build checked out (an example plugin's .build folder).
DOCUMENTS = sorted(path for path in [*ROOT.glob("*.md"), *ROOT.glob("docs/*.md"), *ROOT.glob("examples/**/*.md"),
                                     *ROOT.glob("Fuzz/**/*.md")] if ".build" not in path.parts)
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def headings(path: Path) -> set[str]:
    """GitHub's anchors for the headings of a Markdown file."""
    anchors, in_code = set(), False
    for line in path.read_text().splitlines():
        if line.startswith("```"):
            in_code = not in_code
        elif not in_code and line.startswith("#"):
            text = line.lstrip("#").strip().lower()
            text = re.sub(r"[^\w\- ]", "", text).replace(" ", "-")
            anchors.add(text)
    return anchors


def links(path: Path):
    in_code = False
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if line.startswith("```"):
            in_code = not in_code
        elif not in_code:
            for target in LINK.findall(line):
                yield number, target


def test_every_relative_link_and_anchor_resolves():
    assert len(DOCUMENTS) >= 12
    broken = []
    for document in DOCUMENTS:
        for number, target in links(document):
            if re.match(r"[a-z]+:", target):
                continue  # http(s):, mailto:
            file, _, anchor = target.partition("#")
            resolved = (document.parent / file).resolve() if file else document
            where = f"{document.relative_to(ROOT)}:{number}: {target}"
            if not resolved.exists():
                broken.append(f"{where} (no such file)")
            elif not resolved.is_relative_to(ROOT):
                broken.append(f"{where} (outside the repository)")
            elif anchor and resolved.suffix == ".md" and anchor not in headings(resolved):
                broken.append(f"{where} (no such heading)")
    assert broken == []


def test_the_readme_is_a_front_door_with_two_set_up_commands():
    readme = (ROOT / "README.md").read_text()
    assert len(readme.splitlines()) <= 250
    set_up = readme.split("## Set-up")[1].split("\n## ")[0]
    assert re.findall(r"```sh\n(.*?)\n```", set_up, re.S) == ["scripts/run.sh", "scripts/test.sh"]
    assert "scripts/test.sh" in (ROOT / ".ci/run").read_text()
    for page in ["install", "watchers", "writing-a-watcher", "configuration", "cli", "api", "several-computers",
                 "moving-in", "reliability", "performance"]:
        assert f"(docs/{page}.md)" in readme, page


def test_nothing_points_outside_the_repository():
    found = subprocess.run(["git", "grep", "-n", r"\.\./shared", "--", "scripts", "Benchmarks", "Tests", "Sources",
                            "docs", "*.md"], cwd=ROOT, capture_output=True, text=True).stdout
    found = "\n".join(line for line in found.splitlines() if not line.startswith("Tests/compat/test_docs.py"))
    assert found == ""
