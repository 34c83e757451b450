"""Bytes a projector (``/live``) receives per refresh, for a room with many pins: this tree against an older one.

Not part of the test run. Both apps are started side by side on loopback
(:mod:`bench.apphost`; the baseline exported with ``git archive``), each on a
new SQLite database with one open workshop holding ``--pins`` published needs,
made and changed by a process running that tree's own code (:class:`Room`: an
older tree refuses a database of a newer schema).
One session per app (:mod:`bench.stclient`, which announces the messages it
keeps as a browser does, so a message the server may send by reference is
counted as a reference) opens ``/live`` and then runs the page's refresh (its
timed fragment) in three situations, alternating between the apps (ABBA):

* **one new pin**: one need was published in the room just before the refresh
  (a room of residents pinning at once: most refreshes are of this kind);
* **one hidden**: the facilitator hid one pin;
* **no change**: nothing happened in the room since the last refresh (which had a change);
* **no change again**: a second refresh without change (a quiet room): Streamlit sends a
  message of 10 kB or more that the browser got in one of the last two runs as a reference.

Reported: the median bytes of each, per app, and the ratio new/old; also the
seconds per refresh as the client saw them. Bounded: at most 2,000 pins and
50 rounds, loopback only.

Run: ``.venv/bin/python bench/live_refresh.py [--pins 500] [--rounds 10] [--baseline REV]``
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import apphost  # noqa: E402
from bench.stclient import Session  # noqa: E402

#: The last commit whose /live sent every pin with every refresh.
DEFAULT_BASELINE = "c40c19d"
DATA_DIR = str((ROOT / "data").resolve())
#: The refreshes measured, in this order in each round.
KINDS = ("one new pin", "one hidden", "no change", "no change again")
#: Pins scattered over Bezirk Mitte (the workshop's focus), inside Berlin.
CENTRE = (52.5200, 13.3900)


#: Runs in the served tree (this one or the exported older one: its own store and migrations make and
#: change the database, which the other tree's schema may not match). Reads commands from stdin:
#: "add N" publishes one need in the room, "hide" hides the oldest pin; answers one line each.
ROOM = """
import datetime, random, sys
from assessment.needs.model import NeedInput
from assessment.needs.store import open_store
from assessment.needs.taxonomy import CATEGORIES
from assessment.participation.workshops import WorkshopBook
from core.settings import load_settings

url, pins, lat, lon = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
store = open_store(load_settings(), database_url=url)
book = WorkshopBook(store)
code = book.open(book.create("Lasttest Projektor", datetime.date.today(), focus_level="BEZ", focus_id="01").code).code
rng = random.Random(13)


def add(i):
    # Letters, not digits: a title with a run of digits reads as a phone number and is refused.
    letters = "".join(chr(65 + i // 26**k % 26) for k in range(4))
    need = NeedInput(category=rng.choice(list(CATEGORIES)), title=f"Bedarf im Raum {letters}",
                     lat=lat + rng.uniform(-0.01, 0.01), lon=lon + rng.uniform(-0.015, 0.015),
                     workshop_id=code, channel="workshop")
    store.submit(need, status="published")


for i in range(pins):
    add(i)
print(code, flush=True)
for line in sys.stdin:
    command, _, argument = line.strip().partition(" ")
    if command == "add":
        add(int(argument))
    elif command == "hide":
        book.hide_pin(code, book.needs(code)[-1].id, actor="bench")
    print("ok", flush=True)
"""


class Room:
    """A workshop room in ``root``'s code on a new SQLite database: ``pins`` published needs, more on demand."""

    def __init__(self, root: Path, pins: int):
        folder = Path(tempfile.mkdtemp(prefix="bench-live-"))
        self.url = f"sqlite:///{folder / 'needs.sqlite'}"
        self.process = subprocess.Popen(
            [str(ROOT / ".venv/bin/python"), "-u", "-c", ROOM, self.url, str(pins), *map(str, CENTRE)], cwd=root,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
            env={**os.environ, "BEDARFSATLAS_DATA_DIR": DATA_DIR, "PYTHONPATH": str(root)})
        self.code = self._answer()
        self.added = 0

    def _answer(self) -> str:
        line = self.process.stdout.readline().strip()
        if not line:
            raise RuntimeError(f"the room's process ended (exit code {self.process.wait()})")
        return line

    def add_pin(self) -> None:
        self.added += 1
        self.process.stdin.write(f"add {10**6 + self.added}\n")
        self.process.stdin.flush()
        self._answer()

    def hide_pin(self) -> None:
        self.process.stdin.write("hide\n")
        self.process.stdin.flush()
        self._answer()

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)


async def refresh(session: Session) -> tuple[int, float]:
    [fragment] = list(session.auto_reruns)
    run = await session.rerun("refresh", fragment_id=fragment, auto=True)
    if not run.ok:
        raise RuntimeError(f"the refresh failed: {run.error or run.exceptions}")
    return run.bytes_received, run.seconds


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pins", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=10, help="refreshes of each kind per app (default 10)")
    parser.add_argument("--baseline", default=DEFAULT_BASELINE, help=f"older commit (default {DEFAULT_BASELINE})")
    args = parser.parse_args(argv)
    if not 1 <= args.pins <= 2000 or not 1 <= args.rounds <= 50:
        parser.error("--pins must be 1 to 2000 and --rounds 1 to 50")
    old_tree = apphost.export_tree(args.baseline, Path(tempfile.mkdtemp(prefix="bench-live-old-")))
    targets = []
    try:
        for name, root in (("new", ROOT), (f"old {args.baseline}", old_tree)):
            room = Room(root, args.pins)
            targets.append({"name": name, "room": room, "bytes": {}, "seconds": {}})
            targets[-1]["app"] = apphost.start(root, {"BEDARFSATLAS_DATA_DIR": DATA_DIR, "DATABASE_URL": room.url})
        asyncio.run(measure(targets, args.rounds))
    finally:
        for target in targets:
            if "app" in target:
                apphost.stop(target["app"])
            target["room"].close()
    print(f"/live, a workshop with {args.pins} pins; bytes received per refresh (median of {args.rounds}), "
          f"seconds per refresh as the client saw them; machine: {os.cpu_count()} cores, load average "
          + " ".join(f"{x:.1f}" for x in os.getloadavg()))
    new, old = targets
    print(f"  {'refresh':<14}{'new B':>10}{'old B':>10}{'new/old':>9}{'new s':>8}{'old s':>8}")
    for kind in ("open", *KINDS):
        nb, ob = statistics.median(new["bytes"][kind]), statistics.median(old["bytes"][kind])
        print(f"  {kind:<14}{nb:>10.0f}{ob:>10.0f}{nb / ob:>9.3f}"
              f"{statistics.median(new['seconds'][kind]):>8.2f}{statistics.median(old['seconds'][kind]):>8.2f}")


async def measure(targets: list[dict], rounds: int) -> None:
    sessions = []
    for target in targets:
        session = Session(target["app"].url)
        run = await session.open("/live", f"workshop={target['room'].code}")
        if not run.ok:
            raise RuntimeError(f"{target['name']}: /live failed: {run.error or run.exceptions}")
        target["bytes"]["open"], target["seconds"]["open"] = [run.bytes_received], [run.seconds]
        await refresh(session)  # the first refresh after the open, uncounted
        sessions.append(session)
    order = [0, 1, 1, 0] * ((rounds + 1) // 2)
    counts = [0, 0]
    try:
        for index in order:
            if counts[index] >= rounds:
                continue
            counts[index] += 1
            target, session = targets[index], sessions[index]
            for kind in KINDS:
                if kind == "one new pin":
                    target["room"].add_pin()
                elif kind == "one hidden":
                    target["room"].hide_pin()
                size, seconds = await refresh(session)
                target["bytes"].setdefault(kind, []).append(size)
                target["seconds"].setdefault(kind, []).append(seconds)
    finally:
        for session in sessions:
            await session.close()


if __name__ == "__main__":
    main()
