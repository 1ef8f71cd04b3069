"""The package list in pyproject.toml names every Python package of the project, and the console's assets."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from setuptools import find_namespace_packages

ROOT = Path(__file__).resolve().parents[1]
APPS = ["iam_console*", "directory*", "policies*", "sts*", "organizations*", "accounts*", "audit*"]


def test_every_package_of_the_apps_is_listed_for_installation():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    found = {name for name in find_namespace_packages(where=str(ROOT), include=APPS)
             if "__pycache__" not in name and (ROOT / name.replace(".", "/") / "__init__.py").exists()}
    assert found <= listed, f"add to [tool.setuptools] packages in pyproject.toml: {sorted(found - listed)}"
    assert config["package-dir"] == {"iam_console.templates": "templates", "iam_console.static": "static"}
    assert (ROOT / "templates" / "console" / "base.html").exists() and (ROOT / "static" / "css").is_dir()


def test_the_image_copies_every_installed_package():
    """The Dockerfile installs the sources it copies: an app it leaves out breaks the image at start."""
    listed = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    copied = set(re.findall(r"^COPY (\S+) \./\1$", (ROOT / "Dockerfile").read_text(), re.MULTILINE))
    assert {name.split(".")[0] for name in listed} - copied == set()
