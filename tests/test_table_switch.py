"""The tables switch from one build to the next all at once: a run that dies half-way through the
switch is rolled forward by the next taker of the warehouse lock, one that dies before it is rolled back."""

import shutil

import dagster as dg
import pytest

from aid_pipeline.warehouse import switch
from aid_pipeline.cli import run_pipeline
from aid_pipeline.warehouse.lock import warehouse_lock

TABLES = ["reports", "texts", "sections", "metrics", "quarantine", "corrupt_spans", "dropped_lines",
          "funding_by_donor_year", "metrics_by_category", "report_summary"]


class Killed(BaseException):
    """Stands for SIGKILL: nothing after it runs (not even `except Exception` handlers)."""


def _tables(wh):
    return {t: (wh / f"{t}.parquet").read_bytes() for t in TABLES}


@pytest.fixture()
def two_states(tmp_path, seeds_dir):
    """A warehouse built over 3 seeds, an inbox now holding all 5, and the tables a fresh build of the 5 gives."""
    seeds = sorted(seeds_dir.glob("*.txt"))
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for s in seeds[:3]:
        shutil.copy(s, inbox / s.name)
    wh = tmp_path / "wh"
    assert run_pipeline(str(inbox), str(wh), instance=dg.DagsterInstance.ephemeral(), quiet=True).success
    for s in seeds[3:]:
        shutil.copy(s, inbox / s.name)
    fresh = tmp_path / "fresh"
    assert run_pipeline(str(inbox), str(fresh), instance=dg.DagsterInstance.ephemeral(), quiet=True).success
    return inbox, wh, _tables(wh), _tables(fresh)


def test_killed_in_the_middle_of_the_switch_is_rolled_forward(two_states, monkeypatch):
    inbox, wh, old, new = two_states
    real, done = switch._replace, []

    def dies_after_two(src, dst):
        if len(done) == 2:
            raise Killed()
        real(src, dst)
        done.append(dst)

    monkeypatch.setattr(switch, "_replace", dies_after_two)
    assert not run_pipeline(str(inbox), str(wh), instance=dg.DagsterInstance.ephemeral(), quiet=True).success
    monkeypatch.setattr(switch, "_replace", real)
    mixed = _tables(wh)
    assert any(mixed[t] == new[t] != old[t] for t in TABLES) and any(mixed[t] == old[t] != new[t] for t in TABLES)

    with warehouse_lock(wh):  # what the next run (or sensor tick) does first
        pass
    assert _tables(wh) == new
    assert not list(wh.glob(".aid-tmp.*")) and not switch.journal_path(wh).exists()


def test_killed_before_the_switch_keeps_the_previous_tables(two_states, monkeypatch):
    inbox, wh, old, new = two_states

    def dies(*args, **kwargs):
        raise Killed()

    monkeypatch.setattr(switch, "switch_tables", dies)
    assert not run_pipeline(str(inbox), str(wh), instance=dg.DagsterInstance.ephemeral(), quiet=True).success
    assert _tables(wh) == old  # nothing switched
    with warehouse_lock(wh):
        pass
    assert _tables(wh) == old and not list(wh.glob(".aid-tmp.*"))  # the staged build is dropped
