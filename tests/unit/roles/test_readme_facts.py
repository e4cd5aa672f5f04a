"""README's table "Facts the roles exchange" says what the roles really publish and read.

Published: every name a role sets with set_fact or register that does not start
with "__" (the collection's mark for a role's private variables). Read: every role
(other than the publisher), playbook (site.yml, playbooks/*.yml) and action plugin
whose code names the fact. Each fact's row must name exactly those; facts nothing
in the collection reads are outputs, and their row says "your plays".
"""

import re
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[3]
ROLES = sorted(p.name for p in (REPO / "roles").iterdir() if (p / "tasks").is_dir())
ROLE_CODE_DIRS = ("tasks", "defaults", "vars", "templates", "handlers")
OUTPUT_ONLY = "your plays"
IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")


def task_lists(node):
    """Every task in a tasks file, blocks opened."""
    for task in node or []:
        if not isinstance(task, dict):
            continue
        yield task
        for key in ("block", "rescue", "always"):
            yield from task_lists(task.get(key))


def published():
    facts = {}
    for role in ROLES:
        for path in sorted((REPO / "roles" / role / "tasks").glob("*.yml")):
            for task in task_lists(yaml.safe_load(path.read_text())):
                names = []
                for module in ("ansible.builtin.set_fact", "set_fact"):
                    if isinstance(task.get(module), dict):
                        names += [name for name in task[module] if name != "cacheable"]
                if isinstance(task.get("register"), str):
                    names.append(task["register"])
                for name in names:
                    if not name.startswith("__"):
                        facts.setdefault(name, set()).add(role)
    return facts


def code_without_comments(path):
    return "\n".join(line for line in path.read_text().splitlines() if not line.lstrip().startswith("#"))


def sources():
    """(reader name, code) for every place that could read a fact."""
    for role in ROLES:
        for folder in ROLE_CODE_DIRS:
            for path in sorted((REPO / "roles" / role / folder).rglob("*")):
                if path.is_file() and path.suffix in (".yml", ".yaml", ".j2"):
                    yield role, code_without_comments(path)
    for path in [REPO / "site.yml", *sorted((REPO / "playbooks").glob("*.yml"))]:
        yield path.name, code_without_comments(path)
    for path in sorted((REPO / "plugins/action").glob("*.py")):
        # an action plugin reads a fact from task_vars by its quoted name
        yield "ffdl.platform." + path.stem, path.read_text()


def readers(fact, publishers):
    word = re.compile(r"(?<![\w.])" + re.escape(fact) + r"(?![\w])")
    quoted = re.compile(r"task_vars\.get\(\s*[\"']" + re.escape(fact) + r"[\"']")
    found = set()
    for name, code in sources():
        if name in publishers:
            continue
        pattern = quoted if name.startswith("ffdl.platform.") else word
        if pattern.search(code):
            found.add(name)
    return found or {OUTPUT_ONLY}


def without_explanations(cell):
    depth, plain = 0, []
    for char in cell:
        depth += char == "("
        if depth == 0:
            plain.append(char)
        depth -= char == ")"
    return "".join(plain)


def names_in(cell):
    """The names a cell lists: comma or semicolon separated, explanations in parentheses dropped."""
    parts = re.split(r"[,;]| and ", without_explanations(cell))
    return {part.strip().strip("`") for part in parts if part.strip()}


def readme_table():
    text = (REPO / "README.md").read_text()
    section = text.split("### Facts the roles exchange", 1)[1]
    rows = {}
    for line in section.splitlines()[1:]:
        if line.startswith("#"):
            break
        if not line.startswith("| `"):
            continue
        facts_cell, publisher_cell, reader_cell = (cell.strip() for cell in line.strip("|").split("|"))
        for fact in re.findall(r"`([^`]+)`", without_explanations(facts_cell)):
            assert IDENTIFIER.match(fact), f"README's facts table: {fact!r} is not a variable name"
            assert fact not in rows, f"{fact} has two rows in README's facts table"
            rows[fact] = (names_in(publisher_cell), names_in(reader_cell))
    return rows


PUBLISHED = published()
TABLE = readme_table()


def test_every_published_fact_has_a_row():
    missing = sorted(set(PUBLISHED) - set(TABLE))
    assert not missing, f"published by a role but not in README's facts table: {missing}"


def test_every_row_is_a_published_fact():
    stale = sorted(set(TABLE) - set(PUBLISHED))
    assert not stale, f"in README's facts table but no role publishes it: {stale}"


@pytest.mark.parametrize("fact", sorted(set(TABLE) & set(PUBLISHED)))
def test_row_names_who_publishes_and_who_reads(fact):
    publishers, reader_names = TABLE[fact]
    assert publishers == PUBLISHED[fact], f"{fact}: README says published by {publishers}"
    assert reader_names == readers(fact, PUBLISHED[fact]), f"{fact}: README says read by {reader_names}"


def test_names_in_drops_explanations():
    assert names_in("helm (Helm 3 needs a newer Kubernetes, ffdl), `site.yml` (summary)") == {"helm", "site.yml"}
    assert names_in("docker, ssh and s3fs") == {"docker", "ssh", "s3fs"}
    assert without_explanations("`a` (with `b`), `c`") == "`a` , `c`"
