"""Shared fixtures: small workspaces written as real files, and a CLI runner."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from diasporatrack.cli import main

REPO = Path(__file__).resolve().parent.parent
SHIPPED = REPO / "recommendations"

SOURCE_YAML = """\
source:
  id: report-2025
  title: A report
  publisher: An organisation
  kind: dialogue-report
  date: 2025-01-15
  authors: [A. Author]
recommendations:
  - id: rep-health
    title: Form a healthcare group
    text: Form a healthcare expert group.
    quote: "Forming small groups of experts"
    addressed_to: [diaspora]
    owners: [org]
    themes: [healthcare]
  - id: rep-education
    title: Invest in education
    text: Invest in education projects.
    addressed_to: [diaspora, UN]
    owners: [edu]
    themes: [education]
    due: 2025-06-30
  - id: rep-forum
    title: Create a forum
    text: Create a forum for the diaspora.
    addressed_to: [UN, EU]
    themes: [dialogue]
"""

OWNERS_YAML = """\
owners:
  - id: org
    name: The Organisation
    kind: organisation
  - id: edu
    name: Education Expert Group
    kind: expert-group
    parent: org
  - id: health
    name: Healthcare Expert Group
    kind: expert-group
    parent: org
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A small valid workspace; the cwd is its parent and DIASPORATRACK_* are unset."""
    root = tmp_path / "ws"
    write(root / "owners.yaml", OWNERS_YAML)
    write(root / "report.yaml", SOURCE_YAML)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DIASPORATRACK_ROOT", raising=False)
    monkeypatch.setenv("DIASPORATRACK_USER", "tester")
    return root


class Result:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err

    def __repr__(self) -> str:
        return f"Result(code={self.code}, out={self.out!r}, err={self.err!r})"


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]):
    """Run the CLI in-process: ``cli("list", "--format", "json")`` -> Result."""

    def run(*argv: str) -> Result:
        try:
            code = main(list(argv))
        except SystemExit as exit_:  # argparse usage errors
            code = exit_.code if isinstance(exit_.code, int) else 2
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


@pytest.fixture(autouse=True)
def _hermetic(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
              monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test keeps its cache and its trusted plugin files to itself, never in the real home,
    and loads no installed plugin unless it is about them (``@pytest.mark.installed_plugins``).

    Environment variables, so that the processes a test starts inherit them.
    """
    monkeypatch.setenv("DIASPORATRACK_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config")))
    for name in ("DIASPORATRACK_NO_PLUGINS", "DIASPORATRACK_TRUST_LOCAL_PLUGINS", "DIASPORATRACK_LOAD_PLUGINS"):
        monkeypatch.delenv(name, raising=False)
    if request.node.get_closest_marker("installed_plugins") is None:
        monkeypatch.setenv("DIASPORATRACK_LOAD_PLUGINS", "")  # none: the environment's plugins stay out


def answers_of(monkeypatch: pytest.MonkeyPatch, module, name: str) -> list[bool]:
    """Records, for each call of ``module.name`` (a quick path's ``answer_*``), whether it answered (not None)."""
    calls: list[bool] = []
    original = getattr(module, name)

    def spy(given):
        code = original(given)
        calls.append(code is not None)
        return code

    monkeypatch.setattr(module, name, spy)
    return calls


def trust(*files: Path) -> None:
    """Trust plugin files as they are now (in the test's own config folder)."""
    from diasporatrack.trust import trust as record

    record(files)


@pytest.fixture(scope="session")
def plugin_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtual environment of the tests' own, made once per session, for tests that install packages.

    It sees what the running environment has installed (diasporatrack,
    pytest, setuptools) through a ``.pth`` file, but what is installed in it
    stays in it: the running environment is never changed. pip is set up to
    work offline: no package index, no build isolation (the running
    environment's setuptools builds). ``bin/diasporatrack`` runs with the
    venv's Python, so it sees the packages installed there.
    """
    import importlib.util
    import site
    import subprocess
    import sys

    venv = tmp_path_factory.mktemp("venv")
    made = subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"this Python cannot make a virtual environment: {made.stderr.strip()[-200:]}")
    python = venv / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    outer = [*site.getsitepackages(), site.getusersitepackages()]
    lines = [f"import site; site.addsitedir({path!r})" for path in outer if Path(path).is_dir()]
    (Path(purelib) / "zz_running_environment.pth").write_text("\n".join(lines) + "\n", encoding="utf-8")
    script = venv / "bin" / "diasporatrack"
    script.write_text(f"#!{python}\nfrom diasporatrack.cli import run\nrun()\n", encoding="utf-8")
    script.chmod(0o755)
    if importlib.util.find_spec("setuptools") is None:
        pytest.skip("building a package offline needs setuptools in the running environment")
    import setuptools

    old = tuple(int(part) for part in setuptools.__version__.split(".")[:2] if part.isdigit())
    if old < (70, 1) and importlib.util.find_spec("wheel") is None:
        # setuptools before 70.1 builds wheels with the `wheel` package: put it in the venv, if an index
        # (a local one works) can give it quickly; else there is no offline build.
        done = subprocess.run([str(python), "-m", "pip", "install", "-q", "--timeout", "15", "--retries", "0",
                               "wheel"], capture_output=True, text=True)
        if done.returncode != 0:
            pytest.skip(f"setuptools {setuptools.__version__} needs the 'wheel' package to build without "
                        f"build isolation, and it cannot be installed here: {done.stderr.strip()[-200:]}")
    (venv / "pip.conf").write_text("[global]\nno-index = true\ndisable-pip-version-check = true\n"
                                   "[install]\n# pip reads 'false' here as: do not isolate the build\n"
                                   "no-build-isolation = false\n", encoding="utf-8")
    return venv
