"""Each error row of the contract this version can produce, over the wire."""

from __future__ import annotations

import math

import grpc
import pytest

from modelrouter_client._proto import router_pb2 as pb
from tests.support import Served, details_of, select_error


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        (pb.SelectRequest(requirements=pb.Requirements(max_cost_usd=-1)), "requirements.max_cost_usd"),
        (
            pb.SelectRequest(requirements=pb.Requirements(max_latency_ms=math.nan)),
            "requirements.max_latency_ms",
        ),
        (
            pb.SelectRequest(requirements=pb.Requirements(min_context_tokens=-5)),
            "requirements.min_context_tokens",
        ),
        (pb.SelectRequest(requirements=pb.Requirements(min_quality=1.5)), "requirements.min_quality"),
        (
            pb.SelectRequest(requirements=pb.Requirements(expected_output_tokens=-1)),
            "requirements.expected_output_tokens",
        ),
        (
            pb.SelectRequest(requirements=pb.Requirements(include_models=["gpt-9"])),
            "requirements.include_models[0]",
        ),
        (
            pb.SelectRequest(requirements=pb.Requirements(exclude_models=["nano-fast", "nope"])),
            "requirements.exclude_models[1]",
        ),
        (pb.SelectRequest(weights={"speed": 1.0}), 'weights["speed"]'),
        (pb.SelectRequest(weights={"cost": -0.5}), 'weights["cost"]'),
        (pb.SelectRequest(weights={"cost": 0.0}), "weights"),
        (pb.SelectRequest(messages=[pb.ChatMessage(role="robot", content="hi")]), "messages[0].role"),
        (pb.SelectRequest(max_output_tokens=-3), "max_output_tokens"),
    ],
)
async def test_malformed_select_fields_name_the_field(
    default_server: Served, request_: pb.SelectRequest, field: str
) -> None:
    err = await select_error(default_server.stub, request_)
    assert (err.code, err.reason, err.domain) == (
        grpc.StatusCode.INVALID_ARGUMENT,
        "INVALID_REQUEST",
        "modelrouter.v1",
    )
    assert err.metadata == {"field": field}
    assert err.message.startswith(field + ":")


async def test_unknown_strategy(default_server: Served) -> None:
    err = await select_error(default_server.stub, pb.SelectRequest(strategy="cheapest-please"))
    assert (err.code, err.reason) == (grpc.StatusCode.INVALID_ARGUMENT, "UNKNOWN_STRATEGY")
    assert err.metadata == {"strategy": "cheapest-please"}
    assert "by-task" in err.message  # the message lists what exists


async def test_no_eligible_model_lists_every_rejection(default_server: Served) -> None:
    err = await select_error(
        default_server.stub, pb.SelectRequest(requirements=pb.Requirements(min_quality=0.99))
    )
    assert (err.code, err.reason) == (grpc.StatusCode.FAILED_PRECONDITION, "NO_ELIGIBLE_MODEL")
    assert len(err.violations) == 9
    assert {t for _, t in err.violations} == {"BELOW_QUALITY"}
    assert err.metadata["rejected"] == "9"


# Each method with: bytes that end mid-field, a field whose length runs past the end,
# and invalid UTF-8 in one of its string fields (where it has one).
MALFORMED = [
    ("Select", b"\xff\xff\xff"),
    ("Select", b"\x0a\x05abc"),
    ("Select", b"\x12\x02\xff\xfe"),  # strategy
    ("Invoke", b"\x12\x02\xff\xfe"),  # model
    ("Invoke", b"\x1a\x80"),
    ("InvokeStream", b"\x12\x02\xc3\x28"),  # model
    ("Stats", b"\x0a\x02\xff\xfe"),  # models
    ("Stats", b"\x0a"),
    ("ListModels", b"\xff\xff\xff"),
    ("ListModels", b"\x0b"),  # a group that never ends
]


@pytest.mark.parametrize(("method", "payload"), MALFORMED)
async def test_bytes_that_do_not_decode_are_malformed_request(
    default_server: Served, method: str, payload: bytes
) -> None:
    path = f"/modelrouter.v1.RouterService/{method}"
    channel = default_server.channel
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        if method == "InvokeStream":
            async for _ in channel.unary_stream(path)(payload, timeout=10):
                pass
        else:
            await channel.unary_unary(path)(payload, timeout=10)
    err = details_of(caught.value)
    assert (err.code, err.reason) == (grpc.StatusCode.INVALID_ARGUMENT, "MALFORMED_REQUEST")
    assert err.metadata["message"].startswith("modelrouter.v1.")


async def test_invoke_validates_its_request(default_server: Served) -> None:
    stub = default_server.stub
    user = [pb.ChatMessage(role="user", content="hello")]
    cases = [
        (pb.InvokeRequest(), grpc.StatusCode.INVALID_ARGUMENT, "INVALID_REQUEST", "messages"),
        (
            pb.InvokeRequest(model="nano-fast", selection=pb.SelectRequest(), messages=user),
            grpc.StatusCode.INVALID_ARGUMENT,
            "INVALID_REQUEST",
            "model",
        ),
        (pb.InvokeRequest(model="gpt-17", messages=user), grpc.StatusCode.NOT_FOUND, "UNKNOWN_MODEL", None),
        (
            pb.InvokeRequest(selection=pb.SelectRequest(weights={"x": 1}), messages=user),
            grpc.StatusCode.INVALID_ARGUMENT,
            "INVALID_REQUEST",
            'selection.weights["x"]',
        ),
        (
            pb.InvokeRequest(model="nano-fast", messages=user, temperature=-0.5),
            grpc.StatusCode.INVALID_ARGUMENT,
            "INVALID_REQUEST",
            "temperature",
        ),
        (
            pb.InvokeRequest(selection=pb.SelectRequest(strategy="nope"), messages=user),
            grpc.StatusCode.INVALID_ARGUMENT,
            "UNKNOWN_STRATEGY",
            None,
        ),
        (
            pb.InvokeRequest(
                selection=pb.SelectRequest(requirements=pb.Requirements(min_quality=0.99)), messages=user
            ),
            grpc.StatusCode.FAILED_PRECONDITION,
            "NO_ELIGIBLE_MODEL",
            None,
        ),
    ]
    for request, code, reason, field in cases:
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await stub.Invoke(request, timeout=10)
        err = details_of(caught.value)
        assert (err.code, err.reason) == (code, reason), request
        if field:
            assert err.metadata["field"] == field


async def test_invoke_stream_answers_with_error_details(default_server: Served) -> None:
    call = default_server.stub.InvokeStream(
        pb.InvokeStreamRequest(model="nope", messages=[pb.ChatMessage(role="user", content="hi")]), timeout=10
    )
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        async for _ in call:
            pass
    err = details_of(caught.value)
    assert (err.code, err.reason) == (grpc.StatusCode.NOT_FOUND, "UNKNOWN_MODEL")


async def test_stats_filter_rejects_unknown_models(default_server: Served) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await default_server.stub.Stats(pb.StatsRequest(models=["nano-fast", "ghost"]), timeout=10)
    err = details_of(caught.value)
    assert (err.code, err.reason, err.metadata) == (
        grpc.StatusCode.INVALID_ARGUMENT,
        "INVALID_REQUEST",
        {"field": "models[1]"},
    )


async def test_server_keeps_serving_after_errors(default_server: Served) -> None:
    reply = await default_server.stub.Select(pb.SelectRequest(), timeout=10)
    assert reply.decision.model
