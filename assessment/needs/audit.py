"""The audit log: who changed which need, when, what changed and why.

Every status change and every edit of a need writes one row here, in the
**same database transaction** as the change itself (:func:`record` takes the
open connection). If the change fails, the transaction rolls back and no
audit row remains; if the audit row cannot be written, the change does not
happen either. Admins read the log (:func:`entries`) and export it as CSV
(:func:`export_csv`).

A row holds ``at`` (UTC), ``actor`` (the staff account, or ``system:reports``
/ ``system:retention`` for automatic actions), ``action`` (``approve``,
``reject``, ``edit``, ``merge``, ``hide``, ``retention_delete`` ...), the
``need_id``, ``status_before``/``status_after``, ``reason`` (from the fixed
lists in :mod:`assessment.participation.moderation`) and ``details``, JSON text with what
changed (for an edit: the original and the new text - the only place the
original text of an edited need is kept; the retention job clears it when the
need is deleted).

Examples
--------
>>> from assessment.needs.store import open_store
>>> store = open_store(database_url="sqlite://")
>>> with store.engine.begin() as conn:
...     record(conn, actor="mod-anna", action="approve", need_id="n1",
...            status_before="pending", status_after="published")
>>> entries(store)[["actor", "action", "status_after"]].to_dict("records")
[{'actor': 'mod-anna', 'action': 'approve', 'status_after': 'published'}]
"""

from __future__ import annotations

import json
from datetime import datetime

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from assessment.needs.model import utc_now
from assessment.needs.store import UTCDateTime

metadata = sa.MetaData()
audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
    sa.Column("at", UTCDateTime(), nullable=False),
    sa.Column("actor", sa.String(128), nullable=False),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("need_id", sa.String(36)),
    sa.Column("status_before", sa.String(16)),
    sa.Column("status_after", sa.String(16)),
    sa.Column("reason", sa.String(64)),
    sa.Column("details", sa.Text()),
)
COLUMNS = ("id", "at", "actor", "action", "need_id", "status_before", "status_after", "reason", "details")


def record(
    conn: Connection,
    *,
    actor: str,
    action: str,
    need_id: str | None = None,
    status_before: str | None = None,
    status_after: str | None = None,
    reason: str | None = None,
    details: dict | None = None,
    at: datetime | None = None,
) -> None:
    """Write one audit row on ``conn``, inside the caller's open transaction.

    Parameters
    ----------
    conn : Connection
        The connection of the transaction that makes the change: the row
        commits or rolls back with it.
    actor : str
        Who: the signed-in account name or ``system:<job>``. Must not be empty.
    action : str
        What was done, e.g. ``approve``.
    details : dict, optional
        Stored as JSON text (keys sorted).

    Raises
    ------
    ValueError
        For an empty ``actor`` or ``action``: an anonymous decision is a bug.
    """
    if not isinstance(actor, str) or not actor.strip():
        raise ValueError(f"an audit row needs the actor (account name), got {actor!r}")
    if not isinstance(action, str) or not action.strip():
        raise ValueError(f"an audit row needs the action, got {action!r}")
    conn.execute(
        audit_log.insert().values(
            at=at or utc_now(),
            actor=actor.strip(),
            action=action,
            need_id=need_id,
            status_before=status_before,
            status_after=status_after,
            reason=reason,
            details=None if details is None else json.dumps(details, ensure_ascii=False, sort_keys=True),
        )
    )


def entries(store, *, need_id: str | None = None, actor: str | None = None, action: str | None = None,
            limit: int | None = None) -> pd.DataFrame:
    """Audit rows, newest first, as a DataFrame with the columns :data:`COLUMNS`.

    Parameters
    ----------
    store : NeedStore
    need_id, actor, action : str, optional
        Only rows of this need / by this actor / with this action.
    limit : int, optional
        At most this many rows.
    """
    statement = sa.select(*(audit_log.c[name] for name in COLUMNS)).order_by(audit_log.c.id.desc())
    for column, value in (("need_id", need_id), ("actor", actor), ("action", action)):
        if value is not None:
            statement = statement.where(audit_log.c[column] == value)
    if limit is not None:
        statement = statement.limit(limit)
    with store.engine.connect() as conn:
        rows = conn.execute(statement).all()
    # object dtype keeps None as None (pandas would turn missing strings into NaN).
    return pd.DataFrame([tuple(r) for r in rows], columns=list(COLUMNS), dtype=object)


def export_csv(store) -> bytes:
    """The whole audit log as UTF-8 CSV (oldest first), for admins to archive or hand over."""
    frame = entries(store).iloc[::-1]
    frame["at"] = frame["at"].map(lambda value: value.isoformat() if value is not None else "")
    return frame.to_csv(index=False).encode("utf-8")
