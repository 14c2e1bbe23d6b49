"""A kudos on a live club feed, fanned out to 1,000 sockets; and what idle sockets cost.

    .venv/bin/python bench/feed_fanout.py                          # all three, full size
    .venv/bin/python bench/feed_fanout.py --scenario one --clients 200 --events 12  # quick
    .venv/bin/python bench/feed_fanout.py --scenario redis         # two processes over Redis
    .venv/bin/python bench/feed_fanout.py --scenario idle --idle-clients 2000

The issue's targets: "With 1,000 connected Socket.IO clients in one club room: time from a
kudos POST until each client has the event; per-event p95 <= 75 ms in one process,
<= 100 ms across two processes over Redis, zero lost", and "2,000 idle sockets held by one
process at <= 100 KB each".

Setup (every scenario): a throwaway SQLite database in a temporary folder, migrated and
seeded with `flask --app app seed-demo` (`socket_fanout.Server.prepare_database`). In the
demo data the public club `riverside-runners` has ana, ben, chloe and dev; the item
watched is ana's newest feed item (a public run, shown in the club's feed). The watchers
are all the demo runner `dev` (neither the item's runner, who is notified of each kudos,
nor a giver); the givers are `ben` and `chloe`. Sessions are signed cookies made with the
servers' SECRET_KEY (`challenge_board.session_cookie`), so no log-in rate limit applies.

Servers: `python app.py` (gevent) as a deployment runs it, with the emit probe of
`socket_fanout.py` (it prints when each `socketio.emit` call starts and returns; the app's
code is unchanged). `--scenario redis` starts two on one database with the same
SECRET_KEY and REDIS_URL (by default a private `redis-server` on a free port, so no other
process hears the `runhive` channel); clients are split half/half between them (sticky, as
behind a balancer) and every kudos is POSTed to process 1.

Clients: --workers client processes (spawned; default 4), worker n on server n mod the
servers, each holding its share of the sockets: `RawClient`s (--client raw, the default: a
minimal Engine.IO 4 websocket client read from the event loop's reader callback, which also
gets the kernel's receive timestamp of each frame) or python-socketio `AsyncClient`s
(--client socketio, `socket_fanout.connect_clients`), every one connected to its server
and having emitted "feed:watch" {"feed": "club", "id": <club>, "items": [<item>]} and got
{"ok": true, "items": [<item>]} back (checked).

Fan-out (`one`, `redis`): --warmup events not counted, then --events measured ones. Each
event is one POST of the cycle: ben gives kudos (count 1), chloe gives (2), ben takes his
back (1), chloe takes hers back (0), so every POST changes the count and emits
"feed:kudos" {"item_id", "count", "summary"} to `item:<id>`. Before each POST every worker
is told the count to expect; a client's delivery of the event is its first "feed:kudos"
with that count after that. The next POST goes once every client has it, or after
--timeout seconds, then --pause seconds. Latency of a delivery, from the moment the POST
was sent, by two clocks (both CLOCK_MONOTONIC, system-wide on Linux): when the frame
reached the client's socket (the kernel's SO_TIMESTAMPNS receive time, raw clients only:
what the server achieved, however late a client process gets the CPU to read it), and when
the client's handler ran (that plus the client's own scheduling and decoding). Reported for
each: p50/p95/p99/max over all deliveries; per-event p95 (the p95 over the clients of that
event) and its distribution over the events; the same from the emit's start (the probe's
clock). Also: missing deliveries (clients x events - received); the POST's response time;
POST -> emit start; the server's emit() call; CPU per event of the servers, Redis and the
client processes (from /proc, over the measured events), the client side's also as CPU per
delivery: what the load generator, which shares the 2 cores, costs. A target counts as met
when the p95 over the events of the per-event p95 is within it and none is missing.
Percentiles are nearest-rank.

Idle (`idle`): one server; after one warm-up socket (connected, watching, disconnected),
its RSS and Pss (/proc/<pid>/status VmRSS, /proc/<pid>/smaps_rollup Pss) are the
baseline; --idle-clients sockets are then connected and watching (half of them first, to
check growth is linear), held --hold seconds (a ping interval is 25 s) and measured again.
Reported: growth / sockets, from the baseline and between the half and the full count.

The machine is shared: before each scenario --quiet-load waits (up to --quiet-wait s) for
the 1-minute load average to drop below it, then --quiet-idle (up to that many seconds) for
5 s with the CPU at least 90 % idle (`challenge_board.wait_for_quiet`); the load average and
the CPU that other processes used during each scenario are printed. Everything started is
stopped at the end, also on errors and Ctrl-C.
"""

import argparse
import asyncio
import base64
import contextlib
import json
import multiprocessing
import os
import queue
import socket
import sqlite3
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from socket_fanout import (
    ROOT,
    USER_AGENT,
    Server,
    connect_clients,
    csrf_token,
    disconnect_clients,
    free_port,
    raise_open_file_limit,
    stop_process,
)

EVENT = "feed:kudos"
CLUB = "riverside-runners"
ACTOR, WATCHER, GIVERS = "ana", "dev", ("ben", "chloe")
TARGET_ONE_MS, TARGET_REDIS_MS, TARGET_IDLE_KB = 75.0, 100.0, 100.0


# --- the client processes --------------------------------------------------------------------


@dataclass
class WorkerSpec:
    number: int
    url: str
    cookie: str
    watch: dict[str, Any]
    concurrency: int
    connect_timeout: float
    raw: bool


@dataclass
class Tracker:
    """This worker's clients' deliveries of the events, in the worker process."""

    reports: Any
    number: int
    event: int = -1
    count: int | None = None
    got: list[float | None] = field(default_factory=list)
    came: list[float | None] = field(default_factory=list)
    received: int = 0
    # Per event and client: when the handler ran, and when the frame reached the client's
    # socket (the kernel's receive timestamp; raw clients only), both CLOCK_MONOTONIC.
    times: dict[int, list[float | None]] = field(default_factory=dict)
    arrivals: dict[int, list[float | None]] = field(default_factory=dict)
    cpu: dict[int, list[float]] = field(default_factory=dict)
    stray: int = 0
    # CLOCK_MONOTONIC - CLOCK_REALTIME, for the kernel's (real-time) receive timestamps.
    offset: float = 0.0

    def arm(self, event: int, count: int, clients: int) -> None:
        self.event, self.count, self.received = event, count, 0
        self.got = self.times[event] = [None] * clients
        self.came = self.arrivals[event] = [None] * clients
        self.offset = time.monotonic() - time.time()
        self.cpu[event] = [time.process_time()]

    def handler(self, index: int) -> Any:
        def on_kudos(data: dict[str, Any], arrived: float | None = None) -> None:
            now = time.monotonic()
            if data.get("count") != self.count or self.got[index] is not None:
                self.stray += 1
                return
            self.got[index] = now
            if arrived is not None:
                self.came[index] = arrived + self.offset
            self.received += 1
            if self.received == len(self.got):
                self.cpu[self.event].append(time.process_time())
                self.reports.put(("done", self.number, self.event))

        return on_kudos


class _Offset:
    """Client i of a batch is client `start + i` of the worker."""

    def __init__(self, tracker: Tracker, start: int) -> None:
        self.tracker, self.start = tracker, start

    def handler(self, index: int) -> Any:
        return self.tracker.handler(self.start + index)


# Linux's SO_TIMESTAMPNS (= SCM_TIMESTAMPNS; Python's socket module does not name it): each
# read also returns when the kernel received the data, as a struct timespec.
SO_TIMESTAMPNS = 35
_TIMESPEC = struct.Struct("qq")


class RawClient:
    """A minimal Socket.IO client: Engine.IO 4 over a websocket (RFC 6455, by hand) on the
    default namespace, read with `recvmsg` from the event loop's reader callback. An event
    is told by its prefix, with no task per socket or per message, so the load generator
    takes a small part of the CPU the server needs (about a third of python-socketio's
    `AsyncClient` per delivery). Each read also carries the kernel's receive timestamp:
    when the frame reached the client's socket, however late the client process reads it.
    Only what this benchmark uses: unfragmented text frames, pings, acks, close."""

    def __init__(self, url: str, headers: dict[str, str], on_event: Any) -> None:
        self.host, port = url.removeprefix("http://").split(":")
        self.port = int(port)
        self.headers, self.on_event = headers, on_event
        self.prefix = f'42["{EVENT}",'
        self.sock: socket.socket | None = None
        self.buffer = b""
        self.upgraded = False
        self.ready: asyncio.Future[None] | None = None
        self.acks: dict[int, asyncio.Future[Any]] = {}
        self.next_ack = 0

    async def connect(self, timeout: float) -> None:
        loop = asyncio.get_running_loop()
        self.ready = loop.create_future()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        self.sock.setblocking(False)
        await asyncio.wait_for(loop.sock_connect(self.sock, (self.host, self.port)), timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        lines = [
            "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1",
            f"Host: {self.host}:{self.port}",
            "Upgrade: websocket",
            "Connection: Upgrade",
            f"Sec-WebSocket-Key: {key}",
            "Sec-WebSocket-Version: 13",
            *(f"{name}: {value}" for name, value in self.headers.items()),
        ]
        await loop.sock_sendall(self.sock, ("\r\n".join(lines) + "\r\n\r\n").encode())
        loop.add_reader(self.sock.fileno(), self.readable)
        await asyncio.wait_for(self.ready, timeout)

    def readable(self) -> None:
        assert self.sock is not None
        try:
            data, ancillary, _flags, _address = self.sock.recvmsg(65536, ANCILLARY)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as error:
            self.fail(f"read failed: {error!r}")
            return
        if not data:
            self.fail("connection closed")
            return
        arrived = None
        for level, kind, raw in ancillary:
            if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS:
                seconds, nanoseconds = _TIMESPEC.unpack(raw[: _TIMESPEC.size])
                arrived = seconds + nanoseconds / 1e9
        self.buffer += data
        if not self.upgraded:
            head, found, rest = self.buffer.partition(b"\r\n\r\n")
            if not found:
                return
            if not head.startswith(b"HTTP/1.1 101"):
                self.fail(f"websocket upgrade refused: {head[:80]!r}")
                return
            self.upgraded, self.buffer = True, rest
        while len(self.buffer) >= 2:
            opcode, length, start = self.buffer[0] & 0x0F, self.buffer[1] & 0x7F, 2
            if length == 126:
                length, start = int.from_bytes(self.buffer[2:4], "big"), 4
            elif length == 127:
                length, start = int.from_bytes(self.buffer[2:10], "big"), 10
            if len(self.buffer) < start + length:
                return
            payload = self.buffer[start : start + length]
            self.buffer = self.buffer[start + length :]
            if opcode == 1:
                self.message(payload.decode(), arrived)
            elif opcode == 9:
                self.send(payload, opcode=10)
            elif opcode == 8:
                self.fail("closed by the server")
                return

    def message(self, text: str, arrived: float | None) -> None:
        if text.startswith(self.prefix):
            self.on_event(json.loads(text[len(self.prefix) : -1]), arrived)
        elif text == "2":
            self.send(b"3")
        elif text.startswith("43"):
            digits = len(text) - len(text[2:].lstrip("0123456789"))
            future = self.acks.pop(int(text[2:digits]), None)
            if future is not None and not future.done():
                future.set_result(json.loads(text[digits:]))
        elif text.startswith("0"):
            self.send(b"40")
        elif text.startswith("40") and self.ready is not None and not self.ready.done():
            self.ready.set_result(None)
        elif text.startswith("44"):
            self.fail(f"Socket.IO connect refused: {text[:80]!r}")

    def send(self, payload: bytes, opcode: int = 1) -> None:
        """One masked frame; these are small, so a non-blocking send takes them whole."""
        if self.sock is None:
            return
        mask = os.urandom(4)
        length = len(payload)
        head = bytes([0x80 | opcode])
        if length < 126:
            head += bytes([0x80 | length])
        elif length < 1 << 16:
            head += bytes([0x80 | 126]) + length.to_bytes(2, "big")
        else:
            head += bytes([0x80 | 127]) + length.to_bytes(8, "big")
        masked = bytes(byte ^ mask[n % 4] for n, byte in enumerate(payload))
        with contextlib.suppress(OSError):
            self.sock.sendall(head + mask + masked)

    def fail(self, reason: str) -> None:
        if self.ready is not None and not self.ready.done():
            self.ready.set_exception(RuntimeError(reason))
        for future in self.acks.values():
            if not future.done():
                future.set_exception(RuntimeError(reason))
        self.close()

    def close(self) -> None:
        if self.sock is not None:
            with contextlib.suppress(Exception):
                asyncio.get_running_loop().remove_reader(self.sock.fileno())
            self.sock.close()
            self.sock = None

    async def call(self, event: str, data: Any, timeout: float) -> Any:
        number, self.next_ack = self.next_ack, self.next_ack + 1
        self.acks[number] = asyncio.get_running_loop().create_future()
        self.send(f"42{number}{json.dumps([event, data])}".encode())
        answer = await asyncio.wait_for(self.acks[number], timeout)
        return answer[0] if answer else None

    async def disconnect(self) -> None:
        self.send(b"41")
        self.send(b"", opcode=8)
        self.close()


ANCILLARY = socket.CMSG_SPACE(_TIMESPEC.size)


async def connect_raw(
    url: str, headers: dict[str, str], count: int, spec: "WorkerSpec", fan: Any
) -> list[RawClient]:
    gate = asyncio.Semaphore(spec.concurrency)
    clients = [RawClient(url, headers, fan.handler(n)) for n in range(count)]

    async def connect(client: RawClient) -> None:
        async with gate:
            await client.connect(timeout=30)

    results = await asyncio.wait_for(
        asyncio.gather(*(connect(c) for c in clients), return_exceptions=True),
        spec.connect_timeout,
    )
    failures = [r for r in results if isinstance(r, BaseException)]
    if failures:
        await disconnect_clients(list(clients), timeout=60)
        raise RuntimeError(f"{len(failures)} of {count} clients failed to connect: {failures[0]!r}")
    return clients


async def watch_all(clients: list[Any], watch: dict[str, Any], concurrency: int) -> int:
    """Emit feed:watch on every client; returns how many were refused the club or item."""
    gate = asyncio.Semaphore(concurrency)

    async def one(client: Any) -> bool:
        async with gate:
            ack = await client.call("feed:watch", watch, timeout=60)
        return bool(ack and ack.get("ok") and ack.get("items") == watch["items"])

    return sum(not ok for ok in await asyncio.gather(*(one(c) for c in clients)))


async def worker_main(spec: WorkerSpec, commands: Any, reports: Any) -> None:
    loop = asyncio.get_running_loop()
    inbox: asyncio.Queue[tuple[Any, ...]] = asyncio.Queue()

    def forward() -> None:
        while True:
            command = commands.get()
            loop.call_soon_threadsafe(inbox.put_nowait, command)
            if command[0] == "stop":
                return

    threading.Thread(target=forward, daemon=True).start()
    tracker = Tracker(reports, spec.number)
    clients: list[Any] = []
    headers = {"Cookie": f"session={spec.cookie}", "Origin": spec.url, "User-Agent": USER_AGENT}
    try:
        while True:
            command = await inbox.get()
            if command[0] == "connect":
                started = time.monotonic()
                fan = _Offset(tracker, len(clients))
                batch = (
                    await connect_raw(spec.url, headers, command[1], spec, fan)
                    if spec.raw
                    else await connect_clients(
                        spec.url,
                        headers,
                        command[1],
                        spec.concurrency,
                        spec.connect_timeout,
                        fan,
                        event=EVENT,
                    )
                )
                clients += batch
                refused = await watch_all(batch, spec.watch, spec.concurrency)
                took = time.monotonic() - started
                reports.put(("connected", spec.number, len(clients), refused, took))
            elif command[0] == "disconnect":
                await disconnect_clients(clients, timeout=60)
                clients = []
                reports.put(("disconnected", spec.number))
            elif command[0] == "arm":
                tracker.arm(command[1], command[2], len(clients))
                reports.put(("armed", spec.number, command[1]))
            elif command[0] == "result":
                result = {
                    "times": tracker.times,
                    "arrivals": tracker.arrivals,
                    "cpu": tracker.cpu,
                    "stray": tracker.stray,
                }
                reports.put(("result", spec.number, result))
            elif command[0] == "stop":
                return
    except Exception as error:
        reports.put(("error", spec.number, repr(error)))
    finally:
        await disconnect_clients(clients, timeout=30)


def worker(spec: WorkerSpec, commands: Any, reports: Any) -> None:
    asyncio.run(worker_main(spec, commands, reports))


class Workers:
    """The client processes, seen from the benchmark."""

    def __init__(self, specs: list[WorkerSpec]) -> None:
        context = multiprocessing.get_context("spawn")
        self.reports = context.Queue()
        self.inboxes = [context.Queue() for _ in specs]
        self.processes = [
            context.Process(target=worker, args=(spec, inbox, self.reports), daemon=True)
            for spec, inbox in zip(specs, self.inboxes, strict=True)
        ]
        for process in self.processes:
            process.start()

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.processes if p.pid is not None]

    def send(self, command: tuple[Any, ...], to: list[int] | None = None) -> None:
        for number in range(len(self.inboxes)) if to is None else to:
            self.inboxes[number].put(command)

    def gather(
        self, kind: str, workers: int, timeout: float, event: int | None = None
    ) -> dict[int, tuple[Any, ...]]:
        """The next `kind` report of `workers` workers (of `event`); {} if out of time."""
        got: dict[int, tuple[Any, ...]] = {}
        deadline = time.monotonic() + timeout
        while len(got) < workers and (left := deadline - time.monotonic()) > 0:
            try:
                report = self.reports.get(timeout=left)
            except queue.Empty:
                break
            if report[0] == "error":
                raise RuntimeError(f"client worker {report[1]} failed: {report[2]}")
            if report[0] == kind and (event is None or report[2] == event):
                got[report[1]] = report
        return got

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self.send(("stop",))
        for process in self.processes:
            process.join(timeout=40)
            if process.is_alive():
                process.terminate()
                process.join(timeout=10)


def split(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if n < total % parts else 0) for n in range(parts)]


# --- the servers and the data ----------------------------------------------------------------


@dataclass
class Demo:
    ids: dict[str, int]
    club_id: int
    item_id: int


def demo_ids(database: Path) -> Demo:
    with contextlib.closing(sqlite3.connect(database)) as connection:
        ids = dict(connection.execute("SELECT username, id FROM users"))
        (club_id,) = connection.execute("SELECT id FROM clubs WHERE slug = ?", (CLUB,)).fetchone()
        (item_id,) = connection.execute(
            "SELECT max(id) FROM feed_items WHERE actor_id = ?", (ids[ACTOR],)
        ).fetchone()
    return Demo(ids, club_id, item_id)


class Redis:
    """A private redis-server on a free port, so that no other process hears the channel."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no", "--dir", str(workdir)]
        self.process = subprocess.Popen(  # noqa: S603  (fixed arguments)
            command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 15
        while True:
            ping = subprocess.run(  # noqa: S603
                ["redis-cli", "-p", str(self.port), "ping"],  # noqa: S607
                capture_output=True,
                text=True,
                check=False,
            )
            if ping.stdout.strip() == "PONG":
                return
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.1)

    def version(self) -> str:
        done = subprocess.run(
            ["redis-server", "--version"],  # noqa: S607
            capture_output=True,
            text=True,
            check=False,
        )
        return done.stdout.split()[2].removeprefix("v=") if done.stdout else "?"

    def stop(self) -> None:
        stop_process(self.process)


def memory(pid: int) -> tuple[int, int]:
    """VmRSS and Pss of a process, in KiB."""
    status = Path(f"/proc/{pid}/status").read_text()
    rss = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS"))
    rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    pss = next(int(line.split()[1]) for line in rollup.splitlines() if line.startswith("Pss:"))
    return rss, pss


def user_system(pid: int) -> tuple[int, int]:
    """utime and stime of a process, in clock ticks (0, 0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0, 0
    return int(fields[11]), int(fields[12])


class CpuSpan:
    """CPU time of groups of the benchmark's processes over a span, user and system apart,
    and what the rest of the machine used meanwhile (from /proc/stat)."""

    def __init__(self, groups: dict[str, list[int]]) -> None:
        from challenge_board import _cpu

        self._cpu, self.groups = _cpu, {**groups, "coordinator": [os.getpid()]}
        self.busy, self.start = _cpu()[0], self.read()
        self.started = time.monotonic()

    def read(self) -> dict[str, tuple[int, int]]:
        totals = {}
        for name, pids in self.groups.items():
            pairs = [user_system(pid) for pid in pids]
            totals[name] = (sum(u for u, _ in pairs), sum(s for _, s in pairs))
        return totals

    def stop(self) -> dict[str, Any]:
        """CPU-seconds per group ({"user", "system"}), of other processes, and wall time."""
        end, ticks = self.read(), os.sysconf("SC_CLK_TCK")
        used = {
            name: {
                "user": (end[name][0] - self.start[name][0]) / ticks,
                "system": (end[name][1] - self.start[name][1]) / ticks,
            }
            for name in self.groups
        }
        ours = sum(u["user"] + u["system"] for u in used.values())
        other = max(0.0, (self._cpu()[0] - self.busy) / ticks - ours)
        return {"groups": used, "other_s": other, "wall_s": time.monotonic() - self.started}


def wait_for_load(limit: float, wait_s: float) -> float:
    """Wait until the 1-minute load average is below `limit`, at most `wait_s` seconds."""
    started = time.monotonic()
    while os.getloadavg()[0] >= limit and time.monotonic() - started < wait_s:
        time.sleep(10)
    return time.monotonic() - started


@contextlib.contextmanager
def servers_running(workdir: Path, processes: int, redis_url: str | None) -> Any:
    """Start `processes` servers on one seeded database; yields (servers, demo, secret)."""
    secret = os.urandom(32).hex()
    extra = {"SECRET_KEY": secret, **({"REDIS_URL": redis_url} if redis_url else {})}
    servers = [
        Server("gevent", workdir, name=f"process{n + 1}", env=extra) for n in range(processes)
    ]
    try:
        servers[0].prepare_database()
        for server in servers:
            server.start()
        yield servers, demo_ids(workdir / "bench.db"), secret
    except Exception:
        for server in servers:
            if server.log_path.exists():
                print(f"{server.log_path.name} tail:\n{server.log_tail()}", file=sys.stderr)
        raise
    finally:
        for server in servers:
            server.stop()


def start_workers(
    servers: list[Server], cookie: str, demo: Demo, args: argparse.Namespace
) -> tuple[Workers, list[int]]:
    """args.workers client processes, worker n on server n mod len(servers)."""
    watch = {"feed": "club", "id": demo.club_id, "items": [demo.item_id]}
    specs = [
        WorkerSpec(
            n,
            servers[n % len(servers)].url,
            cookie,
            watch,
            args.connect_concurrency,
            600,
            args.client == "raw",
        )
        for n in range(args.workers)
    ]
    return Workers(specs), [n % len(servers) for n in range(args.workers)]


def connect(workers: Workers, placement: list[int], clients: int, servers: int) -> float:
    """Connect `clients` more, split evenly over the servers, then over each one's workers."""
    started = time.monotonic()
    shares = split(clients, servers)
    for server, share in enumerate(shares):
        mine = [n for n, s in enumerate(placement) if s == server]
        for number, count in zip(mine, split(share, len(mine)), strict=True):
            workers.send(("connect", count), to=[number])
    got = workers.gather("connected", len(placement), timeout=900)
    if len(got) < len(placement):
        raise RuntimeError(f"only {len(got)} of {len(placement)} workers connected in time")
    refused = sum(report[3] for report in got.values())
    if refused:
        raise RuntimeError(f"{refused} clients were refused the club or the item")
    return time.monotonic() - started


# --- fan-out ---------------------------------------------------------------------------------


@dataclass
class Giver:
    name: str
    cookie: str
    token: str
    http: Any

    @classmethod
    def log_in(cls, name: str, user_id: int, secret: str, url: str) -> "Giver":
        from http.cookiejar import DefaultCookiePolicy

        import requests
        from challenge_board import session_cookie

        http = requests.Session()
        http.headers["User-Agent"] = USER_AGENT
        start = session_cookie(secret, user_id)
        page = http.get(f"{url}/feed/clubs/{CLUB}", cookies={"session": start}, timeout=10)
        page.raise_for_status()
        token = csrf_token(page.text)
        # The page put the CSRF token in the session: keep that cookie for every POST and
        # store none of the answers' (each would carry one more flashed message).
        cookie = http.cookies.get("session") or start
        http.cookies.clear()
        http.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
        return cls(name, cookie, token, http)

    def post(self, url: str, item_id: int, give: bool) -> float:
        path = f"/feed/items/{item_id}/kudos" + ("" if give else "/delete")
        form = {"csrf_token": self.token, "next": f"/feed/clubs/{CLUB}"}
        headers = {"Cookie": f"session={self.cookie}", "Origin": url}
        sent = time.monotonic()
        answer = self.http.post(
            url + path, data=form, headers=headers, allow_redirects=False, timeout=30
        )
        if answer.status_code != 302:
            raise RuntimeError(f"POST {path} as {self.name} answered HTTP {answer.status_code}")
        return sent


# (giver, give or take back, the count after it)
CYCLE = ((0, True, 1), (1, True, 2), (0, False, 1), (1, False, 0))


def fanout(processes: int, args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    from challenge_board import session_cookie

    label = "one process" if processes == 1 else f"{processes} processes over Redis"
    redis = Redis(workdir) if processes > 1 and not args.redis_url else None
    redis_url = (redis.url if redis else args.redis_url) if processes > 1 else None
    workers = None
    try:
        with servers_running(workdir, processes, redis_url) as (servers, demo, secret):
            cookie = session_cookie(secret, demo.ids[WATCHER])
            givers = [Giver.log_in(name, demo.ids[name], secret, servers[0].url) for name in GIVERS]
            workers, placement = start_workers(servers, cookie, demo, args)
            connect_s = connect(workers, placement, args.clients, processes)
            rss = [memory(s.process.pid)[0] / 1024 for s in servers if s.process]
            print(
                f"  [{label}] {args.clients} clients connected and watching in"
                f" {connect_s:.1f} s; server RSS {', '.join(f'{r:.0f}' for r in rss)} MiB",
                flush=True,
            )
            server_pids = [s.process.pid for s in servers if s.process]
            redis_pids = [redis.process.pid] if redis else []
            sent: list[float] = []
            answered: list[float] = []
            probes: list[dict[str, Any]] = []
            timed_out = 0
            span = None
            for event in range(args.warmup + args.events):
                if event == args.warmup:
                    groups = {"server": server_pids, "redis": redis_pids, "clients": workers.pids}
                    span = CpuSpan(groups)
                giver, give, count = CYCLE[event % len(CYCLE)]
                workers.send(("arm", event, count))
                if len(workers.gather("armed", args.workers, 30, event)) < args.workers:
                    raise RuntimeError("the client workers did not answer")
                sent.append(givers[giver].post(servers[0].url, demo.item_id, give))
                answered.append(time.monotonic())
                done = workers.gather("done", args.workers, args.timeout, event)
                timed_out += len(done) < args.workers
                probes.append(servers[0].next_probe(EVENT, 10))
                time.sleep(args.pause)
            cpu = span.stop() if span else {}
            workers.send(("result",))
            results = workers.gather("result", args.workers, 120)
            if len(results) < args.workers:
                raise RuntimeError("not every client worker sent its results")
    finally:
        if workers is not None:
            workers.stop()
        if redis is not None:
            redis.stop()
    return summarise_fanout(
        label=label,
        processes=processes,
        args=args,
        placement=placement,
        results={n: r[2] for n, r in results.items()},
        sent=sent,
        answered=answered,
        probes=probes,
        cpu=cpu,
        timed_out=timed_out,
        connect_s=connect_s,
        redis_version=redis.version() if redis else None,
    )


def latencies(
    results: dict[int, dict[str, Any]],
    key: str,
    measured: range,
    sent: list[float],
    probes: list[dict[str, Any]],
    placement: list[int],
) -> dict[str, Any]:
    """Delivery latencies from one of the workers' clocks ("times": the handler ran;
    "arrivals": the kernel received the frame), from the POST sent (and the emit start)."""
    from challenge_board import percentile

    every: list[float] = []
    from_emit: list[float] = []
    by_server: dict[int, list[float]] = {n: [] for n in sorted(set(placement))}
    event_p95: list[float] = []
    per_event: list[dict[str, float]] = []
    for event in measured:
        these: list[float] = []
        for number, result in results.items():
            times = [t for t in result[key][event] if t is not None]
            ms = [1000 * (t - sent[event]) for t in times]
            these += ms
            by_server[placement[number]] += ms
            from_emit += [1000 * (t - probes[event]["start"]) for t in times]
        every += these
        event_p95.append(percentile(these, 0.95) if these else float("inf"))
        per_event.append({"received": len(these), **quantiles(these, percentile)})
    return {
        "received": len(every),
        "all_ms": quantiles(every, percentile),
        "event_p95_ms": quantiles(event_p95, percentile),
        "event_max_ms": quantiles([e.get("max", float("inf")) for e in per_event], percentile),
        "event_p95_list": event_p95,
        "per_event": per_event,
        "by_server_ms": {
            f"process {n + 1}": quantiles(v, percentile) for n, v in by_server.items()
        },
        "emit_to_client_ms": quantiles(from_emit, percentile),
    }


def summarise_fanout(
    *,
    label: str,
    processes: int,
    args: argparse.Namespace,
    placement: list[int],
    results: dict[int, dict[str, Any]],
    sent: list[float],
    answered: list[float],
    probes: list[dict[str, Any]],
    cpu: dict[str, Any],
    timed_out: int,
    connect_s: float,
    redis_version: str | None,
) -> dict[str, Any]:
    from challenge_board import percentile

    measured = range(args.warmup, args.warmup + args.events)
    clocks = {"handler": latencies(results, "times", measured, sent, probes, placement)}
    if args.client == "raw":
        clocks["socket"] = latencies(results, "arrivals", measured, sent, probes, placement)
    received = clocks["handler"]["received"]
    client_cpu_s = 0.0
    for event in measured:
        for result in results.values():
            marks = result["cpu"][event]
            client_cpu_s += marks[-1] - marks[0] if len(marks) > 1 else 0.0
    per_event = [
        {
            "post_ms": 1000 * (answered[e] - sent[e]),
            "emit_after_post_ms": 1000 * (probes[e]["start"] - sent[e]),
            "emit_call_ms": 1000 * (probes[e]["end"] - probes[e]["start"]),
            **{
                f"{name} {k}": v for name, c in clocks.items() for k, v in c["per_event"][n].items()
            },
        }
        for n, e in enumerate(measured)
    ]
    for clock in clocks.values():
        del clock["per_event"]
    expected = args.clients * args.events
    target = TARGET_ONE_MS if processes == 1 else TARGET_REDIS_MS
    primary = "socket" if "socket" in clocks else "handler"
    return {
        "label": label,
        "processes": processes,
        "clients": args.clients,
        "workers": args.workers,
        "client": args.client,
        "events": args.events,
        "connect_s": connect_s,
        "expected": expected,
        "received": received,
        "missing": expected - received,
        "stray": sum(r["stray"] for r in results.values()),
        "events_timed_out": timed_out,
        "members_seen_by_probe": sorted({probes[e]["members"] for e in measured}),
        "clocks": clocks,
        "primary": primary,
        "per_event": per_event,
        "target_ms": target,
        "events_within_target": {
            name: sum(p <= target for p in c["event_p95_list"]) for name, c in clocks.items()
        },
        "post_ms": quantiles([e["post_ms"] for e in per_event], percentile),
        "emit_after_post_ms": quantiles([e["emit_after_post_ms"] for e in per_event], percentile),
        "emit_call_ms": quantiles([e["emit_call_ms"] for e in per_event], percentile),
        "cpu_ms_per_event": {
            name: {kind: 1000 * seconds / args.events for kind, seconds in used.items()}
            for name, used in cpu["groups"].items()
        },
        "client_cpu_us_per_delivery": {
            kind: 1e6 * seconds / max(received, 1)
            for kind, seconds in cpu["groups"]["clients"].items()
        },
        "client_handler_cpu_us_per_delivery": 1e6 * client_cpu_s / max(received, 1),
        "other_cpu_s": cpu["other_s"],
        "wall_s": cpu["wall_s"],
        "redis": redis_version,
    }


def quantiles(values: list[float], percentile: Any) -> dict[str, float]:
    if not values:
        return {}
    return {
        "p50": statistics.median(values),
        "p95": percentile(values, 0.95),
        "p99": percentile(values, 0.99),
        "max": max(values),
    }


# --- idle sockets ----------------------------------------------------------------------------


def idle(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    from challenge_board import session_cookie

    workers = None
    try:
        with servers_running(workdir, 1, None) as (servers, demo, secret):
            server = servers[0]
            assert server.process is not None
            pid = server.process.pid
            cookie = session_cookie(secret, demo.ids[WATCHER])
            workers, placement = start_workers(servers, cookie, demo, args)
            span = CpuSpan({"server": [pid], "clients": workers.pids})
            # One socket first, so that what the first one loads is not counted per socket.
            workers.send(("connect", 1), to=[0])
            workers.gather("connected", 1, 120)
            workers.send(("disconnect",), to=[0])
            workers.gather("disconnected", 1, 120)
            time.sleep(args.settle)
            points = [(0, *memory(pid))]
            half = args.idle_clients // 2
            connect_s = connect(workers, placement, half, 1)
            time.sleep(args.settle)
            points.append((half, *memory(pid)))
            connect_s += connect(workers, placement, args.idle_clients - half, 1)
            time.sleep(args.settle)
            points.append((args.idle_clients, *memory(pid)))
            time.sleep(args.hold)
            held = (args.idle_clients, *memory(pid))
            threads = int(
                next(
                    line.split()[1]
                    for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                    if line.startswith("Threads")
                )
            )
            cpu = span.stop()
    finally:
        if workers is not None:
            workers.stop()
    base, middle, full = points
    sockets = args.idle_clients

    def per_socket(a: tuple[int, int, int], b: tuple[int, int, int], column: int) -> float:
        return (b[column] - a[column]) / (b[0] - a[0])

    return {
        "sockets": sockets,
        "workers": args.workers,
        "client": args.client,
        "connect_s": connect_s,
        "hold_s": args.hold,
        "rss_kib": {"base": base[1], "half": middle[1], "full": full[1], "held": held[1]},
        "pss_kib": {"base": base[2], "half": middle[2], "full": full[2], "held": held[2]},
        "rss_kib_per_socket": per_socket(base, full, 1),
        "rss_kib_per_socket_held": per_socket(base, held, 1),
        "pss_kib_per_socket": per_socket(base, full, 2),
        "pss_kib_per_socket_held": per_socket(base, held, 2),
        "rss_kib_per_socket_half_to_full": per_socket(middle, full, 1),
        "server_threads": threads,
        "other_cpu_s": cpu["other_s"],
        "wall_s": cpu["wall_s"],
    }


# --- report ----------------------------------------------------------------------------------


def fmt(q: dict[str, float]) -> str:
    return " / ".join(f"{q[k]:.1f}" for k in ("p50", "p95", "p99", "max")) if q else "-"


def report_fanout(result: dict[str, Any]) -> None:
    r = result
    print(
        f"\n{r['label']}: {r['clients']} {r['client']} clients on {r['workers']} client"
        f" processes, {r['events']} events measured; sockets in the room on process 1"
        f" (probe): {r['members_seen_by_probe']}"
    )
    print("  ms, from the POST sent                          p50 / p95 / p99 / max")
    names = {"socket": "frame at the client's socket", "handler": "client's handler ran"}
    for name in ("socket", "handler"):
        if name not in r["clocks"]:
            continue
        clock = r["clocks"][name]
        print(f"  {names[name]}: all deliveries".ljust(50) + fmt(clock["all_ms"]))
        print("    per-event p95, over the events".ljust(50) + fmt(clock["event_p95_ms"]))
        print("    per-event max, over the events".ljust(50) + fmt(clock["event_max_ms"]))
        if len(clock["by_server_ms"]) > 1:
            for server, q in clock["by_server_ms"].items():
                print(f"    deliveries via {server}".ljust(50) + fmt(q))
        print("    from the emit's start instead".ljust(50) + fmt(clock["emit_to_client_ms"]))
    print("  POST response".ljust(50) + fmt(r["post_ms"]))
    print("  POST sent -> emit() starts (process 1)".ljust(50) + fmt(r["emit_after_post_ms"]))
    print("  server emit() call".ljust(50) + fmt(r["emit_call_ms"]))
    print(
        f"  deliveries: expected {r['expected']}, received {r['received']},"
        f" missing {r['missing']}, stray {r['stray']}; events timed out {r['events_timed_out']}"
    )
    cpu = {name: used["user"] + used["system"] for name, used in r["cpu_ms_per_event"].items()}
    system = {name: used["system"] for name, used in r["cpu_ms_per_event"].items()}
    per = r["client_cpu_us_per_delivery"]
    print(
        f"  CPU per event (of it system): servers {cpu['server']:.1f} ms"
        f" ({system['server']:.1f}), Redis {cpu['redis']:.1f} ms, client processes"
        f" {cpu['clients']:.1f} ms ({system['clients']:.1f}), coordinator"
        f" {cpu['coordinator']:.1f} ms"
    )
    print(
        f"  client side per delivery: {per['user'] + per['system']:.0f} us CPU"
        f" (user {per['user']:.0f}, system {per['system']:.0f});"
        f" {r['client_handler_cpu_us_per_delivery']:.0f} us of process time between arming"
        " and the worker's last delivery"
    )
    print(f"  other processes: {r['other_cpu_s']:.1f} CPU-s over {r['wall_s']:.1f} s")
    for name in [name for name in ("socket", "handler") if name in r["clocks"]]:
        clock = r["clocks"][name]
        p95 = clock["event_p95_ms"].get("p95", float("inf"))
        ok = p95 <= r["target_ms"] and r["missing"] == 0
        print(
            f"  target per-event p95 <= {r['target_ms']:.0f} ms, zero lost"
            f" ({names[name]}): {'met' if ok else 'MISSED'} (p95 over the events of the"
            f" per-event p95 {p95:.1f} ms; {r['events_within_target'][name]} of"
            f" {r['events']} events within; missing {r['missing']})"
        )


def report_idle(result: dict[str, Any]) -> None:
    r = result
    rss, pss = r["rss_kib"], r["pss_kib"]
    print(f"\nidle: {r['sockets']} sockets watching the club feed, one process")
    print(
        f"  RSS KiB: base {rss['base']}, {r['sockets'] // 2} sockets {rss['half']},"
        f" {r['sockets']} sockets {rss['full']}, after {r['hold_s']:.0f} s {rss['held']}"
    )
    print(
        f"  Pss KiB: base {pss['base']}, {r['sockets'] // 2} sockets {pss['half']},"
        f" {r['sockets']} sockets {pss['full']}, after {r['hold_s']:.0f} s {pss['held']}"
    )
    print(
        f"  per socket: RSS {r['rss_kib_per_socket']:.1f} KiB"
        f" ({r['rss_kib_per_socket_held']:.1f} after holding), Pss"
        f" {r['pss_kib_per_socket']:.1f} KiB ({r['pss_kib_per_socket_held']:.1f});"
        f" half to full {r['rss_kib_per_socket_half_to_full']:.1f} KiB;"
        f" connected in {r['connect_s']:.1f} s; server threads {r['server_threads']}"
    )
    print(f"  other processes: {r['other_cpu_s']:.1f} CPU-s over {r['wall_s']:.1f} s")
    worst = max(r["rss_kib_per_socket"], r["rss_kib_per_socket_held"])
    # The target says KB; KiB is the stricter reading.
    mark = "met" if worst <= TARGET_IDLE_KB else "MISSED"
    print(f"  target <= {TARGET_IDLE_KB:.0f} KB per socket: {mark} ({worst:.1f} KiB)")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", choices=["one", "redis", "idle", "all"], default="all")
    parser.add_argument("--clients", type=int, default=1000, help="fan-out: sockets watching")
    parser.add_argument("--idle-clients", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=4, help="client processes")
    parser.add_argument(
        "--client",
        choices=["raw", "socketio"],
        default="raw",
        help="raw: RawClient (a minimal Engine.IO 4 client); socketio: python-socketio",
    )
    parser.add_argument("--events", type=int, default=40, help="measured kudos POSTs")
    parser.add_argument("--warmup", type=int, default=4, help="POSTs not counted")
    parser.add_argument("--pause", type=float, default=0.3, help="seconds between POSTs")
    parser.add_argument("--timeout", type=float, default=10, help="seconds to wait per event")
    parser.add_argument("--connect-concurrency", type=int, default=25, help="per worker")
    parser.add_argument("--redis-url", help="default: a private redis-server on a free port")
    parser.add_argument("--hold", type=float, default=30, help="idle: seconds held")
    parser.add_argument("--settle", type=float, default=3, help="idle: seconds before reading")
    parser.add_argument("--quiet-load", type=float, default=0, help="wait for load below")
    parser.add_argument("--quiet-wait", type=float, default=900, help="for at most N s")
    parser.add_argument(
        "--quiet-idle", type=float, default=0, help="then wait up to N s for 5 s of idle CPU"
    )
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    args = parser.parse_args()
    if args.workers < 2 and args.scenario in ("redis", "all"):
        parser.error("two processes need at least two client workers")
    if min(args.clients, args.idle_clients) < args.workers or args.events < 1:
        parser.error("at least one client per worker and one event")
    return args


def code_version() -> str:
    from challenge_board import code_version as version

    return version()


def environment() -> str:
    """CPU model, Python and the Socket.IO stack the servers run (what serves websockets:
    gevent-websocket when it is installed, else simple-websocket)."""
    from importlib import metadata

    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo if "model name" in line), "?")
    names = ["Flask-SocketIO", "python-socketio", "python-engineio", "gevent", "greenlet"]
    names += ["simple-websocket", "gevent-websocket"]
    versions = []
    for name in names:
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions.append(f"{name} {metadata.version(name)}")
    python = ".".join(map(str, sys.version_info[:3]))
    return f"CPU {model}, {os.cpu_count()} cores; Python {python}; " + ", ".join(versions)


def main() -> None:
    args = parse_args()
    limit = raise_open_file_limit()
    needed = max(args.clients, args.idle_clients) + 200
    if limit < needed:
        sys.exit(f"the open file limit ({limit}) is too low for {needed - 200} sockets")
    scenarios = ["one", "redis", "idle"] if args.scenario == "all" else [args.scenario]
    print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC; code {code_version()};"
        f" open file limit {limit}\n{environment()}",
        flush=True,
    )
    results = []
    for scenario in scenarios:
        waited = wait_for_load(args.quiet_load, args.quiet_wait) if args.quiet_load else 0.0
        if args.quiet_idle:
            from challenge_board import wait_for_quiet

            waited += wait_for_quiet(args.quiet_idle)
        before = os.getloadavg()
        print(
            f"[{scenario}] {datetime.now(UTC):%H:%M:%S} UTC, load average"
            f" {' '.join(f'{v:.2f}' for v in before)}"
            + (f" (waited {waited:.0f} s)" if waited else ""),
            flush=True,
        )
        with tempfile.TemporaryDirectory(prefix=f"runhive-feed-{scenario}-") as folder:
            if scenario == "idle":
                result = idle(args, Path(folder))
            else:
                result = fanout(1 if scenario == "one" else 2, args, Path(folder))
        result |= {"scenario": scenario, "load_before": before, "load_after": os.getloadavg()}
        (report_idle if scenario == "idle" else report_fanout)(result)
        print(f"  load average after: {' '.join(f'{v:.2f}' for v in result['load_after'])}")
        results.append(result)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
