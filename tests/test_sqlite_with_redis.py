"""SQLite under `python app.py` (gevent) with Redis configured: a burst of writes from
many clients at once never waits on the network while holding SQLite's write lock."""

import os
import re
import secrets
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.helpers import require
from tests.servers import flask, free_port, server_env, serving

_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    redis_url = os.environ.get("TEST_REDIS_URL")
    if not redis_url:
        require("TEST_REDIS_URL is not set; SQLite with Redis needs a real Redis")
    folder = tmp_path_factory.mktemp("sqlite-redis")
    env = server_env(folder, free_port(), redis_url=redis_url)
    # Each request says it comes from another address, as behind a proxy.
    env["PROXY_HOPS"] = "1"
    flask(env, "db", "upgrade")
    flask(env, "seed-demo")
    with serving((env, folder / "server.log")) as (url,):
        yield url


def form_post(server: str, path: str, fields: dict[str, str], address: str) -> tuple[int, float]:
    """GET the form, then POST it as one browser from `address`; status and seconds."""
    with requests.Session() as http:
        http.headers["X-Forwarded-For"] = address
        token = _TOKEN.search(http.get(f"{server}{path}", timeout=60).text)
        assert token
        started = time.monotonic()
        response = http.post(
            f"{server}{path}",
            data={"csrf_token": token.group(1), **fields},
            allow_redirects=False,
            timeout=60,
        )
        return response.status_code, time.monotonic() - started


def burst(server: str, path: str, forms: list[dict[str, str]]) -> list[tuple[int, float]]:
    with ThreadPoolExecutor(len(forms)) as pool:
        return list(
            pool.map(
                lambda n: form_post(server, path, forms[n], f"198.51.100.{n + 1}"),
                range(len(forms)),
            )
        )


def within_their_share_of_the_cpu(answers: list[tuple[int, float]], alone: float) -> bool:
    """At worst each request waits for all the others' password hashing (gevent runs one at
    a time, and a loaded machine slows each), so eight take up to eight times one alone.
    Waiting on SQLite's write lock instead took the busy timeout: 30 s and more."""
    return max(seconds for _, seconds in answers) < len(answers) * alone + 3


def test_failed_logins_at_once_are_all_answered_promptly(server):
    forms = [{"login": "ana", "password": f"wrong-{n}"} for n in range(8)]
    for _ in range(3):
        _, alone = form_post(server, "/login", forms[0], "198.51.100.99")
        answers = burst(server, "/login", forms)
        assert [status for status, _ in answers] == [400] * 8
        assert within_their_share_of_the_cpu(answers, alone), (alone, answers)


def registration(name: str) -> dict[str, str]:
    return {
        "username": name,
        "email": f"{name}@example.com",
        "display_name": name.title(),
        "password": "a long enough passphrase 2026",
        "confirm": "a long enough passphrase 2026",
    }


def test_registrations_at_once_are_all_answered_promptly(server):
    tag = secrets.token_hex(3)
    status, alone = form_post(server, "/register", registration(f"a{tag}"), "198.51.100.99")
    assert status == 302
    answers = burst(server, "/register", [registration(f"r{tag}{n}") for n in range(8)])
    assert [status for status, _ in answers] == [302] * 8, answers
    assert within_their_share_of_the_cpu(answers, alone), (alone, answers)
