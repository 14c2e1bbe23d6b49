"""Security defaults: headers, rate limits, proxies, CSRF."""

import os
import uuid

import pytest
from flask import request

from community import config as settings
from community import create_app
from tests.helpers import log_in, make_runner, require, submit, text


def test_every_page_carries_the_security_headers(client):
    headers = client.get("/login").headers
    csp = headers["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "connect-src 'self' ws://localhost",
    ):
        assert directive in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in headers


def test_hsts_is_sent_in_production(app, client):
    app.config["ENV_NAME"] = "production"
    assert "max-age=" in client.get("/login").headers["Strict-Transport-Security"]


def test_production_cookies_are_secure(tmp_path):
    config = settings.from_environment({"RUNHIVE_ENV": "production"}, tmp_path)
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["REMEMBER_COOKIE_SECURE"] is True


def test_secret_key_is_generated_once_and_kept_in_the_instance_folder(tmp_path):
    first = settings.from_environment({}, tmp_path)["SECRET_KEY"]
    second = settings.from_environment({}, tmp_path)["SECRET_KEY"]
    assert first == second
    assert len(first) >= 40
    assert (
        settings.from_environment({"SECRET_KEY": "from-env"}, tmp_path)["SECRET_KEY"] == "from-env"
    )


def test_repeated_wrong_logins_get_429_with_a_message(app, client):
    make_runner(app, "ana")
    statuses = [log_in(client, "ana", "wrong password").status_code for _ in range(10)]
    assert statuses == [400] * 10
    response = log_in(client, "ana", "wrong password")
    assert response.status_code == 429
    assert "Too many attempts" in text(response)


def test_registration_is_rate_limited(app, client):
    app.config["RATELIMIT_REGISTER"] = "2 per hour"
    for _ in range(2):
        submit(client, "/register", {"username": "x"}, page="/register")
    assert submit(client, "/register", {"username": "x"}, page="/register").status_code == 429


def test_api_clients_get_429_as_json(app, client):
    make_runner(app, "ana")
    for _ in range(10):
        log_in(client, "ana", "wrong password")
    response = submit(
        client,
        "/login",
        {"login": "ana", "password": "wrong password"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 429
    assert response.json["error"].startswith("Too many attempts")


@pytest.mark.redis
def test_rate_limits_hold_across_processes_through_redis(migrated_database, tmp_path, app):
    redis_url = os.environ.get("TEST_REDIS_URL")
    if not redis_url:
        require("TEST_REDIS_URL is not set; the Redis rate-limit test needs a real Redis")
    prefix = f"test-{uuid.uuid4().hex}"
    shared = {
        "RATELIMIT_STORAGE_URI": redis_url,
        "RATELIMIT_KEY_PREFIX": prefix,
        "RATELIMIT_LOGIN": "3 per minute",
    }
    app.config.update(shared)
    second = create_app(
        {**settings.testing(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path), **shared}
    )
    for _ in range(3):
        log_in(app.test_client(), "nobody", "wrong password")
    assert log_in(second.test_client(), "nobody", "wrong password").status_code == 429


def test_client_address_comes_from_proxy_headers_only_with_configured_hops(tmp_path, app):
    seen = []

    def remember_address():
        seen.append(request.remote_addr)

    url = app.config["SQLALCHEMY_DATABASE_URI"]
    for hops in (0, 1):
        proxied = create_app({**settings.testing(url, tmp_path), "PROXY_HOPS": hops})
        proxied.before_request(remember_address)
        proxied.test_client().get(
            "/login",
            headers={"X-Forwarded-For": "203.0.113.9"},
            environ_base={"REMOTE_ADDR": "10.0.0.1"},
        )
    assert seen == ["10.0.0.1", "203.0.113.9"]


def test_no_state_changes_on_get(app, client):
    make_runner(app, "ana")
    log_in(client)
    for path in ("/logout", "/settings/password", "/settings/email", "/settings/delete"):
        assert client.get(path).status_code == 405
    assert client.get("/dashboard").status_code == 200


def test_error_pages_are_friendly(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "There is nothing here." in text(response)
    api = client.get("/api/nothing")
    assert api.status_code == 404
    assert api.json == {"error": "There is nothing here.", "status": 404}


def test_an_unexpected_error_shows_a_500_page_and_rolls_back(app, client):
    @app.get("/boom")
    def boom():
        raise RuntimeError("kaboom")

    app.testing = False
    response = client.get("/boom")
    assert response.status_code == 500
    assert "Something went wrong on our side." in text(response)
