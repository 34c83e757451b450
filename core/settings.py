"""Every setting of Bedarfsatlas Berlin, read in one place.

Settings come from environment variables. Each one is declared once in
:data:`SETTINGS` with its default and a description; ``README.md`` documents
all of them in one table, and ``tests/test_docs.py`` fails when one is missing
there. Nothing else in the code base reads ``os.environ`` for configuration.

Examples
--------
>>> s = load_settings({"BEDARFSATLAS_DATA_DIR": "/tmp/atlas"})
>>> str(s.data_dir)
'/tmp/atlas'
>>> s.database_url
'sqlite:////tmp/atlas/bedarfsatlas.sqlite'
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping
from urllib.parse import urlsplit

from core.i18n import LANGUAGES, Message, TranslatedError


@dataclass(frozen=True)
class Setting:
    """One configurable value: its environment variable, default and meaning."""

    name: str
    default: str | None
    description: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "BEDARFSATLAS_DATA_DIR",
        "./data",
        "Folder for the open data, the derived caches and the SQLite database.",
    ),
    Setting(
        "BEDARFSATLAS_PROFILE",
        "berlin",
        "The city profile: a folder with a `profile.toml` (levels, datasets, indicators, defaults; "
        "see docs/new-city.md) or the name of a profile shipped in `geodata/profiles/`.",
    ),
    Setting(
        "BEDARFSATLAS_OPENDATA_MIRROR",
        None,
        "Folder (or http(s) URL) holding the open-data files under their catalogue "
        "file names; `python -m geodata fetch` copies from here instead of the official URLs.",
    ),
    Setting(
        "DATABASE_URL",
        None,
        "SQLAlchemy URL of the needs database, e.g. `postgresql+psycopg://user@host/db`. "
        "Unset: the SQLite file `bedarfsatlas.sqlite` in the data folder.",
    ),
    Setting(
        "BEDARFSATLAS_BASEMAP",
        None,
        "A base map under the areas, by its key among the city profile's presets (`[basemaps.KEY]`; the "
        "reference profile's: `geoportal-k5-farbe`, `geoportal-dop`, `basemapde-farbe`, `basemapde-grau`). "
        "Unset: no base map, no request leaves the server.",
    ),
    Setting(
        "BEDARFSATLAS_BASEMAP_URL",
        None,
        "Base map under the areas: an XYZ tile URL template (`https://…/{z}/{x}/{y}.png`) "
        "or a WMS endpoint; with `BEDARFSATLAS_BASEMAP` the preset's WMS served from this address "
        "(a mirror or proxy). Unset: no base map, no request leaves the server.",
    ),
    Setting(
        "BEDARFSATLAS_BASEMAP_WMS_LAYERS",
        None,
        "Layer names when the base map is a WMS (comma-separated); overrides a preset's layer. "
        "Unset: XYZ tiles (or the preset's layer).",
    ),
    Setting(
        "BEDARFSATLAS_BASEMAP_ATTRIBUTION",
        None,
        "Attribution text shown for the configured base map (required with `BEDARFSATLAS_BASEMAP_URL` "
        "unless a preset gives it; overrides the preset's).",
    ),
    Setting(
        "BEDARFSATLAS_PUBLIC_URL",
        None,
        "The app's root as phones reach it, with any path prefix (e.g. `https://beteiligung.berlin.de/bedarfsatlas`): "
        "workshop join links and QR codes point there. Unset: the host of the facilitator's browser.",
    ),
    Setting(
        "BEDARFSATLAS_LANGUAGE",
        None,
        "Default interface language: `de`, `en`, `tr`, `ar`, `uk` or `ls` (Leichte Sprache), for visitors"
        " whose link and browser name no offered one"
        " (users can switch); one of the city profile's `app.languages`. Unset: the profile's"
        " `default_language` (the reference profile's: `de`).",
    ),
    Setting(
        "BEDARFSATLAS_IMPRINT_FILE",
        None,
        "Markdown file (UTF-8) with the operator's imprint (§ 5 DDG), shown on `/quellen`; links only to "
        "https/http/mailto/tel, no images or HTML. Unset: the city profile's `app.imprint`, else the page says "
        "that the imprint is missing.",
    ),
    Setting(
        "BEDARFSATLAS_PUBLISH_IMMEDIATELY",
        "false",
        "`true`: needs sent on the residents' page are public at once. `false`: they wait "
        "for moderation (status `pending`).",
    ),
    Setting(
        "BEDARFSATLAS_LIMIT_BROWSER_PER_DAY",
        "30",
        "Residents' page: at most this many needs per 24 hours from one browser, on top of its five per ten minutes; every sender without a cookie shares one such allowance (a whole number >= 1).",
    ),
    Setting(
        "BEDARFSATLAS_LIMIT_OVERALL_PER_MINUTE",
        "60",
        "Ceiling on the residents' page, all of `/melden` together: at most this many needs per minute, on top of each sender's own allowance (a whole number >= 1).",
    ),
    Setting(
        "BEDARFSATLAS_LIMIT_OVERALL_PER_DAY",
        "2000",
        "Ceiling on the residents' page, all of `/melden` together: at most this many needs per 24 hours, on top of each sender's own allowance (a whole number >= 1).",
    ),
    Setting(
        "BEDARFSATLAS_LIMIT_WORKSHOP_PER_MINUTE",
        "30",
        "Ceiling on the residents' page, one workshop (`/melden?workshop=CODE`): at most this many needs per minute, from all its browsers, on top of each sender's own allowance (a whole number >= 1).",
    ),
    Setting(
        "BEDARFSATLAS_LIMIT_WORKSHOP_PER_DAY",
        "500",
        "Ceiling on the residents' page, one workshop: at most this many needs per 24 hours, from all its browsers, on top of each sender's own allowance (a whole number >= 1).",
    ),
    Setting(
        "BEDARFSATLAS_MIN_RESIDENTS",
        "300",
        "Assessment: areas with fewer residents are marked 'too few' instead of ranked.",
    ),
    Setting(
        "BEDARFSATLAS_MIN_NEEDS",
        "5",
        "Assessment: when the priority index uses needs rates, areas with fewer needs are "
        "marked 'too few' instead of ranked.",
    ),
    Setting(
        "BEDARFSATLAS_RETENTION_REJECTED_DAYS",
        "90",
        "Retention job: rejected and merged needs are deleted this many days after the decision.",
    ),
    Setting(
        "BEDARFSATLAS_RETENTION_PUBLISHED_DAYS",
        "730",
        "Retention job: published needs are deleted this many days after they were sent.",
    ),
    Setting(
        "BEDARFSATLAS_RETENTION_TOKEN_DAYS",
        "30",
        "Retention job: the random browser tokens of needs and the hashed browser keys of supports, "
        "reports and workshop dots are anonymised after this many days (counts stay).",
    ),
    Setting(
        "BEDARFSATLAS_STAFF_SESSION_HOURS",
        "8",
        "Staff signed in with a built-in account stay signed in across a reload and in new tabs "
        "of the same browser for this many hours (a cookie; 0: only until the tab is closed).",
    ),
    Setting(
        "BEDARFSATLAS_MAP_POINT_LIMIT",
        "500",
        "Planners' map (`/karte`) at street zoom, when more needs match than it draws for the whole city: "
        "at most this many needs are drawn one by one in one view (the newest); a note asks to zoom "
        "in further when the view holds more.",
    ),
    # Place search: street addresses from the operator's own geocoding service (issue 14).
    Setting(
        "BEDARFSATLAS_GEOCODER_URL",
        None,
        "Base URL of a geocoding service for street addresses in the place search (a self-hosted "
        "Nominatim, Photon or Pelias, or the city's own speaking one of their APIs), queried by the server. "
        "Unset: no request leaves the server.",
    ),
    Setting(
        "BEDARFSATLAS_GEOCODER_KIND",
        "nominatim",
        "The geocoding service's API: `nominatim`, `photon` or `pelias`.",
    ),
    Setting(
        "BEDARFSATLAS_GEOCODER_TIMEOUT",
        "3",
        "Seconds the place search waits for the geocoding service before it answers from its own gazetteer.",
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}
_BOOLEANS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


class SettingsError(TranslatedError, ValueError):
    """A setting has a value the app cannot use.

    Its :class:`core.i18n.Message` names the variable, the value and what is accepted;
    ``str()`` is English, the command lines print :meth:`in_language`.
    """


@dataclass(frozen=True)
class Settings:
    """The resolved configuration of one process."""

    data_dir: Path
    opendata_mirror: str | None
    database_url: str
    basemap_url: str | None
    basemap_wms_layers: str | None
    basemap_attribution: str | None
    language: str | None
    """``BEDARFSATLAS_LANGUAGE``; ``None``: the city profile's default (``geodata.profile.profile_settings``
    fills it in for the app)."""
    basemap: str | None = None
    public_url: str | None = None
    imprint_file: Path | None = None
    publish_immediately: bool = False
    min_residents: int = 300
    min_needs: int = 5
    retention_rejected_days: int = 90
    retention_published_days: int = 730
    retention_token_days: int = 30
    staff_session_hours: int = 8
    limit_browser_per_day: int = 30
    limit_overall_per_minute: int = 60
    limit_overall_per_day: int = 2000
    limit_workshop_per_minute: int = 30
    limit_workshop_per_day: int = 500
    map_point_limit: int = 500
    geocoder_url: str | None = None
    geocoder_kind: str = "nominatim"
    geocoder_timeout: float = 3.0
    profile: str = "berlin"

    @property
    def raw_dir(self) -> Path:
        """Where the fetched official files live."""
        return self.data_dir / "opendata"

    @property
    def cache_dir(self) -> Path:
        """Where derived, rebuildable files (display geometry, indicator tables) live."""
        return self.data_dir / "cache"


def _get(env: Mapping[str, str], name: str) -> str | None:
    if name not in _BY_NAME:  # pragma: no cover - guards against typos in this module
        raise KeyError(f"{name} is not declared in SETTINGS")
    value = env.get(name, "").strip()
    return value or _BY_NAME[name].default


def _public_url(value: str | None) -> str | None:
    """The app's public root without a trailing slash, or ``None``; anything else than an http(s) root is refused.

    >>> _public_url("https://beteiligung.berlin.de/bedarfsatlas/")
    'https://beteiligung.berlin.de/bedarfsatlas'
    >>> _public_url("beteiligung.berlin.de")
    Traceback (most recent call last):
    ...
    core.settings.SettingsError: BEDARFSATLAS_PUBLIC_URL must be an http(s) address like https://beteiligung.berlin.de/bedarfsatlas (the app's root as phones reach it), got 'beteiligung.berlin.de'.
    """
    if value is None:
        return None
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port that is no number or out of range
    except ValueError:
        valid = False
    else:  # a root to put page paths under: no query, fragment or credentials
        valid = (parts.scheme in ("https", "http") and bool(parts.hostname) and not parts.query
                 and not parts.fragment and not parts.username and not any(c.isspace() for c in value))
    if not valid:
        raise SettingsError(Message("settings.error.public_url", name="BEDARFSATLAS_PUBLIC_URL",
                                    example="https://beteiligung.berlin.de/bedarfsatlas", value=repr(value)))
    return value.rstrip("/")


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read all settings from ``env`` (default: the process environment).

    Raises
    ------
    SettingsError
        With the variable name and the accepted values, when a value is unusable.
    """
    env = os.environ if env is None else env
    data_dir = Path(_get(env, "BEDARFSATLAS_DATA_DIR")).expanduser()
    language = (_get(env, "BEDARFSATLAS_LANGUAGE") or "").lower() or None
    if language is not None and language not in LANGUAGES:
        raise SettingsError(Message("settings.error.one_of", name="BEDARFSATLAS_LANGUAGE",
                                    choices=", ".join(LANGUAGES), value=repr(language)))
    database_url = _get(env, "DATABASE_URL") or f"sqlite:///{data_dir / 'bedarfsatlas.sqlite'}"
    # Which keys are valid the city profile says (geodata.profile.Profile.basemap, checked by
    # maps.base.Basemap.from_settings as the app starts); core cannot read the profile.
    basemap = _get(env, "BEDARFSATLAS_BASEMAP")
    basemap_url = _get(env, "BEDARFSATLAS_BASEMAP_URL")
    attribution = _get(env, "BEDARFSATLAS_BASEMAP_ATTRIBUTION")
    if basemap_url and not attribution and not basemap:
        raise SettingsError(Message("settings.error.attribution_required", name="BEDARFSATLAS_BASEMAP_ATTRIBUTION",
                                    url_name="BEDARFSATLAS_BASEMAP_URL",
                                    example="'Geoportal der Stadt / dl-de/zero-2.0'"))
    if basemap_url and not basemap_url.startswith(("https://", "http://")):
        raise SettingsError(Message("settings.error.http_address", name="BEDARFSATLAS_BASEMAP_URL",
                                    value=repr(basemap_url)))
    public_url = _public_url(_get(env, "BEDARFSATLAS_PUBLIC_URL"))
    publish = _get(env, "BEDARFSATLAS_PUBLISH_IMMEDIATELY").lower()
    if publish not in _BOOLEANS:
        raise SettingsError(Message("settings.error.boolean", name="BEDARFSATLAS_PUBLISH_IMMEDIATELY",
                                    value=repr(publish)))
    minimums = {}
    for name in ("BEDARFSATLAS_MIN_RESIDENTS", "BEDARFSATLAS_MIN_NEEDS", "BEDARFSATLAS_RETENTION_REJECTED_DAYS",
                 "BEDARFSATLAS_RETENTION_PUBLISHED_DAYS", "BEDARFSATLAS_RETENTION_TOKEN_DAYS",
                 "BEDARFSATLAS_STAFF_SESSION_HOURS"):
        text = _get(env, name)
        if not text.isdigit():
            raise SettingsError(Message("settings.error.whole_number", name=name, minimum=0, value=repr(text)))
        minimums[name] = int(text)
    ceilings = {}
    for name in ("BEDARFSATLAS_LIMIT_BROWSER_PER_DAY", "BEDARFSATLAS_LIMIT_OVERALL_PER_MINUTE",
                 "BEDARFSATLAS_LIMIT_OVERALL_PER_DAY",
                 "BEDARFSATLAS_LIMIT_WORKSHOP_PER_MINUTE", "BEDARFSATLAS_LIMIT_WORKSHOP_PER_DAY",
                 "BEDARFSATLAS_MAP_POINT_LIMIT"):
        text = _get(env, name)
        if not text.isdigit() or int(text) < 1:
            raise SettingsError(Message("settings.error.whole_number", name=name, minimum=1, value=repr(text)))
        ceilings[name.removeprefix("BEDARFSATLAS_").lower()] = int(text)
    geocoder = _geocoder(env)
    return Settings(
        data_dir=data_dir,
        opendata_mirror=_get(env, "BEDARFSATLAS_OPENDATA_MIRROR"),
        database_url=database_url,
        basemap_url=basemap_url,
        basemap_wms_layers=_get(env, "BEDARFSATLAS_BASEMAP_WMS_LAYERS"),
        basemap_attribution=attribution,
        language=language,
        basemap=basemap,
        public_url=public_url,
        imprint_file=Path(imprint).expanduser() if (imprint := _get(env, "BEDARFSATLAS_IMPRINT_FILE")) else None,
        publish_immediately=_BOOLEANS[publish],
        min_residents=minimums["BEDARFSATLAS_MIN_RESIDENTS"],
        min_needs=minimums["BEDARFSATLAS_MIN_NEEDS"],
        retention_rejected_days=minimums["BEDARFSATLAS_RETENTION_REJECTED_DAYS"],
        retention_published_days=minimums["BEDARFSATLAS_RETENTION_PUBLISHED_DAYS"],
        retention_token_days=minimums["BEDARFSATLAS_RETENTION_TOKEN_DAYS"],
        staff_session_hours=minimums["BEDARFSATLAS_STAFF_SESSION_HOURS"],
        **ceilings,
        **geocoder,
        profile=profile_setting(env),
    )


def profile_setting(env: Mapping[str, str] | None = None) -> str:
    """``BEDARFSATLAS_PROFILE``: a profile folder or the name of a bundled profile (``geodata.profile``).

    Read on its own too, because the data layer needs the city before anything else is configured.

    >>> profile_setting({}), profile_setting({"BEDARFSATLAS_PROFILE": " /srv/musterstadt "})
    ('berlin', '/srv/musterstadt')
    """
    return _get(os.environ if env is None else env, "BEDARFSATLAS_PROFILE")


#: The variables gettext programs read to choose the language of their messages, in that order.
LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


def locale_variables(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The user's locale variables (:data:`LOCALE_VARIABLES`), for the command lines' language.

    Not settings of the app but of the shell that runs a command; read here because this is the
    one module that reads the environment (:func:`core.i18n.command_line_language` decides).

    >>> locale_variables({"LANG": "de_DE.UTF-8", "HOME": "/root"})
    {'LANG': 'de_DE.UTF-8'}
    """
    env = os.environ if env is None else env
    return {name: env[name] for name in LOCALE_VARIABLES if name in env}


#: The geocoding APIs the place search speaks (through geopy): any service that speaks one of them works.
GEOCODER_KINDS = ("nominatim", "photon", "pelias")


def _geocoder(env: Mapping[str, str]) -> dict:
    """The place search's geocoder settings, checked."""
    url = _get(env, "BEDARFSATLAS_GEOCODER_URL")
    if url and not url.startswith(("https://", "http://")):
        raise SettingsError(Message("settings.error.http_address", name="BEDARFSATLAS_GEOCODER_URL", value=repr(url)))
    kind = _get(env, "BEDARFSATLAS_GEOCODER_KIND").lower()
    if kind not in GEOCODER_KINDS:
        raise SettingsError(Message("settings.error.one_of", name="BEDARFSATLAS_GEOCODER_KIND",
                                    choices=", ".join(GEOCODER_KINDS), value=repr(kind)))
    text = _get(env, "BEDARFSATLAS_GEOCODER_TIMEOUT")
    try:
        timeout = float(text)
    except ValueError:
        timeout = math.nan
    if not (math.isfinite(timeout) and 0 < timeout <= 60):
        raise SettingsError(Message("settings.error.seconds", name="BEDARFSATLAS_GEOCODER_TIMEOUT", most=60,
                                    value=repr(text)))
    return {"geocoder_url": url, "geocoder_kind": kind, "geocoder_timeout": timeout}
