"""Validate a city profile against its data before use: ``python -m geodata check --profile DIR``.

:func:`check_profile` goes beyond the loader (:func:`geodata.profile.load_profile`, which checks
the fields of ``profile.toml``) and opens every dataset's file. It names every problem with the
fix:

* a file that is missing, or whose sha256 is not the one the profile records;
* a column the profile names that the file does not have (the schema, a level's id or name
  field, an indicator's column, numerator or denominator), a wrong row count, bad or repeated ids
  (of another length than ``id_length``, or not matching the ``id_pattern``);
* an indicator whose aggregation is undefined (a share of parts that cannot be summed);
* a unit without a parent (by id prefix or by containment), and a level whose units do not
  tile the level above (a gap, or an overlap, of more than :data:`TILING_TOLERANCE` of an area).

Files are looked for in the data folder first (where ``python -m geodata fetch`` puts them), then
at the dataset's ``download_url`` when that is a path (a profile that carries its own files).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

from core.i18n import Message
from geodata.profile import DIGITS, DatasetSpec, Problem, Profile, ProfileError, load_profile

TILING_TOLERANCE = 0.001
"""Largest share of a parent unit's area that may be uncovered by, or covered twice by, its children."""



def sha256_of(path: Path) -> str:
    from geodata.fetch import sha256_of as digest

    return digest(path)


def dataset_file(ds: DatasetSpec, data_dir: Path | None) -> Path | None:
    """Where the dataset's file is: in the data folder, else at its local download path; ``None`` if nowhere."""
    candidates = [data_dir / ds.filename] if data_dir else []
    if ds.local_source:
        candidates.append(ds.local_source)
    return next((path for path in candidates if path.is_file()), None)


def _read_table(ds: DatasetSpec, path: Path) -> pd.DataFrame:
    if ds.kind == "csv":
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    return pyogrio.read_dataframe(path)


def _check_dataset(profile: Profile, ds: DatasetSpec, data_dir: Path | None) -> tuple[list[Problem], pd.DataFrame | None]:
    where = f"datasets.{ds.key}"
    path = dataset_file(ds, data_dir)
    if path is None:
        looked = [str(data_dir / ds.filename)] if data_dir else []
        looked += [str(ds.local_source)] if ds.local_source else []
        what = (Message("data.profile.file_missing", looked=", ".join(looked)) if looked
                else Message("data.profile.file_missing_nowhere"))
        return [Problem(where, what, Message("data.profile.fix.fetch", root=profile.root, key=ds.key))], None
    problems = []
    digest = sha256_of(path)
    if digest != ds.sha256:
        problems.append(Problem(f"{where}.sha256",
                                Message("data.profile.checksum", path=path, found=digest, expected=ds.sha256),
                                Message("data.profile.fix.checksum", file=path.name, found=digest)))
    try:
        table = _read_table(ds, path)
    except Exception as exc:  # pandas/pyogrio raise many types for unreadable files
        problems.append(Problem(where, Message("data.profile.unreadable", path=path, error=f"{type(exc).__name__}: {exc}"),
                                Message("data.profile.fix.unreadable", kind=ds.kind)))
        return problems, None
    present = [c for c in table.columns if c != "geometry"]
    for column in ds.columns:
        if column not in table.columns:
            problems.append(Problem(f"{where}.columns", Message("data.profile.unknown_column", column=repr(column),
                                                                file=path.name, present=", ".join(present)),
                                    Message("data.profile.fix.unknown_column")))
    if len(table) != ds.rows:
        problems.append(Problem(f"{where}.rows", Message("data.profile.rows", file=path.name, found=len(table),
                                                         expected=ds.rows),
                                Message("data.profile.fix.rows", found=len(table))))
    if ds.id_column and ds.id_column in table.columns:
        ids = table[ds.id_column].astype(str)
        if ds.id_length:
            bad = ids[ids.str.len() != ds.id_length]
            if len(bad):
                problems.append(Problem(f"{where}.id_column",
                                        Message("data.profile.id_length", count=len(bad), column=ds.id_column,
                                                length=ds.id_length, example=repr(bad.iloc[0])),
                                        Message("data.profile.fix.id_length")))
        if ds.id_pattern:
            refused = ids[~ids.str.fullmatch(ds.id_pattern)]
            if len(refused):
                problems.append(Problem(f"{where}.id_column", f"{len(refused)} ids in {ds.id_column} do not match the "
                                        f"id rule {ds.id_pattern!r}, e.g. {refused.iloc[0]!r}", _pattern_fix(profile, ds)))
        if ids.duplicated().any():
            problems.append(Problem(f"{where}.id_column", Message("data.profile.ids_repeat", column=ds.id_column,
                                                                  example=repr(ids[ids.duplicated()].iloc[0])),
                                    Message("data.profile.fix.ids_repeat")))
    if ds.kind == "geojson" and ds.geometry_type and isinstance(table, gpd.GeoDataFrame):
        family = ds.geometry_type.replace("Multi", "")
        found = set(table.geom_type.dropna())
        if any(kind.replace("Multi", "") != family for kind in found):
            problems.append(Problem(f"{where}.geometry_type",
                                    Message("data.profile.geometry", file=path.name, found=", ".join(sorted(found))),
                                    Message("data.profile.fix.geometry", expected=ds.geometry_type)))
    return problems, table


def _pattern_fix(profile: Profile, ds: DatasetSpec) -> str:
    """How to state the id rule the file's ids follow: where the rule came from, and what to write."""
    level = next((level for level in profile.levels if level.id_field == ds.id_column), None)
    where = f"levels[{level.code}]" if level is not None else f"datasets.{ds.key}"
    if ds.id_pattern == DIGITS:
        return (f"ids with an id_length and no stated rule must be digits; correct the ids in the file, or state "
                f'the rule they follow in {where}, e.g. id_pattern = "[A-Z]{{2}}[0-9]{{4}}" (a regular '
                "expression each whole id matches; docs/new-city.md)")
    return f"correct the ids in the file, or the regular expression id_pattern in {where} (or datasets.{ds.key})"


def _check_indicators(profile: Profile, tables: dict[str, pd.DataFrame | None]) -> list[Problem]:
    problems = []
    by_key = {ind.key: ind for ind in profile.indicators}
    for ind in profile.indicators:
        where = f"datasets.{ind.dataset}.indicators.{ind.key}"
        known = set()
        for key in ind.datasets:
            ds = profile.dataset(key)
            known |= set(ds.columns) | set(ds.computed)
        for name, value in (("column", ind.column), ("numerator", ind.numerator), ("denominator", ind.denominator)):
            if value is None:
                continue
            part = by_key.get(value)
            if part is None and value not in known:
                problems.append(Problem(f"{where}.{name}", Message("data.profile.unknown_part", value=repr(value),
                                                                   datasets=", ".join(ind.datasets)),
                                        Message("data.profile.fix.unknown_part")))
            elif part is not None and name != "column" and part.aggregation != "sum":
                problems.append(Problem(where, Message("data.profile.part_not_summable", field=name, value=repr(value),
                                                       aggregation=part.aggregation),
                                        Message("data.profile.fix.part_not_summable", field=name)))
        if ind.aggregation == "class" and ind.column and tables.get(ind.dataset) is not None:
            table = tables[ind.dataset]
            if ind.column in table.columns:
                values = pd.to_numeric(table[ind.column], errors="coerce").dropna().astype(int)
                odd = sorted(set(values) - set(ind.classes))
                if odd:
                    problems.append(Problem(f"{where}.classes",
                                            Message("data.profile.odd_classes", column=ind.column, codes=odd),
                                            Message("data.profile.fix.odd_classes", classes=list(ind.classes))))
        finest = profile.level_order[0]
        level = profile.level(ind.base_level) if ind.base_level else profile.level(finest)
        ds = profile.dataset(ind.dataset)
        if ind.aggregation in ("class", "finest") and ind.base_level not in (None, finest):
            problems.append(Problem(f"{where}.aggregation", Message("data.profile.finest_only", aggregation=ind.aggregation,
                                                                    level=ind.base_level),
                                    Message("data.profile.fix.finest_only")))
        if ds.id_column and ds.id_length and level.id_length and ds.id_length != level.id_length \
                and level.nesting == "prefix":
            problems.append(Problem(f"{where}", Message("data.profile.id_lengths_differ", dataset=ind.dataset,
                                                        length=ds.id_length, level=level.code,
                                                        level_length=level.id_length),
                                    Message("data.profile.fix.id_lengths_differ")))
    return problems


def _units(profile: Profile, code: str, tables: dict[str, pd.DataFrame | None]) -> gpd.GeoDataFrame | None:
    level = profile.level(code)
    table = tables.get(level.dataset)
    if not isinstance(table, gpd.GeoDataFrame) or level.id_field not in table.columns:
        return None
    units = table[[level.id_field, "geometry"]].copy()
    units[level.id_field] = units[level.id_field].astype(str)
    return units.set_crs(profile.crs, allow_override=True).set_index(level.id_field)


def _check_nesting(profile: Profile, tables: dict[str, pd.DataFrame | None]) -> list[Problem]:
    problems = []
    for level in profile.levels:
        if level.parent is None:
            continue
        where = f"levels[{level.code}]"
        children, parents = _units(profile, level.code, tables), _units(profile, level.parent, tables)
        if children is None or parents is None:
            continue  # the file problems are reported already
        parent_level = profile.level(level.parent)
        if level.nesting == "prefix":
            assigned = pd.Series(children.index.str.slice(0, parent_level.id_length or 0), index=children.index)
        else:
            points = gpd.GeoSeries(shapely.point_on_surface(children.geometry.array), index=children.index,
                                   crs=children.crs)
            hits = gpd.sjoin(gpd.GeoDataFrame(geometry=points), parents.reset_index(names="parent"),
                             predicate="within", how="left")
            assigned = hits.groupby(level=0)["parent"].first().reindex(children.index)
        orphans = assigned[~assigned.isin(parents.index)]
        for unit in orphans.index[:5]:
            how = (Message("data.profile.orphan_by_id", unit=unit, parent=level.parent, id=repr(assigned[unit]))
                   if level.nesting == "prefix" else Message("data.profile.orphan_by_area", unit=unit, parent=level.parent))
            problems.append(Problem(where, how, Message("data.profile.fix.orphan", parent=level.parent)))
        if len(orphans) > 5:
            problems.append(Problem(where, Message("data.profile.more_orphans", count=len(orphans) - 5),
                                    Message("data.profile.fix.as_above")))
        for parent_id, parent_geom in parents.geometry.items():
            own = children.geometry[assigned == parent_id]
            area = parent_geom.area
            if area <= 0:
                continue
            union = shapely.union_all(own.array) if len(own) else shapely.Polygon()
            gap = parent_geom.difference(union).area / area
            outside = union.difference(parent_geom).area / area
            overlap = (own.area.sum() - union.area) / area
            worst = max(gap, outside, overlap)
            if worst > TILING_TOLERANCE:
                what = (Message("data.profile.tiling_empty", level=level.code, parent=level.parent, id=parent_id)
                        if not len(own) else
                        Message("data.profile.tiling", level=level.code, parent=level.parent, id=parent_id,
                                gap=f"{gap:.1%}", overlap=f"{overlap:.1%}", outside=f"{outside:.1%}"))
                problems.append(Problem(where, what,
                                        Message("data.profile.fix.tiling", level=level.code, parent=level.parent)))
    return problems


def check_profile(folder: Path | str, data_dir: Path | None = None) -> list[Problem]:
    """Every problem of the profile in ``folder`` and its data; an empty list when it can be used."""
    try:
        profile = load_profile(folder)
    except ProfileError as exc:
        return list(exc.problems)
    problems: list[Problem] = []
    tables: dict[str, pd.DataFrame | None] = {}
    for ds in profile.datasets:
        found, tables[ds.key] = _check_dataset(profile, ds, data_dir)
        problems += found
    problems += _check_indicators(profile, tables)
    problems += _check_nesting(profile, tables)
    return problems
