"""Load test of a workshop: 50 participants submit and vote while the projector view is open.

Not part of the test run. Usage::

    .venv/bin/python bench/load_workshop.py [--minutes 5] [--participants 50] [--browsers 2]

What runs (all on this machine, against a real ``streamlit run app.py``):

* a fresh SQLite database with one open workshop (Bezirk Mitte, needs published at once);
* the **projector**: Chromium on ``/live?workshop=CODE``; this process polls the
  number of pins on its Leaflet map every 0.2 s;
* ``participants - browsers`` **store-level participants** (threads, each with its
  own engine, as separate Streamlit sessions would use the pool): each submits a
  need every 5-20 s (random) during the first 60 % of the time, then, in the
  voting round (3 dots), tries to place 5 dots (2 must be refused);
* ``browsers`` **real browser participants** (a subprocess with its own Chromium):
  each pins a need on ``/melden?workshop=CODE`` by map click and form, then places
  its 3 dots on ``/abstimmen``.

Printed and checked:

* nothing lost: every acknowledged need is in the database and on the projector
  (pin count), every acknowledged dot is counted, no voter has more than 3;
* **submit latency** (store acknowledgement) under load, against a baseline of 20
  sequential submits on the idle database measured first in the same run (ratio);
* **live-view lag**: from a need's acknowledgement to the projector's pin count
  reaching it (pins only ever grow); the baseline is the refresh interval.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

DOTS = 3


def percentile(values, q):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def summary(name, values):
    return (f"{name}: n={len(values)} median={statistics.median(values) * 1000:.0f} ms "
            f"p95={percentile(values, 95) * 1000:.0f} ms max={max(values) * 1000:.0f} ms") if values else f"{name}: n=0"


def store_participant(index, url, places, code, submit_until, vote_start, stop, out, seed):
    from assessment.needs.store import open_store
    from assessment.participation.workshops import VoteRefused, WorkshopBook
    from needs_fixtures import FixedPlaces, need_input

    rng = random.Random(seed)
    store = open_store(database_url=url, geography=FixedPlaces(places), migrate_schema=False)
    book = WorkshopBook(store)
    voter = f"bench-voter-{index:03d}-{seed}"
    record = {"acks": [], "latencies": [], "errors": [], "votes": 0, "refused": 0, "vote_latencies": []}
    try:
        time.sleep(rng.uniform(0, 5))
        while time.monotonic() < submit_until:
            lat, lon, _ = rng.choice(places)
            token = f"bench-{index}-{rng.getrandbits(48):012x}"
            started = time.perf_counter()
            try:
                need = store.submit(need_input(lat=lat, lon=lon, title=f"Bedarf {token}", workshop_id=code,
                                               channel="workshop"), client_token=token, status="published")
            except Exception as error:  # noqa: BLE001 - every error a participant would see is reported
                record["errors"].append(f"{type(error).__name__}: {error}")
            else:
                record["latencies"].append(time.perf_counter() - started)
                record["acks"].append((time.monotonic(), need.id))
            time.sleep(rng.uniform(5, 20))
        while time.monotonic() < vote_start.wait_until:
            time.sleep(0.1)
        voting = book.latest_round(code)
        needs = [n.id for n in book.needs(code)]
        for _ in range(DOTS + 2):
            if time.monotonic() > stop:
                break
            started = time.perf_counter()
            try:
                book.cast_vote(voting.id, voter, rng.choice(needs))
                record["votes"] += 1
            except VoteRefused:
                record["refused"] += 1
            record["vote_latencies"].append(time.perf_counter() - started)
            time.sleep(rng.uniform(0.5, 3))
    finally:
        store.close()
        out[index] = record


class VoteStart:
    wait_until = float("inf")


def browser_participants(argv):
    """Subprocess: ``participants SERVER_URL CODE COUNT GO_VOTE_FILE OUT``: pin one need each, then vote."""
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS
    from tests.e2e.test_workshop import pin_a_need

    server_url, code, count, go_vote, out = argv
    results = {"acks": [], "votes": 0, "errors": []}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        pages = [browser.new_context(viewport={"width": 430, "height": 1400}, locale="de-DE").new_page()
                 for _ in range(int(count))]
        titles = []
        for i, page in enumerate(pages):
            title = f"Browser-Bedarf {i} {random.getrandbits(24):06x}"
            try:
                pin_a_need(page, f"{server_url}/melden?workshop={code}", title)
                results["acks"].append((time.time(), title))
                titles.append(title)
            except Exception as error:  # noqa: BLE001
                results["errors"].append(f"pin {i}: {type(error).__name__}: {error}"[:300])
        while not Path(go_vote).exists():
            time.sleep(0.2)
        for i, page in enumerate(pages):
            try:
                page.goto(f"{server_url}/abstimmen?workshop={code}", timeout=60_000)
                left = page.locator(".st-key-vote_left")
                left.wait_for(timeout=60_000)
                for placed in range(1, DOTS + 1):
                    page.locator("[class*='st-key-vote_add_'] button:not([disabled])").first.click(timeout=30_000)
                    page.get_by_text(f"{DOTS - placed} von {DOTS}").first.wait_for(timeout=60_000)
                    results["votes"] += 1
            except Exception as error:  # noqa: BLE001
                results["errors"].append(f"vote {i}: {type(error).__name__}: {error}"[:300])
        browser.close()
    Path(out).write_text(json.dumps(results))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--participants", type=int, default=50)
    parser.add_argument("--browsers", type=int, default=2)
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    from assessment.needs.store import open_store
    from assessment.participation.workshops import WorkshopBook
    from core.settings import load_settings
    from needs_fixtures import FixedPlaces, need_input, real_places
    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, start_server, stop_server

    settings = load_settings()
    folder = tempfile.mkdtemp(prefix="bench-workshop-")
    url = f"sqlite:///{folder}/needs.sqlite"
    places = [p for p in real_places(settings, 120) if p[2]["BEZ_ID"] == "01"] or real_places(settings, 20)
    store = open_store(settings, database_url=url)
    book = WorkshopBook(store)
    code = book.open(book.create("Kiezwerkstatt Mitte", date.today(), focus_level="BEZ", focus_id="01").code).code

    # Baseline: 20 sequential submits on the idle database (another workshop, so the room stays empty).
    idle = open_store(database_url=url, geography=FixedPlaces(places), migrate_schema=False)
    baseline = []
    for i in range(20):
        lat, lon, _ = places[i % len(places)]
        started = time.perf_counter()
        idle.submit(need_input(lat=lat, lon=lon, title=f"Leerlauf {i}"), client_token=f"idle-{i:04d}")
        baseline.append(time.perf_counter() - started)
    idle.close()

    server = start_server({"DATABASE_URL": url})
    go_vote = Path(folder) / "go-vote"
    browser_out = Path(folder) / "browsers.json"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            presenter = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="de-DE").new_page()
            presenter.goto(f"{server.url}/live?workshop={code}", timeout=60_000)
            presenter.locator(".st-key-live_join_url").wait_for(timeout=60_000)
            presenter.wait_for_selector('iframe[title="streamlit_folium.st_folium"]', timeout=60_000)
            frame = None
            while frame is None:
                frame = presenter.frame(url=lambda u: "streamlit_folium" in u)
                time.sleep(0.2)
            frame.wait_for_function("window.map && window.map.getZoom() > 0", timeout=60_000)
            reloads = []
            presenter.on("framenavigated", lambda f: reloads.append(f.url) if f == presenter.main_frame else None)

            seconds = args.minutes * 60
            start = time.monotonic()
            submit_until, vote_at, stop = start + 0.6 * seconds, start + 0.65 * seconds, start + seconds
            helpers = subprocess.Popen([sys.executable, __file__, "participants", server.url, code,
                                        str(args.browsers), str(go_vote), str(browser_out)], cwd=ROOT)
            out: dict[int, dict] = {}
            vote_start = VoteStart()
            writers = [threading.Thread(target=store_participant,
                                        args=(i, url, places, code, submit_until, vote_start, stop, out, 1000 + i))
                       for i in range(args.participants - args.browsers)]
            for w in writers:
                w.start()
            polls = []  # (monotonic time, pins on the projector)
            voting = None
            while time.monotonic() < stop or any(w.is_alive() for w in writers):
                if voting is None and time.monotonic() >= vote_at:
                    voting = book.start_round(code, DOTS)
                    vote_start.wait_until = time.monotonic()
                    go_vote.touch()
                try:
                    pins = map_frame_pins(presenter)
                except Exception:  # noqa: BLE001 - a poll during a DOM swap; try again
                    pins = None
                if pins is not None:
                    polls.append((time.monotonic(), pins))
                time.sleep(0.2)
            helpers.wait(timeout=600)
            # Let the projector catch up with the last needs, then count once more.
            time.sleep(4)
            final_pins = map_frame_pins(presenter)
            final_results = presenter.locator(".st-key-live_results").inner_text()
            browser.close()
    finally:
        stop_server(server)

    acks = sorted(a for r in out.values() for a in r["acks"])
    latencies = [x for r in out.values() for x in r["latencies"]]
    vote_latencies = [x for r in out.values() for x in r["vote_latencies"]]
    errors = [e for r in out.values() for e in r["errors"]]
    browsers = json.loads(browser_out.read_text()) if browser_out.exists() else {"acks": [], "votes": 0, "errors": ["no output"]}
    stored = {n.id for n in book.needs(code)}
    lost = [need_id for _, need_id in acks if need_id not in stored]
    results = book.results(voting.id)
    cast = sum(r["votes"] for r in out.values()) + browsers["votes"]
    per_voter = book.votes_frame(code).groupby("voter").size()

    # Lag: the k-th acknowledged need (in time) is on the projector once the pin count reaches
    # (needs there before) + k. Browser needs are acknowledged in another process: not in this list.
    lags = []
    for k, (acked, _) in enumerate(acks, start=1):
        seen = next((t for t, pins in polls if pins >= k and t >= acked), None)
        if seen is not None:
            lags.append(seen - acked)
    missing_on_screen = len(acks) - len(lags)

    print(f"workshop {code}: {args.participants} participants ({args.browsers} in Chromium), {args.minutes:g} min")
    print(f"needs acknowledged: {len(acks)} store-level + {len(browsers['acks'])} browser; stored {len(stored)}; "
          f"lost {len(lost)}; errors {len(errors)}; browser errors {browsers['errors']}")
    print(f"projector pins at the end: {final_pins} (stored {len(stored)}); reloads of the projector: {len(reloads)}")
    print(summary("baseline submit (idle, sequential)", baseline))
    print(summary("submit under load", latencies))
    print(f"submit median ratio load/idle: {statistics.median(latencies) / statistics.median(baseline):.1f}x")
    print(summary("live-view lag (ack -> pin on projector)", lags) + f"; never seen: {missing_on_screen}")
    print(f"live-view lag median / refresh interval (2 s): {statistics.median(lags) / 2.0:.2f}")
    print(summary("vote under load", vote_latencies))
    print(f"dots acknowledged {cast}, counted {int(results['votes'].sum())}, voters {len(per_voter)}, "
          f"most dots of one voter {int(per_voter.max()) if len(per_voter) else 0} (cap {DOTS}), "
          f"refused over the cap {sum(r['refused'] for r in out.values())}")
    print("projector results (top lines):", " | ".join(final_results.splitlines()[:3]))
    ok = (not lost and not errors and final_pins == len(stored) and cast == int(results["votes"].sum())
          and (per_voter.max() if len(per_voter) else 0) <= DOTS and not reloads)
    print("RESULT:", "nothing lost" if ok else "PROBLEMS (see above)")
    store.close()


def map_frame_pins(page) -> int:
    frame = page.frame(url=lambda u: "streamlit_folium" in u)
    return frame.locator("path.workshop-pin").count()


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "participants":
        browser_participants(sys.argv[2:])
    else:
        main()
