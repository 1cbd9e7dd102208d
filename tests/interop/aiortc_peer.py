#!/usr/bin/env python3
"""aiortc as a WebRTC interop peer for tests/interop (see README.md there).

    aiortc_peer.py client --url http://127.0.0.1:PORT/offer --test NAME [--timeout SECS]
    aiortc_peer.py serve --listen 127.0.0.1:PORT

The five client tests and the echo server follow the same spec as the Chromium
peer (node/peer.js). Two aiortc quirks are handled here: its host-address
lookup skips 127.0.0.1 (so in a namespace with only `lo` it would gather
nothing) and with no iceServers it adds a public STUN server; we patch the
former and always pass iceServers=[].
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import time

import aioice.ice
from aiohttp import ClientSession, ClientTimeout, web
from aiortc import (
    RTCConfiguration,
    RTCDataChannel,
    RTCPeerConnection,
    RTCSessionDescription,
)


def _loopback_host_addresses(use_ipv4: bool, use_ipv6: bool) -> list[str]:
    # aioice.ice.get_host_addresses() drops 127.0.0.1 and ::1; the interop
    # tests run where loopback is the only address, so gather exactly it.
    return ["127.0.0.1"] if use_ipv4 else []


if not callable(getattr(aioice.ice, "get_host_addresses", None)):
    # The patch below would silently do nothing: fail loudly instead.
    sys.exit("aiortc_peer.py: aioice.ice.get_host_addresses is gone; update the loopback patch")
aioice.ice.get_host_addresses = _loopback_host_addresses

CONFIG = RTCConfiguration(iceServers=[])

T0 = time.monotonic()


def now_ms() -> int:
    return round((time.monotonic() - T0) * 1000)


# ------------------------------------------------------------------ payloads

BASE_LEN = 65521  # prime, so fragment swaps show up
BASE = bytes(((i * 2654435761) % (1 << 32)) >> 24 for i in range(BASE_LEN))
# BASE repeated so any payload up to 256 KiB is one slice.
_BASE_RING = BASE * (1 + (262144 + BASE_LEN) // BASE_LEN)


def payload(seed: int, n: int) -> bytes:
    """n bytes; byte j = BASE[(seed*997 + j) mod 65521]."""
    k = (seed * 997) % BASE_LEN
    return _BASE_RING[k : k + n]


def text_payload(seed: int, n: int) -> str:
    """Exactly n UTF-8 bytes: printable ASCII, ending in U+20AC when n >= 3."""
    b = payload(seed, n)
    ascii_len = n - 3 if n >= 3 else n
    s = "".join(chr(0x21 + (b[j] % 94)) for j in range(ascii_len))
    return s + ("\u20ac" if n >= 3 else "")


def echo_size(i: int) -> int:
    """dc-echo sizes: 1 + floor(i^3 * 16383 / 117649), i = 0..49."""
    return 1 + (i * i * i * 16383) // 117649


def kind(m) -> str:
    return "text" if isinstance(m, str) else "binary"


def describe(m) -> str:
    if m is None:
        return "nothing"
    n = len(m.encode()) if isinstance(m, str) else len(m)
    return f"{kind(m)} of {n} B"


class TestFailure(Exception):
    pass


def check_sequence(label: str, expected: list, got: list) -> None:
    for i, e in enumerate(expected):
        if i >= len(got):
            raise TestFailure(f"{label}: only {len(got)} of {len(expected)} echoes arrived")
        g = got[i]
        if kind(e) != kind(g) or e != g:
            raise TestFailure(f"{label}: echo #{i} differs: sent {describe(e)}, got {describe(g)}")
    if len(got) > len(expected):
        raise TestFailure(f"{label}: {len(got) - len(expected)} extra messages")


def check_multiset(label: str, expected: list, got: list) -> None:
    if len(got) != len(expected):
        raise TestFailure(f"{label}: {len(got)} of {len(expected)} echoes arrived")
    key = lambda m: (kind(m), m if isinstance(m, bytes) else m.encode())  # noqa: E731
    if sorted(map(key, expected)) != sorted(map(key, got)):
        raise TestFailure(f"{label}: the echoes differ from what was sent")


# ------------------------------------------------------------------ helpers


class Collector:
    """Collects a channel's incoming messages; until(n) waits for n of them."""

    def __init__(self, dc: RTCDataChannel):
        self.got: list = []
        self._want = None
        self._event = asyncio.Event()
        dc.on("message", self._on_message)

    def _on_message(self, m) -> None:
        self.got.append(m)
        if self._want is not None and len(self.got) >= self._want:
            self._event.set()

    async def until(self, n: int) -> None:
        self._want = n
        if len(self.got) >= n:
            return
        self._event.clear()
        await self._event.wait()


def watch(pc: RTCPeerConnection, log: list):
    def rec(what: str) -> None:
        log.append(f"{now_ms()}ms {what}")

    pc.on("connectionstatechange", lambda: rec(f"connectionState={pc.connectionState}"))
    pc.on("iceconnectionstatechange", lambda: rec(f"iceConnectionState={pc.iceConnectionState}"))
    pc.on("icegatheringstatechange", lambda: rec(f"iceGatheringState={pc.iceGatheringState}"))
    pc.on("signalingstatechange", lambda: rec(f"signalingState={pc.signalingState}"))
    return rec


def watch_channel(dc: RTCDataChannel, rec) -> None:
    dc.on("open", lambda: rec(f'channel "{dc.label}" id={dc.id} open'))
    dc.on("close", lambda: rec(f'channel "{dc.label}" id={dc.id} close'))


async def wait_open(dc: RTCDataChannel) -> None:
    if dc.readyState == "open":
        return
    fut = asyncio.get_running_loop().create_future()

    def opened():
        if not fut.done():
            fut.set_result(None)

    def closed():
        if not fut.done():
            fut.set_exception(TestFailure(f'channel "{dc.label}" closed before open'))

    dc.on("open", opened)
    dc.on("close", closed)
    await fut


async def wait_close(dc: RTCDataChannel) -> None:
    if dc.readyState == "closed":
        return
    fut = asyncio.get_running_loop().create_future()
    dc.on("close", lambda: fut.done() or fut.set_result(None))
    await fut


async def wait_buffered_low(dc: RTCDataChannel) -> None:
    fut = asyncio.get_running_loop().create_future()

    def low():
        if not fut.done():
            fut.set_result(None)

    dc.once("bufferedamountlow", low)
    await fut


# ------------------------------------------------------------------ tests
# Each test: (channels, run) where channels is [(label, kwargs)] for
# createDataChannel and run(pc, dcs, rec) returns (detail, extra).


async def t_echo(pc, dcs, rec):
    dc = dcs[0]
    col = Collector(dc)
    sent: list = []
    for i in range(50):
        sent.append(text_payload(i, echo_size(i)))
        sent.append(payload(1000 + i, echo_size(i)))
    sent.append(payload(2000, 65536))
    start = time.monotonic()
    for m in sent:
        dc.send(m)
    await col.until(len(sent))
    check_sequence("dc-echo", sent, col.got)
    ms = round((time.monotonic() - start) * 1000)
    return (
        "101 messages (50 text, 50 binary of 1..16384 B, 1 binary of 65536 B) "
        f"echoed intact and in order in {ms} ms",
        {},
    )


MULTI_CHANNELS = [
    ("ordered", {}),
    ("unordered", {"ordered": False}),
    ("max-retransmits-0", {"ordered": False, "maxRetransmits": 0}),
    ("max-packet-lifetime-100", {"ordered": True, "maxPacketLifeTime": 100}),
    ("negotiated", {"negotiated": True, "id": 42}),
    ("\u00fcnicode-\u03bb", {"protocol": "interop.v1"}),
]


async def t_multi(pc, dcs, rec):
    expect = [
        dict(ordered=True, maxRetransmits=None, maxPacketLifeTime=None, protocol=""),
        dict(ordered=False, maxRetransmits=None, maxPacketLifeTime=None, protocol=""),
        dict(ordered=False, maxRetransmits=0, maxPacketLifeTime=None, protocol=""),
        dict(ordered=True, maxRetransmits=None, maxPacketLifeTime=100, protocol=""),
        dict(ordered=True, maxRetransmits=None, maxPacketLifeTime=None, protocol="", id=42, negotiated=True),
        dict(ordered=True, maxRetransmits=None, maxPacketLifeTime=None, protocol="interop.v1"),
    ]
    for dc, props in zip(dcs, expect):
        for k, v in props.items():
            if getattr(dc, k) != v:
                raise TestFailure(f'channel "{dc.label}": {k} is {getattr(dc, k)!r}, expected {v!r}')
    cols = [Collector(dc) for dc in dcs]
    sent = []
    for c in range(len(dcs)):
        msgs: list = []
        for k in range(18):
            seed = 100 * (c + 1) + k
            msgs.append(text_payload(seed, 1 + 50 * k) if k % 2 == 0 else payload(seed, 1 + 50 * k))
        msgs += ["", b""]
        sent.append(msgs)
    for k in range(20):
        for c, dc in enumerate(dcs):
            dc.send(sent[c][k])
    await asyncio.gather(*(col.until(len(sent[c])) for c, col in enumerate(cols)))
    for c, dc in enumerate(dcs):
        label = f'dc-multi "{dc.label}"'
        if dc.ordered:
            check_sequence(label, sent[c], cols[c].got)
        else:
            check_multiset(label, sent[c], cols[c].got)
    return (
        "6 channels (ordered, unordered, maxRetransmits 0, maxPacketLifeTime 100, "
        "negotiated id 42, protocol+UTF-8 label) x 20 messages echoed",
        {},
    )


async def t_large(pc, dcs, rec):
    dc = dcs[0]
    col = Collector(dc)
    msg = payload(3000, 262144)
    start = time.monotonic()
    dc.send(msg)
    await col.until(1)
    check_sequence("dc-large", [msg], col.got)
    ms = round((time.monotonic() - start) * 1000)
    return f"one 262144 B binary message echoed intact in {ms} ms", {}


async def t_bulk(pc, dcs, rec):
    dc = dcs[0]
    n, size, low, high = 512, 16384, 256 * 1024, 1024 * 1024
    col = Collector(dc)
    dc.bufferedAmountLowThreshold = low
    start = time.monotonic()
    sent = 0
    while sent < n:
        while sent < n and dc.bufferedAmount <= high:
            dc.send(payload(sent, size))
            sent += 1
        if sent < n:
            await wait_buffered_low(dc)
    await col.until(n)
    secs = time.monotonic() - start
    for i, m in enumerate(col.got[:n]):
        if not isinstance(m, bytes) or m != payload(i, size):
            raise TestFailure(f"dc-bulk: echo #{i} differs: got {describe(m)}")
    if len(col.got) != n:
        raise TestFailure(f"dc-bulk: {len(col.got) - n} extra messages")
    mbps = round(n * size / 1e6 / secs, 2)
    return (
        f"8388608 B in 512 x 16384 B messages echoed in order in {round(secs * 1000)} ms: {mbps} MB/s",
        {"mb_per_s": mbps},
    )


async def t_close(pc, dcs, rec):
    dc = dcs[0]
    col = Collector(dc)
    dc.send("before-close")
    await col.until(1)
    check_sequence("close", ["before-close"], col.got)
    start = time.monotonic()
    dc.close()
    await wait_close(dc)
    close_ms = round((time.monotonic() - start) * 1000)
    if dc.readyState != "closed":
        raise TestFailure(f"close: readyState {dc.readyState} after close event")
    # The association must still work: a new channel opens and echoes.
    dc2 = pc.createDataChannel("after-close")
    watch_channel(dc2, rec)
    col2 = Collector(dc2)
    await wait_open(dc2)
    dc2.send("after-close")
    await col2.until(1)
    check_sequence("close/after-close", ["after-close"], col2.got)
    if pc.connectionState != "connected":
        raise TestFailure(f"close: connectionState {pc.connectionState}")
    return (
        f"channel closed on both sides {close_ms} ms after close(); a new channel then opened and echoed",
        {},
    )


TESTS = {
    "dc-echo": ([("dc-echo", {})], t_echo),
    "dc-multi": (MULTI_CHANNELS, t_multi),
    "dc-large": ([("dc-large", {})], t_large),
    "dc-bulk": ([("dc-bulk", {})], t_bulk),
    "close": ([("close", {})], t_close),
}


# ------------------------------------------------------------------ client role


def capture(offer: str | None, answer: str | None) -> None:
    """INTEROP_CAPTURE=prefix: write prefix.offer.sdp and prefix.answer.sdp."""
    prefix = os.environ.get("INTEROP_CAPTURE")
    if not prefix:
        return
    if offer:
        with open(f"{prefix}.offer.sdp", "w") as f:
            f.write(offer)
    if answer:
        with open(f"{prefix}.answer.sdp", "w") as f:
            f.write(answer)


async def run_client(url: str, test: str, timeout: float) -> dict:
    out = {"test": test, "ok": False, "ms_to_open": None, "detail": ""}
    if test not in TESTS:
        out["detail"] = f"unknown test {test}; known: {', '.join(TESTS)}"
        return out
    channels, run = TESTS[test]
    log: list[str] = []
    diag: dict = {"offer": None, "answer": None}
    started = time.monotonic()
    pc = RTCPeerConnection(CONFIG)
    rec = watch(pc, log)
    # Fail fast: a failed connection never recovers without an ICE restart.
    failed = asyncio.get_running_loop().create_future()

    @pc.on("connectionstatechange")
    def on_state() -> None:
        if pc.connectionState == "failed" and not failed.done():
            failed.set_exception(TestFailure("connectionState became failed"))

    async def body():
        dcs = []
        for label, kw in channels:
            dc = pc.createDataChannel(label, **kw)
            watch_channel(dc, rec)
            dcs.append(dc)
        opened = asyncio.ensure_future(asyncio.gather(*(wait_open(dc) for dc in dcs)))
        # aiortc gathers all candidates inside setLocalDescription (non-trickle).
        await pc.setLocalDescription(await pc.createOffer())
        diag["offer"] = pc.localDescription.sdp
        async with ClientSession(timeout=ClientTimeout(total=20)) as http:
            async with http.post(url, json={"type": "offer", "sdp": pc.localDescription.sdp}) as r:
                text = await r.text()
                rec(f"POST {url} -> HTTP {r.status}")
                if r.status != 200:
                    raise TestFailure(f"POST {url}: HTTP {r.status}: {text[:500]}")
        try:
            answer = json.loads(text)
        except ValueError:
            raise TestFailure(f"POST {url}: answer is not JSON: {text[:200]}")
        if answer.get("type") != "answer" or not isinstance(answer.get("sdp"), str):
            raise TestFailure(f"POST {url}: not an answer: {text[:200]}")
        diag["answer"] = answer["sdp"]
        await pc.setRemoteDescription(RTCSessionDescription(sdp=answer["sdp"], type="answer"))
        await opened
        out["ms_to_open"] = round((time.monotonic() - started) * 1000)
        rec("all channels open")
        detail, extra = await run(pc, dcs, rec)
        out["detail"] = detail
        out.update(extra)
        out["ok"] = True

    async def body_or_failed():
        task = asyncio.ensure_future(body())
        await asyncio.wait([task, failed], return_when=asyncio.FIRST_COMPLETED)
        if failed.done():
            task.cancel()
            failed.result()  # raises TestFailure
        return task.result()

    try:
        await asyncio.wait_for(body_or_failed(), timeout)
    except asyncio.TimeoutError:
        out["detail"] = f"timeout after {round(timeout * 1000)} ms"
    except TestFailure as e:
        out["detail"] = str(e)
    except Exception as e:  # anything the peer connection raised
        out["detail"] = f"{type(e).__name__}: {e}"
    capture(diag["offer"], diag["answer"])
    if not out["ok"]:
        w = lambda s: print(s, file=sys.stderr)  # noqa: E731
        w("---- aiortc client saw ----")
        w(
            "final states: "
            + json.dumps(
                {
                    "connectionState": pc.connectionState,
                    "iceConnectionState": pc.iceConnectionState,
                    "iceGatheringState": pc.iceGatheringState,
                    "signalingState": pc.signalingState,
                }
            )
        )
        w("events:")
        for line in log:
            w(f"  {line}")
        w(f"offer (sent):\n{diag['offer'] or '(none)'}")
        w(f"answer (received):\n{diag['answer'] or '(none)'}")
        w("---- end ----")
    try:
        await asyncio.wait_for(pc.close(), 5)
    except Exception:
        pass
    return out


# ------------------------------------------------------------------ server role


def slog(conn: int, line: str) -> None:
    print(f"[aiortc {now_ms()}ms] conn {conn}: {line}", file=sys.stderr, flush=True)


def echo_on(dc: RTCDataChannel, conn: int) -> None:
    stats = {"n": 0, "bytes": 0}

    @dc.on("message")
    def on_message(m) -> None:
        stats["n"] += 1
        stats["bytes"] += len(m)
        dc.send(m)

    dc.on(
        "open",
        lambda: slog(
            conn,
            f'channel "{dc.label}" id={dc.id} open (ordered={dc.ordered} '
            f"maxRetransmits={dc.maxRetransmits} maxPacketLifeTime={dc.maxPacketLifeTime} "
            f'protocol="{dc.protocol}")',
        ),
    )
    dc.on(
        "close",
        lambda: slog(
            conn, f'channel "{dc.label}" id={dc.id} closed after echoing {stats["n"]} messages, {stats["bytes"]} B'
        ),
    )


def error_response(status: int, name: str, message: str) -> web.Response:
    return web.json_response({"error": name, "message": message}, status=status)


def make_app() -> web.Application:
    pcs: set[RTCPeerConnection] = set()
    counter = {"n": 0}

    async def offer(request: web.Request) -> web.Response:
        try:
            params = await request.json()
        except ValueError as e:
            return error_response(400, "SyntaxError", f"body is not JSON: {e}")
        if not isinstance(params, dict) or params.get("type") != "offer" or not isinstance(params.get("sdp"), str):
            return error_response(400, "TypeError", 'expected {"type":"offer","sdp":"..."}')
        counter["n"] += 1
        conn = counter["n"]
        pc = RTCPeerConnection(CONFIG)
        pcs.add(pc)

        @pc.on("connectionstatechange")
        async def on_state() -> None:
            slog(conn, f"connectionState={pc.connectionState}")
            if pc.connectionState in ("failed", "closed"):
                await pc.close()
                pcs.discard(pc)

        @pc.on("datachannel")
        def on_datachannel(dc: RTCDataChannel) -> None:
            slog(conn, f'datachannel "{dc.label}" id={dc.id}')
            echo_on(dc, conn)
            # A remotely opened channel is already open when announced.
            slog(conn, f'channel "{dc.label}" id={dc.id} state={dc.readyState}')

        echo_on(pc.createDataChannel("negotiated", negotiated=True, id=42), conn)
        slog(conn, f"offer:\n{params['sdp']}")
        try:
            await pc.setRemoteDescription(RTCSessionDescription(sdp=params["sdp"], type="offer"))
            await pc.setLocalDescription(await pc.createAnswer())
        except Exception as e:
            slog(conn, f"rejected: {type(e).__name__}: {e}")
            await pc.close()
            pcs.discard(pc)
            return error_response(400, type(e).__name__, str(e))
        answer = pc.localDescription.sdp
        slog(conn, f"answer:\n{answer}")
        capture(params["sdp"], answer)
        return web.json_response({"type": "answer", "sdp": answer})

    async def on_shutdown(app: web.Application) -> None:
        await asyncio.gather(*(pc.close() for pc in pcs), return_exceptions=True)
        pcs.clear()

    app = web.Application()
    app.router.add_post("/offer", offer)
    app.on_shutdown.append(on_shutdown)
    return app


# ------------------------------------------------------------------ main


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="mode", required=True)
    c = sub.add_parser("client")
    c.add_argument("--url", required=True)
    c.add_argument("--test", required=True)
    c.add_argument("--timeout", type=float, default=30.0, help="seconds (default 30)")
    s = sub.add_parser("serve")
    s.add_argument("--listen", default="127.0.0.1:8080")
    ap.add_argument("--verbose", action="store_true", help="aiortc/aioice debug logs on stderr")
    args = ap.parse_args()
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING)

    if args.mode == "client":
        result = asyncio.run(run_client(args.url, args.test, args.timeout))
        print(json.dumps(result, separators=(",", ":")), flush=True)
        # Do not linger on aiortc's background tasks.
        os._exit(0 if result["ok"] else 1)
    host, _, port = args.listen.rpartition(":")
    print(f"[aiortc] serving http://{args.listen}/offer", file=sys.stderr, flush=True)
    web.run_app(make_app(), host=host, port=int(port), print=None, access_log=None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
