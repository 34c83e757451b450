"""Class breaks and colours for choropleth maps.

A choropleth shows classes, not raw values: every area falls into one of a few
classes, each with a colour and a legend label. Continuous indicators (shares,
rates) are split by quantiles (each class holds about as many areas) or by natural
breaks (Fisher-Jenks: classes where the values cluster). Class indicators such as
the MSS status index keep their official classes, in the official order.

Legend labels say exactly which values a class holds, in the precision the map
shows them: values are classified as they are shown (rounded to the indicator's
decimals), so two areas whose tooltips show the same number are always in the
same class, adjacent labels never share a number ("43 – 45", "46 – 72", not
"43 – 46", "46 – 72"), and a class of one value says so ("genau 34"). Ties can
make quantile classes unequal (71 areas with the value 34 are one class, however
many classes were asked for); the scheme then says so too
(``quantiles_unequal``, see :attr:`Classification.scheme`).

Colours come from ColorBrewer's sequential ramps, which stay readable for people
with colour-vision deficiencies and in greyscale print. The ramp follows the
indicator's *direction*: for a need indicator the darkest colour always marks the
most need, also when a low value means need (then the ramp runs backwards). Areas
without a value are a class of their own ("keine Angabe"), never drawn as zero.

Examples
--------
>>> import pandas as pd
>>> shares = pd.Series([1.0, 2.0, 3.0, 4.0, None], index=["01", "02", "03", "04", "05"])
>>> c = classify_numeric(shares, k=2, unit="%", decimals=0, lang="de")
>>> c.labels
('1 – 2 %', '3 – 4 %')
>>> c.classes.tolist()
[0, 0, 1, 1, <NA>]
>>> c.colour_of("05") == MISSING_COLOUR
True
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

from core.i18n import format_number

#: Direction of an indicator: higher values mean more need, lower values mean
#: more need, or the indicator has no need meaning (e.g. population).
MORE_NEED_IF_HIGHER = 1
MORE_NEED_IF_LOWER = -1
NEUTRAL = 0

SCHEMES = ("quantiles", "natural_breaks")

#: The scheme of quantile classes that ties made clearly unequal in size (see :func:`classify_numeric`).
QUANTILES_UNEQUAL = "quantiles_unequal"

MISSING_COLOUR = "#d9d9d9"
"""Light grey for areas without a value; the map draws them with a dashed outline too."""

# ColorBrewer 2.0 sequential ramps (Cynthia Brewer, Apache-2.0), light to dark, for
# 2-7 classes. YlOrRd for need (warm = attention), Blues for neutral quantities.
_RAMPS: dict[str, dict[int, tuple[str, ...]]] = {
    "YlOrRd": {
        2: ("#ffeda0", "#f03b20"),
        3: ("#ffeda0", "#feb24c", "#f03b20"),
        4: ("#ffffb2", "#fecc5c", "#fd8d3c", "#e31a1c"),
        5: ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"),
        6: ("#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026"),
        7: ("#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#b10026"),
    },
    "Blues": {
        2: ("#deebf7", "#3182bd"),
        3: ("#deebf7", "#9ecae1", "#3182bd"),
        4: ("#eff3ff", "#bdd7e7", "#6baed6", "#2171b5"),
        5: ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"),
        6: ("#eff3ff", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c"),
        7: ("#eff3ff", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#084594"),
    },
}
MAX_CLASSES = 7


def ramp(k: int, direction: int = MORE_NEED_IF_HIGHER) -> tuple[str, ...]:
    """``k`` colours for classes ordered from the lowest to the highest value.

    The darkest colour goes to the class with the most need: the highest class
    when ``direction`` is :data:`MORE_NEED_IF_HIGHER`, the lowest class when it is
    :data:`MORE_NEED_IF_LOWER`. Neutral indicators get a blue ramp, dark = high.

    >>> ramp(3)
    ('#ffeda0', '#feb24c', '#f03b20')
    >>> ramp(3, MORE_NEED_IF_LOWER)
    ('#f03b20', '#feb24c', '#ffeda0')
    >>> ramp(1)
    ('#f03b20',)
    """
    if direction not in (MORE_NEED_IF_HIGHER, MORE_NEED_IF_LOWER, NEUTRAL):
        raise ValueError(f"direction must be 1 (higher = more need), -1 or 0 (neutral), got {direction!r}")
    if not 1 <= k <= MAX_CLASSES:
        raise ValueError(f"a choropleth needs 1 to {MAX_CLASSES} classes, got {k}")
    colours = _RAMPS["Blues" if direction == NEUTRAL else "YlOrRd"][max(k, 2)]
    if k == 1:
        colours = colours[-1:]
    return tuple(reversed(colours)) if direction == MORE_NEED_IF_LOWER else colours


@dataclass(frozen=True)
class Classification:
    """Areas sorted into classes, with the colour and legend label of each class.

    ``classes`` holds, per area id, the class number (0 = lowest values) or
    ``<NA>`` when the area has no value. ``labels`` and ``colours`` are indexed by
    class number. ``scheme`` says how the classes came out: ``quantiles``,
    ``quantiles_unequal`` (quantiles that tied values made unequal in size),
    ``natural_breaks`` or ``categories``; the legend's note is the text
    ``legend.scheme.<scheme>`` (:mod:`core.i18n`).
    """

    classes: pd.Series
    labels: tuple[str, ...]
    colours: tuple[str, ...]
    scheme: str
    direction: int

    def __post_init__(self) -> None:
        if len(self.labels) != len(self.colours):
            raise ValueError(f"{len(self.labels)} labels but {len(self.colours)} colours: give one colour per class")

    @property
    def k(self) -> int:
        return len(self.labels)

    def counts(self) -> list[int]:
        """Number of areas per class, in class order."""
        counted = self.classes.value_counts(dropna=True)
        return [int(counted.get(i, 0)) for i in range(self.k)]

    def missing_count(self) -> int:
        return int(self.classes.isna().sum())

    def colour_of(self, area_id: str) -> str:
        """Fill colour of one area (:data:`MISSING_COLOUR` without a value)."""
        cls = self.classes.get(area_id, pd.NA)
        return MISSING_COLOUR if pd.isna(cls) else self.colours[int(cls)]

    def label_of(self, area_id: str) -> str | None:
        cls = self.classes.get(area_id, pd.NA)
        return None if pd.isna(cls) else self.labels[int(cls)]


_EXACTLY = {"de": "genau", "en": "exactly"}


def _range_label(low: float, high: float, unit: str, decimals: int, lang: str) -> str:
    """'43 – 45 %', or 'genau 34 %' for a class of one value (the values as shown, rounded).

    >>> _range_label(43.0, 45.0, "%", 0, "de"), _range_label(34.0, 34.0, "", 0, "de")
    ('43 – 45 %', 'genau 34')
    >>> _range_label(0.5, 0.5, "%", 1, "en")
    'exactly 0.5 %'
    """
    lo, hi = format_number(low, decimals, lang), format_number(high, decimals, lang)
    text = f"{_EXACTLY.get(lang, _EXACTLY['de'])} {lo}" if lo == hi else f"{lo} – {hi}"
    return f"{text} {unit}".strip()


def as_shown(values: pd.Series, decimals: int) -> pd.Series:
    """``values`` rounded as :func:`core.i18n.format_number` shows them with ``decimals`` places.

    Classes are made from these, so an area's class always agrees with the
    number its tooltip and the table show (45.96 shows as 46 and sits in the
    class that starts at 46, not in one that ends at "46").

    >>> as_shown(pd.Series([45.96, 46.04, 0.125]), 0).tolist(), as_shown(pd.Series([1.005]), 2).tolist()
    ([46.0, 46.0, 0.0], [1.0])
    """
    # The same rounding as format_number (Python's correctly rounded format), not numpy's
    # multiply-and-round, which differs for values such as 1.005.
    return values.map(lambda v: float(f"{v:.{decimals}f}"))


def classify_numeric(
    values: pd.Series,
    k: int = 5,
    scheme: str = "quantiles",
    direction: int = MORE_NEED_IF_HIGHER,
    unit: str = "",
    decimals: int = 1,
    lang: str = "de",
) -> Classification:
    """Split a continuous indicator into at most ``k`` classes.

    Parameters
    ----------
    values : Series
        Indicator values indexed by area id; NaN marks a missing value.
    k : int
        Wanted number of classes (2-7). Fewer result when the data has fewer
        distinct values, or when quantile breaks coincide (many equal values).
    scheme : {"quantiles", "natural_breaks"}
        Quantiles put about as many areas into each class; natural breaks
        (Fisher-Jenks, deterministic) follow clusters in the values.
    direction, unit, decimals, lang
        Colour direction (see :func:`ramp`) and how legend labels are written.
        The values are classified as shown with ``decimals`` places
        (:func:`as_shown`); each label gives the smallest and largest of them in
        its class ("genau 34" when that is one value), so no two labels share a
        number.

    Returns
    -------
    Classification
        With ``scheme`` ``quantiles_unequal`` when tied values made the quantile
        classes clearly unequal: the largest holds more areas than the smallest
        by more than a quarter of the mean class size (and by more than one).
        Small differences (29, 27, 30 areas) still count as about equal.

    Examples
    --------
    >>> v = pd.Series([0.5, 0.5, 2.0, 9.0, 10.0, 11.0], index=list("abcdef"))
    >>> c = classify_numeric(v, k=2, scheme="natural_breaks", unit="%", lang="en")
    >>> c.labels, c.counts()
    (('0.5 – 2.0 %', '9.0 – 11.0 %'), [3, 3])

    Four areas share the lowest value: three quantile classes cannot be equal.

    >>> c = classify_numeric(pd.Series([3.0, 3.0, 3.0, 3.0, 5.0, 8.0]), k=3, decimals=0, lang="de")
    >>> c.labels, c.counts(), c.scheme
    (('genau 3', '5 – 8'), [4, 2], 'quantiles_unequal')
    """
    if scheme not in SCHEMES:
        raise ValueError(f"scheme must be one of {', '.join(SCHEMES)}, got {scheme!r}")
    numeric = pd.to_numeric(values, errors="raise").astype("float64")
    present = as_shown(numeric.dropna(), decimals)
    classes = pd.Series(pd.NA, index=numeric.index, dtype="Int64")
    if present.empty:
        return Classification(classes, (), (), scheme, direction)
    distinct = int(present.nunique())
    k = max(1, min(k, distinct, MAX_CLASSES))
    if k == 1:
        bins = np.array([present.max()])
    else:
        # Imported here: mapclassify pulls in scikit-learn and scipy.stats (~1 s), which a
        # new server process would otherwise pay before its first map (see bench/cold_start.py).
        import mapclassify

        with warnings.catch_warnings():
            # mapclassify warns when ties make fewer classes than asked; we handle that below.
            warnings.simplefilter("ignore", UserWarning)
            if scheme == "quantiles":
                bins = mapclassify.Quantiles(present.to_numpy(), k=k).bins
            else:
                bins = mapclassify.FisherJenks(present.to_numpy(), k=k).bins
    bins = np.unique(bins)
    # Class i holds values in (bins[i-1], bins[i]]; searchsorted gives that directly.
    codes = np.searchsorted(bins, present.to_numpy(), side="left")
    used = np.unique(codes)
    # Drop classes that got no area (possible with ties) and renumber densely.
    renumber = {old: new for new, old in enumerate(used)}
    codes = np.array([renumber[c] for c in codes])
    classes.loc[present.index] = codes
    labels = tuple(
        _range_label(present[codes == i].min(), present[codes == i].max(), unit, decimals, lang)
        for i in range(len(used))
    )
    sizes = np.bincount(codes)
    if scheme == "quantiles" and sizes.max() - sizes.min() > max(1.0, len(codes) / len(sizes) / 4):
        scheme = QUANTILES_UNEQUAL
    return Classification(classes, labels, ramp(len(labels), direction), scheme, direction)


def classify_categories(
    values: pd.Series,
    categories: Sequence[tuple[object, str]],
    direction: int = MORE_NEED_IF_HIGHER,
) -> Classification:
    """Keep official classes: ``categories`` lists ``(code, label)`` from low to high code.

    Values that are not one of the codes (and NaN) count as missing, so an
    unexpected code shows as "keine Angabe" instead of silently taking a colour.

    Examples
    --------
    >>> status = pd.Series([1, 4, 2, None], index=["a", "b", "c", "d"])
    >>> c = classify_categories(status, [(1, "hoch"), (2, "mittel"), (3, "niedrig"), (4, "sehr niedrig")],
    ...                         direction=MORE_NEED_IF_HIGHER)
    >>> c.classes.tolist(), c.label_of("b"), c.missing_count()
    ([0, 3, 1, <NA>], 'sehr niedrig', 1)
    """
    if not categories:
        raise ValueError("categories is empty: give the official classes as (code, label) pairs")
    position = {code: i for i, (code, _) in enumerate(categories)}
    # Codes may arrive as floats (1.0) when the column had missing values.
    for code in list(position):
        if isinstance(code, (int, np.integer)):
            position[float(code)] = position[code]
    classes = values.map(lambda v: position.get(v, pd.NA) if not pd.isna(v) else pd.NA).astype("Int64")
    labels = tuple(label for _, label in categories)
    return Classification(classes, labels, ramp(len(labels), direction), "categories", direction)
