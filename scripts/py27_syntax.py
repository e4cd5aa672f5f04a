"""Python 2.7 syntax that vermin does not see, in the code that runs on managed hosts.

vermin checks features by version; it does not flag a trailing comma after
*args or **kwargs in a call or a definition (Python 3.6+ syntax, which a
formatter adds when it splits a call over lines). EL7 hosts run Ansible's
modules with Python 2.7 unless told otherwise.

    python scripts/py27_syntax.py FILE_OR_DIR ...
"""

from __future__ import annotations

import io
import sys
import tokenize
from pathlib import Path


def trailing_star_commas(path: Path) -> list[str]:
    """Lines where `*name,` or `**name,` is the last argument before a closing parenthesis."""
    problems = []
    tokens = [
        t
        for t in tokenize.generate_tokens(io.StringIO(path.read_text()).readline)
        if t.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT)
    ]
    for i, tok in enumerate(tokens[:-3]):
        if tok.type == tokenize.OP and tok.string in ("*", "**"):
            name, comma, close = tokens[i + 1], tokens[i + 2], tokens[i + 3]
            if name.type == tokenize.NAME and comma.string == "," and close.string == ")":
                problems.append(f"{path}:{tok.start[0]}: trailing comma after {tok.string}{name.string} (Python 3.6+)")
    return problems


def main(argv: list[str]) -> int:
    problems = []
    for arg in argv:
        root = Path(arg)
        for path in sorted([root] if root.is_file() else root.rglob("*.py")):
            problems += trailing_star_commas(path)
    print("\n".join(problems) or f"no Python 3.6+-only call syntax in {len(argv)} path(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
