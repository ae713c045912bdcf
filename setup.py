"""Build hook: the wheel carries the repository's ``conf/`` as ``sparksig/_conf``.

``conf/`` (Spark defaults and the log4j configuration) stays the one source of those settings;
``build_py`` copies it into the built package, where ``sparksig.spark.session.conf_dir`` looks
first. Editable installs read ``conf/`` in place, so nothing is copied for them. Everything
else about the package is declared in ``pyproject.toml``.
"""

from __future__ import annotations

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

CONF = Path(__file__).resolve().parent / "conf"


class BuildWithConf(build_py):
    """``build_py``, then ``conf/*`` copied to ``<build>/sparksig/_conf/``."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        files = sorted(p for p in CONF.glob("*") if p.is_file())
        if not any(p.name == "spark-defaults.conf" for p in files):
            raise FileNotFoundError(f"{CONF}/spark-defaults.conf is missing: cannot build sparksig")
        target = Path(self.build_lib) / "sparksig" / "_conf"
        self.mkpath(str(target))
        for path in files:
            self.copy_file(str(path), str(target / path.name))


setup(cmdclass={"build_py": BuildWithConf})
