"""Rewrite the expected output of ```console blocks in place (golden update).

    python tools/regen_console.py README.md docs/*.md case_studies/*/README.md

Each `$ verigroup ...` line is run in-process from the repository root and
the lines after it (up to the next `$` line, `# exit N` line or the fence)
are replaced by what it prints now; `# exit N` is updated too.  Review the
diff before committing: the tests compare against these blocks.
"""

from __future__ import annotations

import io
import os
import re
import shlex
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FENCE = re.compile(r"(^```console\s*\n)(.*?)(^```)", re.S | re.M)


def run(argv: list[str]) -> tuple[int, str]:
    from verigroup.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    code = main(argv, out, err)
    text = "\n".join(l.rstrip() for l in (out.getvalue() + err.getvalue()).splitlines()).rstrip()
    return code, text


def regen_block(body: str) -> str:
    out: list[str] = []
    had_exit = False
    pending: list[str] | None = None

    def flush() -> None:
        nonlocal pending, had_exit
        if pending is not None:
            code, text = run(pending)
            if text:
                out.append(text)
            if had_exit or code != 0:
                out.append(f"# exit {code}")
        pending, had_exit = None, False

    for raw in body.splitlines():
        if raw.startswith("$ "):
            flush()
            out.append(raw)
            pending = shlex.split(raw[2:])[1:]
        elif re.match(r"^# exit \d+$", raw):
            had_exit = True
        elif pending is None:
            out.append(raw)
    flush()
    return "\n".join(out) + "\n"


def main(paths: list[str]) -> int:
    os.chdir(ROOT)
    for p in paths:
        path = Path(p)
        text = path.read_text()
        new = FENCE.sub(lambda m: m.group(1) + regen_block(m.group(2)) + m.group(3), text)
        if new != text:
            path.write_text(new)
            print(f"updated {p}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
