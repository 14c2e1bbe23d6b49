"""Fan one Socket.IO event out to N connected clients of the real server, per async mode.

    .venv/bin/python bench/socket_fanout.py --clients 1000 --mode gevent
    .venv/bin/python bench/socket_fanout.py --clients 1000 --mode threading

For each mode this script:

1. builds a throwaway SQLite database in a temporary folder (`flask --app app db upgrade`,
   then `flask --app app seed-demo`), outside the repository's instance/ folder;
2. starts the real server, `app.py` run as `python app.py` does, in a subprocess on a free
   port with SOCKETIO_ASYNC_MODE set. The only addition is a probe wrapped around
   `socketio.emit` (in the server process, not in the app's code) that prints when each emit
   call starts and returns;
3. logs in as the demo runner `ana` over HTTP and connects N python-socketio `AsyncClient`s
   (websocket transport, one asyncio process) with that one session cookie, so all N sockets
   sit in the room `user:{id}`;
4. per repetition, POSTs /settings with a new display name: the app commits and emits
   `account:updated` to that room, and every client records when it got it.

What is reported, per repetition (p50 and max over the measured repetitions):

- server emit(): how long the app's `socketio.emit(...)` call to the room takes inside the
  server process (the request handler is blocked this long);
- POST /settings: client-side time from sending the POST to its 302 response;
- emit -> last client: from the start of the server's emit call to the moment the last
  client's handler ran (both read CLOCK_MONOTONIC, which is system-wide on Linux);
- POST -> last client: end to end, from sending the POST to the last client's handler.

The client side is a single Python process, so "last client" includes the time that process
needs to decode N messages. Every loop and wait is bounded in time; the server is stopped at
the end, also on errors and Ctrl-C.
"""

import argparse
import asyncio
import contextlib
import json
import os
import queue
import re
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PROBE_TAG = "RUNHIVE-BENCH-EMIT "
SERVE_FLAG = "--serve-with-emit-probe"
DEMO_LOGIN = "ana"
DEMO_PASSWORD = "runhive-demo-2026"  # noqa: S105  (public demo password, see the README)
USER_AGENT = "runhive-bench/1"
EVENT = "account:updated"
_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


# --- The server role: runs inside the server subprocess --------------------------------------


def serve_with_emit_probe() -> None:
    """Run app.py as `python app.py` would, printing the timing of every socketio.emit call."""
    os.environ.setdefault("SOCKETIO_ASYNC_MODE", "gevent")
    if os.environ["SOCKETIO_ASYNC_MODE"] == "gevent":
        # Before the app loads, as app.py does (app.py's own patch_all is then a no-op).
        from gevent import monkey

        monkey.patch_all()
    import runpy

    sys.path.insert(0, str(ROOT))
    from community.extensions import socketio

    original_emit = socketio.emit

    def timed_emit(event: str, *args: Any, **kwargs: Any) -> Any:
        room = kwargs.get("to") or kwargs.get("room")
        members = None
        if room is not None and socketio.server is not None:
            members = sum(1 for _ in socketio.server.manager.get_participants("/", room))
        start = time.monotonic()
        result = original_emit(event, *args, **kwargs)
        end = time.monotonic()
        line = {"event": event, "room": room, "members": members, "start": start, "end": end}
        print(PROBE_TAG + json.dumps(line), flush=True)
        return result

    socketio.emit = timed_emit  # type: ignore[method-assign]
    runpy.run_path(str(ROOT / "app.py"), run_name="__main__")


# --- The server process, seen from the benchmark ---------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def raise_open_file_limit() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else 65536
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def flask_command(env: dict[str, str], *args: str) -> None:
    flask = [sys.executable, "-m", "flask", "--app", "app", *args]
    # Fixed arguments (this interpreter, this repository's app): no untrusted input.
    subprocess.run(flask, cwd=ROOT, env=env, check=True, capture_output=True, timeout=120)  # noqa: S603


class Server:
    """The real app in a subprocess, with a thread collecting the emit probe's lines."""

    def __init__(
        self, mode: str, workdir: Path, *, name: str = "", env: dict[str, str] | None = None
    ) -> None:
        """`env` is added to the server's environment (after REDIS_URL is dropped); `name`
        tells the log files of several servers apart."""
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{workdir / 'bench.db'}",
            "SECRET_KEY": os.urandom(32).hex(),
            "SOCKETIO_ASYNC_MODE": mode,
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "PYTHONUNBUFFERED": "1",
        }
        self.env.pop("REDIS_URL", None)
        self.env.update(env or {})
        self.log_path = workdir / f"server-{name or mode}.log"
        self.probes: queue.Queue[dict[str, Any]] = queue.Queue()
        self.process: subprocess.Popen[str] | None = None

    def prepare_database(self) -> None:
        flask_command(self.env, "db", "upgrade")
        flask_command(self.env, "seed-demo")

    def start(self, timeout: float = 30.0) -> None:
        import requests

        with self.log_path.open("w") as log:
            self.process = subprocess.Popen(  # noqa: S603  (fixed arguments)
                [sys.executable, str(Path(__file__).resolve()), SERVE_FLAG],
                cwd=ROOT,
                env=self.env,
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
            )
        threading.Thread(target=self._read_probes, daemon=True).start()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited early; see {self.log_path}:\n{self.log_tail()}")
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{self.url}/login", timeout=2).status_code == 200:
                    return
            time.sleep(0.1)
        raise RuntimeError(f"server did not answer in {timeout:.0f} s:\n{self.log_tail()}")

    def _read_probes(self) -> None:
        if self.process is None or self.process.stdout is None:
            return
        for line in self.process.stdout:
            if line.startswith(PROBE_TAG):
                self.probes.put(json.loads(line[len(PROBE_TAG) :]))

    def next_probe(self, event: str, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            probe = self.probes.get(timeout=left)
            if probe["event"] == event:
                return probe
        raise TimeoutError(f"no emit of {event} seen in {timeout:.0f} s")

    def memory_and_threads(self) -> tuple[float, int]:
        """Resident memory (MiB) and OS threads of the server process, from /proc."""
        if self.process is None:
            raise RuntimeError("the server is not started")
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        return int(fields["VmRSS"].split()[0]) / 1024, int(fields["Threads"])

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        stop_process(self.process)


def stop_process(process: subprocess.Popen[Any], timeout: float = 10) -> None:
    """SIGTERM, then SIGKILL if it has not exited within `timeout` seconds."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout)


def csrf_token(page: str) -> str:
    match = _TOKEN.search(page)
    if match is None:
        raise RuntimeError("no CSRF token on the page")
    return match.group(1)


def log_in(base_url: str) -> tuple[str, str]:
    """Log the demo runner in over HTTP; return its session cookie and a CSRF token."""
    import requests

    http = requests.Session()
    http.headers["User-Agent"] = USER_AGENT
    token = csrf_token(http.get(f"{base_url}/login", timeout=10).text)
    form = {"csrf_token": token, "login": DEMO_LOGIN, "password": DEMO_PASSWORD}
    response = http.post(f"{base_url}/login", data=form, allow_redirects=False, timeout=10)
    if response.status_code != 302:
        raise RuntimeError(f"log-in failed with HTTP {response.status_code}")
    # The log-in starts a fresh session; the settings page puts a CSRF token in it.
    settings_token = csrf_token(http.get(f"{base_url}/settings", timeout=10).text)
    return http.cookies["session"], settings_token


# --- The clients -----------------------------------------------------------------------------


@dataclass
class Fanout:
    """What the N clients have received of the current repetition's event."""

    size: int
    expected: str = ""
    received: list[float | None] = field(default_factory=list)
    count: int = 0
    done: asyncio.Event = field(default_factory=asyncio.Event)

    def expect(self, display_name: str) -> None:
        self.expected = display_name
        self.received = [None] * self.size
        self.count = 0
        self.done = asyncio.Event()

    def handler(self, index: int) -> Any:
        def on_event(data: dict[str, Any]) -> None:
            now = time.monotonic()
            if data.get("display_name") != self.expected or self.received[index] is not None:
                return
            self.received[index] = now
            self.count += 1
            if self.count == self.size:
                self.done.set()

        return on_event


@dataclass
class Repetition:
    emit_s: float
    post_s: float
    emit_to_first_s: float
    emit_to_last_s: float
    post_to_last_s: float
    members: int


async def connect_clients(
    url: str,
    headers: dict[str, str],
    count: int,
    concurrency: int,
    timeout: float,
    fan: Any,
    event: str = EVENT,
) -> list[Any]:
    """Connect `count` clients, client i with `fan.handler(i)` as its handler of `event`."""
    import socketio

    gate = asyncio.Semaphore(concurrency)
    clients = [socketio.AsyncClient(reconnection=False) for _ in range(count)]
    for index, client in enumerate(clients):
        client.on(event, fan.handler(index))

    async def connect(client: Any) -> None:
        async with gate:
            # A copy each: the engine.io client deletes the Cookie header from the dict it gets.
            await client.connect(
                url, headers=dict(headers), transports=["websocket"], wait_timeout=15
            )

    results = await asyncio.wait_for(
        asyncio.gather(*(connect(c) for c in clients), return_exceptions=True), timeout
    )
    failures = [r for r in results if isinstance(r, BaseException)]
    if failures:
        await disconnect_clients(clients, timeout=60)
        raise RuntimeError(f"{len(failures)} of {count} clients failed to connect: {failures[0]!r}")
    return clients


async def disconnect_clients(clients: list[Any], timeout: float) -> None:
    async def disconnect(client: Any) -> None:
        with contextlib.suppress(Exception):
            await client.disconnect()

    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(asyncio.gather(*(disconnect(c) for c in clients)), timeout)


async def one_repetition(
    server: Server, http: Any, cookie: str, token: str, fan: Fanout, name: str, timeout: float
) -> Repetition:
    fan.expect(name)
    form = {
        "csrf_token": token,
        "display_name": name,
        "bio": "",
        "units": "km",
        "timezone": "UTC",
        "default_visibility": "public",
    }
    headers = {"Cookie": f"session={cookie}", "User-Agent": USER_AGENT, "Origin": server.url}
    sent = time.monotonic()
    async with http.post(
        f"{server.url}/settings", data=form, headers=headers, allow_redirects=False
    ) as response:
        answered = time.monotonic()
        if response.status != 302:
            raise RuntimeError(f"POST /settings answered HTTP {response.status}")
    try:
        await asyncio.wait_for(fan.done.wait(), timeout)
    except TimeoutError:
        raise RuntimeError(
            f"only {fan.count} of {fan.size} clients got the event in {timeout:.0f} s"
        ) from None
    probe = await asyncio.to_thread(server.next_probe, EVENT, 10.0)
    times = [t for t in fan.received if t is not None]
    return Repetition(
        emit_s=probe["end"] - probe["start"],
        post_s=answered - sent,
        emit_to_first_s=min(times) - probe["start"],
        emit_to_last_s=max(times) - probe["start"],
        post_to_last_s=max(times) - sent,
        members=probe["members"],
    )


async def run_clients(server: Server, mode: str, args: argparse.Namespace) -> dict[str, Any]:
    import aiohttp

    cookie, token = log_in(server.url)
    headers = {"Cookie": f"session={cookie}", "Origin": server.url, "User-Agent": USER_AGENT}
    fan = Fanout(args.clients)
    started = time.monotonic()
    clients = await connect_clients(
        server.url, headers, args.clients, args.connect_concurrency, args.connect_timeout, fan
    )
    connect_s = time.monotonic() - started
    rss_mib, threads = server.memory_and_threads()
    print(
        f"  {len(clients)} clients connected in {connect_s:.1f} s; "
        f"server RSS {rss_mib:.0f} MiB, {threads} OS threads",
        flush=True,
    )
    repetitions = []
    try:
        async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as http:
            for number in range(args.warmup + args.repeats):
                warmup = number < args.warmup
                name = f"Bench {mode} {'warmup' if warmup else 'run'} {number}"
                rep = await one_repetition(server, http, cookie, token, fan, name, args.timeout)
                label = "warm-up" if warmup else f"run {number - args.warmup + 1}"
                print(
                    f"  {label}: emit {ms(rep.emit_s)}, POST {ms(rep.post_s)}, "
                    f"emit->first {ms(rep.emit_to_first_s)}, emit->last {ms(rep.emit_to_last_s)}, "
                    f"POST->last {ms(rep.post_to_last_s)} ({rep.members} sockets in the room)",
                    flush=True,
                )
                if not warmup:
                    repetitions.append(rep)
                await asyncio.sleep(args.pause)
    finally:
        await disconnect_clients(clients, timeout=60)
    return {
        "mode": mode,
        "clients": len(clients),
        "connect_s": connect_s,
        "server_rss_mib": rss_mib,
        "server_threads": threads,
        "repetitions": [rep.__dict__ for rep in repetitions],
    }


# --- Reporting -------------------------------------------------------------------------------


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


COLUMNS = [
    ("emit_s", "server emit()"),
    ("post_s", "POST /settings"),
    ("emit_to_last_s", "emit -> last client"),
    ("post_to_last_s", "POST -> last client"),
]


def table(results: list[dict[str, Any]]) -> str:
    head = ["mode", "clients", "runs", *(f"{title} p50 / max" for _, title in COLUMNS)]
    head += ["server RSS", "server threads"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for result in results:
        reps = result["repetitions"]
        cells = [result["mode"], str(result["clients"]), str(len(reps))]
        for key, _ in COLUMNS:
            values = [rep[key] for rep in reps]
            cells.append(f"{ms(statistics.median(values))} / {ms(max(values))}")
        cells += [f"{result['server_rss_mib']:.0f} MiB", str(result["server_threads"])]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def bench_mode(mode: str, args: argparse.Namespace) -> dict[str, Any]:
    print(f"[{mode}] {args.clients} clients", flush=True)
    with tempfile.TemporaryDirectory(prefix=f"runhive-bench-{mode}-") as workdir:
        server = Server(mode, Path(workdir))
        try:
            server.prepare_database()
            server.start()
            return asyncio.run(run_clients(server, mode, args))
        except Exception:
            print(f"[{mode}] server log tail:\n{server.log_tail()}", file=sys.stderr)
            raise
        finally:
            server.stop()


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--mode", choices=["gevent", "threading", "both"], default="both")
    parser.add_argument("--repeats", type=int, default=5, help="measured repetitions")
    parser.add_argument("--warmup", type=int, default=1, help="repetitions not counted")
    parser.add_argument("--pause", type=float, default=0.5, help="seconds between repetitions")
    parser.add_argument("--timeout", type=float, default=60, help="seconds to wait per event")
    parser.add_argument("--connect-timeout", type=float, default=300)
    parser.add_argument("--connect-concurrency", type=int, default=50)
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    args = parser.parse_args()
    if args.clients < 1 or args.repeats < 1 or args.warmup < 0:
        parser.error("--clients and --repeats must be at least 1, --warmup at least 0")
    return args


def main() -> None:
    args = parse_args()
    limit = raise_open_file_limit()
    if limit < args.clients + 100:
        sys.exit(f"the open file limit ({limit}) is too low for {args.clients} clients")
    modes = ["gevent", "threading"] if args.mode == "both" else [args.mode]
    results = [bench_mode(mode, args) for mode in modes]
    print()
    print(table(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    if sys.argv[1:] == [SERVE_FLAG]:
        serve_with_emit_probe()
    else:
        main()
