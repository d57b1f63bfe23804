from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from report_records import gpu_run, series_run  # noqa: E402


@pytest.fixture
def store(isolated_env):
    from carbontrail.config import load_settings
    from carbontrail.store.sqlite import Store

    s = Store.default(load_settings())
    s.save(gpu_run())
    s.save(series_run())
    return s
