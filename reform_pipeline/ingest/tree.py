"""The unit tree rules of docs/spec §2.1/§2.3/§2.6, as plain Python over a few thousand rows.

Exactly one root without a ``valid_to``: the province as it is now (the first such root in file
order; each later one is ``bad_code``). A root that ended (a province merged into it) is kept as
the root of its own old tree. Every other unit's parent must be a valid unit (else
``unknown_agency``) whose life covers the unit's (else ``inconsistent_dates``); every unit on a
cycle is ``bad_code``; a unit below a rejected unit is ``unknown_agency``.

Successors (docs/spec §2.6): a chain of successors that loops makes every row on the loop
``bad_code``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class TreeCheck:
    root: str | None  # the current root: the province as it is now
    depth: dict[str, int]  # valid units -> depth (root of its tree 0)
    rejected: dict[str, str]  # unit -> reason
    closure: list[tuple[str, str, int]]  # (ancestor, descendant, distance), (u, u, 0) included


Unit = tuple[str, "str | None", "dt.date | None", "dt.date | None"]


def covers(parent: Unit, child: Unit) -> bool:
    """Whether the parent's life covers the child's (an empty bound is open)."""
    _, _, parent_from, parent_to = parent
    _, _, child_from, child_to = child
    starts_in_time = parent_from is None or (child_from is not None and parent_from <= child_from)
    ends_in_time = parent_to is None or (child_to is not None and child_to <= parent_to)
    return starts_in_time and ends_in_time


def check_tree(units: list[Unit]) -> TreeCheck:
    """``units`` are (agency_code, parent_code, valid_from, valid_to) in file order, one row per
    code."""
    by_code = {unit[0]: unit for unit in units}
    rejected: dict[str, str] = {}
    current_roots = [code for code, parent, _, valid_to in units if parent is None and valid_to is None]
    root = current_roots[0] if current_roots else None
    for extra_root in current_roots[1:]:
        rejected[extra_root] = "bad_code"
    tops = {code for code, parent, _, _ in units if parent is None and code not in rejected}

    kept = set(tops)
    for code, *_ in units:
        if code not in rejected and code not in kept:
            _walk_up(code, by_code, kept, rejected)

    depth: dict[str, int] = {}
    closure: list[tuple[str, str, int]] = []
    for code, *_ in units:
        if code in rejected:
            continue
        chain = [code]
        while chain[-1] not in tops:
            chain.append(by_code[chain[-1]][1])
        depth[code] = len(chain) - 1
        closure.extend((ancestor, code, distance) for distance, ancestor in enumerate(chain))
    return TreeCheck(root, depth, rejected, closure)


def _walk_up(start: str, by_code: dict[str, Unit], kept: set[str], rejected: dict[str, str]) -> None:
    """Follow parents from ``start`` up to a unit already settled (kept or rejected), a missing
    parent, a second current root or a cycle; then settle the path from the top down: below a
    rejected or missing unit ``unknown_agency``, under a parent whose life does not cover the
    unit's ``inconsistent_dates``, else kept."""
    path: list[str] = []
    on_path: set[str] = set()
    node = start
    while node in by_code and node not in kept and node not in rejected and node not in on_path:
        path.append(node)
        on_path.add(node)
        node = by_code[node][1]
        if node is None:  # a second current root, already rejected
            break
    if node in on_path:
        # Every unit on the loop is bad_code; the units that lead into it lie below a rejected
        # unit and are unknown_agency.
        loop_start = path.index(node)
        for member in path[loop_start:]:
            rejected[member] = "bad_code"
        path = path[:loop_start]
    above_is_kept = node in kept
    for member in reversed(path):
        parent = by_code[member][1]
        if not above_is_kept:
            rejected[member] = "unknown_agency"
        elif not covers(by_code[parent], by_code[member]):
            rejected[member] = "inconsistent_dates"
            above_is_kept = False
        else:
            kept.add(member)


def successor_loops(pairs: list[tuple[str, str]]) -> set[str]:
    """The units whose chain of successors comes back to them (docs/spec §2.6): every row on a
    loop. ``pairs``: (unit, successor), one per unit."""
    successor_of = dict(pairs)
    looped: set[str] = set()
    settled: set[str] = set()
    for start in successor_of:
        path: list[str] = []
        node = start
        while node in successor_of and node not in settled and node not in path:
            path.append(node)
            node = successor_of[node]
        if node in path:
            looped.update(path[path.index(node):])
        settled.update(path)
    return looped
