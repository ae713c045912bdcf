"""Crash-safe output folders: staged next to the target, swapped in by renames, one writer
at a time (a lock file with a lease). The protocol is described in
:mod:`sparksig.spark.quarantine`; every pair writer uses it.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from pyspark.sql import DataFrame

from sparksig.errors import InvalidArgumentError

__all__ = ["LEASE_SECONDS", "Lock", "filesystem"]

LEASE_SECONDS = 300  # a lock not refreshed for this long belongs to a dead writer
_HEARTBEAT_SECONDS = 10


class _Local:
    """The swap protocol on the local filesystem (``os.rename`` is atomic within a volume)."""

    def __init__(self, path: str) -> None:
        self.target = str(
            Path(path.removeprefix("file://") if path.startswith("file://") else path).absolute()
        )
        self.parent = str(Path(self.target).parent)
        self.prefix = f".{Path(self.target).name}.sparksig-"

    def join(self, *parts: str) -> str:
        return os.path.join(*parts)

    def exists(self, p: str) -> bool:
        return os.path.lexists(p)

    def rename(self, src: str, dst: str) -> None:
        os.rename(src, dst)

    def delete(self, p: str) -> None:
        if os.path.isdir(p) and not os.path.islink(p):
            shutil.rmtree(p, ignore_errors=True)
        elif os.path.lexists(p):
            os.remove(p)

    def listdir(self, p: str) -> list[str]:
        return os.listdir(p) if os.path.isdir(p) else []

    def make_parent(self) -> None:
        """Create the target's missing parent folders, as Spark's own writers do."""
        try:
            os.makedirs(self.parent, exist_ok=True)
        except OSError as e:
            raise InvalidArgumentError(
                f"cannot write {self.target}: its parent folder {self.parent} cannot be "
                f"created ({e.strerror or e}); choose a path under a folder you can write"
            ) from None

    def write_text(self, p: str, text: str) -> None:
        with open(p, "w", encoding="utf-8") as f:
            f.write(text)

    def read_text(self, p: str) -> str:
        with open(p, encoding="utf-8") as f:
            return f.read()

    def mtime(self, p: str) -> float:
        return os.stat(p).st_mtime

    # -- the protocol, shared by every filesystem ------------------------------------------
    def sibling(self, kind: str) -> str:
        return self.join(self.parent, f"{self.prefix}{kind}-{uuid.uuid4().hex[:12]}")

    def recover(self) -> None:
        """Put back a previous pair a crash left aside; remove abandoned staging folders."""
        leftovers = sorted(
            n
            for n in self.listdir(self.parent)
            if n.startswith(self.prefix) and not n.startswith(self.prefix + "lock-")
        )
        old = [n for n in leftovers if n.startswith(self.prefix + "old-")]
        if old and not self.exists(self.target):
            self.rename(self.join(self.parent, old[0]), self.target)
            leftovers.remove(old[0])
        for name in leftovers:
            self.delete(self.join(self.parent, name))

    def swap_in(self, staging: str) -> None:
        if not self.exists(self.target):
            self.rename(staging, self.target)
            return
        aside = self.sibling("old")
        self.rename(self.target, aside)
        self.rename(staging, self.target)
        self.delete(aside)


class _Hadoop(_Local):
    """The same protocol through the JVM's Hadoop ``FileSystem`` (classic sessions only)."""

    def __init__(self, spark: Any, path: str) -> None:
        jvm = spark._jvm
        self._Path = jvm.org.apache.hadoop.fs.Path
        self._fs = self._Path(path).getFileSystem(spark._jsc.hadoopConfiguration())
        qualified = self._fs.makeQualified(self._Path(path))
        self.target = qualified.toString()
        self.parent = qualified.getParent().toString()
        self.prefix = f".{qualified.getName()}.sparksig-"

    def join(self, *parts: str) -> str:
        return "/".join(p.rstrip("/") for p in parts)

    def exists(self, p: str) -> bool:
        return bool(self._fs.exists(self._Path(p)))

    def rename(self, src: str, dst: str) -> None:
        if not self._fs.rename(self._Path(src), self._Path(dst)):
            raise OSError(f"could not rename {src} to {dst}")

    def delete(self, p: str) -> None:
        self._fs.delete(self._Path(p), True)

    def listdir(self, p: str) -> list[str]:
        if not self.exists(p):
            return []
        return [s.getPath().getName() for s in self._fs.listStatus(self._Path(p))]

    def make_parent(self) -> None:
        self._fs.mkdirs(self._Path(self.parent))

    def write_text(self, p: str, text: str) -> None:
        out = self._fs.create(self._Path(p), True)
        try:
            out.write(bytearray(text.encode("utf-8")))
        finally:
            out.close()

    def read_text(self, p: str) -> str:
        stream = self._fs.open(self._Path(p))
        try:
            return bytes(stream.readAllBytes()).decode("utf-8")
        finally:
            stream.close()

    def mtime(self, p: str) -> float:
        return float(self._fs.getFileStatus(self._Path(p)).getModificationTime()) / 1000


def filesystem(df: DataFrame, path: str) -> _Local:
    if "://" not in path or path.startswith("file://"):
        return _Local(path)
    spark = df.sparkSession
    if getattr(spark, "_jvm", None) is None:
        raise InvalidArgumentError(
            f"write_quarantine writes {path!r} through the JVM's Hadoop filesystem, which a "
            "Spark Connect session does not expose: write to a local path, or use "
            "conform(..., on_error='quarantine') and write both frames yourself"
        )
    return _Hadoop(spark, path)


# -- one writer at a time ------------------------------------------------------------------


class Lock:
    """This writer's claim on ``fs.target`` (guarantee 3 of the module docstring)."""

    def __init__(self, fs: _Local) -> None:
        self.fs = fs
        self.owner = uuid.uuid4().hex[:12]
        self.path = fs.join(fs.parent, f"{fs.prefix}lock-{self.owner}")
        self.card = {
            "owner": self.owner,
            "host": socket.gethostname(),
            "pidns": _pid_namespace(),
            "pid": os.getpid(),
            "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        self._stop = threading.Event()
        self._beat = threading.Thread(target=self._refresh, daemon=True)

    def __enter__(self) -> Lock:
        fs = self.fs
        fs.make_parent()
        fs.write_text(self.path, json.dumps(self.card))
        try:
            self._refuse_if_another()
        except BaseException:
            fs.delete(self.path)
            raise
        self._beat.start()
        return self

    def _refuse_if_another(self) -> None:
        fs = self.fs
        for name in fs.listdir(fs.parent):
            other = fs.join(fs.parent, name)
            if not name.startswith(f"{fs.prefix}lock-") or other == self.path:
                continue
            card = _read_card(fs, other)
            if _stale(fs, other, card):
                fs.delete(other)
                continue
            who = (
                f"writer {card.get('owner')} on {card.get('host')}, pid {card.get('pid')}, "
                f"since {card.get('started')}"
                if card
                else "a writer that is starting"
            )
            raise InvalidArgumentError(
                f"another write_quarantine is in progress on {fs.target} ({who}; lock "
                f"{other}): wait for it to finish and retry; nothing was written. A dead "
                "writer's lock is cleared by the next write: at once on its own host, "
                f"elsewhere once it is {LEASE_SECONDS} s old; to clear it sooner, make sure no "
                "writer is running and delete the lock file"
            )

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._beat.join()
        self.fs.delete(self.path)

    def _refresh(self) -> None:
        while not self._stop.wait(_HEARTBEAT_SECONDS):
            # a missed beat only brings the lease's end nearer
            with contextlib.suppress(Exception):
                self.fs.write_text(self.path, json.dumps(self.card))

    def confirm(self) -> None:
        """Refuse to swap in a pair once another writer has taken this lock for stale."""
        if not self.fs.exists(self.path):
            raise InvalidArgumentError(
                f"this writer's lock {self.path} was removed while it wrote (not refreshed for "
                f"{LEASE_SECONDS} s?): the new pair was not put in place; retry"
            )


def _read_card(fs: _Local, p: str) -> dict[str, Any] | None:
    try:
        card = json.loads(fs.read_text(p))
    except Exception:  # being written, or gone
        return None
    return card if isinstance(card, dict) else None


def _stale(fs: _Local, p: str, card: dict[str, Any] | None) -> bool:
    if (
        card is not None
        and os.name == "posix"
        and card.get("host") == socket.gethostname()
        and card.get("pidns") in (None, _pid_namespace())
        and isinstance(card.get("pid"), int)
        and not _alive(card["pid"])
    ):
        return True
    try:
        return time.time() - fs.mtime(p) > LEASE_SECONDS
    except Exception:  # gone already
        return True


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def _pid_namespace() -> int | None:
    """Which pid namespace this process is in (two containers may share a hostname)."""
    try:
        return os.stat("/proc/self/ns/pid").st_ino
    except OSError:
        return None
