"""Charts besides the maps: one area's contribution bars on /bewertung.

Plain Altair specifications, no Streamlit: a page passes the numbers in and
renders what comes back (``st.altair_chart``).
"""

from __future__ import annotations

import altair as alt
import pandas as pd


def contribution_bars(contributions: pd.Series, title: str) -> alt.Chart:
    """Horizontal bars: what each indicator adds to one area's score, in the order given.

    ``contributions`` is indexed by the indicators' full names; ``title`` names the
    value axis. The names are not cut short (a plain bar chart cut them all to the
    same "Anteil Einwohner …"), and the tooltip repeats name and value (one decimal).

    >>> chart = contribution_bars(pd.Series([30.0, 12.5], index=["Statusindex", "Dynamik"]), "Beitrag")
    >>> spec = chart.to_dict()
    >>> spec["mark"]["type"], spec["encoding"]["y"]["axis"]["labelLimit"], spec["encoding"]["x"]["title"]
    ('bar', 520, 'Beitrag')
    """
    frame = contributions.rename_axis("indicator").reset_index(name="value")
    return alt.Chart(frame).mark_bar().encode(
        x=alt.X("value:Q", title=title),
        y=alt.Y("indicator:N", sort=None, title=None, axis=alt.Axis(labelLimit=520)),
        tooltip=[alt.Tooltip("indicator:N", title=" "), alt.Tooltip("value:Q", format=".1f", title=" ")],
    )
