"""The examples of docs/autograd.md and docs/autograd.de.md run and print what they claim."""

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"
CODE_BLOCK = re.compile(r"```python\n(.*?)```", re.S)
# A line `print(...)   # expected` states the expected output after the '#'.
PRINT_WITH_EXPECTATION = re.compile(r"^print\((.*)\)\s+#\s*(.+)$")


def expected_prints(block: str) -> list[str]:
    """Return the output each commented print line of `block` promises."""
    lines = []
    for line in block.splitlines():
        match = PRINT_WITH_EXPECTATION.match(line.strip())
        if match:
            # "[ 5. -1.] = 3 + 2w" promises "[ 5. -1.]"; the rest explains it.
            lines.append(match.group(2).split(" = ")[0].strip())
    return lines


@pytest.mark.parametrize("page", ["autograd.md", "autograd.de.md"])
def test_examples_print_their_comments(page, capsys):
    blocks = CODE_BLOCK.findall((DOCS / page).read_text(encoding="utf-8"))
    assert len(blocks) == 3, f"{page}: expected three examples"
    for block in blocks:
        exec(compile(block, f"{page} example", "exec"), {})
        printed = capsys.readouterr().out.splitlines()
        assert [line.strip() for line in printed] == expected_prints(block)


def test_pages_have_same_sections():
    english = re.findall(r"^## ", (DOCS / "autograd.md").read_text(encoding="utf-8"), re.M)
    german = re.findall(r"^## ", (DOCS / "autograd.de.md").read_text(encoding="utf-8"), re.M)
    assert len(english) == len(german)
