"""The websocket bookkeeping behind ``rerun_after``, fed with real Streamlit protobuf frames (no browser)."""

from __future__ import annotations

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from tests.e2e.streamlit_helpers import RunWatcher


def rerun_request(query: str = "ebene=BEZ") -> bytes:
    message = BackMsg()
    message.rerun_script.query_string = query
    return message.SerializeToString()


def heartbeat() -> bytes:
    message = BackMsg()
    message.app_heartbeat = True
    return message.SerializeToString()


def finished(status=ForwardMsg.FINISHED_SUCCESSFULLY) -> bytes:
    message = ForwardMsg()
    message.script_finished = status
    return message.SerializeToString()


def new_session() -> bytes:
    message = ForwardMsg()
    message.new_session.page_script_hash = "melden"
    return message.SerializeToString()


def fed(*frames) -> RunWatcher:
    watcher = RunWatcher()
    for direction, payload in frames:
        (watcher._on_sent if direction == "out" else watcher._on_received)(payload)
    return watcher


@pytest.mark.parametrize(
    ("frames", "settled"),
    [
        ([], False),
        ([("out", heartbeat())], False),  # not a rerun request
        ([("out", rerun_request())], False),  # the run has not ended yet
        ([("out", rerun_request()), ("in", new_session())], False),
        ([("out", rerun_request()), ("in", new_session()), ("in", finished())], True),
        ([("out", rerun_request()), ("in", finished(ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY))], True),
        # Cut short by a newer request: that request's run is still to come.
        ([("out", rerun_request()), ("in", finished(ForwardMsg.FINISHED_EARLY_FOR_RERUN))], False),
        # A run that ended before the (last) request does not count.
        ([("in", finished()), ("out", rerun_request())], False),
        ([("out", rerun_request()), ("in", finished()), ("out", rerun_request())], False),
        ([("out", rerun_request()), ("out", rerun_request()), ("in", finished())], True),
        ([("in", "a text frame"), ("out", rerun_request()), ("in", finished())], True),
    ],
)
def test_settled_once_a_run_ended_after_the_last_rerun_request(frames, settled):
    assert fed(*frames).settled_since(0) is settled


def test_only_events_after_the_mark_count():
    watcher = fed(("out", rerun_request()), ("in", finished()))
    mark = len(watcher.events)
    assert not watcher.settled_since(mark)
    watcher._on_sent(rerun_request())
    assert not watcher.settled_since(mark)
    watcher._on_received(finished())
    assert watcher.settled_since(mark)


def test_carrying_waits_for_the_request_that_holds_the_bytes():
    """A map's first report after loading must not end the wait for the report of a zoom."""
    watcher = fed(("out", rerun_request('"zoom":10.25')), ("in", finished()))
    mark = 0
    assert watcher.settled_since(mark) and not watcher.settled_since(mark, b'"zoom":10.75')
    watcher._on_sent(rerun_request('"zoom":10.75'))
    assert not watcher.settled_since(mark, b'"zoom":10.75')  # sent, but its run has not ended
    watcher._on_received(finished())
    assert watcher.settled_since(mark, b'"zoom":10.75')
    # A failure names what was sent instead.
    assert [snippet[:12] for snippet in watcher.snippets(mark, b'"zoom":11')] == [b'"zoom":10.25', b'"zoom":10.75']
