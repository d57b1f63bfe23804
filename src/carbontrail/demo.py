"""A small, dependency-free CPU workload for trying carbontrail.

``carbontrail run -- python -m carbontrail.demo`` tracks it as a child
process; ``python -m carbontrail.demo --track`` tracks itself through the
Python API with one phase per "epoch". It trains a tiny logistic regression
on synthetic data with numpy for about ``--seconds`` seconds.
"""

from __future__ import annotations

import argparse
import sys
import time


def train(seconds: float, epochs: int, out=sys.stdout, phase=None) -> float:
    """Gradient descent on synthetic data; returns the final training loss."""
    import numpy as np

    rng = np.random.default_rng(0)
    n, d = 20_000, 64
    x = rng.standard_normal((n, d))
    true_w = rng.standard_normal(d)
    y = (x @ true_w + 0.5 * rng.standard_normal(n) > 0).astype(float)
    w = np.zeros(d)
    loss = float("nan")
    per_epoch = seconds / max(1, epochs)
    for epoch in range(1, epochs + 1):
        ctx = phase(f"epoch-{epoch}") if phase else None
        if ctx:
            ctx.__enter__()
        t_end = time.monotonic() + per_epoch
        steps = 0
        while time.monotonic() < t_end:
            p = 1.0 / (1.0 + np.exp(-(x @ w)))
            w -= 0.1 * (x.T @ (p - y)) / n
            steps += 1
        p = np.clip(1.0 / (1.0 + np.exp(-(x @ w))), 1e-12, 1 - 1e-12)
        loss = float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
        if ctx:
            ctx.__exit__(None, None, None)
        print(f"epoch {epoch}/{epochs}: {steps} steps, loss {loss:.4f}", file=out, flush=True)
    return loss


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m carbontrail.demo", description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=3.0, help="total run time [s] (default 3)")
    ap.add_argument("--epochs", type=int, default=3, help="number of epochs (default 3)")
    ap.add_argument("--track", action="store_true", help="track itself with carbontrail.track()")
    args = ap.parse_args(argv)
    if args.seconds <= 0 or args.epochs <= 0:
        ap.error("--seconds and --epochs must be positive")
    if not args.track:
        train(args.seconds, args.epochs)
        return 0
    import carbontrail
    from carbontrail.summary import summary_lines

    with carbontrail.track(project="demo", experiment="api") as run:
        train(args.seconds, args.epochs, phase=run.phase)
    for line in summary_lines(run.record, where=run.stored_at):
        print(line, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
