"""Prometheus metrics through prometheus_client, added up over a host's processes.

With PROMETHEUS_MULTIPROC_DIR set in the environment (deploy/cluster.py sets it), each
process writes its figures to files in that folder and any process's /metrics adds them up
(prometheus_client's multiprocess mode); without it, /metrics shows its own process.
/metrics answers the loopback address (a Prometheus on the host scraping each process's
port, not through nginx) and `Authorization: Bearer <METRICS_TOKEN>`; to anyone else there
is nothing there (404).
"""

import hmac
import os
import time

from flask import Blueprint, Flask, Response, abort, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

from community.extensions import limiter

MULTIPROCESS = "PROMETHEUS_MULTIPROC_DIR"
LOOPBACK = {"127.0.0.1", "::1"}

REQUEST_SECONDS = Histogram(
    "runhive_request_duration_seconds",
    "Time to answer a request, by endpoint and method.",
    ["endpoint", "method"],
)
OPEN_SOCKETS = Gauge(
    "runhive_open_sockets", "Socket.IO connections open.", multiprocess_mode="livesum"
)
EVENTS = Counter("runhive_events_emitted_total", "Live events emitted, by name.", ["event"])
JOBS = Counter("runhive_jobs_total", "Jobs queued, run and failed, by job.", ["job", "outcome"])

bp = Blueprint("metrics", __name__)


def _started() -> None:
    g.metrics_started = time.perf_counter()


def _finished(response: Response) -> Response:
    started = g.pop("metrics_started", None)
    if started is not None:
        endpoint = request.endpoint or "unmatched"
        REQUEST_SECONDS.labels(endpoint, request.method).observe(time.perf_counter() - started)
    return response


def _may_read() -> bool:
    token = current_app.config.get("METRICS_TOKEN")
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    return request.remote_addr in LOOPBACK


@bp.get("/metrics")
@limiter.exempt
def metrics() -> Response:
    if not _may_read():
        abort(404)
    if os.environ.get(MULTIPROCESS):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)


def init_app(app: Flask) -> None:
    app.before_request(_started)
    app.after_request(_finished)
    app.register_blueprint(bp)
