"""held.Held: a process-wide setting changed while any of our calls runs, and the host's own back after the last."""

from __future__ import annotations

import pytest

from blankett.held import Held


def _setting() -> tuple[list[str], Held[str]]:
    box = ["värdens"]
    return box, Held(lambda: box[0], lambda value: box.__setitem__(0, value))


def test_overlapping_blocks_share_one_change_and_the_last_gives_the_hosts_back():
    box, held = _setting()
    with held.changed(lambda: box.__setitem__(0, "vår")):
        with held.changed(lambda: box.__setitem__(0, "vår")):
            assert box == ["vår"]
        assert box == ["vår"]  # the first block still runs
    assert box == ["värdens"]


def test_a_change_that_fails_leaves_the_hosts_setting_and_counts_no_block():
    """Before: the failed block was counted and never ended, so the host's setting was never given back again."""
    box, held = _setting()

    def failing() -> None:
        box[0] = "halvvägs"
        raise OverflowError("för stort")

    with pytest.raises(OverflowError):
        with held.changed(failing):
            pass
    assert box == ["värdens"]
    with held.changed(lambda: box.__setitem__(0, "vår")):
        assert box == ["vår"]
    assert box == ["värdens"]  # given back: no block is left open
