"""Latency quantiles from DDSketch (DataDog's sketches-py).

DDSketch bounds the relative error of every quantile (1% here) whatever the
distribution, and two sketches merge exactly: window slices merge into a window,
and each replica's figures merge into the store's. The store keeps a sketch in the
library's own protobuf form."""

from __future__ import annotations

from ddsketch import DDSketch
from ddsketch.pb.ddsketch_pb2 import DDSketch as DDSketchMessage
from ddsketch.pb.proto import DDSketchProto

RELATIVE_ACCURACY = 0.01


def new_sketch() -> DDSketch:
    return DDSketch(RELATIVE_ACCURACY)


def quantile(sketch: DDSketch, q: float) -> float:
    """The q-quantile (0..1); 0.0 for an empty sketch."""
    if sketch.count <= 0:
        return 0.0
    value = sketch.get_quantile_value(q)
    return 0.0 if value is None else max(0.0, float(value))


def to_bytes(sketch: DDSketch) -> bytes:
    data: bytes = DDSketchProto.to_proto(sketch).SerializeToString()  # type: ignore[no-untyped-call]
    return data


def from_bytes(data: bytes) -> DDSketch:
    if not data:
        return new_sketch()
    message = DDSketchMessage()
    message.ParseFromString(data)
    sketch: DDSketch = DDSketchProto.from_proto(message)  # type: ignore[no-untyped-call]
    return sketch
