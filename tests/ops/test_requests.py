"""One log line per request, with the request id the response carries back."""

import logging
import re


def test_each_response_carries_a_request_id_named_in_one_log_line(client, caplog):
    with caplog.at_level(logging.INFO, logger="runhive.requests"):
        response = client.get("/login")

    request_id = response.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    lines = [r.getMessage() for r in caplog.records if r.name == "runhive.requests"]
    assert len(lines) == 1
    assert re.fullmatch(rf"\S+ GET /login 200 [0-9.]+ms {request_id}", lines[0])


def test_the_balancers_request_id_is_kept(client):
    response = client.get("/healthz", headers={"X-Request-ID": "nginx-7f3a9c2e"})

    assert response.headers["X-Request-ID"] == "nginx-7f3a9c2e"


def test_a_request_id_that_is_not_one_is_replaced(client):
    response = client.get("/healthz", headers={"X-Request-ID": "<script>alert(1)</script>"})

    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])
