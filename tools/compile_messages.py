"""Compile every locale/*/LC_MESSAGES/*.po into its .mo with polib: no GNU gettext (msgfmt) needed.

Used by `make run`, `make test`, `make bench` and the Dockerfile instead of `manage.py compilemessages`.
Like msgfmt, fuzzy and obsolete entries are left out. Usage: python tools/compile_messages.py [ROOT]
"""

from __future__ import annotations

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def compile_catalogues(root: Path = ROOT) -> list[Path]:
    """Write a .mo beside each .po under root/locale (always: a copied stale .mo must not win)."""
    written = []
    for po_path in sorted((root / "locale").glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
        written.append(mo_path)
    return written


def main(argv: list[str]) -> int:
    root = Path(argv[1]).resolve() if len(argv) > 1 else ROOT
    catalogues = compile_catalogues(root)
    if not catalogues:
        print(f"no .po files under {root / 'locale'}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
