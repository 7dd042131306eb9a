"""Parse every timestamp of a JSON document the way Python 3.10's datetime.fromisoformat does.

Python 3.10 (Ubuntu 22.04, the field's Jetson images) accepts only
YYYY-MM-DD[*HH[:MM[:SS[.fff[fff]]]][+HH:MM[:SS[.ffffff]]]] — no trailing 'Z' (that came in 3.11).
This interpreter may be newer, so the 3.10 grammar is checked first, then fromisoformat parses.

Reads the JSON on stdin; prints one JSON object: {"checked": [{"path", "value", "ok", "error"}]}
for every string value that looks like a date-time (starts with YYYY-MM-DDT).
"""
import json
import re
import sys
from datetime import datetime

PY310 = re.compile(
    r"^\d{4}-\d{2}-\d{2}"
    r"(.\d{2}(:\d{2}(:\d{2}(\.(\d{3}|\d{6}))?)?)?"
    r"([+-]\d{2}:\d{2}(:\d{2}(\.\d{6})?)?)?)?$"
)
LOOKS_LIKE = re.compile(r"^\d{4}-\d{2}-\d{2}T")


def fromisoformat_310(value):
    if not PY310.match(value):
        raise ValueError(f"Invalid isoformat string: {value!r}")
    return datetime.fromisoformat(value)


def walk(node, path, out):
    if isinstance(node, dict):
        for key, child in node.items():
            walk(child, f"{path}.{key}", out)
    elif isinstance(node, list):
        for i, child in enumerate(node):
            walk(child, f"{path}[{i}]", out)
    elif isinstance(node, str) and LOOKS_LIKE.match(node):
        try:
            parsed = fromisoformat_310(node)
            out.append({"path": path, "value": node, "ok": parsed.tzinfo is not None, "error": None})
        except ValueError as error:
            out.append({"path": path, "value": node, "ok": False, "error": str(error)})


def main():
    checked = []
    walk(json.load(sys.stdin), "$", checked)
    print(json.dumps({"checked": checked}))


if __name__ == "__main__":
    main()
