"""What one request may carry, and what one error may say, through a real server.

Every error fits in gRPC's default 8 KiB of trailers whatever the registry's size
or the request's (its details are capped, saying how many entries were left
out); past a request bound the answer is INVALID_ARGUMENT INVALID_REQUEST naming
the field; an unknown enum value is refused; what the server keeps and logs does
not grow with what a caller sends."""

from __future__ import annotations

import base64
from pathlib import Path

import grpc
import pytest
from google.rpc import error_details_pb2, status_pb2

from modelrouter.api.status import error_details, trailer_size
from modelrouter.errors import AllCandidatesFailed, DeadlineExceeded, RouterError, StreamInterrupted
from modelrouter.selection.eligibility import _lacks
from modelrouter_client._proto import router_pb2 as pb
from modelrouter_client._proto import router_pb2_grpc as pb_grpc
from tests.support import ErrorDetails, Served, details_of, select_error, server_process, serving

LIMIT = 8 * 1024  # gRPC's default max metadata size
USER = [pb.ChatMessage(role="user", content="hello")]
LARGEST: list[int] = []  # every trailer size measured, for the report


def models_yaml(n: int, fail: bool = False, id_len: int = 60) -> str:
    """A registry of `n` simulated models with long-ish ids."""
    simulate = "{ttft_ms: 0, tokens_per_s: 1000000, failure_rate: 1.0}" if fail else "{ttft_ms: 0}"
    lines = [
        "server: {max_attempts_per_model: 1, retry_backoff_s: 0, retry_backoff_max_s: 0}",
        "usage: {store: memory}",
        "models:",
    ]
    for i in range(n):
        mid = f"model-{i:04d}-".ljust(id_len, "x")
        lines.append(
            f"  - {{id: {mid}, provider: simulated, context_window: 8000, capabilities: [chat],"
            f" pricing: {{input_per_mtok: 1, output_per_mtok: 2}}, quality: {{default: 0.5}},"
            f" simulate: {simulate}}}"
        )
    return "\n".join(lines) + "\n"


def trailer_bytes(err: grpc.aio.AioRpcError) -> int:
    """The trailers' size as sent: each entry's key and value (a -bin value as its
    base64 on the wire), plus the status message."""
    size = len(err.details() or "")
    for key, value in err.trailing_metadata() or ():
        raw = value if isinstance(value, bytes) else value.encode()
        size += len(key) + (len(base64.b64encode(raw)) if key.endswith("-bin") else len(raw))
    LARGEST.append(size)
    return size


def omitted_of(
    err: grpc.aio.AioRpcError,
) -> tuple[list[error_details_pb2.PreconditionFailure.Violation], int]:
    """The PreconditionFailure's violations, and how many its OMITTED entry says were left out."""
    raw = dict(err.trailing_metadata() or ())["grpc-status-details-bin"]
    status = status_pb2.Status.FromString(raw)
    for any_ in status.details:
        if any_.Is(error_details_pb2.PreconditionFailure.DESCRIPTOR):
            failure = error_details_pb2.PreconditionFailure()
            any_.Unpack(failure)
            violations = list(failure.violations)
            last = violations[-1]
            if last.type == "OMITTED":
                assert last.subject == f"...and {last.subject.split()[1]} more"
                return violations[:-1], int(last.subject.split()[1])
            return violations, 0
    raise AssertionError("no PreconditionFailure")


async def failed_select(stub: pb_grpc.RouterServiceStub, request: pb.SelectRequest) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.Select(request, timeout=30)
    return caught.value


def assert_invalid(err: ErrorDetails, field: str) -> None:
    assert (err.code, err.reason) == (grpc.StatusCode.INVALID_ARGUMENT, "INVALID_REQUEST"), err.message
    assert err.metadata == {"field": field}
    assert err.message.startswith(field + ":")


# -- 1. every error fits in the trailers ---------------------------------------


async def test_no_eligible_model_with_many_capabilities_fits_and_counts_what_it_left_out(
    default_server: Served,
) -> None:
    # 80 capabilities used to come back RESOURCE_EXHAUSTED "received metadata size
    # exceeds limit", with no ErrorInfo; 256 (the most a list may hold) of 200
    # characters each is the largest the bounds let through.
    for n, length in ((80, 12), (256, 200)):
        capabilities = [f"cap-{i:03d}-".ljust(length, "c") for i in range(n)]
        err = await failed_select(
            default_server.stub, pb.SelectRequest(requirements=pb.Requirements(capabilities=capabilities))
        )
        details = details_of(err)
        assert (details.code, details.reason) == (grpc.StatusCode.FAILED_PRECONDITION, "NO_ELIGIBLE_MODEL")
        assert details.metadata["rejected"] == "9"
        assert trailer_bytes(err) < LIMIT
        violations, omitted = omitted_of(err)
        assert len(violations) + omitted == 9
        assert details.metadata.get("omitted", "0") == str(omitted)
        # Each rejection's "lacks ..." is cut, saying how many capabilities it left out.
        assert all(v.type == "MISSING_CAPABILITY" and "more" in v.description for v in violations)


async def test_no_eligible_model_over_a_thousand_models_fits() -> None:
    async with serving(models_yaml(1000)) as served:
        for request in (
            pb.SelectRequest(requirements=pb.Requirements(capabilities=["teleport"])),
            pb.SelectRequest(
                requirements=pb.Requirements(capabilities=[f"c{i:03d}".ljust(1000, "c") for i in range(256)])
            ),
            pb.SelectRequest(requirements=pb.Requirements(min_quality=0.99, task="t" * 1024)),
        ):
            err = await failed_select(served.stub, request)
            details = details_of(err)
            assert details.reason == "NO_ELIGIBLE_MODEL", details.message
            assert trailer_bytes(err) < LIMIT
            violations, omitted = omitted_of(err)
            assert omitted > 900 and len(violations) + omitted == 1000
            assert details.metadata["rejected"] == "1000"
            assert details.metadata["omitted"] == str(omitted)


async def test_all_candidates_failed_over_many_models_fits() -> None:
    async with serving(models_yaml(300, fail=True)) as served:
        for call in (served.stub.Invoke, served.stub.InvokeStream):
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                reply = call(pb.InvokeRequest(selection=pb.SelectRequest(), messages=USER), timeout=60)
                if call is served.stub.InvokeStream:
                    async for _ in reply:  # type: ignore[union-attr]
                        pass
                else:
                    await reply
            err = caught.value
            details = details_of(err)
            assert details.reason == "ALL_CANDIDATES_FAILED", details.message
            assert trailer_bytes(err) < LIMIT
            attempts = details.metadata["attempts"]
            shown = attempts.split(",")
            assert shown[-1].startswith("...and ") and shown[-1].endswith(" more")
            assert len(shown) - 1 + int(shown[-1].split()[1]) == 300
            assert "more" in details.message and "300 attempts" in details.message


@pytest.mark.parametrize(
    "error",
    [
        DeadlineExceeded(
            "the caller's deadline passed", {"attempts": ",".join(["m" * 150 + "/d=TIMEOUT"] * 500)}
        ),
        StreamInterrupted(",".join(["m" * 150 + "/d=UNAVAILABLE"] * 500), ()),
        AllCandidatesFailed(",".join(["m" * 150 + "/d=UNAVAILABLE"] * 500), ()),
        RouterError("é" * 100_000, {f"k{i}": "ü" * 10_000 for i in range(5)}),
    ],
    ids=["deadline", "stream", "all-failed", "unicode"],
)
def test_every_error_is_sized_to_fit(error: RouterError) -> None:
    _, details = error_details(error)
    size = trailer_size(error.message, details)
    LARGEST.append(size)
    assert size < LIMIT
    status = status_pb2.Status.FromString(details)
    info = error_details_pb2.ErrorInfo()
    assert status.details[0].Unpack(info)
    if "attempts" in error.metadata:
        assert info.metadata["attempts"].endswith(" more") and "...and 4" in info.metadata["attempts"]


# -- 2. request bounds ---------------------------------------------------------


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        (pb.SelectRequest(requirements=pb.Requirements(task="t" * 1025)), "requirements.task"),
        (pb.SelectRequest(requirements=pb.Requirements(task="é" * 513)), "requirements.task"),
        (
            pb.SelectRequest(requirements=pb.Requirements(capabilities=["chat", "c" * 2000])),
            "requirements.capabilities[1]",
        ),
        (
            pb.SelectRequest(requirements=pb.Requirements(capabilities=[f"c{i}" for i in range(257)])),
            "requirements.capabilities",
        ),
        (
            pb.SelectRequest(requirements=pb.Requirements(include_models=["nano-fast"] * 257)),
            "requirements.include_models",
        ),
        (
            pb.SelectRequest(requirements=pb.Requirements(exclude_models=["x" * 5000])),
            "requirements.exclude_models[0]",
        ),
        (
            pb.SelectRequest(requirements=pb.Requirements(labels={f"k{i}": "v" for i in range(257)})),
            "requirements.labels",
        ),
        (pb.SelectRequest(requirements=pb.Requirements(labels={"k" * 1025: "v"})), "requirements.labels"),
        (
            pb.SelectRequest(requirements=pb.Requirements(labels={"k": "v" * 1025})),
            'requirements.labels["k"]',
        ),
        (pb.SelectRequest(strategy="s" * 1025), "strategy"),
        (pb.SelectRequest(messages=[pb.ChatMessage(role="user", content="x")] * 1025), "messages"),
        (
            pb.SelectRequest(messages=[pb.ChatMessage(role="user", content="x" * 1_000_000)] * 4 + USER),
            "messages",
        ),
    ],
)
async def test_select_past_a_bound_names_the_field(
    default_server: Served, request_: pb.SelectRequest, field: str
) -> None:
    assert_invalid(await select_error(default_server.stub, request_), field)


async def test_the_message_bounds_are_configurable() -> None:
    config = models_yaml(2).replace("server: {", "server: {max_messages: 3, max_message_chars: 100, ", 1)
    async with serving(config) as served:
        three = [pb.ChatMessage(role="user", content="x" * 30)] * 3
        await served.stub.Select(pb.SelectRequest(messages=three), timeout=10)
        err = await select_error(served.stub, pb.SelectRequest(messages=[*three, USER[0]]))
        assert_invalid(err, "messages")
        assert "server.max_messages" in err.message
        err = await select_error(
            served.stub, pb.SelectRequest(messages=[pb.ChatMessage(role="user", content="x" * 101)])
        )
        assert_invalid(err, "messages")
        assert "server.max_message_chars" in err.message
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await served.stub.Invoke(
                pb.InvokeRequest(model=_first_id(), messages=[*three, USER[0]]), timeout=10
            )
        assert_invalid(details_of(caught.value), "messages")


def _first_id() -> str:
    return "model-0000-".ljust(60, "x")


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        (pb.InvokeRequest(model="nano-fast", messages=USER, request_id="r" * 129), "request_id"),
        (pb.InvokeRequest(model="m" * 1025, messages=USER), "model"),
        (pb.InvokeRequest(model="nano-fast", messages=USER, stop=["s" * 1025]), "stop[0]"),
        (pb.InvokeRequest(model="nano-fast", messages=USER, stop=["s"] * 257), "stop"),
        (
            pb.InvokeRequest(
                selection=pb.SelectRequest(requirements=pb.Requirements(task="t" * 2000)), messages=USER
            ),
            "selection.requirements.task",
        ),
        (
            pb.InvokeRequest(
                selection=pb.SelectRequest(messages=[pb.ChatMessage(role="user", content="x")] * 1025),
                messages=USER,
            ),
            "selection.messages",
        ),
        (pb.InvokeRequest(model="nano-fast", messages=USER * 1025), "messages"),
    ],
)
async def test_invoke_past_a_bound_names_the_field(
    default_server: Served, request_: pb.InvokeRequest, field: str
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await default_server.stub.Invoke(request_, timeout=10)
    assert_invalid(details_of(caught.value), field)
    stream_request = pb.InvokeStreamRequest.FromString(request_.SerializeToString())
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        async for _ in default_server.stub.InvokeStream(stream_request, timeout=10):
            pass
    assert_invalid(details_of(caught.value), field)


async def test_stats_model_filter_is_bounded(default_server: Served) -> None:
    for models, field in ((["nano-fast"] * 257, "models"), (["n" * 1025], "models[0]")):
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await default_server.stub.Stats(pb.StatsRequest(models=models), timeout=10)
        assert_invalid(details_of(caught.value), field)


async def test_requests_at_the_bounds_are_served() -> None:
    # Its own server: calls that reach a model change the shared one's live figures.
    async with serving() as served:
        reply = await served.stub.Select(
            pb.SelectRequest(
                requirements=pb.Requirements(
                    task="é" * 512, capabilities=["chat"] * 256, exclude_models=["nano-fast"] * 256
                )
            ),
            timeout=10,
        )
        assert reply.decision.model != "nano-fast"
        answer = await served.stub.Invoke(
            pb.InvokeRequest(model="nano-fast", messages=USER, request_id="r" * 128, stop=["s" * 1024] * 256),
            timeout=10,
        )
        assert answer.request_id == "r" * 128


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def test_large_distinct_selects_do_not_grow_the_server(tmp_path: Path) -> None:
    """400 Selects each with a distinct 1 MiB task took the server from 81 to 555
    MiB (the selection cache kept each request's bytes as its key): now refused,
    and 400 distinct valid Selects keep only a digest each."""
    config = tmp_path / "router.yaml"
    # No access log: nothing reads the process's stdout, whose pipe would fill.
    config.write_text(
        models_yaml(9).replace("server: {", "server: {access_log: false, ", 1)
        + "cache: {selection_ttl_s: 600}\n"
    )
    with server_process(config) as server, grpc.insecure_channel(server.address) as channel:
        stub = pb_grpc.RouterServiceStub(channel)
        stub.Select(pb.SelectRequest(), timeout=10)  # warm
        before = _rss_kib(server.proc.pid)
        for i in range(400):
            task = f"{i:04d}".ljust(1024 * 1024, "t")
            with pytest.raises(grpc.RpcError) as caught:
                stub.Select(pb.SelectRequest(requirements=pb.Requirements(task=task)), timeout=10)
            assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
            if i == 0:
                meta = dict(caught.value.trailing_metadata())
                status = status_pb2.Status.FromString(meta["grpc-status-details-bin"])
                info = error_details_pb2.ErrorInfo()
                status.details[0].Unpack(info)
                assert (info.reason, dict(info.metadata)) == (
                    "INVALID_REQUEST",
                    {"field": "requirements.task"},
                )
        after_large = _rss_kib(server.proc.pid)
        for i in range(400):
            task = f"{i:04d}".ljust(1000, "t")
            messages = [pb.ChatMessage(role="user", content=f"{i}".ljust(10_000, "m"))]
            stub.Select(
                pb.SelectRequest(requirements=pb.Requirements(task=task), messages=messages), timeout=10
            )
        after_valid = _rss_kib(server.proc.pid)
        stats = stub.Stats(pb.StatsRequest(), timeout=10)
        assert stats.cache.selection_entries >= 400  # all kept, by digest
    print(f"RSS KiB: before {before}, after 400 x 1 MiB refused {after_large}, after 400 valid {after_valid}")
    assert after_large - before < 64 * 1024, (before, after_large)
    assert after_valid - after_large < 32 * 1024, (after_large, after_valid)


# -- 3. a huge request_id is neither echoed nor logged --------------------------


async def test_a_huge_request_id_is_refused_not_echoed_or_logged(default_server: Served) -> None:
    huge = "R" * (5 * 1024 * 1024)
    logged = len(default_server.log.getvalue())
    for _ in range(10):
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await default_server.stub.Invoke(
                pb.InvokeRequest(model="nano-fast", messages=USER, request_id=huge), timeout=10
            )
        details = details_of(caught.value)
        assert_invalid(details, "request_id")
        assert "R" * 101 not in details.message
        assert trailer_bytes(caught.value) < LIMIT
    log = default_server.log.getvalue()[logged:]
    assert "R" * 101 not in log
    assert len(log) < 10 * 4096


# -- 4. unknown enum values ----------------------------------------------------


async def test_an_unknown_cache_policy_is_refused() -> None:
    # Its own server: calls that reach a model change the shared one's live figures.
    async with serving() as served:
        for cls, call in (
            (pb.InvokeRequest, served.stub.Invoke),
            (pb.InvokeStreamRequest, served.stub.InvokeStream),
        ):
            request = cls(model="nano-fast", messages=USER)
            request.cache = 99  # type: ignore[assignment]  # proto3 keeps an unknown enum value as its number
            assert request.cache == 99
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                reply = call(request, timeout=10)
                if cls is pb.InvokeStreamRequest:
                    async for _ in reply:
                        pass
                else:
                    await reply
            details = details_of(caught.value)
            assert_invalid(details, "cache")
            assert "99" in details.message
        # The known values are served.
        for policy in (pb.CACHE_POLICY_UNSPECIFIED, pb.CACHE_POLICY_BYPASS):
            await served.stub.Invoke(
                pb.InvokeRequest(model="nano-fast", messages=USER, cache=policy), timeout=10
            )


def test_report_the_largest_trailer_measured() -> None:
    print(f"largest trailers measured: {max(LARGEST, default=0)} bytes of {LIMIT}")
    assert max(LARGEST, default=0) < LIMIT


def test_a_rejection_names_a_few_missing_capabilities_not_all() -> None:
    """Every model's "lacks ..." is built on every decision and kept in the
    selection cache: with 256 capabilities of 1 KiB asked, it names five, clipped,
    and counts the rest (not 256 KiB a model)."""
    asked = {f"{i:03d}" + "c" * 1000 for i in range(256)}
    detail = _lacks(asked)
    assert detail.endswith(" and 251 more") and len(detail) < 1000
    assert _lacks({"tools", "vision"}) == "lacks tools, vision"
