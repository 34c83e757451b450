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

from geodata.profile import DIGITS, DatasetSpec, Problem, Profile, ProfileError, load_profile

TILING_TOLERANCE = 0.001
"""Largest share of a parent unit's area that may be uncovered by, or covered twice by, its children."""

_FETCH_FIX = "run `BEDARFSATLAS_PROFILE={root} python -m geodata fetch`, or correct datasets.{key}.download_url"


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
        return [Problem(where, f"file missing (looked at {', '.join(looked) or 'nowhere: no data folder, no local download_url'})",
                        _FETCH_FIX.format(root=profile.root, key=ds.key))], None
    problems = []
    digest = sha256_of(path)
    if digest != ds.sha256:
        problems.append(Problem(f"{where}.sha256", f"{path} has sha256 {digest}, the profile records {ds.sha256}",
                                f'if {path.name} is the version you mean to use, write sha256 = "{digest}"; '
                                "else obtain the version the profile records"))
    try:
        table = _read_table(ds, path)
    except Exception as exc:  # pandas/pyogrio raise many types for unreadable files
        problems.append(Problem(where, f"{path} cannot be read ({type(exc).__name__}: {exc})",
                                f"give a valid {ds.kind} file"))
        return problems, None
    present = [c for c in table.columns if c != "geometry"]
    for column in ds.columns:
        if column not in table.columns:
            problems.append(Problem(f"{where}.columns", f"unknown column {column!r}: {path.name} has {', '.join(present)}",
                                    "correct the name in columns (and wherever the profile uses it)"))
    if len(table) != ds.rows:
        problems.append(Problem(f"{where}.rows", f"{path.name} has {len(table)} rows, the profile says {ds.rows}",
                                f"write rows = {len(table)} if the file is right"))
    if ds.id_column and ds.id_column in table.columns:
        ids = table[ds.id_column].astype(str)
        if ds.id_length:
            bad = ids[ids.str.len() != ds.id_length]
            if len(bad):
                problems.append(Problem(f"{where}.id_column", f"{len(bad)} ids in {ds.id_column} are not "
                                        f"{ds.id_length} characters long, e.g. {bad.iloc[0]!r}",
                                        "zero-pad the ids in the file or correct id_length"))
        if ds.id_pattern:
            refused = ids[~ids.str.fullmatch(ds.id_pattern)]
            if len(refused):
                problems.append(Problem(f"{where}.id_column", f"{len(refused)} ids in {ds.id_column} do not match the "
                                        f"id rule {ds.id_pattern!r}, e.g. {refused.iloc[0]!r}", _pattern_fix(profile, ds)))
        if ids.duplicated().any():
            problems.append(Problem(f"{where}.id_column", f"ids repeat in {ds.id_column}, e.g. "
                                    f"{ids[ids.duplicated()].iloc[0]!r}", "give every row its own id"))
    if ds.kind == "geojson" and ds.geometry_type and isinstance(table, gpd.GeoDataFrame):
        family = ds.geometry_type.replace("Multi", "")
        found = set(table.geom_type.dropna())
        if any(kind.replace("Multi", "") != family for kind in found):
            problems.append(Problem(f"{where}.geometry_type", f"{path.name} holds {', '.join(sorted(found))}",
                                    f"give {ds.geometry_type} geometries or correct geometry_type"))
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
                problems.append(Problem(f"{where}.{name}", f"unknown column {value!r}: not a column of "
                                        f"{', '.join(ind.datasets)} nor an indicator of the profile",
                                        "name a column listed in the dataset's columns (or computed), or a sum indicator"))
            elif part is not None and name != "column" and part.aggregation != "sum":
                problems.append(Problem(where, f"aggregation undefined: the {name} {value!r} is a "
                                        f"{part.aggregation} indicator, which cannot be summed over units",
                                        f"make the {name} a count (a column or a sum indicator)"))
        if ind.aggregation == "class" and ind.column and tables.get(ind.dataset) is not None:
            table = tables[ind.dataset]
            if ind.column in table.columns:
                values = pd.to_numeric(table[ind.column], errors="coerce").dropna().astype(int)
                odd = sorted(set(values) - set(ind.classes))
                if odd:
                    problems.append(Problem(f"{where}.classes", f"{ind.column} holds codes {odd} that are not classes",
                                            f"add them to classes or correct the file; classes are {list(ind.classes)}"))
        finest = profile.level_order[0]
        level = profile.level(ind.base_level) if ind.base_level else profile.level(finest)
        ds = profile.dataset(ind.dataset)
        if ind.aggregation in ("class", "finest") and ind.base_level not in (None, finest):
            problems.append(Problem(f"{where}.aggregation", f"a {ind.aggregation} indicator exists at the finest "
                                    f"level only, but base_level is {ind.base_level}",
                                    "remove base_level, or give a sum or share indicator"))
        if ds.id_column and ds.id_length and level.id_length and ds.id_length != level.id_length \
                and level.nesting == "prefix":
            problems.append(Problem(f"{where}", f"aggregation undefined: {ind.dataset}'s ids have {ds.id_length} "
                                    f"characters, the {level.code} units {level.id_length}",
                                    "set base_level to the level whose ids the dataset uses"))
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
            how = (f"no {level.parent} unit has the id {assigned[unit]!r}" if level.nesting == "prefix"
                   else f"it lies in no {level.parent} unit")
            problems.append(Problem(where, f"unit {unit} has no parent: {how}",
                                    f"add the {level.parent} unit, or correct the unit's id or geometry"))
        if len(orphans) > 5:
            problems.append(Problem(where, f"{len(orphans) - 5} more units without parent", "as above"))
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
                what = ("it has no units" if not len(own) else
                        f"{gap:.1%} of it is uncovered, {overlap:.1%} is covered twice, and its units reach "
                        f"beyond it by {outside:.1%} of its area")
                problems.append(Problem(where, f"the {level.code} units do not tile the {level.parent} unit "
                                        f"{parent_id}: {what}",
                                        f"the units of {level.code} must cover each {level.parent} unit exactly once; "
                                        "correct their geometry or the ids that assign them"))
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
