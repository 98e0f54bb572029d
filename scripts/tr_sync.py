#!/usr/bin/env python3
"""Keeps ui/translations/en/LC_MESSAGES/servicaja-ui.po in step with the @tr() strings of ui/*.slint.

Every @tr("…") string is a msgid with its component name as msgctxt (Slint's default context). Existing
translations are kept; new strings are added with an empty msgstr and listed, so a translator sees what is
missing. The test suite (tests/ui_translations.rs) fails while any msgstr is empty.
"""
import pathlib, re, sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
PO = ROOT / "ui/translations/en/LC_MESSAGES/servicaja-ui.po"
COMPONENT = re.compile(r'^\s*(?:export\s+)?(?:component|global)\s+([A-Za-z0-9_-]+)')
TR = re.compile(r'@tr\(\s*"((?:[^"\\]|\\.)*)"')

def extract():
    found = []
    for path in sorted((ROOT / "ui").glob("*.slint")):
        component = None
        for line in path.read_text(encoding="utf-8").splitlines():
            m = COMPONENT.match(line)
            if m:
                component = m.group(1)
            for s in TR.findall(line):
                key = (component or "", s)
                if key not in found:
                    found.append(key)
    return found

def load():
    entries = {}
    if PO.exists():
        ctx = mid = None
        for line in PO.read_text(encoding="utf-8").splitlines():
            if line.startswith("msgctxt "):
                ctx = line[9:-1]
            elif line.startswith("msgid "):
                mid = line[7:-1]
            elif line.startswith("msgstr ") and mid:
                entries[(ctx or "", mid)] = line[8:-1]
                ctx = mid = None
    return entries

def main():
    old = load()
    out = ['msgid ""', 'msgstr ""', '"Content-Type: text/plain; charset=UTF-8\\n"', '"Language: en\\n"',
           '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"', ""]
    missing = []
    for ctx, mid in extract():
        tr = old.get((ctx, mid), "")
        if not tr:
            missing.append(f"{ctx}: {mid}")
        out += [f'msgctxt "{ctx}"', f'msgid "{mid}"', f'msgstr "{tr}"', ""]
    PO.parent.mkdir(parents=True, exist_ok=True)
    PO.write_text("\n".join(out), encoding="utf-8")
    for m in missing:
        print("untranslated:", m)
    return 0

sys.exit(main())
