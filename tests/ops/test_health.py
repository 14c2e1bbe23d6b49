"""/healthz says the process answers; /readyz that the database and Redis answer too, or
503 with what does not."""

import os

from tests.helpers import require


def test_healthz_answers_without_touching_anything(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_readyz_checks_the_database(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json == {"status": "ready", "checks": {"database": True}}


def test_readyz_is_not_ready_while_redis_is_out_of_reach(app, client):
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens on port 1

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json == {"status": "not ready", "checks": {"database": True, "redis": False}}


def test_readyz_checks_a_real_redis(app, client):
    redis_url = os.environ.get("TEST_REDIS_URL")
    if not redis_url:
        require("TEST_REDIS_URL is not set; the readiness check needs a real Redis")
    app.config["REDIS_URL"] = redis_url

    response = client.get("/readyz")

    assert response.json["checks"] == {"database": True, "redis": True}
