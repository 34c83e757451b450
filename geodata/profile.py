"""City profiles: one folder with a declarative ``profile.toml`` says which city the atlas runs for.

A profile names the city and its extent, its unit levels (finest first), the datasets with their
provenance and checksums, the indicators each dataset gives and how they aggregate, and the
defaults a city chooses (need categories, languages, imprint, base-map presets).
``BEDARFSATLAS_PROFILE`` chooses one: a folder, or the name of a profile shipped under
``geodata/profiles/`` (default ``berlin``, the reference profile).

:func:`load_profile` parses and validates a folder into frozen dataclasses; every problem found
is collected and :class:`ProfileError` names each with its field and the fix, so a city sees all
of them at once. What needs the data files (checksums, columns, nesting of the units) is checked
by :mod:`geodata.profile_check` (``python -m geodata check --profile DIR``).

Texts (level names, indicator units) are either a message key of the app's catalogues (a string)
or inline texts per language (a table ``{ de = "…", en = "…" }``).

Examples
--------
>>> p = load_profile(BUNDLED_DIR / "berlin")
>>> p.name, [level.code for level in p.levels]
('Berlin', ['PLR', 'BZR', 'PGR', 'BEZ'])
>>> p.level("BZR").parent, p.dataset("population_2025").sha256[:8]
('PGR', 'db7ce6c4')
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import dataclasses
import re
import sys
import tomllib
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.basemaps import BasemapPreset, read_preset, unknown_preset
from core.i18n import LANGUAGES, Message, has_text, in_language, t
from core.settings import Settings, SettingsError, profile_setting

PROFILE_FILE = "profile.toml"
HELPERS_FILE = "helpers.py"
BUNDLED_DIR = Path(__file__).parent / "profiles"
"""Where the profiles shipped with the app live (package data)."""

NESTINGS = ("prefix", "containment")
DIGITS = "[0-9]+"
"""The id rule of a level or dataset that gives an ``id_length`` and no ``id_pattern``:
zero-padded digits, as before the rule could be stated."""
AGGREGATIONS = ("sum", "share", "class", "finest")
"""How an indicator reaches coarser levels: ``sum`` of the finest values; ``share`` recomputed
from the summed numerator and denominator (never a mean of shares); ``class`` an official class
that exists at the finest level only; ``finest`` a published value without its parts, finest
level only."""
DATASET_KINDS = ("csv", "geojson")
GEOMETRY_TYPES = ("Point", "MultiPoint", "Polygon", "MultiPolygon")
_CODE = re.compile(r"^[A-Z][A-Z0-9]{1,7}$")
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a profile: where (a field path), what, and how to fix it.

    ``what`` and ``fix`` are :class:`core.i18n.Message` s (or plain text); ``str()`` is English,
    :meth:`in_language` the text for a reader of another language.

    >>> problem = Problem("city.name", Message("data.profile.missing"), Message("data.profile.fix.add", key="name",
    ...                   example="…"))
    >>> str(problem)
    'city.name: missing. Fix: add name = …'
    >>> problem.in_language("de")
    'city.name: fehlt. Lösung: name = … ergänzen'
    """

    where: str
    what: Message | str
    fix: Message | str

    def __str__(self) -> str:
        return self.in_language("en")

    def in_language(self, lang: str) -> str:
        """The problem and its fix in ``lang``."""
        return t("data.profile.problem", lang, where=self.where, what=in_language(self.what, lang),
                 fix=in_language(self.fix, lang))


class ProfileError(ValueError):
    """A profile cannot be used; :attr:`problems` lists every problem found."""

    def __init__(self, source: Path | str, problems: list[Problem]):
        self.source = source
        self.problems = tuple(problems)
        super().__init__(self.in_language("en"))

    def in_language(self, lang: str) -> str:
        """Every problem with its fix, in ``lang``."""
        lines = "".join(f"\n- {problem.in_language(lang)}" for problem in self.problems)
        return t("data.profile.error", lang, source=self.source, count=len(self.problems)) + lines


@dataclass(frozen=True)
class Text:
    """A text of the profile: a message key of the catalogues, or inline texts per language."""

    key: str | None = None
    inline: tuple[tuple[str, str], ...] = ()

    def get(self, lang: str, **values: object) -> str:
        """The text in ``lang`` with its ``{placeholders}`` filled; inline texts fall back to German, then to the first.

        >>> Text(inline=(("de", "Quartier {name}"), ("en", "Quarter {name}"))).get("tr", name="Nord")
        'Quartier Nord'
        """
        if self.key is not None:
            return t(self.key, lang, **values)
        texts = dict(self.inline)
        text = texts.get(lang) or texts.get("de") or next(iter(texts.values()), "")
        return text.format(**values) if values else text


@dataclass(frozen=True)
class LevelSpec:
    """One level of the city's units, e.g. Berlin's Bezirksregion.

    ``parent`` is the next coarser level (``None`` for the coarsest); ``nesting`` says how a
    unit finds its parent: ``prefix`` (the parent's id is the first ``id_length`` characters of
    the parent level's ids) or ``containment`` (the unit lies inside its parent).
    """

    code: str
    dataset: str
    id_field: str
    name_field: str
    id_length: int | None
    nesting: str
    parent: str | None
    label: Text
    plural: Text
    in_sentence: Text | None = None
    """The areas of the level inside a sentence ("district regions"); ``None``: the plural."""
    id_pattern: str | None = None
    """The regular expression every id of the level matches whole (``id_pattern``); where the
    profile gives none, :data:`DIGITS` for a level with an ``id_length``, else any text."""


@dataclass(frozen=True)
class IndicatorSpec:
    """What a dataset gives: one indicator with its direction, unit and aggregation rule."""

    key: str
    dataset: str
    direction: int | None
    label: Text
    unit: Text
    aggregation: str
    column: str | None = None
    numerator: str | None = None
    denominator: str | None = None
    factor: float = 1.0
    classes: tuple[int, ...] = ()
    datasets: tuple[str, ...] = ()
    """Every dataset the value is computed from (the giving dataset first)."""
    base_level: str | None = None
    """The finest level the source has values for; ``None``: the profile's finest level."""


@dataclass(frozen=True)
class DatasetSpec:
    """One dataset: provenance, checksum and the schema the app relies on."""

    key: str
    filename: str
    official_title: str
    publisher: str
    source_url: str
    licence: str
    licence_url: str
    attribution: str
    reference_date: str
    kind: str
    id_column: str | None
    id_length: int | None
    columns: tuple[str, ...]
    rows: int
    sha256: str
    download_url: str | None = None
    geometry_type: str | None = None
    licence_note: str | None = None
    notes: tuple[str, ...] = ()
    computed: tuple[str, ...] = ()
    """Columns the profile's helper code derives from this dataset (e.g. age groups summed from
    single columns); indicators may name them like columns of the file."""
    id_pattern: str | None = None
    """The regular expression every id in ``id_column`` matches whole: the dataset's own
    ``id_pattern``, else that of the level whose ``id_field`` is the ``id_column``, else
    :data:`DIGITS` where the dataset gives an ``id_length``; ``None``: any text."""

    @property
    def local_source(self) -> Path | None:
        """The file the download URL names when it is a path (resolved against the profile)."""
        if self.download_url and not self.download_url.startswith(("http://", "https://")):
            return Path(self.download_url)
        return None


@dataclass(frozen=True)
class Profile:
    """A city profile, parsed and validated."""

    root: Path
    name: str
    bounds: tuple[tuple[float, float], tuple[float, float]]
    crs: str
    levels: tuple[LevelSpec, ...]
    datasets: tuple[DatasetSpec, ...]
    indicators: tuple[IndicatorSpec, ...]
    categories: tuple[str, ...]
    languages: tuple[str, ...]
    default_language: str
    basemaps: tuple[BasemapPreset, ...] = ()
    """The base maps an operator may switch on (``[basemaps.KEY]`` tables), in the profile's order."""
    imprint: Path | None = None
    timezone: str = "Europe/Berlin"
    """The city's time zone (``[city] timezone``, an IANA name); default Germany's (IANA names it
    after its largest city). Dates a reader sees are in it."""
    label: Text | None = None
    """The city's name per language (``[city] label``), where a language writes it otherwise."""
    report_levels: tuple[str, ...] = ()
    """The levels whose lists /melden offers, coarse to fine (``[app] report_levels``; default: every level)."""
    texts: Mapping[str, Text] = field(default_factory=dict, compare=False, repr=False)
    """Sentences the city words itself (``[app.texts]``), e.g. ``place_point``: where a pin lies, with
    the names of the report levels' areas as placeholders named by their codes in lower case."""
    default_indicator: str | None = None
    """The indicator a map shows first (``[app] default_indicator``); ``None``: the first indicator
    with a direction, else the first one."""
    place_search: bool = False
    """Whether ``python -m geodata fetch`` builds the place search's gazetteer. It still takes the
    stations from the VBB package and the facilities from Berlin's datasets, so only Berlin sets it."""
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def level(self, code: str) -> LevelSpec:
        return next(level for level in self.levels if level.code == code)

    def dataset(self, key: str) -> DatasetSpec:
        return next(ds for ds in self.datasets if ds.key == key)

    def basemap(self, key: str) -> BasemapPreset:
        """The base-map preset ``key`` (``BEDARFSATLAS_BASEMAP``); a :class:`~core.settings.SettingsError` (a
        ``ValueError``) naming the profile's presets.

        >>> load_profile(BUNDLED_DIR / "berlin").basemap("basemapde-grau").layers
        'de_basemapde_web_raster_grau'
        """
        found = next((preset for preset in self.basemaps if preset.key == key), None)
        if found is None:
            raise SettingsError(unknown_preset(key, tuple(p.key for p in self.basemaps), self.name))
        return found

    @property
    def level_order(self) -> tuple[str, ...]:
        """Level codes, finest first."""
        return tuple(level.code for level in self.levels)

    def text(self, key: str, lang: str, /, **values: object) -> str:
        """The sentence ``key`` as the city words it (``[app.texts]``), else the app's generic one.

        The generic one is the message ``<key>_generic`` with the city's name as ``{city}``;
        ``key`` is a message key such as ``report.outside`` (the profile names it ``outside``,
        the part after the last dot).
        """
        own = self.texts.get(key.rsplit(".", 1)[-1])
        if own is not None:
            return own.get(lang, **values)
        return t(f"{key}_generic", lang, city=self.city_label(lang), **values)

    def city_label(self, lang: str) -> str:
        """The city's name in ``lang``: ``Берлін`` in Ukrainian; :attr:`name` where no label is given."""
        return self.label.get(lang) if self.label is not None else self.name

    @property
    def app_name(self) -> str:
        """The app's name for this city: ``Bedarfsatlas Musterstadt``."""
        return f"Bedarfsatlas {self.name}"

    @property
    def coarsest(self) -> LevelSpec:
        """The coarsest level (Berlin: the Bezirk): what a view may be restricted to."""
        return self.levels[-1]

    @property
    def finest(self) -> LevelSpec:
        """The finest level: the units every figure and every need starts from."""
        return self.levels[0]

    @property
    def helpers(self) -> ModuleType | None:
        """The profile's optional Python helpers (``helpers.py`` beside ``profile.toml``), else ``None``.

        A city whose files need more than reading named columns (Berlin: age groups summed from
        single years, official class codes with sentinels, facility layers, a source published at a
        coarser level) writes the readers there; :mod:`geodata.indicators` and
        :mod:`geodata.facilities` use what it defines (see ``geodata/profiles/berlin/helpers.py``).
        """
        return _helpers(str(self.root))


# --- parsing --------------------------------------------------------------------------------


class _Reader:
    """Reads typed fields out of the TOML tables and collects a :class:`Problem` for each bad one."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def problem(self, where: str, what: Message | str, fix: Message | str) -> None:
        self.problems.append(Problem(where, what, fix))

    def table(self, data: Mapping, key: str, where: str, required: bool = True) -> dict:
        value = data.get(key)
        if value is None:
            if required:
                self.problem(f"{where}{key}", Message("data.profile.missing"),
                             Message("data.profile.fix.add_table", table=f"{where}{key}"))
            return {}
        if not isinstance(value, dict):
            self.problem(f"{where}{key}", Message("data.profile.not_a_table", found=type(value).__name__),
                         Message("data.profile.fix.write_table", table=f"{where}{key}"))
            return {}
        return value

    def str(self, data: Mapping, key: str, where: str, required: bool = True,
            pattern: re.Pattern | None = None, choices: tuple[str, ...] | None = None,
            example: str | Message = "") -> str | None:
        value = data.get(key)
        path = f"{where}.{key}"
        if value is None:
            if required:
                self.problem(path, Message("data.profile.missing"),
                             Message("data.profile.fix.add", key=key, example=example or "…"))
            return None
        if not isinstance(value, str) or not value.strip():
            self.problem(path, Message("data.profile.not_a_text", value=repr(value)),
                         Message("data.profile.fix.write", key=key, example=example or "…"))
            return None
        if choices is not None and value not in choices:
            self.problem(path, Message("data.profile.not_one_of", value=repr(value), choices=", ".join(choices)),
                         Message("data.profile.fix.one_of", choices=", ".join(choices)))
            return None
        if pattern is not None and not pattern.match(value):
            self.problem(path, Message("data.profile.wrong_form", value=repr(value)),
                         Message("data.profile.fix.like", example=example))
            return None
        return value

    def regex(self, data: Mapping, key: str, where: str) -> str | None:
        """An optional regular expression that whole ids must match (``id_pattern``)."""
        value = self.str(data, key, where, required=False, example='"[A-Z]{2}[0-9]{4}"')
        if value is None:
            return None
        try:
            re.compile(value)
        except re.error as exc:
            self.problem(f"{where}.{key}", Message("data.profile.not_a_regex", value=repr(value), error=exc),
                         Message("data.profile.fix.regex", key=key, example='"[A-Z]{2}[0-9]{4}"'))
            return None
        return value

    def int(self, data: Mapping, key: str, where: str, required: bool = True, minimum: int = 0) -> int | None:
        value = data.get(key)
        path = f"{where}.{key}"
        if value is None:
            if required:
                self.problem(path, Message("data.profile.missing"),
                             Message("data.profile.fix.add_number", key=key, minimum=minimum))
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self.problem(path, Message("data.profile.not_a_number", minimum=minimum, value=repr(value)),
                         Message("data.profile.fix.write_number", key=key, minimum=minimum))
            return None
        return value

    def strs(self, data: Mapping, key: str, where: str, required: bool = True) -> tuple[str, ...]:
        value = data.get(key)
        path = f"{where}.{key}"
        if value is None:
            if required:
                self.problem(path, Message("data.profile.missing"),
                             Message("data.profile.fix.add", key=key, example='["…", …]'))
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            self.problem(path, Message("data.profile.not_a_list", value=repr(value)),
                         Message("data.profile.fix.write", key=key, example='["…", …]'))
            return ()
        return tuple(value)

    def text(self, data: Mapping, key: str, where: str, languages: tuple[str, ...]) -> Text:
        value = data.get(key)
        path = f"{where}.{key}"
        if isinstance(value, str) and value.strip():
            if not has_text(value):
                self.problem(path, Message("data.profile.unknown_message", value=repr(value)),
                             Message("data.profile.fix.unknown_message", key=key))
            return Text(key=value)
        if isinstance(value, dict) and value and all(isinstance(v, str) and v for v in value.values()):
            unknown = [lang for lang in value if lang not in LANGUAGES]
            if unknown:
                self.problem(path, Message("data.profile.unknown_languages", languages=", ".join(unknown)),
                             Message("data.profile.fix.languages", languages=", ".join(LANGUAGES)))
            missing = [lang for lang in languages if lang not in value]
            if missing:
                wanted = ", ".join(f'{lang} = "…"' for lang in missing)
                self.problem(path, Message("data.profile.texts_missing", languages=", ".join(missing)),
                             Message("data.profile.fix.texts_missing", texts=wanted))
            return Text(inline=tuple(value.items()))
        self.problem(path, Message("data.profile.missing_or_empty") if value is None
                     else Message("data.profile.not_a_text_table", value=repr(value)),
                     Message("data.profile.fix.text", key=key))
        return Text(inline=())


def _bounds(r: _Reader, city: Mapping) -> tuple[tuple[float, float], tuple[float, float]]:
    value = city.get("bounds")
    try:
        (s, w), (n, e) = value
        s, w, n, e = (float(v) for v in (s, w, n, e))
        if isinstance(value[0][0], bool):
            raise TypeError
    except (TypeError, ValueError):
        r.problem("city.bounds", Message("data.profile.bounds_form", value=repr(value)),
                  Message("data.profile.fix.bounds"))
        return ((0.0, 0.0), (0.0, 0.0))
    if not (-90 <= s < n <= 90 and -180 <= w < e <= 180):
        r.problem("city.bounds", Message("data.profile.bounds_order", south=s, north=n, west=w, east=e),
                  Message("data.profile.fix.bounds_order"))
    return ((s, w), (n, e))


def _levels(r: _Reader, raw: object, languages: tuple[str, ...]) -> tuple[LevelSpec, ...]:
    if not isinstance(raw, list) or not raw:
        r.problem("levels", Message("data.profile.no_levels"), Message("data.profile.fix.levels"))
        return ()
    levels = []
    for n, item in enumerate(raw):
        where = f"levels[{n}]"
        if not isinstance(item, dict):
            r.problem(where, Message("data.profile.not_a_table", found=type(item).__name__),
                      Message("data.profile.fix.write_table", table="[levels]"))
            continue
        code = r.str(item, "code", where, pattern=_CODE, example=Message("data.profile.example.code"))
        where = f"levels[{code or n}]"
        nesting = item.get("nesting", "prefix")
        if nesting not in NESTINGS:
            r.problem(f"{where}.nesting",
                      Message("data.profile.not_one_of", value=repr(nesting), choices=", ".join(NESTINGS)),
                      Message("data.profile.fix.nesting"))
        id_length = r.int(item, "id_length", where, required=nesting == "prefix", minimum=1)
        id_pattern = r.regex(item, "id_pattern", where) or (DIGITS if id_length else None)
        levels.append(LevelSpec(
            code=code or f"?{n}",
            dataset=r.str(item, "dataset", where, example='"units_quarters"') or "",
            id_field=r.str(item, "id_field", where, example=f'"{code or "QU"}_ID"') or "",
            name_field=r.str(item, "name_field", where, example=f'"{code or "QU"}_NAME"') or "",
            id_length=id_length,
            nesting=nesting if nesting in NESTINGS else "prefix",
            parent=None,
            label=r.text(item, "label", where, languages),
            plural=r.text(item, "plural", where, languages),
            in_sentence=r.text(item, "in_sentence", where, languages) if "in_sentence" in item else None,
            id_pattern=id_pattern,
        ))
    codes = [level.code for level in levels]
    for code in {c for c in codes if codes.count(c) > 1}:
        r.problem(f"levels[{code}]", Message("data.profile.code_twice"), Message("data.profile.fix.code_twice"))
    # Finest first: each level's parent is the next one; prefix ids must get shorter.
    linked = []
    for n, level in enumerate(levels):
        parent = levels[n + 1] if n + 1 < len(levels) else None
        if parent and parent.nesting == "prefix" and level.id_length and parent.id_length \
                and level.nesting == "prefix" and parent.id_length >= level.id_length:
            r.problem(f"levels[{parent.code}].id_length",
                      Message("data.profile.id_length_order", length=parent.id_length, level=level.code,
                              finer_length=level.id_length),
                      Message("data.profile.fix.id_length_order"))
        linked.append(LevelSpec(**{**level.__dict__, "parent": parent.code if parent else None}))
    return tuple(linked)


def _datasets(r: _Reader, raw: object, root: Path) -> tuple[DatasetSpec, ...]:
    if not isinstance(raw, dict) or not raw:
        r.problem("datasets", Message("data.profile.no_datasets"), Message("data.profile.fix.datasets"))
        return ()
    out = []
    for key, item in raw.items():
        where = f"datasets.{key}"
        if not _KEY.match(key):
            r.problem(where, Message("data.profile.key_wrong_form", value=repr(key)),
                      Message("data.profile.fix.key_form"))
        if not isinstance(item, dict):
            r.problem(where, Message("data.profile.not_a_table", found=type(item).__name__),
                      Message("data.profile.fix.write_table", table=where))
            continue
        kind = r.str(item, "kind", where, choices=DATASET_KINDS, example='"csv"')
        reference_date = r.str(item, "reference_date", where, example='"2025-12-31"')
        if reference_date:
            try:
                date.fromisoformat(reference_date)
            except ValueError:
                r.problem(f"{where}.reference_date", Message("data.profile.not_a_date", value=repr(reference_date)),
                          Message("data.profile.fix.date"))
        sha = r.str(item, "sha256", where, pattern=_SHA256,
                    example=Message("data.profile.example.sha256"))
        download = r.str(item, "download_url", where, required=False)
        if download and not download.startswith(("http://", "https://")):
            download = str((root / download).resolve())
        geometry = r.str(item, "geometry_type", where, required=False, choices=GEOMETRY_TYPES)
        if kind == "geojson" and not geometry:
            r.problem(f"{where}.geometry_type", Message("data.profile.geometry_type_missing"),
                      Message("data.profile.fix.add_one_of", key="geometry_type", choices=", ".join(GEOMETRY_TYPES)))
        id_column = r.str(item, "id_column", where, required=False)
        columns = r.strs(item, "columns", where)
        if id_column and columns and id_column not in columns:
            r.problem(f"{where}.id_column", Message("data.profile.not_among_columns", value=repr(id_column)),
                      Message("data.profile.fix.id_column", value=repr(id_column)))
        out.append(DatasetSpec(
            key=key,
            filename=r.str(item, "filename", where, example='"population.csv"') or "",
            official_title=r.str(item, "title", where, example='"Einwohner nach Blöcken"') or "",
            publisher=r.str(item, "publisher", where, example='"Statistikstelle"') or "",
            source_url=r.str(item, "source", where, example=Message("data.profile.example.source")) or "",
            licence=r.str(item, "licence", where, example='"dl-de/by-2.0"') or "",
            licence_url=r.str(item, "licence_url", where, example='"https://www.govdata.de/dl-de/by-2-0"') or "",
            attribution=r.str(item, "attribution", where, example='"Stadt X, Einwohnerstatistik"') or "",
            reference_date=reference_date or "",
            kind=kind or "csv",
            id_column=id_column,
            id_length=r.int(item, "id_length", where, required=False, minimum=1),
            columns=columns,
            rows=r.int(item, "rows", where, minimum=1) or 0,
            sha256=sha or "",
            download_url=download,
            geometry_type=geometry,
            licence_note=r.str(item, "licence_note", where, required=False),
            notes=r.strs(item, "notes", where, required=False),
            computed=r.strs(item, "computed", where, required=False),
            id_pattern=r.regex(item, "id_pattern", where),
        ))
    return tuple(out)


def _dataset_id_patterns(datasets: tuple[DatasetSpec, ...], levels: tuple[LevelSpec, ...]) -> tuple[DatasetSpec, ...]:
    """Each dataset's id rule: its own, else its level's (the level whose id field it keys on), else digits
    where it gives an id length (what the check required before the rule could be stated)."""
    by_field = {level.id_field: level.id_pattern for level in levels}
    out = []
    for ds in datasets:
        pattern = ds.id_pattern
        if pattern is None and ds.id_column:
            pattern = by_field.get(ds.id_column) or (DIGITS if ds.id_length else None)
        out.append(dataclasses.replace(ds, id_pattern=pattern))
    return tuple(out)


def _indicators(r: _Reader, datasets: tuple[DatasetSpec, ...], raw: Mapping,
                languages: tuple[str, ...]) -> tuple[IndicatorSpec, ...]:
    by_key = {ds.key: ds for ds in datasets}
    out: list[IndicatorSpec] = []
    for ds_key, item in raw.items():
        if not isinstance(item, dict):
            continue
        given = item.get("indicators", {})
        if not isinstance(given, dict):
            r.problem(f"datasets.{ds_key}.indicators", Message("data.profile.not_an_indicator_table"),
                      Message("data.profile.fix.indicator_tables", table=f"datasets.{ds_key}.indicators"))
            continue
        for key, spec in given.items():
            where = f"datasets.{ds_key}.indicators.{key}"
            if not isinstance(spec, dict):
                r.problem(where, Message("data.profile.not_a_table", found=type(spec).__name__),
                          Message("data.profile.fix.write_table", table=where))
                continue
            aggregation = spec.get("aggregation")
            if aggregation not in AGGREGATIONS:
                r.problem(f"{where}.aggregation",
                          Message("data.profile.aggregation_missing") if aggregation is None
                          else Message("data.profile.aggregation_undefined", value=repr(aggregation)),
                          Message("data.profile.fix.aggregation"))
            direction = spec.get("direction")
            if direction is not None and direction not in (-1, 0, 1):
                r.problem(f"{where}.direction", Message("data.profile.direction", value=repr(direction)),
                          Message("data.profile.fix.direction"))
            numerator, denominator = spec.get("numerator"), spec.get("denominator")
            if aggregation == "share" and not (isinstance(numerator, str) and isinstance(denominator, str)):
                r.problem(where, Message("data.profile.share_parts"), Message("data.profile.fix.share_parts"))
            classes = spec.get("classes", [])
            if aggregation == "class" and not (isinstance(classes, list) and classes
                                               and all(isinstance(c, int) for c in classes)):
                r.problem(f"{where}.classes", Message("data.profile.class_codes"),
                          Message("data.profile.fix.class_codes"))
                classes = []
            factor = spec.get("factor", 1.0)
            if isinstance(factor, bool) or not isinstance(factor, (int, float)) or factor <= 0:
                r.problem(f"{where}.factor", Message("data.profile.factor", value=repr(factor)),
                          Message("data.profile.fix.factor"))
                factor = 1.0
            also = r.strs(spec, "also_from", where, required=False)
            for other in also:
                if other not in by_key:
                    r.problem(f"{where}.also_from", Message("data.profile.unknown_dataset", value=repr(other)),
                              Message("data.profile.fix.datasets_of_profile", datasets=", ".join(by_key)))
            out.append(IndicatorSpec(
                key=key, dataset=ds_key, direction=direction if direction in (-1, 0, 1) else None,
                label=r.text(spec, "label", where, languages),
                unit=r.text(spec, "unit", where, languages),
                aggregation=aggregation if aggregation in AGGREGATIONS else "finest",
                column=spec.get("column") if isinstance(spec.get("column"), str) else None,
                numerator=numerator if isinstance(numerator, str) else None,
                denominator=denominator if isinstance(denominator, str) else None,
                factor=float(factor), classes=tuple(classes), datasets=(ds_key, *also),
                base_level=spec.get("base_level") if isinstance(spec.get("base_level"), str) else None,
            ))
    keys = [ind.key for ind in out]
    for key in sorted({k for k in keys if keys.count(k) > 1}):
        r.problem(f"indicators.{key}", Message("data.profile.indicator_twice"),
                  Message("data.profile.fix.indicator_twice"))
    return tuple(out)


def _basemaps(r: _Reader, raw: object) -> tuple[BasemapPreset, ...]:
    if not isinstance(raw, dict):
        r.problem("basemaps", Message("data.profile.not_tables", found=type(raw).__name__),
                  Message("data.profile.fix.basemap_tables"))
        return ()
    out = []
    for key, table in raw.items():
        where = f"basemaps.{key}"
        if not isinstance(table, dict):
            r.problem(where, Message("data.profile.not_a_table", found=type(table).__name__),
                      Message("data.profile.fix.basemap_table", table=where))
            continue
        preset, problems = read_preset(key, table)
        for name, what, fix in problems:
            r.problem(f"{where}.{name}" if name else where, what, fix)
        if preset is not None:
            out.append(preset)
    return tuple(out)


def parse_profile(data: Mapping, root: Path) -> Profile:
    """Build a :class:`Profile` from parsed TOML; raise :class:`ProfileError` listing every problem."""
    r = _Reader()
    city = r.table(data, "city", "")
    name = r.str(city, "name", "city", example='"Musterstadt"') or ""
    crs = r.str(city, "crs", "city", pattern=re.compile(r"^EPSG:\d{4,6}$"),
                example=Message("data.profile.example.crs")) or "EPSG:25833"
    bounds = _bounds(r, city)
    timezone = r.str(city, "timezone", "city", required=False, example='"Europe/Berlin"') or Profile.timezone
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        r.problem("city.timezone", Message("data.profile.not_a_timezone", value=repr(timezone)),
                  Message("data.profile.fix.timezone"))
    app = r.table(data, "app", "")
    languages = r.strs(app, "languages", "app") or LANGUAGES
    label = r.text(city, "label", "city", languages) if "label" in city else None
    unknown = [lang for lang in languages if lang not in LANGUAGES]
    if unknown:
        r.problem("app.languages", Message("data.profile.unknown_languages", languages=", ".join(unknown)),
                  Message("data.profile.fix.catalogue_languages", languages=", ".join(LANGUAGES)))
    default_language = r.str(app, "default_language", "app", required=False) or languages[0]
    if default_language not in languages:
        r.problem("app.default_language", Message("data.profile.not_among_languages", value=repr(default_language)),
                  Message("data.profile.fix.among_languages"))
    categories = r.strs(app, "categories", "app")
    for cat in categories:
        if not _KEY.match(cat):
            r.problem("app.categories", Message("data.profile.wrong_form", value=repr(cat)),
                      Message("data.profile.fix.category_id"))
        elif not has_text(f"category.{cat}.label"):
            r.problem("app.categories", Message("data.profile.category_texts", value=repr(cat), category=cat),
                      Message("data.profile.fix.category_texts"))
    if "basemaps" in app:
        r.problem("app.basemaps", Message("data.profile.basemaps_moved"), Message("data.profile.fix.basemaps_moved"))
    basemaps = _basemaps(r, data.get("basemaps", {}))
    place_search = app.get("place_search", False)
    if not isinstance(place_search, bool):
        r.problem("app.place_search", Message("data.profile.not_a_boolean", value=repr(place_search)),
                  Message("data.profile.fix.boolean", key="place_search"))
        place_search = False
    imprint_name = r.str(app, "imprint", "app", required=False)
    imprint = (root / imprint_name) if imprint_name else None
    if imprint is not None and not imprint.is_file():
        r.problem("app.imprint", Message("data.profile.no_file", path=imprint), Message("data.profile.fix.imprint"))
    raw_datasets = data.get("datasets")
    datasets = _datasets(r, raw_datasets, root)
    levels = _levels(r, data.get("levels"), languages)
    datasets = _dataset_id_patterns(datasets, levels)
    ds_keys = {ds.key for ds in datasets}
    for level in levels:
        if level.dataset and level.dataset not in ds_keys:
            r.problem(f"levels[{level.code}].dataset",
                      Message("data.profile.unknown_dataset", value=repr(level.dataset)),
                      Message("data.profile.fix.level_dataset", key=level.dataset, choices=", ".join(sorted(ds_keys))))
        elif level.dataset:
            ds = next(d for d in datasets if d.key == level.dataset)
            for fld in (level.id_field, level.name_field):
                if fld and ds.columns and fld not in ds.columns:
                    r.problem(f"levels[{level.code}]",
                              Message("data.profile.column_not_listed", column=repr(fld), dataset=ds.key),
                              Message("data.profile.fix.column_not_listed", column=repr(fld), dataset=ds.key))
    if levels and levels[0].dataset in ds_keys:
        finest = next(d for d in datasets if d.key == levels[0].dataset)
        lacking = [col for level in levels[1:] for col in (level.id_field, level.name_field)
                   if col and finest.columns and col not in finest.columns]
        if lacking:
            r.problem(f"datasets.{finest.key}.columns",
                      Message("data.profile.finest_lacks", columns=", ".join(lacking)),
                      Message("data.profile.fix.finest_lacks"))
    indicators = _indicators(r, datasets, raw_datasets if isinstance(raw_datasets, dict) else {}, languages)
    codes = {level.code for level in levels}
    for ind in indicators:
        if ind.base_level is not None and ind.base_level not in codes:
            r.problem(f"datasets.{ind.dataset}.indicators.{ind.key}.base_level",
                      Message("data.profile.unknown_level", value=repr(ind.base_level)),
                      Message("data.profile.fix.name_one_of", choices=", ".join(sorted(codes))))
    default_indicator = r.str(app, "default_indicator", "app", required=False)
    if default_indicator is not None and default_indicator not in {ind.key for ind in indicators}:
        r.problem("app.default_indicator", Message("data.profile.not_an_indicator", value=repr(default_indicator)),
                  Message("data.profile.fix.name_one_or_leave_out", choices=", ".join(ind.key for ind in indicators)))
    if default_indicator is None:
        directed = [ind.key for ind in indicators if ind.direction]
        default_indicator = (directed or [ind.key for ind in indicators] or [None])[0]
    report_levels = r.strs(app, "report_levels", "app", required=False) or tuple(
        level.code for level in reversed(levels))
    for code in report_levels:
        if code not in {level.code for level in levels}:
            r.problem("app.report_levels", Message("data.profile.unknown_level", value=repr(code)),
                      Message("data.profile.fix.report_levels"))
    raw_texts = app.get("texts", {})
    texts = {key: r.text(raw_texts, key, "app.texts", languages) for key in raw_texts} \
        if isinstance(raw_texts, dict) else {}
    if r.problems:
        raise ProfileError(root / PROFILE_FILE, r.problems)
    known = {"city", "app", "levels", "datasets", "basemaps"}
    return Profile(
        root=root, name=name, bounds=bounds, crs=crs, levels=levels, datasets=datasets,
        indicators=indicators, categories=categories, languages=languages,
        default_language=default_language, basemaps=basemaps, imprint=imprint, place_search=place_search,
        default_indicator=default_indicator, label=label, timezone=timezone, report_levels=report_levels, texts=texts,
        extra={k: v for k, v in data.items() if k not in known},
    )


def load_profile(folder: Path | str) -> Profile:
    """Read and validate ``folder/profile.toml``; :class:`ProfileError` names every problem and its fix."""
    root = Path(folder).expanduser()
    path = root / PROFILE_FILE
    if not path.is_file():
        raise ProfileError(path, [Problem(
            str(path), Message("data.profile.missing") if not root.is_dir()
            else Message("data.profile.no_profile_file", file=PROFILE_FILE),
            Message("data.profile.fix.profile_folder", file=PROFILE_FILE),
        )])
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ProfileError(path, [Problem(PROFILE_FILE, Message("data.profile.invalid_toml", problem=exc),
                                          Message("data.profile.fix.toml"))]) from None
    return parse_profile(data, root.resolve())


def profile_dir(value: str | None = None) -> Path:
    """The folder ``BEDARFSATLAS_PROFILE`` names: a path, or the name of a bundled profile.

    >>> profile_dir("berlin") == BUNDLED_DIR / "berlin"
    True
    """
    value = profile_setting() if value is None else value
    if "/" not in value and (BUNDLED_DIR / value).is_dir():
        return BUNDLED_DIR / value
    return Path(value).expanduser()


def bundled_profiles() -> list[str]:
    """The names of the profiles shipped with the app."""
    return sorted(p.name for p in BUNDLED_DIR.iterdir() if (p / PROFILE_FILE).is_file())


@lru_cache(maxsize=8)
def _helpers(root: str) -> ModuleType | None:
    path = Path(root) / HELPERS_FILE
    if not path.is_file():
        return None
    if path.parent.parent == BUNDLED_DIR.resolve():  # shipped with the app: an ordinary module
        return importlib.import_module(f"geodata.profiles.{path.parent.name}.helpers")
    name = f"bedarfsatlas_profile_helpers_{hashlib.sha256(root.encode()).hexdigest()[:12]}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@lru_cache(maxsize=8)
def _cached(folder: str) -> Profile:
    return load_profile(folder)


def active_profile() -> Profile:
    """The profile ``BEDARFSATLAS_PROFILE`` chooses (read once per folder per process)."""
    folder = profile_dir()
    try:
        return _cached(str(folder.resolve()))
    except ProfileError as exc:
        raise ProfileError(exc.source, [*exc.problems, Problem(
            "BEDARFSATLAS_PROFILE", Message("data.profile.setting_names", folder=folder),
            Message("data.profile.fix.setting", bundled=", ".join(bundled_profiles())))]) from None


def profile_settings(settings: Settings, profile: Profile | None = None) -> Settings:
    """``settings`` with the city profile's defaults where the operator set nothing: what the app runs with.

    The interface language (``BEDARFSATLAS_LANGUAGE``) defaults to the profile's
    ``default_language`` and must be one of its ``languages``; the imprint
    (``BEDARFSATLAS_IMPRINT_FILE``) defaults to the profile's ``imprint``. ``profile``: default
    the active one.

    Raises
    ------
    core.settings.SettingsError
        When ``BEDARFSATLAS_LANGUAGE`` names a language the profile does not offer.

    Examples
    --------
    >>> from core.settings import load_settings
    >>> profile_settings(load_settings({})).language
    'de'
    >>> profile_settings(load_settings({"BEDARFSATLAS_LANGUAGE": "uk"})).language
    'uk'
    """
    profile = profile or active_profile()
    language = settings.language or profile.default_language
    if language not in profile.languages:
        raise SettingsError(Message(
            "settings.error.profile_language", name="BEDARFSATLAS_LANGUAGE", choices=", ".join(profile.languages),
            city=profile.name, value=repr(language), default=repr(profile.default_language)))
    return dataclasses.replace(settings, language=language, imprint_file=settings.imprint_file or profile.imprint)


# --- writing --------------------------------------------------------------------------------


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        return f'"{escaped}"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):  # an inline table (texts per language)
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def _inline(value: object) -> bool:
    return not isinstance(value, dict) or all(isinstance(v, str) for v in value.values())


def dumps(data: Mapping[str, Any]) -> str:
    """``profile.toml`` text for parsed profile data (what :func:`tomllib.loads` gives back).

    Tables of texts (``{ de = "…", en = "…" }``) are written inline.

    >>> text = dumps({"city": {"name": "X", "bounds": [[1.0, 2.0], [3.0, 4.0]]},
    ...               "levels": [{"code": "QU", "label": {"de": "Quartier"}}]})
    >>> tomllib.loads(text)["levels"][0]["label"]
    {'de': 'Quartier'}
    """
    lines: list[str] = []

    def table(path: str, body: Mapping[str, Any], header: str) -> None:
        lines.append(header)
        nested = []
        for key, value in body.items():
            if isinstance(value, dict) and not _inline(value):
                nested.append((key, value))
            else:
                lines.append(f"{key} = {_toml_value(value)}")
        lines.append("")
        for key, value in nested:
            table(f"{path}.{key}", value, f"[{path}.{key}]")

    for key, value in data.items():
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for item in value:
                table(key, item, f"[[{key}]]")
        elif isinstance(value, dict):
            table(key, value, f"[{key}]")
        else:
            lines.insert(0, f"{key} = {_toml_value(value)}")
    return "\n".join(lines).rstrip() + "\n"
