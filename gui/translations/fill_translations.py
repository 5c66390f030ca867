#!/usr/bin/env python3
"""Writes the translations of zh_CN.py into the .ts files lupdate made, and fails on any
source text without a translation (so a new string cannot ship untranslated).

    lupdate ... && python3 gui/translations/fill_translations.py
"""
import pathlib
import sys
import xml.etree.ElementTree as ET

sys.dont_write_bytecode = True  # no __pycache__ in the source tree

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from zh_CN import EN, ZH_CN  # noqa: E402


def fill(ts_file, table, every_string):
    tree = ET.parse(ts_file)
    missing = []
    for context in tree.getroot().iter("context"):
        name = context.findtext("name")
        for message in context.iter("message"):
            source = message.findtext("source")
            translation = message.find("translation")
            wanted = table.get((name, source))
            if wanted is None:
                if every_string:
                    missing.append(f"{name}: {source!r}")
                continue
            translation.attrib.pop("type", None)
            translation.text = None
            for child in list(translation):
                translation.remove(child)
            if message.get("numerus") == "yes":
                forms = wanted if isinstance(wanted, list) else [wanted]
                for form in forms:
                    ET.SubElement(translation, "numerusform").text = form
            else:
                translation.text = wanted
    ET.indent(tree, space="    ")
    body = ET.tostring(tree.getroot(), encoding="unicode")
    ts_file.write_text('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n' + body + "\n",
                       encoding="utf-8")
    return missing


def main():
    missing = fill(HERE / "taplink_zh_CN.ts", ZH_CN, every_string=True)
    fill(HERE / "taplink_en.ts", EN, every_string=False)
    if missing:
        print("untranslated (add them to zh_CN.py):\n  " + "\n  ".join(missing), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
