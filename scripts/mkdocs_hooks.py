"""MkDocs hooks (mkdocs.yml `hooks:`): add the reference pages generated from the code to the site."""

from __future__ import annotations

import sys
from pathlib import Path

from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parents[1]


def on_files(files: Files, config) -> Files:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from scripts import docs_reference

    docs_reference.setup_django()
    for path, generate in docs_reference.PAGES.items():
        files.append(File.generated(config, path, content=generate()))
    return files
