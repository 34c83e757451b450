"""Command line of the data layer: ``python -m geodata {fetch,check,locate,find,example-profile}``.

Messages are in German or English as the environment says (``LANG=de_DE.UTF-8``; see
:func:`core.i18n.command_line_language`), English when it names neither; the JSON of
``locate`` and ``find`` does not depend on it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from core.command_line import ArgumentParser
from core.i18n import command_line_language, in_language, t
from core.settings import SettingsError, load_settings, locale_variables
from geodata.profile import ProfileError, active_profile

LANG = command_line_language(locale_variables())
"""The language of this run's messages."""

try:  # the catalogue reads the city profile when it is imported
    from geodata.fetch import DataError, check, describe, fetch
except ProfileError as _problem:
    print(t("cli.geodata.profile_error", LANG, problem=_problem), file=sys.stderr)
    sys.exit(2)


def _error(problem: BaseException) -> None:
    print(t("cli.geodata.error", LANG, problem=describe(problem, LANG)), file=sys.stderr)


def _cmd_fetch(args: argparse.Namespace) -> int:
    settings = load_settings()
    try:
        fetch(settings, mirror=args.mirror, force=args.force, lang=LANG)
    except DataError as exc:
        print(file=sys.stderr)
        _error(exc)
        return 1
    print(t("cli.geodata.fetched", LANG, folder=settings.raw_dir))
    if not active_profile().place_search:
        print(t("cli.geodata.place_search_off", LANG))
        return 0
    return _build_gazetteer(settings)


def _build_gazetteer(settings) -> int:
    """The place search's gazetteer, built now (not at the first search) from the verified data."""
    from geodata.places import ensure_gazetteer, place_index
    from geodata.places import StationsMissing

    try:
        path = ensure_gazetteer(settings)
    except (DataError, StationsMissing) as exc:
        print(t("cli.geodata.place_search_failed", LANG, problem=describe(exc, LANG)), file=sys.stderr)
        return 1
    print(t("cli.geodata.place_search_built", LANG, count=len(place_index(settings)), file=path))
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    settings = load_settings()
    if args.profile:
        return _check_profile(args.profile, Path(args.data) if args.data else settings.raw_dir)
    statuses = check(settings)
    header = tuple(t(f"cli.geodata.check.col.{column}", LANG)
                   for column in ("dataset", "status", "reference_date", "licence", "file"))
    rows = [header] + [(s.dataset.key, t("cli.geodata.check.ok" if s.ok else "cli.geodata.check.failed", LANG),
                        s.dataset.reference_date, s.dataset.licence, s.dataset.filename) for s in statuses]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[4])
    failed = [s for s in statuses if not s.ok]
    for s in failed:
        print(f"\n{s.message(LANG)}", file=sys.stderr)
    return 1 if failed else 0


def _check_profile(folder: str, data_dir: Path) -> int:
    """Validate a city profile and its files; print every problem with its fix."""
    from geodata.profile_check import check_profile

    problems = check_profile(folder, data_dir)
    for problem in problems:
        print(f"- {problem.in_language(LANG)}", file=sys.stderr)
    if problems:
        print("\n" + t("cli.geodata.profile_problems", LANG, folder=folder, count=len(problems)), file=sys.stderr)
        return 1
    print(t("cli.geodata.profile_valid", LANG, folder=folder))
    return 0


def _cmd_locate(args: argparse.Namespace) -> int:
    from geodata.lookup import locate_point

    settings = load_settings()
    try:
        result = locate_point(settings, args.lat, args.lon)
    except DataError as exc:
        _error(exc)
        return 2
    if result is None:
        (south, west), (north, east) = active_profile().bounds
        lat, lon = (south + north) / 2, (west + east) / 2
        # The example is typed back on the command line, so it keeps the decimal point in every language.
        print(t("cli.geodata.outside", LANG, lat=args.lat, lon=args.lon, city=active_profile().name,
                example=f"{lat:.4f} {lon:.4f}"), file=sys.stderr)
        return 1
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


def _cmd_find(args: argparse.Namespace) -> int:
    from geodata.places import search
    from geodata.places import StationsMissing

    settings = load_settings()
    try:
        answer = search(settings, args.text, limit=args.limit)
    except (DataError, StationsMissing) as exc:
        _error(exc)
        return 2
    if answer.addresses_unavailable:
        print(t("cli.geodata.addresses_unavailable", LANG, reason=answer.addresses_unavailable), file=sys.stderr)
    if not answer.places:
        print(t("cli.geodata.nothing_found", LANG, text=args.text), file=sys.stderr)
        return 1
    print(json.dumps([p.as_json() for p in answer.places], ensure_ascii=False, indent=2))
    return 0


def _cmd_example_profile(args: argparse.Namespace) -> int:
    from geodata.example_profile import write_example_profile

    folder = write_example_profile(args.folder)
    print(t("cli.geodata.example_written", LANG, folder=folder))
    return 0


def main(argv: list[str] | None = None) -> int:
    def say(key: str) -> str:
        return t(f"cli.geodata.help.{key}", LANG)

    parser = ArgumentParser(prog="python -m geodata", description=t("cli.geodata.description", LANG), lang=LANG)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("fetch", help=say("fetch"))
    p.add_argument("--mirror", help=say("mirror"))
    p.add_argument("--force", action="store_true", help=say("force"))
    p.set_defaults(func=_cmd_fetch)
    p = sub.add_parser("check", help=say("check"))
    p.add_argument("--profile", metavar="DIR", help=say("profile"))
    p.add_argument("--data", metavar="DIR", help=say("data"))
    p.set_defaults(func=_cmd_check)
    p = sub.add_parser("locate", help=say("locate"))
    p.add_argument("lat", type=float)
    p.add_argument("lon", type=float)
    p.set_defaults(func=_cmd_locate)
    p = sub.add_parser("find", help=say("find"))
    p.add_argument("text", help=say("text"))
    p.add_argument("--limit", type=int, default=8, help=say("limit"))
    p.set_defaults(func=_cmd_find)
    p = sub.add_parser("example-profile", help=say("example_profile"))
    p.add_argument("folder", metavar="DIR")
    p.set_defaults(func=_cmd_example_profile)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except SettingsError as exc:
        print(t("cli.geodata.settings_error", LANG, problem=in_language(exc, LANG)), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
