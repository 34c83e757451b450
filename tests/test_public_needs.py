"""Every surface residents can reach shows published needs only: never pending, rejected, hidden or merged.

One database holds a need of every status; each public surface is asked as a
resident would ask it (no role, the page's own call). Surfaces: the export
command, the residents' page's "needs nearby", the planners' map's counts,
points and table export (:mod:`assessment.analysis.inventory`), the workshop's live
view, and the assessment's needs counts.
"""

from __future__ import annotations

import csv
from datetime import date

import pytest

from assessment.analysis import inventory
from assessment.participation import residents as participation
from assessment.__main__ import main
from assessment.participation.auth import RESIDENT
from assessment.participation.moderation import Moderation
from assessment.participation.workshops import WorkshopBook
from moderation_fixtures import *  # noqa: F401,F403 - fixtures
from moderation_fixtures import need_input
from needs_fixtures import BRANDENBURG_GATE


@pytest.fixture
def every_status(store):
    """One need per status (all at the Brandenburg Gate, in one workshop): {status: need}."""
    book = WorkshopBook(store)
    workshop = book.create("Kiezwerkstatt", date(2026, 12, 3), focus_level="BEZ", focus_id="01")
    moderation = Moderation(store)
    made = {status: store.submit(need_input(title=f"Bedarf {status}", workshop_id=workshop.code,
                                            channel="workshop"))
            for status in ("pending", "published", "rejected", "merged")}
    # Published without a moderator's approval (a workshop that publishes at once), so reports hide it.
    made["hidden"] = store.submit(need_input(title="Bedarf hidden", workshop_id=workshop.code,
                                             channel="workshop"), status="published")
    moderation.approve(made["published"].id, actor="mod-anna")
    moderation.reject(made["rejected"].id, actor="mod-anna", reason="off_topic")
    for key in "abc":
        moderation.report(made["hidden"].id, f"session:{key * 64}", "spam")
    moderation.merge(made["merged"].id, into=made["published"].id, actor="mod-anna")
    assert {s: store.get(n.id).status for s, n in made.items()} == {s: s for s in made}
    return {"book": book, "workshop": workshop.code, **made}


def test_export_command_by_default(store, every_status, tmp_path):
    out = tmp_path / "needs.csv"
    assert main(["export", "--format", "csv", "--out", str(out)], store=store) == 0
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(line for line in handle if not line.startswith("#")))
    assert [row["title"] for row in rows] == ["Bedarf published"]


def test_needs_nearby_on_the_residents_page(store, every_status):
    point = {"lat": BRANDENBURG_GATE[0], "lon": BRANDENBURG_GATE[1]}
    area = {"level": "PLR", "area_id": "01100206"}
    for place in (point, area):
        assert [n.need.title for n in participation.nearby_needs(store, place)] == ["Bedarf published"]


def test_planners_map_for_residents(store, every_status):
    statuses = inventory.visible_statuses(RESIDENT.roles, wanted=["pending", "rejected", "hidden"])
    assert statuses == ("published",)
    filters = inventory.ViewState(level="BEZ").filters(statuses).store_kwargs()
    counts = store.counts_by_area("BEZ", **filters)
    assert counts["count"].sum() == 1
    assert [n.title for n in store.query(**filters)] == ["Bedarf published"]


def test_workshop_live_view(store, every_status):
    book, code = every_status["book"], every_status["workshop"]
    assert [n.title for n in book.needs(code)] == ["Bedarf published"]
    assert book.category_counts(code)["count"].sum() == 1


def test_assessment_needs_counts(store, every_status):
    from assessment.analysis.report import needs_matrix

    matrix = needs_matrix(store.counts_by_area("BEZ"), "BEZ")
    assert int(matrix.to_numpy().sum()) == 1
