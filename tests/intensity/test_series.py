"""Series readers (every format), malformed input, lookup, and resampling properties."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carbontrail.errors import DataError
from carbontrail.intensity.model import IntensitySource
from carbontrail.intensity.series import IntensitySeries, read_series

from .conftest import FIXTURES

UTC = timezone.utc
T0 = datetime(2024, 1, 1, tzinfo=UTC)


def test_em_portal_both_vintages() -> None:
    old = read_series(FIXTURES / "em_portal_2023.csv")
    assert old.zone == "FR" and len(old) == 3 and old.kind == "average"
    assert list(old.values()) == [40.5, 41.5, 42.5]
    assert old.points[1].details == {"estimated": True}
    assert list(read_series(FIXTURES / "em_portal_2023.csv", emission_factor="direct").values()) == [20.1, 21.0, 22.0]
    new = read_series(FIXTURES / "em_portal_2024.csv")
    assert new.zone == "DE" and list(new.values()) == [350, 360] and new.slot_s == 3600


def test_watttime_csv_converted_to_g_per_kwh() -> None:
    s = read_series(FIXTURES / "watttime_v2.csv")
    assert s.kind == "marginal" and s.slot_s == 300
    assert s.values()[0] == pytest.approx(453.59237)


def test_json_payloads() -> None:
    uk = read_series(FIXTURES / "ukgrid_national.json")
    assert list(uk.values()) == [263, 270] and uk.points[1].method == "forecast"
    wt = read_series(FIXTURES / "watttime_forecast.json")
    assert wt.kind == "marginal" and wt.values()[0] == pytest.approx(870 * 0.45359237)
    eds = read_series(FIXTURES / "eds_co2emis.json")
    assert eds.slot_s == 300 and list(eds.values()) == [132, 130, 128]
    em = read_series(FIXTURES / "em_history.json")
    assert em.zone == "DE" and len(em) == 3


def test_generic_csv_naive_is_utc_and_header_optional(tmp_path: Path) -> None:
    p = tmp_path / "s.csv"
    p.write_text("time,g\n2024-01-01T00:00,100\n2024-01-01T02:00:00+01:00,200\n2024-01-01T02:00Z,300\n")
    s = read_series(p)  # header skipped; naive is UTC; an offset is converted to UTC
    assert s.start == T0 and list(s.values()) == [100, 200, 300]
    assert s.points[1].start == T0 + timedelta(hours=1)
    p.write_text("2024-01-01T00:00,100\n2024-01-01T01:00,200\n2024-01-01T02:00,300\n")
    s = read_series(p)
    assert s.start == T0 and s.end == T0 + timedelta(hours=3) and list(s.values()) == [100, 200, 300]


@pytest.mark.parametrize("text,line,column", [
    ("2024-01-01T00:00,100\n2024-01-01T01:00,abc\n", 2, 2),
    ("2024-01-01T00:00,100\nyesterday,5\n", 2, 1),
    ("2024-01-01T00:00,100\n2024-01-01T00:00,5\n", 2, 1),
    ("2024-01-01T00:00,100\n2024-01-01T01:00,-5\n", 2, 2),
    ("2024-01-01T00:00,100\n2024-01-01T01:00\n", 2, 2),
])
def test_malformed_names_file_line_column(tmp_path: Path, text: str, line: int, column: int) -> None:
    p = tmp_path / "bad.csv"
    p.write_text(text)
    with pytest.raises(DataError) as exc:
        read_series(p)
    assert (exc.value.line, exc.value.column) == (line, column)
    assert "bad.csv" in str(exc.value)


def test_bad_json_and_missing_file(tmp_path: Path) -> None:
    p = tmp_path / "x.json"
    p.write_text('{"data": [1, 2')
    with pytest.raises(DataError) as exc:
        read_series(p)
    assert exc.value.line == 1
    p.write_text('{"hello": 1}')
    with pytest.raises(DataError, match="unrecognised"):
        read_series(p)
    with pytest.raises(DataError, match="not found"):
        read_series(tmp_path / "nope.csv")


def _hourly(values: list[float], gap_after: int | None = None) -> IntensitySeries:
    s = np.arange(len(values), dtype=float) * 3600 + T0.timestamp()
    if gap_after is not None:
        s[gap_after + 1:] += 7200
    return IntensitySeries(s, s + 3600, values, source="test")


def test_lookup_gaps_slice_and_protocol() -> None:
    s = _hourly([10, 20, 30, 40], gap_after=1)
    assert s.at(T0 + timedelta(minutes=90)).g_per_kwh == 20
    assert s.at(T0 + timedelta(hours=2, minutes=30)) is None  # in the gap
    assert s.at(T0 - timedelta(seconds=1)) is None
    assert s.gaps() == [(T0 + timedelta(hours=2), T0 + timedelta(hours=4))]
    assert [p.g_per_kwh for p in s.points(T0 + timedelta(minutes=30), T0 + timedelta(hours=4, minutes=1))] == [10, 20, 30]
    sl = s.slice(T0 + timedelta(minutes=30), T0 + timedelta(hours=1, minutes=30))
    assert sl.start == T0 + timedelta(minutes=30) and len(sl) == 2
    assert isinstance(s, IntensitySource) and s.describe()["mode"] == "series"
    filled = s.fill_gaps()
    assert len(filled) == 6 and filled.gaps() == [] and filled.points[2].details == {"filled": True}
    assert filled.values()[2] == pytest.approx(23.333333, rel=1e-5)
    with pytest.raises(ValueError):
        s.values()[0] = 1.0


def test_resample_partial_slot_counts_by_overlap() -> None:
    s = IntensitySeries([0, 1800], [1800, 2700], [100, 400])
    r = s.resample(3600)
    assert len(r) == 1 and r.values()[0] == pytest.approx((100 * 1800 + 400 * 900) / 2700)
    assert r.points[0].end.timestamp() == 2700  # clipped to the data
    g = IntensitySeries([0, 2700], [900, 3600], [100, 400]).resample(3600)  # a gap inside the slot
    assert g.values()[0] == pytest.approx(250) and g.coverage()[0] == pytest.approx(0.5)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0, 1000, allow_nan=False), min_size=1, max_size=60),
       st.sampled_from([300.0, 900.0, 1800.0, 3600.0, 7200.0]),
       st.integers(0, 7200))
def test_resample_preserves_integral_and_bounds(values: list[float], slot_s: float, offset: int) -> None:
    starts = np.arange(len(values)) * 900.0 + offset
    s = IntensitySeries(starts, starts + 900.0, values)
    r = s.resample(slot_s)
    covered = (r.ends() - r.starts()) * r.coverage()
    assert np.sum(r.values() * covered) == pytest.approx(np.sum(np.asarray(values) * 900.0), rel=1e-9, abs=1e-6)
    assert np.sum(covered) == pytest.approx(900.0 * len(values))
    assert r.values().min() >= min(values) - 1e-9 and r.values().max() <= max(values) + 1e-9
    assert np.all(r.ends() - r.starts() <= slot_s + 1e-9) and np.all(np.diff(r.starts()) > 0)
    assert r.mean() == pytest.approx(s.mean(), rel=1e-9, abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0, 1000, allow_nan=False), min_size=2, max_size=40))
def test_resample_to_own_grid_is_identity(values: list[float]) -> None:
    starts = np.arange(len(values)) * 3600.0
    s = IntensitySeries(starts, starts + 3600.0, values)
    r = s.resample(3600.0)
    assert np.allclose(r.values(), values) and np.allclose(r.starts(), starts)
