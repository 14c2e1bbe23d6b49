"""Runhive as a cluster on this machine: nginx in front of N app processes.

    make cluster                                   # 2 processes behind http://127.0.0.1:8080
    .venv/bin/python deploy/cluster.py --processes 3 --port 8080

Settings come from the environment as for `make serve` (README, "Configuration"): the
processes share DATABASE_URL and REDIS_URL (required with more than one process: live
events cross processes through it) and one SECRET_KEY (made up for this run when unset,
so that a session made on one process is read on another). Migrations are applied once,
then each process is `python app.py` on its own port (--first-port and up), with one jobs
worker (`flask jobs worker`) when REDIS_URL is set, behind nginx
(deploy/nginx.conf, rendered into instance/cluster/, where each process and nginx write
their logs, and the processes their metrics: any process's /metrics, on its own port, adds
up all of them). Ctrl+C stops them all; so does any of them stopping.
"""

import argparse
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from prometheus_client import multiprocess

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).resolve().parent / "nginx.conf"


def render(run: Path, ports: list[int], listen: int) -> Path:
    """deploy/nginx.conf for these app ports, written into `run` (its logs go there too)."""
    upstreams = "\n".join(
        f"    upstream runhive_{n} {{\n        server 127.0.0.1:{port};\n        keepalive 16;\n"
        f"    }}"
        for n, port in enumerate(ports, start=1)
    )
    share = 100 / len(ports)
    split = "\n".join(
        f"        {share:.2f}% {n};" if n < len(ports) else f"        * {n};"
        for n in range(1, len(ports) + 1)
    )
    nodes = "\n".join(f"        {n} {n};" for n in range(1, len(ports) + 1))
    text = (
        TEMPLATE.read_text()
        .replace("@RUN@", str(run))
        .replace("@PORT@", str(listen))
        .replace("@UPSTREAMS@", upstreams)
        .replace("@SPLIT@", split)
        .replace("@NODES@", nodes)
    )
    run.mkdir(parents=True, exist_ok=True)
    config = run / "nginx.conf"
    config.write_text(text)
    return config


def nginx() -> str:
    found = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if found is None:
        sys.exit("nginx is not installed (Debian: apt-get install nginx)")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--port", type=int, default=8080, help="where nginx listens")
    parser.add_argument("--first-port", type=int, default=5001, help="the first app's port")
    parser.add_argument("--run-dir", type=Path, default=ROOT / "instance" / "cluster")
    args = parser.parse_args()
    env = dict(os.environ)
    if args.processes > 1 and not env.get("REDIS_URL"):
        sys.exit("REDIS_URL is needed for more than one process: live events cross through it")
    env.setdefault("SECRET_KEY", secrets.token_urlsafe(48))
    env["PROXY_HOPS"] = "1"  # nginx, and nothing else, stands in front
    # Each process writes its metrics here; any process's /metrics adds them all up.
    metrics = args.run_dir.resolve() / "metrics"
    shutil.rmtree(metrics, ignore_errors=True)
    metrics.mkdir(parents=True)
    env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics)
    binary = nginx()
    flask = [sys.executable, "-m", "flask", "--app", "app", "db", "upgrade"]
    subprocess.run(flask, cwd=ROOT, env=env, check=True)  # noqa: S603 (our own interpreter)
    ports = [args.first_port + n for n in range(args.processes)]
    config = render(args.run_dir.resolve(), ports, args.port)
    children: list[subprocess.Popen] = []
    for port in ports:
        app = [sys.executable, "app.py"]
        with (config.parent / f"app-{port}.log").open("a") as log:
            children.append(
                subprocess.Popen(  # noqa: S603 (our own interpreter)
                    app, cwd=ROOT, env={**env, "PORT": str(port)}, stdout=log, stderr=log
                )
            )
    if env.get("REDIS_URL"):  # jobs go to Redis: one worker runs them
        worker = [sys.executable, "-m", "flask", "--app", "app", "jobs", "worker"]
        with (config.parent / "worker.log").open("a") as log:
            children.append(
                subprocess.Popen(  # noqa: S603 (our own interpreter)
                    worker, cwd=ROOT, env=env, stdout=log, stderr=log
                )
            )
    command = [binary, "-p", str(config.parent), "-c", str(config), "-g", "daemon off;"]
    children.append(subprocess.Popen(command))  # noqa: S603 (nginx, found on the PATH)
    print(  # noqa: T201
        f"Runhive cluster: http://127.0.0.1:{args.port} -> {ports}; logs in {config.parent}"
        " (app-<port>.log, worker.log, access.log, error.log). Ctrl+C to stop.",
        flush=True,
    )

    def stop(*_: object) -> None:
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
            # Its open sockets no longer count (prometheus_client's livesum gauges).
            multiprocess.mark_process_dead(child.pid, str(metrics))
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while all(child.poll() is None for child in children):
        time.sleep(0.5)
    print("a process of the cluster stopped: stopping the others", file=sys.stderr)  # noqa: T201
    stop()


if __name__ == "__main__":
    main()
