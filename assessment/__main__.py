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

Messages are in German or English as the environment says (``LANG=de_DE.UTF-8``; see
:func:`core.i18n.command_line_language`), English when it names neither; what is written to
files (exports, reports) does not depend on it.
"""

from __future__ import annotations

import argparse
import sys

from assessment.needs.exchange import FORMATS, ImportRefusedError, export_needs, import_needs
from assessment.analysis.presets import PRESETS
from assessment.analysis.priority import NORMALISATIONS
from assessment.needs.procedures import ProcedureBook, ProcedureNotFoundError
from assessment.needs.store import StoreError, open_store
from core.command_line import ArgumentParser
from core.i18n import SCOPES, command_line_language, in_language, t
from core.settings import SettingsError, load_settings, locale_variables
from geodata.fetch import DataError
from geodata.lor import LEVEL_ORDER, UnknownLevelError, get_level

REPORT_LANGUAGES = SCOPES["public"]
"""The languages of ``report --lang`` (:data:`assessment.analysis.report.REPORT_LANGUAGES`)."""


def build_parser(lang: str = "en") -> argparse.ArgumentParser:
    """The options of every command, their help in ``lang``."""
    def say(key: str) -> str:
        return t(f"cli.assessment.help.{key}", lang)

    parser = ArgumentParser(prog="python -m assessment", description=t("cli.assessment.description", lang), lang=lang)
    commands = parser.add_subparsers(dest="command", required=True)
    export = commands.add_parser("export", help=say("export"))
    export.add_argument("--format", required=True, choices=FORMATS)
    export.add_argument("--out", required=True, help=say("out"))
    export.add_argument("--status", choices=("published", "all"), default="published", help=say("status"))
    export.add_argument("--procedure", metavar="ID", help=say("procedure_export"))
    procedures = commands.add_parser("procedures", help=say("procedures"))
    procedures.add_argument("action", choices=("list",), help=say("procedures_action"))
    importing = commands.add_parser("import", help=say("import"))
    importing.add_argument("file")
    importing.add_argument("--skip-invalid", action="store_true", help=say("skip_invalid"))
    importing.add_argument("--procedure", metavar="ID", help=say("procedure_import"))
    backup = commands.add_parser("backup", help=say("backup"))
    backup.add_argument("file")
    retention = commands.add_parser("retention", help=say("retention"))
    retention.add_argument("--dry-run", action="store_true", help=say("dry_run"))
    commands.add_parser("hash-password", help=say("hash_password"))
    report = commands.add_parser("report", help=say("report"))
    report.add_argument("--level", required=True, type=lambda code: _level(code, lang),
                        metavar="{" + ",".join(LEVEL_ORDER) + "}", help=say("level"))
    report.add_argument("--preset", required=True, choices=tuple(PRESETS))
    report.add_argument("--method", choices=NORMALISATIONS, default="rank", help=say("method"))
    # The report's texts are public messages: every language but Leichte Sprache has them.
    report.add_argument("--lang", choices=REPORT_LANGUAGES, default="de", help=say("lang"))
    report.add_argument("--format", choices=("html", "pdf"), default="html")
    report.add_argument("--out", required=True, help=say("out"))
    report.add_argument("--procedure", metavar="ID", help=say("procedure_report"))
    return parser


def _level(code: str, lang: str):
    """The ``--level`` argument as a :class:`geodata.lor.Level`: resolved once, where the request enters."""
    try:
        return get_level(code)
    except UnknownLevelError as error:
        raise argparse.ArgumentTypeError(error.in_language(lang)) from None


def main(argv: list[str] | None = None, store=None) -> int:
    """Run one command; ``store`` overrides the database named by the settings (for tests).

    Messages go out in the language of the environment (:func:`core.i18n.command_line_language`).
    """
    lang = command_line_language(locale_variables())
    args = build_parser(lang).parse_args(argv)
    # Errors a user can fix (a setting, missing open data, what the database cannot do) are printed
    # in the run's language with the fix, without a traceback; anything else is a bug and shows one.
    try:
        return _run(args, store, lang)
    except tuple(_PROBLEMS) as error:
        key = _PROBLEMS[next(kind for kind in _PROBLEMS if isinstance(error, kind))]
        print(t(key, lang, problem=in_language(error, lang)), file=sys.stderr)
        return 1


#: The errors a user can fix, and the message that introduces each.
_PROBLEMS = {SettingsError: "cli.assessment.settings_error", DataError: "cli.assessment.data_error",
             StoreError: "cli.assessment.store_error"}


def _run(args, store, lang: str) -> int:
    if args.command == "hash-password":
        return _hash_password(lang)
    if store is None:
        store = open_store(load_settings())
    if args.command == "procedures":
        return _list_procedures(store, lang)
    procedure = None
    if getattr(args, "procedure", None) is not None:
        try:
            procedure = ProcedureBook(store).get(args.procedure)
        except ProcedureNotFoundError as error:
            print(t("cli.assessment.unknown_procedure", lang, id=error.args[0]), file=sys.stderr)
            return 1
    if args.command == "export":
        statuses = None if args.status == "all" else ("published",)
        count = export_needs(store, args.out, args.format, statuses=statuses, procedure=procedure)
        done = {"count": count, "file": args.out, "format": args.format, "status": args.status}
        if procedure is None:
            print(t("cli.assessment.exported", lang, **done))
        else:
            print(t("cli.assessment.exported_procedure", lang, **done, procedure=procedure.id))
        return 0
    if args.command == "import":
        try:
            report = import_needs(store, args.file, skip_invalid=args.skip_invalid, procedure=procedure)
        except ImportRefusedError as refused:
            print(t("cli.assessment.import_refused", lang, count=len(refused.errors)), file=sys.stderr)
            for error in refused.errors:
                print(_row_problem("cli.assessment.row_problem", error, lang), file=sys.stderr)
            return 1
        for error in report.errors:
            print(_row_problem("cli.assessment.row_skipped", error, lang), file=sys.stderr)
        print(t("cli.assessment.imported", lang, count=len(report.imported), file=args.file,
                skipped=len(report.errors)))
        return 0
    if args.command == "report":
        return _report(args, store, lang)
    if args.command == "retention":
        return _retention(args, store, lang)
    try:
        path = store.backup(args.file)
    except StoreError as error:
        print(in_language(error, lang), file=sys.stderr)
        return 1
    print(t("cli.assessment.backup_written", lang, file=path))
    return 0


def _row_problem(key: str, error, lang: str) -> str:
    """One refused row of an import (:class:`assessment.needs.exchange.RowError`) in ``lang``.

    Row 0 is the file as a whole (a type that cannot be read, a closed procedure).
    """
    if error.row == 0:
        return t("cli.assessment.file_problem", lang, problem=error.text(lang))
    return t(key, lang, row=error.row, field=error.field, problem=error.text(lang))


def _retention(args, store, lang: str) -> int:
    from assessment.participation.retention import RetentionPolicy, run_retention

    result = run_retention(store, RetentionPolicy.from_settings(load_settings()), dry_run=args.dry_run)
    summary = t("cli.assessment.retention.summary", lang,
                rejected=len(result.deleted_rejected), published=len(result.deleted_published),
                need_tokens=result.anonymised_need_tokens, support_tokens=result.anonymised_support_tokens,
                report_keys=result.anonymised_report_keys, voter_keys=result.anonymised_voter_keys,
                limiter_events=result.deleted_limiter_events, staff_sessions=result.deleted_staff_sessions)
    print(t("cli.assessment.retention.due", lang, summary=summary) if args.dry_run else summary)
    for key, ids in (("cli.assessment.retention.deleted_rejected", result.deleted_rejected),
                     ("cli.assessment.retention.deleted_published", result.deleted_published)):
        for need_id in ids:
            print(t(key, lang, id=need_id))
    return 0


def _list_procedures(store, lang: str) -> int:
    book = ProcedureBook(store)
    counts = book.need_counts()
    rows = [tuple(t(f"cli.assessment.procedures.col.{column}", lang)
                  for column in ("id", "title", "status", "period", "needs"))]
    rows += [(p.id, p.title_in(lang), p.status(), p.period_text(), str(counts.get(p.id, 0))) for p in book.list()]
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row[:4], widths)) + "  " + row[4].rjust(widths[4]))
    return 0


def _hash_password(lang: str) -> int:
    import getpass

    from assessment.participation.auth import hash_password

    password = getpass.getpass(t("cli.assessment.password", lang))
    if getpass.getpass(t("cli.assessment.password_again", lang)) != password:
        print(t("cli.assessment.password_differ", lang), file=sys.stderr)
        return 1
    try:
        print(hash_password(password))
    except ValueError as error:
        print(in_language(error, lang), file=sys.stderr)
        return 1
    return 0


def _report(args, store, lang: str) -> int:
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
    print(t("cli.assessment.report_written", lang, file=out, format=args.format, level=args.level.code,
            preset=args.preset, ranked=ranked, fingerprint=result.fingerprint()[:12]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
