"""Prometheus metrics: requests by endpoint, open sockets, live events, jobs; readable from
the host itself or with the metrics token, and nowhere else."""

from datetime import UTC, datetime, timedelta

from prometheus_client import REGISTRY

from community.extensions import db, socketio
from community.jobs import periodic
from community.realtime import emit_after_commit
from tests.helpers import log_in, make_runner

ELSEWHERE = {"REMOTE_ADDR": "203.0.113.7"}


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_each_request_is_timed_under_its_endpoint(client):
    before = value("runhive_request_duration_seconds_count", endpoint="ops.healthz", method="GET")

    client.get("/healthz")

    after = value("runhive_request_duration_seconds_count", endpoint="ops.healthz", method="GET")
    assert after == before + 1


def test_the_host_itself_reads_the_metrics(client):
    response = client.get("/metrics")

    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert "runhive_request_duration_seconds_bucket" in response.get_data(as_text=True)


def test_anyone_else_finds_nothing_there(client):
    assert client.get("/metrics", environ_base=ELSEWHERE).status_code == 404


def test_the_metrics_token_opens_them_from_elsewhere(app, client):
    app.config["METRICS_TOKEN"] = "scrape-3f9a1c"

    wrong = client.get("/metrics", environ_base=ELSEWHERE, headers={"Authorization": "Bearer x"})
    right = client.get(
        "/metrics", environ_base=ELSEWHERE, headers={"Authorization": "Bearer scrape-3f9a1c"}
    )

    assert (wrong.status_code, right.status_code) == (404, 200)


def test_open_sockets_count_the_connections_accepted(app, client):
    make_runner(app, "ana")
    before = value("runhive_open_sockets")
    refused = socketio.test_client(app, flask_test_client=app.test_client())
    log_in(client)

    connected = socketio.test_client(app, flask_test_client=client)
    assert not refused.is_connected()
    assert value("runhive_open_sockets") == before + 1
    connected.disconnect()
    assert value("runhive_open_sockets") == before


def test_live_events_are_counted_by_name_when_they_leave(ctx):
    before = value("runhive_events_emitted_total", event="metrics:spec")

    emit_after_commit("metrics:spec", {}, room="nobody")
    assert value("runhive_events_emitted_total", event="metrics:spec") == before
    db.session.commit()

    assert value("runhive_events_emitted_total", event="metrics:spec") == before + 1


def test_periodic_jobs_count_as_run_or_failed(ctx):
    def broken(now: datetime) -> str:
        raise RuntimeError("out of order")

    tasks = (
        periodic.Task("metrics-ok", timedelta(hours=1), lambda now: "fine"),
        periodic.Task("metrics-broken", timedelta(hours=1), broken),
    )
    run = value("runhive_jobs_total", job="periodic:metrics-ok", outcome="run")
    failed = value("runhive_jobs_total", job="periodic:metrics-broken", outcome="failed")

    periodic.run_due(datetime(2027, 1, 1, tzinfo=UTC), tasks)

    assert value("runhive_jobs_total", job="periodic:metrics-ok", outcome="run") == run + 1
    assert (
        value("runhive_jobs_total", job="periodic:metrics-broken", outcome="failed") == failed + 1
    )
