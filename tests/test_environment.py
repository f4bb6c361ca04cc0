"""The environment: one pinned package set, shared by pip (requirements.txt) and conda (environment.yml)."""

from __future__ import annotations

import importlib.metadata as md
import re
import sys
from pathlib import Path

import yaml

from tweetstorm import paths

sys.path.insert(0, str(paths.ROOT / "tools"))
import write_environment_yml  # noqa: E402

PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s;]+)$")


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirements() -> dict[str, str]:
    lines = write_environment_yml.pinned_requirements(paths.ROOT / "requirements.txt")
    pins = {}
    for line in lines:
        m = PIN.match(line)
        assert m, f"requirements.txt: {line!r} is not pinned as name==version"
        pins[_canonical(m.group(1))] = m.group(2)
    return pins


def test_environment_yml_is_generated_from_requirements():
    env = yaml.safe_load((paths.ROOT / "environment.yml").read_text(encoding="utf-8"))
    deps = env["dependencies"]
    assert "python=3.11" in deps
    pip_section = next(d["pip"] for d in deps if isinstance(d, dict))
    reqs = write_environment_yml.pinned_requirements(paths.ROOT / "requirements.txt")
    assert pip_section == reqs + ["--editable ."], (
        "environment.yml drifted from requirements.txt: run `make environment.yml`")
    expected = write_environment_yml.render(reqs)
    assert (paths.ROOT / "environment.yml").read_text(encoding="utf-8") == expected


def test_every_installed_package_is_pinned_at_its_version():
    pins = _requirements()
    exempt = {"pip", "wheel", "tweetstorm"}  # setuptools is pinned: it builds the editable install
    unpinned, wrong = [], []
    for dist in md.distributions():
        name = _canonical(dist.metadata["Name"])
        if name in exempt:
            continue
        if name not in pins:
            unpinned.append(f"{name}=={dist.version}")
        elif pins[name] != dist.version:
            wrong.append(f"{name}: installed {dist.version}, pinned {pins[name]}")
    assert not unpinned, f"installed but not pinned in requirements.txt: {unpinned}"
    assert not wrong, f"installed version differs from the pin: {wrong}"


def test_the_design_card_packages_are_pinned():
    pins = _requirements()
    for name in ["jupyterlab", "pandas", "seaborn", "statsmodels", "papermill", "nbval",
                 "krippendorff", "pyarrow", "networkx", "openpyxl"]:
        assert name in pins, f"{name} missing from requirements.txt"
