"""Pure parts of the toxics: toxicity roll, slicer cuts, bandwidth pacing, attribute parsing."""

from __future__ import annotations

import itertools
import random

import pytest

from chaos.toxiproxy.pipe import roll
from chaos.toxiproxy.toxics import TOXICS
from chaos.toxiproxy.toxics.bandwidth import piece_size, pieces, transfer_seconds
from chaos.toxiproxy.toxics.latency import LatencyToxic, delay_ms
from chaos.toxiproxy.toxics.slicer import SlicerToxic, slice_bounds


class FixedRandom(random.Random):
    """A Random whose random() always returns one value (to pin the roll's edges)."""

    def __init__(self, value: float) -> None:
        super().__init__(0)
        self.value = value

    def random(self) -> float:
        return self.value


@pytest.mark.parametrize(
    ("toxicity", "drawn", "applies"),
    [(0.0, 0.0, False), (1.0, 0.999999, True), (0.5, 0.49, True), (0.5, 0.5, False)],
)
def test_toxicity_roll_edges(toxicity: float, drawn: float, applies: bool) -> None:
    assert roll(toxicity, FixedRandom(drawn)) is applies


def test_toxicity_roll_frequency_follows_toxicity() -> None:
    rng = random.Random(7)
    hits = sum(roll(0.3, rng) for _ in range(10_000))
    assert 2_700 < hits < 3_300


@pytest.mark.parametrize(
    ("length", "average", "variation"), [(100, 10, 0), (1000, 7, 3), (5, 10, 0), (32768, 100, 50)]
)
def test_slicer_cuts_cover_the_chunk_in_order(length: int, average: int, variation: int) -> None:
    bounds = slice_bounds(length, average, variation, random.Random(1))
    assert bounds[0] == 0
    assert bounds[-1] == length
    assert all(a < b for a, b in itertools.pairwise(bounds))
    sizes = [b - a for a, b in itertools.pairwise(bounds)]
    assert max(sizes) <= average + variation or len(sizes) == 1


def test_slicer_without_variation_halves_evenly() -> None:
    assert slice_bounds(100, 10, 0, random.Random(0)) == [
        0,
        6,
        12,
        18,
        25,
        31,
        37,
        43,
        50,
        56,
        62,
        68,
        75,
        81,
        87,
        93,
        100,
    ]


def test_slicer_clamps_a_variation_larger_than_the_piece() -> None:
    bounds = slice_bounds(50, 2, 40, random.Random(3))
    assert bounds[0] == 0
    assert bounds[-1] == 50
    assert all(a < b for a, b in itertools.pairwise(bounds))


def test_bandwidth_pacing_math() -> None:
    assert piece_size(100) == 10_000  # 100 KB/s in 100 ms ticks
    assert transfer_seconds(50_000, 100) == pytest.approx(0.5)
    assert pieces(25_000, 100) == [10_000, 10_000, 5_000]
    assert pieces(10_000, 100) == [10_000]
    assert pieces(0, 1) == [0]


def test_latency_delay_without_jitter_is_exact() -> None:
    assert delay_ms(250, 0, random.Random(0)) == 250
    assert delay_ms(250, -5, random.Random(0)) == 250  # negative jitter ignored, as in Go


def test_latency_jitter_stays_within_its_half_open_range() -> None:
    rng = random.Random(5)
    draws = [delay_ms(100, 20, rng) for _ in range(2_000)]
    assert min(draws) >= 80
    assert max(draws) < 120
    assert len(set(draws)) > 20


def test_attributes_merge_over_a_base() -> None:
    toxic = LatencyToxic.from_attributes({"latency": 10})
    assert toxic.attributes() == {"latency": 10, "jitter": 0}
    merged = LatencyToxic.from_attributes({"jitter": 3}, base=toxic.attributes())
    assert merged.attributes() == {"latency": 10, "jitter": 3}


def test_attribute_fields_name_the_go_struct_and_its_integer_type() -> None:
    latency = LatencyToxic.attribute_fields()
    assert latency.go_type == "toxics.LatencyToxic"
    assert [(f.name, f.go_type, f.path) for f in latency.fields] == [
        ("latency", "int64", "LatencyToxic.attributes.latency"),
        ("jitter", "int64", "LatencyToxic.attributes.jitter"),
    ]
    assert {f.go_type for f in SlicerToxic.attribute_fields().fields} == {"int"}


@pytest.mark.parametrize(
    ("attributes", "stalls"),
    [
        ({}, True),  # average_size 0: the real server recurses without end
        ({"average_size": 0, "size_variation": 0}, True),
        ({"average_size": 5, "size_variation": -5}, True),
        ({"average_size": 5, "size_variation": -4}, False),  # pieces of at most 1 byte
        ({"average_size": 10, "size_variation": -3}, False),
        ({"average_size": -3, "size_variation": 5}, False),
    ],
)
def test_slicer_stalls_only_where_no_piece_can_be_small_enough(
    attributes: dict[str, int], stalls: bool
) -> None:
    assert SlicerToxic.from_attributes(attributes).stalls() is stalls


def test_slicer_with_a_negative_variation_cuts_smaller_pieces() -> None:
    bounds = slice_bounds(100, 10, -3, random.Random(0))
    sizes = [b - a for a, b in itertools.pairwise(bounds)]
    assert sum(sizes) == 100
    assert max(sizes) <= 7


def test_every_reference_toxic_is_registered() -> None:
    assert set(TOXICS) == {
        "latency",
        "bandwidth",
        "slow_close",
        "timeout",
        "reset_peer",
        "slicer",
        "limit_data",
        "noop",
    }
