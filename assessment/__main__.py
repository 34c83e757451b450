"""Command line for the needs database named by ``DATABASE_URL`` (default: the SQLite file).

``python -m assessment export --format {csv,geojson,gpkg} --out FILE [--status published|all] [--procedure ID]``
    Write needs with LOR keys, a data dictionary and the attribution line; with
    ``--procedure`` only that participation procedure's needs, with one column per
    question of the procedure holding the answers.
``python -m assessment procedures list``
    The participation procedures: id, title, status, period and number of needs.
``python -m assessment import FILE [--skip-invalid] [--procedure ID]``
    Read GeoJSON points, a GeoPackage or CSV with ``lat``/``lon`` (workshop paper
    forms come in this way). Every row is validated like a submission from the
    residents' page; a file with any bad row imports nothing and exits with 1,
    unless ``--skip-invalid`` is given.
``python -m assessment report --level BZR --preset balanced --out report.html [--format pdf] [--procedure ID]``
    The report "Integrierte räumliche Bestandsaufnahme und Bedarfsanalyse"
    (:mod:`assessment.analysis.report`) from the open data, the published needs and
    the goals of the level, as self-contained HTML or as PDF; with ``--procedure``
    only that procedure's needs and goals, and a summary of the answers to its questions.
``python -m assessment retention [--dry-run]``
    Delete or anonymise what the ``BEDARFSATLAS_RETENTION_*`` periods say is due
    (:mod:`assessment.participation.retention`) and print what was done.
``python -m assessment hash-password``
    Ask for a staff password twice and print its argon2id hash for the secrets
    file (:mod:`assessment.participation.auth`).
``python -m assessment backup FILE``
    A consistent copy of the SQLite database while the app keeps writing. For
    PostgreSQL use ``pg_dump`` (the command says how).

Exit codes: 0 done, 1 refused (bad rows, backup impossible, unknown procedure), 2 wrong arguments.
"""

from __future__ import annotations

import argparse
import sys

from assessment.needs.exchange import FORMATS, ImportRefusedError, export_needs, import_needs
from assessment.analysis.presets import PRESETS
from assessment.analysis.priority import NORMALISATIONS
from assessment.needs.procedures import ProcedureBook, ProcedureNotFoundError
from assessment.needs.store import StoreError, open_store
from core.i18n import SCOPES
from core.settings import load_settings
from geodata.lor import LEVEL_ORDER, UnknownLevelError, get_level

REPORT_LANGUAGES = SCOPES["public"]
"""The languages of ``report --lang`` (:data:`assessment.analysis.report.REPORT_LANGUAGES`)."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m assessment", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    export = commands.add_parser("export", help="write needs to CSV, GeoJSON or GeoPackage")
    export.add_argument("--format", required=True, choices=FORMATS)
    export.add_argument("--out", required=True, help="file to write")
    export.add_argument("--status", choices=("published", "all"), default="published",
                        help="published (default) or all statuses")
    export.add_argument("--procedure", metavar="ID", help="only this participation procedure's needs, with its answers")
    procedures = commands.add_parser("procedures", help="participation procedures")
    procedures.add_argument("action", choices=("list",), help="list: id, title, status, period, need count")
    importing = commands.add_parser("import", help="read needs from GeoJSON, GeoPackage or CSV")
    importing.add_argument("file")
    importing.add_argument("--skip-invalid", action="store_true",
                           help="import the good rows and report the bad ones")
    importing.add_argument("--procedure", metavar="ID",
                           help="import into this participation procedure (its area, categories and answer columns)")
    backup = commands.add_parser("backup", help="consistent copy of the SQLite database")
    backup.add_argument("file")
    retention = commands.add_parser("retention", help="delete or anonymise what the retention periods say")
    retention.add_argument("--dry-run", action="store_true", help="only count what is due")
    commands.add_parser("hash-password", help="print an argon2 hash of a staff password for the secrets")
    report = commands.add_parser("report", help="the assessment report as HTML or PDF")
    report.add_argument("--level", required=True, type=_level, metavar="{" + ",".join(LEVEL_ORDER) + "}",
                        help="the level of the areas (resolved here, once, and passed on as a Level)")
    report.add_argument("--preset", required=True, choices=tuple(PRESETS))
    report.add_argument("--method", choices=NORMALISATIONS, default="rank", help="normalisation (default rank)")
    # The report's texts are public messages: every language but Leichte Sprache has them.
    report.add_argument("--lang", choices=REPORT_LANGUAGES, default="de")
    report.add_argument("--format", choices=("html", "pdf"), default="html")
    report.add_argument("--out", required=True, help="file to write")
    report.add_argument("--procedure", metavar="ID", help="only this participation procedure's needs and goals")
    return parser


def _level(code: str):
    """The ``--level`` argument as a :class:`geodata.lor.Level`: resolved once, where the request enters."""
    try:
        return get_level(code)
    except UnknownLevelError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def main(argv: list[str] | None = None, store=None) -> int:
    """Run one command; ``store`` overrides the database named by the settings (for tests)."""
    args = build_parser().parse_args(argv)
    if args.command == "hash-password":
        return _hash_password()
    if store is None:
        store = open_store(load_settings())
    if args.command == "procedures":
        return _list_procedures(store)
    procedure = None
    if getattr(args, "procedure", None) is not None:
        try:
            procedure = ProcedureBook(store).get(args.procedure)
        except ProcedureNotFoundError as error:
            print(error, file=sys.stderr)
            return 1
    if args.command == "export":
        statuses = None if args.status == "all" else ("published",)
        count = export_needs(store, args.out, args.format, statuses=statuses, procedure=procedure)
        within = f", procedure {procedure.id}" if procedure is not None else ""
        print(f"{count} needs written to {args.out} ({args.format}, status {args.status}{within})")
        return 0
    if args.command == "import":
        try:
            report = import_needs(store, args.file, skip_invalid=args.skip_invalid, procedure=procedure)
        except ImportRefusedError as refused:
            print(refused, file=sys.stderr)
            return 1
        for error in report.errors:
            print(f"skipped {error}", file=sys.stderr)
        print(f"{len(report.imported)} needs imported from {args.file}, {len(report.errors)} problem(s) skipped")
        return 0
    if args.command == "report":
        return _report(args, store)
    if args.command == "retention":
        from assessment.participation.retention import RetentionPolicy, run_retention

        result = run_retention(store, RetentionPolicy.from_settings(load_settings()), dry_run=args.dry_run)
        print(("due (dry run): " if args.dry_run else "") + result.summary())
        for label, ids in (("deleted rejected/merged", result.deleted_rejected),
                           ("deleted published", result.deleted_published)):
            for need_id in ids:
                print(f"{label} {need_id}")
        return 0
    try:
        path = store.backup(args.file)
    except StoreError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"backup written to {path}")
    return 0


def _list_procedures(store) -> int:
    book = ProcedureBook(store)
    counts = book.need_counts()
    rows = [("id", "title", "status", "period", "needs")]
    rows += [(p.id, p.title_in("de"), p.status(), p.period_text(), str(counts.get(p.id, 0))) for p in book.list()]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[4].rjust(5))
    return 0


def _hash_password() -> int:
    import getpass

    from assessment.participation.auth import hash_password

    password = getpass.getpass("Password (at least 12 characters): ")
    if getpass.getpass("Again: ") != password:
        print("the two passwords differ; nothing printed", file=sys.stderr)
        return 1
    try:
        print(hash_password(password))
    except ValueError as error:
        print(error, file=sys.stderr)
        return 1
    return 0


def _report(args, store) -> int:
    from pathlib import Path

    from assessment.analysis.report import report_from_settings, report_pdf

    result, html = report_from_settings(load_settings(), level=args.level, spec=args.preset,
                                        method=args.method, lang=args.lang, store=store,
                                        procedure_id=args.procedure)
    out = Path(args.out)
    if args.format == "pdf":
        out.write_bytes(report_pdf(html))
    else:
        out.write_text(html, encoding="utf-8")
    ranked = int((result.index.scores["status"] == "ranked").sum())
    print(f"report written to {out} ({args.format}, {args.level.code}, preset {args.preset}, {ranked} areas ranked, "
          f"inputs {result.fingerprint()[:12]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
