"""Where get_session() reads its defaults: $SPARKSIG_CONF_DIR, the packaged copy, the checkout.

No JVM: these tests only move the lookup's candidate folders around (``monkeypatch``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sparksig.errors import InvalidArgumentError, SparksigError
from sparksig.spark import session

ROOT = Path(__file__).resolve().parents[2]


def _conf(folder: Path, memory: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "spark-defaults.conf").write_text(
        f"# a comment\nspark.driver.memory    {memory}\n\nspark.app.name  x y\n"
    )
    return folder


@pytest.fixture
def no_env(monkeypatch):
    monkeypatch.delenv("SPARKSIG_CONF_DIR", raising=False)


def test_a_checkout_reads_the_repository_conf(no_env):
    # The editable install of this repository packages nothing: conf/ is read in place.
    assert session.conf_dir() == ROOT / "conf"
    lines = (ROOT / "conf" / "spark-defaults.conf").read_text().splitlines()
    expected = dict(line.split(None, 1) for line in lines if line and not line.startswith("#"))
    assert session.read_conf() == {k: v.strip() for k, v in expected.items()}


def test_the_environment_variable_comes_first(monkeypatch, tmp_path):
    monkeypatch.setenv("SPARKSIG_CONF_DIR", str(_conf(tmp_path / "mine", "3g")))
    monkeypatch.setattr(session, "_PACKAGED", _conf(tmp_path / "packaged", "1g"))
    assert session.conf_dir() == tmp_path / "mine"
    assert session.read_conf() == {"spark.driver.memory": "3g", "spark.app.name": "x y"}


def test_an_environment_variable_without_the_file_is_an_error(monkeypatch, tmp_path):
    monkeypatch.setenv("SPARKSIG_CONF_DIR", str(tmp_path))
    with pytest.raises(InvalidArgumentError, match=r"SPARKSIG_CONF_DIR=.* has no spark-defaults"):
        session.conf_dir()


def test_the_packaged_copy_comes_before_the_checkout(no_env, monkeypatch, tmp_path):
    monkeypatch.setattr(session, "_PACKAGED", _conf(tmp_path / "_conf", "1g"))
    assert session.conf_dir() == tmp_path / "_conf"
    assert session.read_conf()["spark.driver.memory"] == "1g"


def test_an_installed_package_without_its_copy_fails_loudly(no_env, monkeypatch, tmp_path):
    # Installed, not a checkout: <site-packages>/../ has no pyproject.toml next to a conf/.
    _conf(tmp_path / "conf", "1g")
    monkeypatch.setattr(session, "_ROOT", tmp_path)
    monkeypatch.setattr(session, "_PACKAGED", tmp_path / "site-packages" / "sparksig" / "_conf")
    with pytest.raises(SparksigError, match="Spark defaults are missing") as raised:
        session.conf_dir()
    assert str(tmp_path / "site-packages" / "sparksig" / "_conf") in str(raised.value)
    with pytest.raises(SparksigError):
        session.read_conf()


def test_a_missing_file_is_not_replaced_by_other_defaults(tmp_path):
    with pytest.raises(InvalidArgumentError, match="not a Spark defaults file"):
        session.read_conf(tmp_path / "nothing.conf")
