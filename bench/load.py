"""Load test: simulated residents, planners and projectors on the real server, over Streamlit's websocket.

Not part of the test run. Each simulated person is one browser session of
:mod:`bench.stclient` (no browser: the server does per click what it does for a
browser, a whole script run or a fragment's), with think times between steps:

* **resident** (``/melden``): open, set a pin inside Berlin through the map
  component's value, choose a topic, type a title, send ("Bedarf senden"), press
  "Ich auch" on one need nearby;
* **planner** (``/karte``): open, change the level, the indicator, focus an area by a
  click on the map (the map's value; a run of the map's fragment);
* **projector** (``/live?workshop=CODE``): open and stay, refreshing its fragment on the
  page's timer, for the whole run.

Two modes::

    # people with think times; the mix is weights (resident:planner:projector)
    .venv/bin/python bench/load.py --people 20 --duration 60 --think 10 --mix 8:1:1
    # whole-page runs of one page per second, K sessions asking back to back
    .venv/bin/python bench/load.py --page-runs /melden --sessions 4 --duration 30

Where: by default the tool starts one app process of this tree on a new SQLite
database (``--processes 2 --nginx``: the deployment of ``deploy/`` on loopback,
:func:`tests.deploy_fixtures.deploy`), seeds it (an open workshop for the projectors,
a few published needs to support, residents' needs published at once (``--moderated``:
waiting for moderation, the app's default), ceilings raised so that the load is not
refused) and stops it at the end. ``--url`` drives a
running server instead (``--database-url`` lets it count what was stored).
``--baseline REV`` starts an exported older commit (:func:`bench.apphost.export_tree`)
next to this tree's app, runs the same measurement against both, one after the other,
and prints the ratios new/old; ``--versus-processes M`` (with ``--nginx``) starts this tree a
second time with M processes behind an nginx of its own and prints the ratios N/M processes;
``--rounds N`` measures both in slices in ABBA order (new, old,
old, new, ...), so other work on the machine weighs on both alike.

Reported: interactions and flows per second, median/p95/max seconds per kind of
interaction, errors (exceptions on the page, runs that did not finish, closed
connections, missing widgets), and the residents' needs acknowledged (the page showed
"Ihre Kennung") versus stored in the database (lost: acknowledged, not stored;
duplicated: stored more than once). Bounded: at most :data:`MAX_PEOPLE` people and
:data:`MAX_DURATION_S` seconds, loopback URLs only.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import apphost  # noqa: E402
from bench.stclient import Run, Session, SessionError, loopback_only  # noqa: E402

MAX_PEOPLE = 300
MAX_DURATION_S = 1800.0
RECEIPT = re.compile(r"Ihre Kennung: ([0-9A-F]{8})")
#: Where residents pin: around these places (lat, lon), a few hundred metres off, all inside Berlin.
PLACES = [(52.5219, 13.4132), (52.4986, 13.4030), (52.4811, 13.4353), (52.5361, 13.2057),
          (52.5450, 13.5683), (52.4560, 13.3220), (52.5700, 13.4100), (52.4400, 13.5800)]
JITTER_DEG = 0.004
#: The environment of a server this tool starts: needs public at once (so there is one to
#: support), ceilings far above any load this tool makes (it measures, the limits are tested elsewhere).
SERVER_ENV = {"BEDARFSATLAS_DATA_DIR": str((ROOT / "data").resolve()), "BEDARFSATLAS_PUBLISH_IMMEDIATELY": "true",
              "BEDARFSATLAS_LIMIT_OVERALL_PER_MINUTE": "100000",
              "BEDARFSATLAS_LIMIT_OVERALL_PER_DAY": "1000000", "BEDARFSATLAS_LIMIT_WORKSHOP_PER_MINUTE": "100000",
              "BEDARFSATLAS_LIMIT_WORKSHOP_PER_DAY": "1000000", "BEDARFSATLAS_LIMIT_BROWSER_PER_DAY": "1000000"}

# Runs in the served tree (this one or an exported older commit), so its own code and migrations
# make the database: an open workshop and one published need at each place. Prints the code.
SEED = """
import sys, datetime
try:
    from assessment.needs.store import open_store
    from assessment.needs.model import NeedInput
    from assessment.participation.workshops import WorkshopBook
    from core.settings import load_settings
except ImportError:  # the layout before assessment/ was split into needs/analysis/participation
    from assessment.store import open_store
    from assessment.model import NeedInput
    from assessment.workshops import WorkshopBook
    from geodata.settings import load_settings
url, places = sys.argv[1], eval(sys.argv[2])
store = open_store(load_settings(), database_url=url)
book = WorkshopBook(store)
code = book.open(book.create("Lasttest", datetime.date.today(), focus_level="BEZ", focus_id="01").code).code
for i, (lat, lon) in enumerate(places):
    store.submit(NeedInput(category="mobility", title=f"Vorhandener Bedarf {i}", description="", lat=lat, lon=lon),
                 client_token=f"bench-seed-{i:04d}", status="published")
store.close()
print(code)
"""


@dataclass
class Target:
    """A server to drive: its URL, its database (to count what was stored) and a workshop code."""

    name: str
    url: str
    database_url: str | None
    workshop: str | None
    root: Path = ROOT
    stop: callable = lambda: None
    #: Exit codes of the app processes this tool started that have died (a crash is reported, and ends the run).
    deaths: callable = lambda: []


@dataclass
class Tally:
    """Everything one measurement saw."""

    runs: dict[str, list[Run]] = field(default_factory=lambda: defaultdict(list))
    flows: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    errors: list[str] = field(default_factory=list)
    acknowledged: dict[str, str] = field(default_factory=dict)  # title -> reference
    submitted_titles: list[str] = field(default_factory=list)
    no_need_to_support: int = 0
    elapsed: float = 0.0
    client_cpu: float = 0.0

    def add(self, run: Run) -> Run:
        self.runs[run.kind].append(run)
        if not run.ok:
            self.errors.append(f"{run.kind}: {run.error or '; '.join(run.exceptions)}"[:300])
        return run


# --- flows -------------------------------------------------------------------------------------
class Person:
    def __init__(self, target: Target, tally: Tally, rng: random.Random, think: float, deadline: float):
        self.target, self.tally, self.rng, self.think_s, self.deadline = target, tally, rng, think, deadline

    def alive(self) -> bool:
        return time.monotonic() < self.deadline and not self.target.deaths()

    async def think(self, session: Session) -> bool:
        """Wait a think time (0.5 to 1.5 times the mean), running due fragment refreshes; False after the end."""
        seconds = min(self.rng.uniform(0.5, 1.5) * self.think_s, max(0.0, self.deadline - time.monotonic()))
        for run in await session.idle(seconds):
            self.tally.add(run)
        return self.alive()

    async def step(self, coroutine) -> Run:
        run = self.tally.add(await coroutine)
        if not run.ok:
            raise SessionError(run.error or run.exceptions[0])
        return run

    async def resident(self, session: Session) -> None:
        await self.step(session.open("/melden"))
        if not await self.think(session):
            return
        lat, lon = self.rng.choice(PLACES)
        pin = {"last_clicked": {"lat": lat + self.rng.uniform(-JITTER_DEG, JITTER_DEG),
                                "lng": lon + self.rng.uniform(-JITTER_DEG, JITTER_DEG)}}
        await self.step(session.set_value(session.widget(kind="component_instance"), pin, "pin"))
        if not await self.think(session):
            return
        topic = session.widget(key_prefix="report_category_", kind="selectbox")
        await self.step(session.choose(topic, self.rng.choice(topic.options), "category"))
        if not await self.think(session):
            return
        title = f"Lasttest {uuid.uuid4().hex[:12]}"
        field = session.widget(key_prefix="report_title_", kind="text_input")
        await self.step(session.set_value(field, title, "title"))
        if not await self.think(session):
            return
        self.tally.submitted_titles.append(title)
        sent = await self.step(session.click(session.widget(key_prefix="report_submit_", kind="button"), "submit"))
        receipt = next((m.group(1) for text in sent.texts if (m := RECEIPT.search(text))), None)
        if receipt is None:
            raise SessionError(f"no receipt after the send: {[t for t in sent.texts if 'Kennung' in t or 'Fehler' in t]}")
        self.tally.acknowledged[title] = receipt
        if not await self.think(session):
            return
        try:
            support = session.widget(key_prefix="report_support_", kind="button", enabled=True)
        except SessionError:
            self.tally.no_need_to_support += 1
        else:
            await self.step(session.click(support, "support"))
        self.tally.flows["resident"] += 1

    async def planner(self, session: Session) -> None:
        await self.step(session.open("/karte"))
        if not await self.think(session):
            return
        level = session.widget(key="planner_level")
        await self.step(session.choose(level, self.rng.choice([o for o in level.options if o != level.value]), "level"))
        if not await self.think(session):
            return
        indicator = session.widget(key="planner_indicator")
        await self.step(session.choose(indicator, self.rng.choice([o for o in indicator.options
                                                                   if o != indicator.value]), "indicator"))
        if not await self.think(session):
            return
        # A click on an area: the map reports the clicked feature (its id) and where it was clicked.
        areas = [m.group(1) for o in session.widget(key="planner_focus").options if (m := re.search(r"\((\w+)\)$", o))]
        clicked = {"last_active_drawing": {"properties": {"id": self.rng.choice(areas)}},
                   "last_object_clicked": {"lat": 52.5 + self.rng.random() / 10, "lng": 13.4 + self.rng.random() / 10}}
        await self.step(session.set_value(session.widget(kind="component_instance"), clicked, "focus"))
        self.tally.flows["planner"] += 1

    async def projector(self, session: Session) -> None:
        await self.step(session.open("/live", f"workshop={self.target.workshop}"))
        while self.alive():
            for run in await session.idle(max(0.0, min(5.0, self.deadline - time.monotonic()))):
                self.tally.add(run)
        self.tally.flows["projector"] += 1

    async def live(self, role: str, stagger: float) -> None:
        await asyncio.sleep(stagger)
        while self.alive():
            session = Session(self.target.url)
            try:
                await getattr(self, role)(session)
            except SessionError as error:
                self.tally.errors.append(f"{role}: {error}"[:300])
            except (OSError, TimeoutError) as error:
                self.tally.errors.append(f"{role}: {type(error).__name__}: {error}"[:300])
            finally:
                await session.close()
            if self.alive():
                await asyncio.sleep(min(self.rng.uniform(0.5, 1.5) * self.think_s,
                                        max(0.0, self.deadline - time.monotonic())))


def allocate(people: int, mix: str) -> list[str]:
    """``people`` roles in the proportions of ``mix`` ("resident:planner:projector" weights).

    >>> allocate(10, "8:1:1")
    ['resident', 'resident', 'resident', 'resident', 'resident', 'resident', 'resident', 'resident', 'planner', 'projector']
    >>> allocate(3, "1:0:0")
    ['resident', 'resident', 'resident']
    """
    weights = [float(w) for w in mix.split(":")]
    if len(weights) != 3 or min(weights) < 0 or sum(weights) <= 0:
        raise ValueError(f"--mix takes three weights resident:planner:projector such as 8:1:1, got {mix!r}")
    shares = [people * w / sum(weights) for w in weights]
    counts = [int(s) for s in shares]
    for i in sorted(range(3), key=lambda i: counts[i] - shares[i])[: people - sum(counts)]:
        counts[i] += 1
    return [role for role, n in zip(("resident", "planner", "projector"), counts) for _ in range(n)]


async def people_run(target: Target, people: int, duration: float, think: float, mix: str, seed: int) -> Tally:
    tally = Tally()
    roles = allocate(people, mix)
    if "projector" in roles and not target.workshop:
        raise SystemExit("projectors need a workshop: --workshop CODE with --url, or let the tool start the server")
    started, cpu = time.monotonic(), time.process_time()
    deadline = started + duration
    ramp = min(think, duration / 4)
    persons = [Person(target, tally, random.Random(seed + i), think, deadline) for i in range(len(roles))]
    tasks = [asyncio.create_task(p.live(role, ramp * i / max(1, len(roles)))) for i, (p, role) in
             enumerate(zip(persons, roles))]
    await asyncio.gather(*tasks)
    tally.elapsed, tally.client_cpu = time.monotonic() - started, time.process_time() - cpu
    return tally


async def page_runs(target: Target, page: str, sessions: int, duration: float) -> Tally:
    """Whole-page runs of ``page`` back to back from ``sessions`` sessions for ``duration`` seconds."""
    tally = Tally()
    path, _, query = page.partition("?")
    query = query.replace("CODE", target.workshop or "")

    async def asker() -> None:
        session = Session(target.url)
        try:
            tally.add(await session.open(path, query))
            while time.monotonic() < deadline:
                tally.add(await session.rerun("page run"))
        except (SessionError, OSError, TimeoutError) as error:
            tally.errors.append(f"{type(error).__name__}: {error}"[:300])
        finally:
            await session.close()

    started, cpu = time.monotonic(), time.process_time()
    deadline = started + duration
    await asyncio.gather(*(asker() for _ in range(sessions)))
    tally.elapsed, tally.client_cpu = time.monotonic() - started, time.process_time() - cpu
    return tally


# --- stored versus acknowledged -----------------------------------------------------------------
STORED = """
import sys, json, sqlalchemy as sa
engine = sa.create_engine(sys.argv[1])
with engine.connect() as conn:
    rows = conn.execute(sa.text("SELECT title, id FROM needs WHERE title LIKE 'Lasttest %'")).all()
print(json.dumps([[t, i[:8].upper()] for t, i in rows]))
"""


def stored_needs(target: Target) -> list[tuple[str, str]] | None:
    """(title, reference) of every need this tool's residents stored, or None without a database URL."""
    if not target.database_url:
        return None
    import json

    out = subprocess.run([sys.executable, "-c", STORED, target.database_url], capture_output=True, text=True,
                         check=True, timeout=60)
    return [tuple(row) for row in json.loads(out.stdout)]


# --- report -------------------------------------------------------------------------------------
def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (nearest rank).

    >>> percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95)
    10
    """
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def report(tally: Tally, target: Target) -> dict:
    all_runs = [r for runs in tally.runs.values() for r in runs]
    done = [r for r in all_runs if r.error is None]
    figures = {"interactions_per_s": len(done) / tally.elapsed, "flows_per_s": sum(tally.flows.values()) / tally.elapsed,
               "median_s": {}, "p95_s": {}}
    print(f"[{target.name}] {tally.elapsed:.0f} s: {len(done)} interactions ({figures['interactions_per_s']:.2f}/s), "
          f"flows {dict(tally.flows)} ({figures['flows_per_s']:.3f}/s); client CPU {tally.client_cpu:.1f} s")
    print(f"  {'interaction':<18}{'n':>6}{'median':>9}{'p95':>9}{'max':>9}{'errors':>8}{'kB/run':>9}")
    for kind, runs in sorted(tally.runs.items()):
        seconds = [r.seconds for r in runs if r.error is None]
        if not seconds:
            print(f"  {kind:<18}{len(runs):>6}{'-':>9}{'-':>9}{'-':>9}{len(runs):>8}")
            continue
        figures["median_s"][kind], figures["p95_s"][kind] = statistics.median(seconds), percentile(seconds, 95)
        kb = statistics.median(r.bytes_received for r in runs) / 1000
        print(f"  {kind:<18}{len(runs):>6}{statistics.median(seconds):>8.2f}s{percentile(seconds, 95):>8.2f}s"
              f"{max(seconds):>8.2f}s{sum(not r.ok for r in runs):>8}{kb:>9.0f}")
    for code in target.deaths():
        print(f"  AN APP PROCESS DIED: exit code {code}" + (" (killed by a signal: see `dmesg` for a segfault)"
                                                          if code < 0 else "") + "; the run ended there")
    print(f"  errors: {len(tally.errors)}" + "".join(f"\n    {e}" for e in tally.errors[:10])
          + (f"\n    ... and {len(tally.errors) - 10} more" if len(tally.errors) > 10 else ""))
    if tally.submitted_titles:
        stored = stored_needs(target)
        line = f"  needs: sent {len(tally.submitted_titles)}, acknowledged {len(tally.acknowledged)}"
        if stored is None:
            line += ", stored: unknown (no --database-url)"
        else:
            counts = defaultdict(int)
            for title, _ in stored:
                counts[title] += 1
            lost = [t for t in tally.acknowledged if counts[t] == 0]
            duplicated = [t for t, n in counts.items() if n > 1]
            wrong = [t for t, ref in tally.acknowledged.items() if ref not in {r for s, r in stored if s == t}]
            unacknowledged = [t for t in counts if t not in tally.acknowledged]
            line += (f", stored {len(stored)}; lost {len(lost)}, duplicated {len(duplicated)}, receipt not the "
                     f"stored reference {len(wrong)}, stored without acknowledgement {len(unacknowledged)}")
            figures.update(lost=len(lost), duplicated=len(duplicated))
        print(line + f"; residents with no need nearby to support: {tally.no_need_to_support}")
    return figures


# --- servers ------------------------------------------------------------------------------------
def seed(root: Path, database_url: str) -> str:
    out = subprocess.run([str(ROOT / ".venv/bin/python"), "-c", SEED, database_url, repr(PLACES)], cwd=root,
                         capture_output=True, text=True, timeout=300,
                         env={**os.environ, **SERVER_ENV, "PYTHONPATH": str(root)})
    if out.returncode != 0:
        raise RuntimeError(f"seeding the database in {root} failed:\n{out.stderr[-3000:]}")
    return out.stdout.strip().splitlines()[-1]


def start_target(name: str, root: Path, processes: int, nginx: bool, database_url: str | None) -> Target:
    folder = Path(tempfile.mkdtemp(prefix=f"bench-load-{name}-"))
    database_url = database_url or f"sqlite:///{folder / 'needs.sqlite'}"
    code = seed(root, database_url)
    env = {**SERVER_ENV, "DATABASE_URL": database_url}
    if nginx:
        if root != ROOT:
            raise SystemExit("--nginx serves this tree only (tests/deploy_fixtures.py); no --baseline with it")
        from tests.deploy_fixtures import deploy

        deployment = deploy(env, processes=processes, database_url=database_url)
        return Target(f"{name}, nginx + {processes} processes", deployment.url, database_url, code, root,
                      deployment.stop, lambda: [a.process.returncode for a in deployment.apps
                                                if a.process.poll() is not None])
    if processes != 1:
        raise SystemExit("more than one process needs --nginx in front of them")
    app = apphost.start(root, env)
    print(f"[{name}] started {app.url} from {root} (healthy {app.healthy_s:.1f} s, warm {app.warmed_s:.1f} s)")
    return Target(name, app.url, database_url, code, root, lambda: apphost.stop(app),
                  lambda: [app.process.returncode] if app.process.poll() is not None else [])


async def warm(target: Target, pages: list[tuple[str, str]]) -> None:
    """Open each page once, uncounted: the first visit of a process fills its caches, for either commit alike."""
    for path, query in pages:
        session = Session(target.url)
        try:
            await session.open(path, query)
        finally:
            await session.close()


def measure(args, target: Target, duration: float) -> Tally:
    if args.page_runs:
        path, _, query = args.page_runs.partition("?")
        pages = [(path, query.replace("CODE", target.workshop or ""))]
    else:
        pages = [("/melden", ""), ("/karte", "")]
        if target.workshop:
            pages.append(("/live", f"workshop={target.workshop}"))
    asyncio.run(warm(target, pages))
    if args.page_runs:
        return asyncio.run(page_runs(target, args.page_runs, args.sessions, duration))
    return asyncio.run(people_run(target, args.people, duration, args.think, args.mix, args.seed))


def merge(tallies: list[Tally]) -> Tally:
    """The rounds of one target as one measurement: runs and counts added, times summed."""
    merged = Tally()
    for tally in tallies:
        for kind, runs in tally.runs.items():
            merged.runs[kind].extend(runs)
        for role, n in tally.flows.items():
            merged.flows[role] += n
        merged.errors += tally.errors
        merged.acknowledged.update(tally.acknowledged)
        merged.submitted_titles += tally.submitted_titles
        merged.no_need_to_support += tally.no_need_to_support
        merged.elapsed += tally.elapsed
        merged.client_cpu += tally.client_cpu
    return merged


def rounds_order(targets: int, rounds: int) -> list[int]:
    """Which target each round measures: ABBA order, so a drift of the machine's load hits both alike.

    >>> rounds_order(2, 2), rounds_order(2, 1), rounds_order(1, 3)
    ([0, 1, 1, 0, 0, 1, 1, 0], [0, 1], [0, 0, 0])
    """
    if targets == 1:
        return [0] * rounds
    return [0, 1] if rounds == 1 else [0, 1, 1, 0] * rounds


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=10, help="concurrent simulated people (default 10)")
    parser.add_argument("--duration", type=float, default=60, help="seconds of load (default 60)")
    parser.add_argument("--think", type=float, default=10, help="mean think time in seconds (0.5 to 1.5 times it)")
    parser.add_argument("--mix", default="8:1:1", help="weights resident:planner:projector (default 8:1:1)")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--page-runs", metavar="PAGE", help="whole-page runs of PAGE (/melden, /karte, "
                        "/live?workshop=CODE) per second instead of people")
    parser.add_argument("--sessions", type=int, default=4, help="with --page-runs: sessions asking at once")
    parser.add_argument("--url", help="drive this running server (loopback only) instead of starting one")
    parser.add_argument("--database-url", help="the database of --url, to count what was stored; or the "
                        "database a started server uses (default: a new SQLite file)")
    parser.add_argument("--workshop", help="with --url: the code of an open workshop for the projectors")
    parser.add_argument("--processes", type=int, default=1, help="app processes to start (more need --nginx)")
    parser.add_argument("--nginx", action="store_true", help="start the deploy/ nginx in front of the processes")
    parser.add_argument("--rounds", type=int, default=1, help="measure in slices: with --baseline 4*ROUNDS in "
                        "ABBA order (new, old, old, new, ...); --duration is split among each target's slices")
    parser.add_argument("--baseline", metavar="REV", help="also measure commit REV, exported and started "
                        "side by side, and print the ratios new/old")
    parser.add_argument("--moderated", action="store_true", help="residents' needs wait for moderation, the "
                        "app's default (without it they are published at once: every send reruns the whole page)")
    parser.add_argument("--versus-processes", type=int, metavar="M", help="with --nginx: also start this tree "
                        "with M processes behind an nginx of its own and print the ratios (N processes)/(M)")
    args = parser.parse_args(argv)
    count = args.sessions if args.page_runs else args.people
    if not 1 <= count <= MAX_PEOPLE:
        parser.error(f"people/sessions must be between 1 and {MAX_PEOPLE}, got {count}")
    if not 0 < args.duration <= MAX_DURATION_S:
        parser.error(f"--duration must be between 0 and {MAX_DURATION_S:.0f} s, got {args.duration:g}")
    if not 1 <= args.rounds <= 20:
        parser.error(f"--rounds must be between 1 and 20, got {args.rounds}")
    if args.url and args.baseline:
        parser.error("--baseline starts both servers itself; leave out --url")
    if args.versus_processes and (args.baseline or args.url or not args.nginx):
        parser.error("--versus-processes compares deployments of this tree: it needs --nginx, no --baseline or --url")

    if args.moderated:
        SERVER_ENV["BEDARFSATLAS_PUBLISH_IMMEDIATELY"] = "false"
    targets: list[Target] = []
    try:
        if args.url:
            targets.append(Target("given server", loopback_only(args.url), args.database_url, args.workshop))
        else:
            targets.append(start_target("new", ROOT, args.processes, args.nginx, args.database_url))
            if args.baseline:
                tree = apphost.export_tree(args.baseline, Path(tempfile.mkdtemp(prefix="bench-load-old-")))
                targets.append(start_target(f"old {args.baseline}", tree, 1, False, None))
            if args.versus_processes:
                targets.append(start_target("versus", ROOT, args.versus_processes, True, None))
        order = rounds_order(len(targets), args.rounds)
        what = (f"page runs of {args.page_runs}, {args.sessions} sessions" if args.page_runs else
                f"{args.people} people (mix {args.mix}), think {args.think:g} s")
        print(f"{what}, {args.duration:g} s each in {order.count(0)} slice(s); machine: {os.cpu_count()} cores, "
              f"load average "
              f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        slice_s = args.duration / order.count(0)
        tallies: dict[int, list[Tally]] = defaultdict(list)
        for index in order:
            if any(t.deaths() for t in targets):
                break
            tallies[index].append(measure(args, targets[index], slice_s))
        results = [report(merge(tallies[i]), target) for i, target in enumerate(targets) if tallies[i]]
    finally:
        for target in targets:
            target.stop()
    if len(results) == 2:
        new, old = results
        key = "interactions_per_s" if args.page_runs else "flows_per_s"
        ratio = (f"{args.processes} processes/{args.versus_processes}" if args.versus_processes else "new/old")
        print(f"ratio {ratio}: {key} {new[key] / old[key]:.2f}" if old[key] else f"second {key} is 0")
        for kind in sorted(set(new["median_s"]) & set(old["median_s"])):
            print(f"  {kind:<18} seconds {ratio}: median {new['median_s'][kind] / old['median_s'][kind]:.2f}, "
                  f"p95 {new['p95_s'][kind] / old['p95_s'][kind]:.2f}")


if __name__ == "__main__":
    main()
