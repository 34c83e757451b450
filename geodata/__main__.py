"""Command line of the data layer: ``python -m geodata {fetch,check,locate,find,example-profile}``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from core.settings import SettingsError, load_settings
from geodata.profile import ProfileError, active_profile

try:  # the catalogue reads the city profile when it is imported
    from geodata.fetch import DataError, check, fetch
except ProfileError as _problem:
    print(f"Fehler im Stadtprofil / city profile error: {_problem}", file=sys.stderr)
    sys.exit(2)


def _cmd_fetch(args: argparse.Namespace) -> int:
    settings = load_settings()
    try:
        fetch(settings, mirror=args.mirror, force=args.force)
    except DataError as exc:
        print(f"\nFehler / Error: {exc}", file=sys.stderr)
        return 1
    print(f"All datasets present and verified in {settings.raw_dir}.")
    if not active_profile().place_search:
        print("Place search: not built (the city profile does not set app.place_search).")
        return 0
    return _build_gazetteer(settings)


def _build_gazetteer(settings) -> int:
    """The place search's gazetteer, built now (not at the first search) from the verified data."""
    from geodata.places import ensure_gazetteer, place_index
    from geodata.places import StationsMissing

    try:
        path = ensure_gazetteer(settings)
    except (DataError, StationsMissing) as exc:
        print(f"Fehler / Error: the place search cannot be built: {exc}", file=sys.stderr)
        return 1
    print(f"Place search: {len(place_index(settings))} places in {path}.")
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    settings = load_settings()
    if args.profile:
        return _check_profile(args.profile, Path(args.data) if args.data else settings.raw_dir)
    statuses = check(settings)
    width = max(len(s.dataset.key) for s in statuses)
    lic = max(len(s.dataset.licence) for s in statuses)
    print(f"{'dataset'.ljust(width)}  status  reference date  {'licence'.ljust(lic)}  file")
    for s in statuses:
        state = "ok" if s.ok else "FAILED"
        print(
            f"{s.dataset.key.ljust(width)}  {state.ljust(6)}  {s.dataset.reference_date.ljust(14)}  "
            f"{s.dataset.licence.ljust(lic)}  {s.dataset.filename}"
        )
    failed = [s for s in statuses if not s.ok]
    for s in failed:
        print(f"\n{s.message()}", file=sys.stderr)
    return 1 if failed else 0


def _check_profile(folder: str, data_dir: Path) -> int:
    """Validate a city profile and its files; print every problem with its fix."""
    from geodata.profile_check import check_profile

    problems = check_profile(folder, data_dir)
    for problem in problems:
        print(f"- {problem}", file=sys.stderr)
    if problems:
        print(f"\nThe city profile {folder} has {len(problems)} problem(s); fix them and run the check again.",
              file=sys.stderr)
        return 1
    print(f"The city profile {folder} is valid: every file present, checksums, columns and nesting as declared.")
    return 0


def _cmd_locate(args: argparse.Namespace) -> int:
    from geodata.lookup import locate_point

    settings = load_settings()
    try:
        result = locate_point(settings, args.lat, args.lon)
    except DataError as exc:
        print(f"Fehler / Error: {exc}", file=sys.stderr)
        return 2
    if result is None:
        (south, west), (north, east) = active_profile().bounds
        city, lat, lon = active_profile().name, (south + north) / 2, (west + east) / 2
        print(
            f"({args.lat}, {args.lon}) liegt nicht in {city} / is outside {city}. "
            f"Give WGS84 latitude then longitude, e.g. {lat:.4f} {lon:.4f}.",
            file=sys.stderr,
        )
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
        print(f"Fehler / Error: {exc}", file=sys.stderr)
        return 2
    if answer.addresses_unavailable:
        print(f"Adresssuche nicht verfügbar / address search unavailable: {answer.addresses_unavailable}",
              file=sys.stderr)
    if not answer.places:
        print(
            f"Kein Ort gefunden für / no place found for {args.text!r}. Try a station, a street with a "
            "station or stop (e.g. 'Hermannstr.'), a Kita or school, or an area name.",
            file=sys.stderr,
        )
        return 1
    print(json.dumps([p.as_json() for p in answer.places], ensure_ascii=False, indent=2))
    return 0


def _cmd_example_profile(args: argparse.Namespace) -> int:
    from geodata.example_profile import write_example_profile

    folder = write_example_profile(args.folder)
    print(f"Musterstadt written to {folder} (profile.toml and data/). Next:\n"
          f"  BEDARFSATLAS_PROFILE={folder} BEDARFSATLAS_DATA_DIR=<a data folder for it> python -m geodata fetch\n"
          f"  python -m geodata check --profile {folder}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m geodata", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("fetch", help="obtain and verify the open data")
    p.add_argument("--mirror", help="folder or http(s) base URL holding the prepared files")
    p.add_argument("--force", action="store_true", help="replace files that are already valid")
    p.set_defaults(func=_cmd_fetch)
    p = sub.add_parser("check", help="re-validate the open data and print a table; with --profile validate a city profile")
    p.add_argument("--profile", metavar="DIR", help="validate the city profile in DIR and its files, naming every problem")
    p.add_argument("--data", metavar="DIR",
                   help="with --profile: the folder with the fetched files (default: the data folder's opendata/)")
    p.set_defaults(func=_cmd_check)
    p = sub.add_parser("locate", help="WGS84 LAT LON -> LOR areas as JSON")
    p.add_argument("lat", type=float)
    p.add_argument("lon", type=float)
    p.set_defaults(func=_cmd_locate)
    p = sub.add_parser("find", help="place name -> best matching places in the city as JSON")
    p.add_argument("text", help="a station, stop, facility or area name, e.g. 'Kottbusser Tor'")
    p.add_argument("--limit", type=int, default=8, help="at most this many places (default 8)")
    p.set_defaults(func=_cmd_find)
    p = sub.add_parser("example-profile", help="write Musterstadt, a synthetic example city profile, into DIR")
    p.add_argument("folder", metavar="DIR")
    p.set_defaults(func=_cmd_example_profile)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except SettingsError as exc:
        print(f"Fehler in der Konfiguration / configuration error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
