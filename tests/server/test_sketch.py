"""The latency sketches' own fast paths (`usage.sketch`) against the library's
answers: a stored sketch reads back as the library would read it, and several
quantiles from one pass are the library's quantiles, on sketches of every shape
(empty, zeros, one value, spans of many orders of magnitude, merged ones)."""

from __future__ import annotations

from ddsketch.pb.ddsketch_pb2 import DDSketch as DDSketchMessage
from ddsketch.pb.proto import DDSketchProto
from hypothesis import given, settings
from hypothesis import strategies as st

from modelrouter.usage.sketch import from_bytes, new_sketch, quantile, quantiles, to_bytes

QS = (0.0, 0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 1.0)
latencies = st.lists(
    st.one_of(st.just(0.0), st.floats(min_value=1e-6, max_value=1e7, allow_nan=False)),
    max_size=300,
)


def _sketch(values: list[float]):  # type: ignore[no-untyped-def]
    sketch = new_sketch()
    for v in values:
        sketch.add(v)
    return sketch


def _library_read(data: bytes):  # type: ignore[no-untyped-def]
    message = DDSketchMessage()
    message.ParseFromString(data)
    return DDSketchProto.from_proto(message)  # type: ignore[no-untyped-call]


@settings(max_examples=300, deadline=None)
@given(latencies, latencies)
def test_a_stored_sketch_reads_back_as_the_library_reads_it(first: list[float], second: list[float]) -> None:
    data = to_bytes(_sketch(first))
    mine, theirs = from_bytes(data), _library_read(data) if data else new_sketch()
    assert mine.count == theirs.count == len(first)
    assert [quantile(mine, q) for q in QS] == [quantile(theirs, q) for q in QS]
    # Still a working sketch: it merges, stores and reads back again.
    other = _sketch(second)
    mine.merge(other)
    theirs.merge(other)
    assert [quantile(mine, q) for q in QS] == [quantile(theirs, q) for q in QS]
    again = to_bytes(mine)
    assert [quantile(from_bytes(again), q) for q in QS] == [quantile(_library_read(again), q) for q in QS]


@settings(max_examples=300, deadline=None)
@given(latencies, st.lists(st.floats(min_value=0.0, max_value=1.0), min_size=1, max_size=6))
def test_quantiles_in_one_pass_are_the_librarys(values: list[float], qs: list[float]) -> None:
    sketch = _sketch(values)
    assert quantiles(sketch, qs) == [quantile(sketch, q) for q in qs]
    stored = from_bytes(to_bytes(sketch))
    assert quantiles(stored, qs) == [quantile(stored, q) for q in qs]


def test_a_sketch_with_negative_values_takes_the_librarys_own_walk() -> None:
    sketch = _sketch([-5.0, -1.0, 0.0, 2.0, 30.0])
    assert quantiles(sketch, QS) == [quantile(sketch, q) for q in QS]
    assert quantiles(sketch, (0.0,)) == [0.0]  # quantile clips at zero: latencies are never negative
