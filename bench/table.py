"""The benchmarks' common output: markdown rows `| what | database | figure | goal |` on stdout
(bench/all.py collects them from every module; other lines are for people and are ignored)."""
import re

HEADER = "| what | database | figure | goal |\n|---|---|---|---|"
_ROW = re.compile(r"^\|(?P<cells>.+)\|\s*$")


def row(what: str, database: str, figure: str, goal: str) -> str:
    """One row, printed at once (flushed: a bench killed later still leaves what it measured)."""
    line = "| " + " | ".join(_cell(text) for text in (what, database, figure, goal)) + " |"
    print(line, flush=True)
    return line


def _cell(text) -> str:
    return str(text).replace("|", "/").replace("\n", " ").strip()


def parse_rows(output: str) -> list[tuple[str, str, str, str]]:
    """The four-cell rows of a module's output; the header, separator lines and other text skipped."""
    rows = []
    for line in output.splitlines():
        match = _ROW.match(line.strip())
        if not match:
            continue
        cells = [cell.strip() for cell in match.group("cells").split("|")]
        if len(cells) != 4 or set("".join(cells)) <= set("-: ") or cells == ["what", "database", "figure", "goal"]:
            continue
        rows.append(tuple(cells))
    return rows
