#!/usr/bin/env python3
"""The README's code snippets are the example programs: every block marked
`<!-- snippet: PATH#NAME -->` must equal the region between `// [readme:NAME]` and
`// [/readme:NAME]` in PATH (dedented). Usage: readme_snippets.py SOURCE_DIR"""
import re
import sys
import textwrap
from pathlib import Path

root = Path(sys.argv[1])
readme = (root / "README.md").read_text(encoding="utf-8")
blocks = re.findall(r"<!-- snippet: ([^#\s]+)#(\w+) -->\n```cpp\n(.*?)\n```", readme, re.S)
if not blocks:
    sys.exit("README.md has no snippet blocks")
failed = False
for path, name, text in blocks:
    source = (root / path).read_text(encoding="utf-8")
    m = re.search(r"^[ \t]*// \[readme:%s\]\n(.*?)^[ \t]*// \[/readme:%s\]" % (name, name),
                  source, re.S | re.M)
    if m is None:
        print(f"{path}: no region [readme:{name}]")
        failed = True
        continue
    expected = textwrap.dedent(m.group(1)).rstrip("\n")
    if expected != text:
        print(f"README.md: snippet {path}#{name} differs from the program; it should read:\n"
              f"{expected}\n")
        failed = True
print(f"{len(blocks)} snippets checked")
sys.exit(1 if failed else 0)
