"""Keep-alive responses from the server `make serve` runs, beside gevent's stock server.

    .venv/bin/python bench/serving.py            # SQLite in a temporary folder, 50 clients

Three servers, each a subprocess on a free port, one after the other:

- "stock": the app under gevent's WSGI server as Flask-SocketIO's `socketio.run` starts it
  with no handler of ours (Nagle's algorithm left on);
- "runhive": the app as `python app.py` serves it (`ops.serving.serve`: TCP_NODELAY);
- "floor": a bare WSGI page ("hello, runner", no Flask) on gevent's server with TCP_NODELAY.

For each: the median time of the second request on one keep-alive connection (20
connections, http.client), then --clients aiohttp clients, one keep-alive connection each,
GET --path in a loop for --seconds after --warmup-seconds: requests/s and latency.
"""

import argparse
import asyncio
import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent

STOCK = """
from gevent import monkey; monkey.patch_all()
import os, sys
os.environ["SOCKETIO_ASYNC_MODE"] = "gevent"
sys.path.insert(0, {root!r})
from community import create_app
from community.extensions import socketio
app = create_app()
print("serving", flush=True)
socketio.run(app, host="127.0.0.1", port=int(os.environ["PORT"]), log_output=False)
"""
FLOOR = """
from gevent import monkey; monkey.patch_all()
import os, sys
from gevent import pywsgi
sys.path.insert(0, {root!r})
from community.ops.serving import NoDelayHandler
def page(environ, start_response):
    body = b"hello, runner"
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "13")])
    return [body]
print("serving", flush=True)
server = pywsgi.WSGIServer(("127.0.0.1", int(os.environ["PORT"])), page, log=None,
                           handler_class=NoDelayHandler)
server.serve_forever()
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(kind: str, folder: Path, port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{folder / 'bench.db'}",
        "SECRET_KEY": "bench-secret-key-bench-secret-key",
        "RUNHIVE_ENV": "development",
    }
    if kind == "runhive":
        command = [sys.executable, "app.py"]
    else:
        script = textwrap.dedent(STOCK if kind == "stock" else FLOOR).format(root=str(ROOT))
        command = [sys.executable, "-c", script]
    log = (folder / f"{kind}.log").open("w")
    return subprocess.Popen(  # noqa: S603 (our own interpreter and scripts)
        command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )


def wait_for(port: int, path: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", path)
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing answered on port {port}")


def second_request_ms(port: int, path: str, connections: int = 20) -> float:
    """The median time of the second GET on one keep-alive connection."""
    times = []
    for _ in range(connections):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        for number in range(2):
            started = time.perf_counter()
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            if number == 1:
                times.append((time.perf_counter() - started) * 1000)
        connection.close()
    return statistics.median(times)


async def hammer(port: int, path: str, clients: int, warmup: float, seconds: float):
    url = f"http://127.0.0.1:{port}{path}"
    latencies: list[float] = []
    errors = 0
    measuring = False
    stop = False

    async def client() -> None:
        nonlocal errors
        connector = aiohttp.TCPConnector(limit=1)
        async with aiohttp.ClientSession(connector=connector) as session:
            while not stop:
                started = time.perf_counter()
                async with session.get(url) as response:
                    await response.read()
                    ok = response.status == 200
                if measuring:
                    latencies.append((time.perf_counter() - started) * 1000)
                    errors += not ok

    tasks = [asyncio.create_task(client()) for _ in range(clients)]
    await asyncio.sleep(warmup)
    measuring = True
    await asyncio.sleep(seconds)
    measuring = False
    stop = True
    await asyncio.gather(*tasks)
    return latencies, errors


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered)) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", default="/healthz")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warmup-seconds", type=float, default=2.0)
    args = parser.parse_args()
    print(
        f"{time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime())} UTC, load average"
        f" {os.getloadavg()[0]:.2f}; GET {args.path}, {args.clients} clients, {args.seconds:.0f} s"
    )
    print("| server | 2nd request on a connection, median ms | req/s | p50 ms | p95 ms | errors |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder / 'bench.db'}"}
        flask = [sys.executable, "-m", "flask", "--app", "app", "db", "upgrade"]
        subprocess.run(flask, cwd=ROOT, env=env, check=True, capture_output=True)  # noqa: S603
        for kind in ("stock", "runhive", "floor"):
            port = free_port()
            process = start(kind, folder, port)
            path = args.path if kind != "floor" else "/"
            try:
                wait_for(port, path)
                second = second_request_ms(port, path)
                latencies, errors = asyncio.run(
                    hammer(port, path, args.clients, args.warmup_seconds, args.seconds)
                )
            finally:
                process.terminate()
                process.wait()
            print(
                f"| {kind} | {second:.1f} | {len(latencies) / args.seconds:.0f} |"
                f" {statistics.median(latencies):.1f} | {percentile(latencies, 0.95):.1f} |"
                f" {errors} |"
            )
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
