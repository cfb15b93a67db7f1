"""The unit tree rules of docs/spec §2.1/§2.3, as plain Python over a few thousand rows.

Exactly one root; every other unit's parent must be a valid unit. A second root and every unit on
a cycle are ``bad_code``; a unit whose parent is missing or was rejected is ``unknown_agency``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TreeCheck:
    root: str | None
    depth: dict[str, int]  # valid units -> depth (root 0)
    rejected: dict[str, str]  # unit -> reason
    closure: list[tuple[str, str, int]]  # (ancestor, descendant, distance), (u, u, 0) included


def check_tree(units: list[tuple[str, str | None]]) -> TreeCheck:
    """``units`` are (agency_code, parent_code) in file order, one row per code."""
    parent_of = dict(units)
    rejected: dict[str, str] = {}
    roots = [code for code, parent in units if parent is None]
    root = roots[0] if roots else None
    for extra_root in roots[1:]:
        rejected[extra_root] = "bad_code"

    for code, _ in units:
        if code not in rejected and code != root:
            _walk_up(code, parent_of, root, rejected)

    depth: dict[str, int] = {}
    closure: list[tuple[str, str, int]] = []
    for code, _ in units:
        if code in rejected:
            continue
        chain = [code]
        while chain[-1] != root:
            chain.append(parent_of[chain[-1]])
        depth[code] = len(chain) - 1
        closure.extend((ancestor, code, distance) for distance, ancestor in enumerate(chain))
    return TreeCheck(root, depth, rejected, closure)


def _walk_up(start: str, parent_of: dict, root: str | None, rejected: dict[str, str]) -> None:
    """Follow parents from ``start`` until the root, a rejected or missing unit, or a cycle."""
    path: list[str] = []
    on_path: set[str] = set()
    node = start
    while True:
        if node == root:
            return
        if node in rejected:
            fate = "unknown_agency"
            break
        if node in on_path:
            # Every unit on the loop is bad_code; the units that lead into it lie below a
            # rejected unit and are unknown_agency.
            loop_start = path.index(node)
            for member in path[loop_start:]:
                rejected[member] = "bad_code"
            path = path[:loop_start]
            fate = "unknown_agency"
            break
        if node not in parent_of:
            fate = "unknown_agency"
            break
        path.append(node)
        on_path.add(node)
        parent = parent_of[node]
        if parent is None:  # a second root, already rejected above
            fate = "unknown_agency"
            break
        node = parent
    for member in path:
        rejected.setdefault(member, fate)
