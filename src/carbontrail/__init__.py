"""carbontrail: measure, estimate, report and reduce the carbon footprint of ML jobs.

Public API (loaded lazily so ``import carbontrail`` stays fast)::

    with carbontrail.track(project="bert", experiment="lr-sweep") as run:
        with run.phase("epoch-1"):
            ...
    print(run.footprint.emissions_g)

    @carbontrail.track(project="bert")
    def train(): ...

    carbontrail.track_emissions(...)   # CodeCarbon-compatible decorator
    carbontrail.Tracker(...).start() / .stop()
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_LAZY = {
    "track": ("carbontrail.tracker", "track"),
    "Tracker": ("carbontrail.tracker", "Tracker"),
    "Footprint": ("carbontrail.record", "Footprint"),
    "RunRecord": ("carbontrail.record", "RunRecord"),
    "track_emissions": ("carbontrail.compat", "track_emissions"),
    "EmissionsTracker": ("carbontrail.compat", "EmissionsTracker"),
    "estimate": ("carbontrail.estimate", "estimate"),
    "plan": ("carbontrail.schedule", "plan"),
    "load_settings": ("carbontrail.config", "load_settings"),
    "errors": ("carbontrail.errors", None),
}

__all__ = sorted(_LAZY) + ["__version__"]

if TYPE_CHECKING:  # pragma: no cover
    from .tracker import Tracker, track  # noqa: F401


def __getattr__(name: str) -> Any:
    try:
        module_name, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'carbontrail' has no attribute {name!r}") from None
    import importlib

    module = importlib.import_module(module_name)
    value = module if attr is None else getattr(module, attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
