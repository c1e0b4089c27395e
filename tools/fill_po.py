"""Fill the Japanese catalogue from the glossary files in locale/ja/terms/*.json (msgid -> msgstr).

`make messages` runs makemessages and then this, so translations live in small per-area JSON files
that several people can edit without conflicts in one big .po file.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "locale" / "ja" / "LC_MESSAGES" / "django.po"


def _unquote(block: list[str]) -> str:
    return "".join(json.loads(line[line.index('"') :]) for line in block)


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def main() -> int:
    terms: dict[str, str] = {}
    for path in sorted((ROOT / "locale" / "ja" / "terms").glob("*.json")):
        for msgid, msgstr in json.loads(path.read_text(encoding="utf-8")).items():
            if msgid in terms and terms[msgid] != msgstr:
                print(
                    f"{path.name}: {msgid!r} translated twice ({terms[msgid]!r} vs {msgstr!r})",
                    file=sys.stderr,
                )
            terms[msgid] = msgstr
    lines = PO.read_text(encoding="utf-8").splitlines()
    out: list[str] = []
    i = 0
    missing = []
    while i < len(lines):
        line = lines[i]
        if line.startswith("msgid "):
            block = [line]
            i += 1
            while i < len(lines) and lines[i].startswith('"'):
                block.append(lines[i])
                i += 1
            msgid = _unquote(block)
            out.extend(block)
            if i < len(lines) and lines[i].startswith("msgstr "):
                start = i
                i += 1
                while i < len(lines) and lines[i].startswith('"'):
                    i += 1
                if msgid == "":  # the header: keep it as makemessages wrote it
                    out.extend(lines[start:i])
                    continue
                translated = terms.get(msgid, "")
                if not translated:
                    missing.append(msgid)
                out.append(f"msgstr {_quote(translated)}")
            continue
        if line.startswith("#, fuzzy"):
            i += 1
            continue
        out.append(line)
        i += 1
    text = "\n".join(out) + "\n"
    text = re.sub(
        r'"Content-Type: text/plain; charset=CHARSET\\n"',
        '"Content-Type: text/plain; charset=UTF-8\\\\n"',
        text,
    )
    text = text.replace('"Language: \\n"', '"Language: ja\\n"')
    PO.write_text(text, encoding="utf-8")
    if missing:
        print(f"{len(missing)} msgids without a Japanese translation:", file=sys.stderr)
        for msgid in missing:
            print(f"  {msgid!r}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
