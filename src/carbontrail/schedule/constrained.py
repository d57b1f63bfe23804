"""Constrained Pause & Resume, solved exactly by dynamic programming.

Real jobs cannot pause every five minutes. Constraints (SCHEDULING.md):

- every run segment lasts at least ``min_segment`` slots (a job shorter than
  that runs in one piece);
- at most ``max_pauses`` pauses, or a cost per pause (``pause_cost``, in the
  same integer units as the intensities: micro-gCO2e/kWh x slot);
- checkpoint overhead: ``checkpoint_slots`` slots after a segment that is
  followed by a pause, and restart overhead: ``restart_slots`` slots before
  every segment but the first; both do no work and use
  ``overhead_fraction`` of the job's power, charged at *that* slot's intensity.

The programme runs over (slot, work done, phase), the phase being "not
started", "paused", "in restart j", "running for s slots" (s capped at
``min_segment``) or "in checkpoint j", plus the pauses used when they are
limited. With T slots in the window, L work slots, m the minimum segment,
o = restart + checkpoint slots and P the pause limit, it takes
O(T x L x (m + o) x (P + 1)) time and stores one small choice per state and
slot for the backtrack (int8). A 24 h job on 5-minute slots with a 100 %
extra window and a 30-minute minimum segment is 576 x 289 x 9 states.

Costs are exact integers (grid.py), so the optimum is exact, not approximate.
"""

from __future__ import annotations

import numpy as np

from ..errors import ScheduleError
from .grid import SlotPlan, segments_of, to_fixed

_INF = np.int64(1) << np.int64(62)
_IDLE, _WORK, _OVER = 0, 1, 2


def _layout(restart: int, min_seg: int, ckpt: int) -> dict[str, int]:
    lay = {"NEW": 0, "PAUSED": 1}
    i = 2
    for j in range(1, restart + 1):
        lay[f"RS{j}"] = i
        i += 1
    for s in range(1, min_seg + 1):
        lay[f"RUN{s}"] = i
        i += 1
    for j in range(1, ckpt):
        lay[f"CK{j}"] = i
        i += 1
    lay["DONE"] = i
    lay["_size"] = i + 1
    return lay


def _transitions(lay: dict[str, int], restart: int, min_seg: int, ckpt: int):
    """target -> [(source, dw, dp, kind)] in order of preference on ties."""
    run = [lay[f"RUN{s}"] for s in range(1, min_seg + 1)]
    full = run[-1]
    t: dict[int, list[tuple[int, int, int, int]]] = {lay["NEW"]: [(lay["NEW"], 0, 0, _IDLE)]}
    paused = [(lay["PAUSED"], 0, 0, _IDLE)]
    if ckpt == 0:
        paused.append((full, 0, 0, _IDLE))
    elif ckpt == 1:
        paused.append((full, 0, 0, _OVER))
    else:
        paused.append((lay[f"CK{ckpt - 1}"], 0, 0, _OVER))
        t[lay["CK1"]] = [(full, 0, 0, _OVER)]
        for j in range(2, ckpt):
            t[lay[f"CK{j}"]] = [(lay[f"CK{j - 1}"], 0, 0, _OVER)]
    t[lay["PAUSED"]] = paused
    if restart:
        t[lay["RS1"]] = [(lay["PAUSED"], 0, 1, _OVER)]
        for j in range(2, restart + 1):
            t[lay[f"RS{j}"]] = [(lay[f"RS{j - 1}"], 0, 0, _OVER)]
    first = [(lay["NEW"], 1, 0, _WORK)]
    first.append((lay[f"RS{restart}"], 1, 0, _WORK) if restart else (lay["PAUSED"], 1, 1, _WORK))
    if min_seg == 1:
        first.append((full, 1, 0, _WORK))
    t[run[0]] = first
    for s in range(2, min_seg + 1):
        src = [(run[s - 2], 1, 0, _WORK)]
        if s == min_seg:
            src.append((full, 1, 0, _WORK))
        t[run[s - 1]] = src
    return t


def constrained_pause_resume(values, length: int, horizon: int | None = None, *, release: int = 0,
                             min_segment: int = 1, max_pauses: int | None = None,
                             pause_cost: int = 0, restart_slots: int = 0, checkpoint_slots: int = 0,
                             overhead_fraction: float = 1.0, start_state: str | int = "new") -> SlotPlan:
    """Exact optimum of Pause & Resume under the constraints above.

    ``values`` [gCO2e/kWh] (or int64 fixed-point from :func:`grid.to_fixed`);
    the window is ``[release, release + horizon)`` slots. ``start_state``:
    "new" (not started), "paused" (resuming costs overhead and counts as a
    pause) or an int s >= 1 (running for s slots already; the runner's case).
    Raises ScheduleError when no schedule meets the deadline.
    """
    fixed = values if np.asarray(values).dtype == np.int64 else to_fixed(values)
    horizon = fixed.size - release if horizon is None else horizon
    if length < 1:
        raise ScheduleError("a job must last at least one slot")
    if release < 0 or release + horizon > fixed.size:
        raise ScheduleError("the window runs past the end of the series; give a longer series")
    if min_segment < 1 or restart_slots < 0 or checkpoint_slots < 0 or pause_cost < 0:
        raise ScheduleError("minimum segment must be >= 1 slot; overheads and pause cost >= 0")
    if max_pauses is not None and max_pauses < 0:
        raise ScheduleError("the maximum number of pauses must be >= 0")
    if not 0 <= overhead_fraction:
        raise ScheduleError("the overhead energy fraction must be >= 0")
    c = fixed[release:release + horizon]
    oc = np.rint(c * overhead_fraction).astype(np.int64)
    m = min_segment
    lay = _layout(restart_slots, m, checkpoint_slots)
    trans = _transitions(lay, restart_slots, m, checkpoint_slots)
    size, done = lay["_size"], lay["DONE"]
    n_p = 1 if max_pauses is None else max_pauses + 1
    limited = max_pauses is not None
    cur = np.full((size, n_p, length + 1), _INF, dtype=np.int64)
    if start_state == "new":
        cur[lay["NEW"], 0, 0] = 0
    elif start_state == "paused":
        cur[lay["PAUSED"], 0, 0] = 0
    elif isinstance(start_state, int) and start_state >= 1:
        cur[lay[f"RUN{min(start_state, m)}"], 0, 0] = 0
    else:
        raise ScheduleError(f"unknown start state {start_state!r}")
    finish_ok = [lay[f"RUN{s}"] for s in range(min(m, length), m + 1)]
    choice = np.zeros((horizon, size, n_p, length + 1), dtype=np.int8)
    for t in range(horizon):
        add = {_IDLE: 0, _WORK: int(c[t]), _OVER: int(oc[t])}
        new = np.full_like(cur, _INF)
        for tgt, sources in trans.items():
            cands = []
            for src, dw, dp, kind in sources:
                a = np.full((n_p, length + 1), _INF, dtype=np.int64)
                extra = add[kind] + (pause_cost if dp else 0)
                ps = slice(None) if not (dp and limited) else slice(1, None)
                pd = slice(None) if not (dp and limited) else slice(None, -1)
                if dw:
                    a[ps, 1:] = cur[src][pd, :-1] + extra
                else:
                    a[ps, :] = cur[src][pd, :] + extra
                cands.append(a)
            stack = np.stack(cands)
            pick = np.argmin(stack, axis=0)
            new[tgt] = np.minimum(np.take_along_axis(stack, pick[None], 0)[0], _INF)
            choice[t, tgt] = pick
        # a finished job (all work done, last segment long enough) rests in DONE
        fold = np.stack([cur[done][:, length]] + [new[s][:, length] for s in finish_ok])
        pick = np.argmin(fold, axis=0)
        new[done][:, length] = fold[pick, np.arange(n_p)]
        choice[t, done][:, length] = pick
        for s in range(lay["RUN1"], lay["RUN1"] + m):
            new[s][:, length] = _INF
        cur = new
    finals = cur[done][:, length]
    best_p = int(np.argmin(finals))
    if finals[best_p] >= _INF:
        raise ScheduleError(
            f"no schedule fits {length} work slots in {horizon} slots with these constraints; "
            "allow more extra time, a shorter minimum segment, more pauses or less overhead"
        )
    work, over = _backtrack(choice, trans, lay, finish_ok, best_p, length, limited)
    work_idx = np.array(work, dtype=np.int64) + release
    over_idx = np.array(over, dtype=np.int64) + release
    carbon = int(fixed[work_idx].sum() + oc[np.array(over, dtype=np.int64)].sum()) if over else int(fixed[work_idx].sum())
    segs = segments_of(work_idx)
    return SlotPlan(
        segments=tuple(segs),
        cost=carbon,
        baseline=int(fixed[release:release + length].sum()),
        release=release,
        length=length,
        overhead=tuple(segments_of(over_idx)),
        details={"mode": "pause_resume_constrained", "objective": int(finals[best_p]),
                 "min_segment": m, "max_pauses": max_pauses, "pause_cost": pause_cost,
                 "restart_slots": restart_slots, "checkpoint_slots": checkpoint_slots},
    )


def _backtrack(choice, trans, lay, finish_ok, p, length, limited):
    done = lay["DONE"]
    state, w = done, length
    work: list[int] = []
    over: list[int] = []
    for t in range(choice.shape[0] - 1, -1, -1):
        if state == done:
            k = int(choice[t, done, p, length])
            if k == 0:
                continue  # idle after finishing
            state, w = finish_ok[k - 1], length
        k = int(choice[t, state, p, w])
        src, dw, dp, kind = trans[state][k]
        if kind == _WORK:
            work.append(t)
        elif kind == _OVER:
            over.append(t)
        state, w = src, w - dw
        if dp and limited:
            p -= 1
    return sorted(work), sorted(over)
