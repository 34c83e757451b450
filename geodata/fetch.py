"""The data step: obtain, verify and re-check the catalogue's files.

``python -m geodata fetch [--mirror DIR|URL]`` copies every dataset into
``<data dir>/opendata``: from a mirror (a folder or an http(s) base URL holding
the files under their catalogue names) or, where the catalogue has one, from
the dataset's direct download URL (or, in a city profile that carries its own
files, from the path it gives relative to the profile folder). Each file is written to a temporary name,
verified (sha256 and schema) and only then renamed into place, so a failed or
interrupted fetch never leaves a half-written file that looks valid.

``python -m geodata check`` re-validates what is there. The app calls
:func:`require_data` at start and refuses to run with the same messages.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import pandas as pd
import pyogrio

from geodata.catalogue import DATASETS, Dataset
from geodata.profile import DIGITS
from core.i18n import Message, format_number, in_language, t
from core.settings import Settings

#: What to run when open data is missing (the English text of the message ``data.fetch_hint``).
FETCH_HINT = t("data.fetch_hint", "en")
_FETCH_HINT = Message("data.fetch_hint")


class DataError(RuntimeError):
    """Open data is missing or does not match the catalogue. The message says what to do.

    Raised with a message ``key`` of the catalogues and its ``values``, the error can be
    shown in any staff language (:meth:`text`); ``str()`` is the English text. ``hint``
    appends :data:`FETCH_HINT`, ``details`` (other errors) follow as a list.

    >>> error = DataError(key="data.error.place_input_missing", path="x.csv", hint=True)
    >>> error.text("de").startswith("x.csv fehlt: Die Ortssuche wird aus dieser Datei aufgebaut. Führen Sie")
    True
    >>> str(DataError("free text"))
    'free text'
    """

    def __init__(self, message: str = "", *, key: str | None = None, hint: bool = False,
                 details: Iterable["DataError | str"] = (), **values: object):
        self.key, self.values, self.hint, self.details = key, values, hint, tuple(details)
        self.message = message
        super().__init__(self.text("en"))

    def text(self, lang: str) -> str:
        """The message in ``lang``."""
        text = t(self.key, lang, **self.values) if self.key else self.message
        if self.hint:
            text += " " + t("data.fetch_hint", lang)
        return text + "".join(f"\n- {describe(detail, lang)}" for detail in self.details)

    in_language = text  # as core.i18n.in_language asks an error for its text


def describe(error: BaseException | str, lang: str) -> str:
    """An error's message in ``lang`` where it carries a message key (:class:`DataError`), else as written."""
    return in_language(error, lang)


@dataclass(frozen=True)
class FileStatus:
    """Result of validating one dataset file."""

    dataset: Dataset
    path: Path
    ok: bool
    problem: Message | str | None = None

    def message(self, lang: str = "en") -> str:
        """The dataset and its problem in ``lang`` (English for logs)."""
        if self.ok:
            return f"{self.dataset.key}: ok"
        return f"{self.dataset.key} ({self.dataset.filename}): {in_language(self.problem, lang)}"

    in_language = message


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _check_ids(ds: Dataset, ids: Iterable[object]) -> Message | str | None:
    """The ids' problem: a length other than the dataset's ``id_length``, or an id its ``id_pattern`` refuses."""
    rule = re.compile(ds.id_pattern) if ds.id_pattern else None
    bad = [i for i in ids if not (isinstance(i, str) and (not ds.id_length or len(i) == ds.id_length)
                                  and (rule is None or rule.fullmatch(i)))]
    if not bad:
        return None
    if ds.id_pattern == DIGITS and ds.id_length:
        return Message("data.schema.ids", column=ds.id_column, length=ds.id_length, example=repr(bad[0]),
                       count=len(bad))
    else:
        wanted = " ".join(filter(None, ("ids", ds.id_length and f"of {ds.id_length} characters",
                                        ds.id_pattern and f"matching id_pattern {ds.id_pattern!r}")))
    return f"column {ds.id_column} must hold {wanted}, found {bad[0]!r} ({len(bad)} bad values)"


def validate_schema(ds: Dataset, path: Path) -> Message | str | None:
    """Return a description of the first schema problem of ``path``, or ``None``."""
    try:
        if ds.kind == "csv":
            table = pd.read_csv(path, dtype=str, keep_default_na=False)
            columns, rows = list(table.columns), len(table)
            ids = table[ds.id_column] if ds.id_column in table else None
        else:
            info = pyogrio.read_info(path)
            columns, rows = list(info["fields"]), int(info["features"])
            if ds.geometry_type:
                family = ds.geometry_type.replace("Multi", "")
                found = {info["geometry_type"]}
                if info["geometry_type"] == "Unknown":
                    # Layers mixing Polygon and MultiPolygon report "Unknown": look at each.
                    found = set(pyogrio.read_dataframe(path, columns=[]).geom_type.dropna())
                if not found or any(t.replace("Multi", "") != family for t in found):
                    return Message("data.schema.geometry", found=", ".join(sorted(found)), expected=ds.geometry_type)
            ids = None
            if ds.id_column in columns:
                ids = pyogrio.read_dataframe(path, columns=[ds.id_column], read_geometry=False)[
                    ds.id_column
                ]
    except Exception as exc:  # pyogrio/pandas raise many types for unreadable files
        return Message("data.schema.unreadable", error=f"{type(exc).__name__}: {exc}")
    missing = [c for c in ds.columns if c not in columns]
    if missing:
        return Message("data.schema.columns_missing", columns=", ".join(missing))
    if rows != ds.rows:
        return Message("data.schema.rows", found=rows, expected=ds.rows)
    if ds.id_column:
        problem = _check_ids(ds, ids)
        if problem:
            return problem
        if ids.nunique() != len(ids):
            return Message("data.schema.ids_repeat", column=ds.id_column)
    return None


def validate_file(ds: Dataset, path: Path) -> FileStatus:
    """Check one file: present, checksum as catalogued, schema as expected."""
    if not path.is_file():
        return FileStatus(ds, path, False, Message("data.check.missing", path=path, hint=_FETCH_HINT))
    digest = sha256_of(path)
    if digest != ds.sha256:
        return FileStatus(ds, path, False, Message("data.check.checksum", found=digest[:12], expected=ds.sha256[:12],
                                                   hint=_FETCH_HINT))
    problem = validate_schema(ds, path)
    if problem:
        return FileStatus(ds, path, False, Message("data.check.schema", problem=problem, hint=_FETCH_HINT))
    return FileStatus(ds, path, True)


def check(settings: Settings, datasets: Iterable[Dataset] | None = None) -> list[FileStatus]:
    """Validate every catalogued file in the data directory."""
    datasets = list(DATASETS.values()) if datasets is None else list(datasets)
    return [validate_file(ds, settings.raw_dir / ds.filename) for ds in datasets]


_VERIFIED_STAMP = "verified.json"


def _stamp_of(path: Path) -> list[int]:
    stat = path.stat()
    return [stat.st_size, stat.st_mtime_ns]


def _read_stamps(settings: Settings) -> dict[str, list]:
    try:
        return json.loads((settings.cache_dir / _VERIFIED_STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _write_stamps(settings: Settings, stamps: dict[str, list]) -> None:
    # Best effort: a read-only cache folder only costs the full check next time.
    try:
        settings.cache_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=settings.cache_dir, prefix=".verified.", suffix=".part")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(stamps, fh)
        os.replace(tmp, settings.cache_dir / _VERIFIED_STAMP)
    except OSError:
        pass


def require_data(settings: Settings) -> None:
    """Raise :class:`DataError` listing every missing or corrupt dataset.

    The app calls this once per process at start. A full check (checksums and
    schemas) takes about a second, so a file that passed it is remembered by
    size, modification time and catalogue checksum in ``cache/verified.json``
    and not hashed again until one of those changes. ``python -m geodata check``
    always re-validates everything.
    """
    stamps = _read_stamps(settings)
    failed: list[FileStatus] = []
    changed = False
    for ds in DATASETS.values():
        path = settings.raw_dir / ds.filename
        if path.is_file() and stamps.get(ds.filename) == [*_stamp_of(path), ds.sha256]:
            continue
        status = validate_file(ds, path)
        if status.ok:
            stamps[ds.filename] = [*_stamp_of(path), ds.sha256]
            changed = True
        else:
            stamps.pop(ds.filename, None)
            failed.append(status)
    if changed:
        _write_stamps(settings, stamps)
    if failed:
        raise DataError(key="data.error.missing_or_corrupt", folder=settings.raw_dir, details=failed)


def _copy_source(ds: Dataset, mirror: str | None, target: Path) -> None:
    """Write the dataset's bytes to ``target`` from the mirror or its download URL."""
    if mirror and not mirror.startswith(("http://", "https://")):
        source = Path(mirror).expanduser() / ds.filename
        if not source.is_file():
            raise DataError(key="data.error.not_in_mirror", dataset=ds.key, file=ds.filename, mirror=mirror,
                            source=ds.source_url)
        shutil.copyfile(source, target)
        return
    if mirror:
        url = mirror.rstrip("/") + "/" + ds.filename
    elif ds.download_url and not ds.download_url.startswith(("http://", "https://")):
        # A city profile that carries its files: the path is resolved against the profile folder.
        source = Path(ds.download_url)
        if not source.is_file():
            raise DataError(key="data.error.local_source_missing", dataset=ds.key, path=source)
        shutil.copyfile(source, target)
        return
    elif ds.download_url:
        url = ds.download_url
    else:
        raise DataError(key="data.error.no_download", dataset=ds.key, source=ds.source_url, hint=True)
    try:
        with urllib.request.urlopen(url, timeout=60) as response, open(target, "wb") as out:
            shutil.copyfileobj(response, out)
    except (urllib.error.URLError, OSError) as exc:
        raise DataError(key="data.error.download_failed", dataset=ds.key, url=url, reason=exc, hint=True) from exc


def fetch(
    settings: Settings,
    mirror: str | None = None,
    progress: Callable[[str], None] = print,
    force: bool = False,
    lang: str = "en",
) -> list[FileStatus]:
    """Obtain every dataset into ``settings.raw_dir``, verified and written atomically.

    Files that are already present and valid are kept unless ``force``. Returns
    the status per dataset; raises :class:`DataError` naming every dataset that
    could not be obtained (the others are kept). ``progress`` gets one line per
    dataset in ``lang``.
    """
    mirror = mirror or settings.opendata_mirror
    if mirror and not mirror.startswith(("http://", "https://")) and not Path(mirror).expanduser().is_dir():
        # One message, not sixteen: a wrong folder is the usual cause (a relative path from elsewhere).
        raise DataError(key="data.error.mirror_missing", mirror=mirror,
                        resolved=Path(mirror).expanduser().resolve(), cwd=Path.cwd())
    settings.raw_dir.mkdir(parents=True, exist_ok=True)
    results: list[FileStatus] = []
    errors: list[DataError] = []
    total = len(DATASETS)
    for n, ds in enumerate(DATASETS.values(), start=1):
        target = settings.raw_dir / ds.filename
        where = {"number": n, "total": total, "file": ds.filename}
        if not force and target.is_file():
            status = validate_file(ds, target)
            if status.ok:
                progress(t("cli.fetch.present", lang, **where))
                results.append(status)
                continue
        fd, tmp_name = tempfile.mkstemp(dir=settings.raw_dir, prefix=f".{ds.filename}.", suffix=".part")
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            _copy_source(ds, mirror, tmp)
            digest = sha256_of(tmp)
            if digest != ds.sha256:
                raise DataError(key="data.error.checksum", dataset=ds.key, found=digest[:12], expected=ds.sha256[:12])
            problem = validate_schema(ds, tmp)
            if problem:
                raise DataError(key="data.error.schema", dataset=ds.key, problem=problem)
            os.replace(tmp, target)
            progress(t("cli.fetch.fetched", lang, **where, size=format_number(target.stat().st_size / 1e6, 1, lang)))
            results.append(FileStatus(ds, target, True))
        except DataError as exc:
            progress(t("cli.fetch.failed", lang, **where, problem=exc.text(lang)))
            errors.append(exc)
            results.append(FileStatus(ds, target, False, str(exc)))
        finally:
            tmp.unlink(missing_ok=True)
    if errors:
        raise DataError(key="data.error.fetch_failed", count=len(errors), total=total, details=errors)
    return results
