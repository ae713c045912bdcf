"""The training-data profile of a model directory: ``profile.json`` beside ``MLmodel``.

MLflow reads only the files its ``MLmodel`` names, so an extra ``profile.json`` leaves
``mlflow.pyfunc.load_model`` and ``mlflow.models.get_model_info`` unaffected
(``tests/mlflow/test_profile_mlflow.py`` checks it against the installed MLflow), and
``mlflow.log_model`` / artifact copies carry it along with the rest of the directory. The
``MLmodel`` file is not changed: the profile's presence is the file's presence.

Reading goes through :func:`sparksig.models.paths.resolve_inside` (a ``profile.json`` symlink
may not lead out of the model directory) and :func:`~sparksig.models.paths.read_regular_file`
(never a pipe or device); nothing is unpickled. Writing is atomic (a temporary file renamed
into place), so a reader never sees half a profile.

Examples:
    >>> import tempfile
    >>> from sparksig.profile import ColumnProfile, Profile
    >>> d = tempfile.mkdtemp()
    >>> load_profile(d) is None
    True
    >>> set_profile(d, Profile(rows=1, columns=(ColumnProfile("x", "numeric", 1),)))
    >>> load_profile(d).paths
    ('x',)
"""

from __future__ import annotations

import os

from sparksig.errors import ArgumentTypeError, SerializationError
from sparksig.models.mlmodel import MLMODEL_FILE
from sparksig.models.paths import read_regular_file, resolve_inside
from sparksig.profile.model import Profile

__all__ = ["PROFILE_FILE", "load_profile", "set_profile"]

PROFILE_FILE = "profile.json"


def _model_dir(path: str | os.PathLike[str]) -> str:
    path = os.fspath(path)
    if os.path.basename(path.rstrip(os.sep)) == MLMODEL_FILE and not os.path.isdir(path):
        return os.path.dirname(path) or "."
    return path


def set_profile(path: str | os.PathLike[str], profile: Profile | None) -> None:
    """Store ``profile`` as the model directory's ``profile.json`` (``None`` removes it).

    Args:
        path: the model directory (or its ``MLmodel`` file).
        profile: a :class:`~sparksig.profile.Profile`.
    """
    model_dir = _model_dir(path)
    file = os.path.join(model_dir, PROFILE_FILE)
    if profile is None:
        if os.path.lexists(file):
            os.remove(file)
        return
    if not isinstance(profile, Profile):
        raise ArgumentTypeError(
            f"profile must be a sparksig.profile.Profile, got {type(profile).__name__}"
        )
    if not os.path.isdir(model_dir):
        raise FileNotFoundError(f"no model directory at {model_dir!r}")
    tmp = f"{file}.tmp-{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(profile.to_json(indent=1))
        f.write("\n")
    os.replace(tmp, file)


def load_profile(path: str | os.PathLike[str]) -> Profile | None:
    """The model directory's profile, or ``None`` when it has none.

    Raises:
        SerializationError: ``profile.json`` leads outside the directory, is not a regular
            file, is not UTF-8, or is not a valid profile; the message names the file and the
            field (``columns[2].histogram.counts``) and says what to do.
    """
    model_dir = _model_dir(path)
    if not os.path.lexists(os.path.join(model_dir, PROFILE_FILE)):
        return None
    file = resolve_inside(model_dir, PROFILE_FILE, PROFILE_FILE)
    try:
        text = read_regular_file(file, PROFILE_FILE, text=True)
    except UnicodeDecodeError as e:
        raise SerializationError(
            f"not UTF-8 text ({e.reason}) in {file}; rewrite it or delete it", PROFILE_FILE
        ) from None
    try:
        return Profile.from_json(text, "profile")
    except SerializationError as e:
        where = e.path.removeprefix("profile").lstrip(".") or "(the document)"
        raise SerializationError(
            f"{e.reason} (field {where} of {file}); fix that field, write the profile again "
            "with set_profile, or delete the file to drop the profile",
            f"{PROFILE_FILE}:{where}",
        ) from None
