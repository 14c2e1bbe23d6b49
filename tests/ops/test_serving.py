"""The production server refuses settings that cannot serve, and turns Nagle's algorithm
off on every connection (a keep-alive response otherwise waits for a delayed ACK)."""

import socket
import subprocess
import sys

import pytest

from community.ops import serving
from tests.servers import ROOT

POSTGRES = "postgresql+psycopg://runhive@db.internal/runhive"
SQLITE = "sqlite:////srv/runhive/runhive.db"


def settings(env: str = "production", database: str = POSTGRES) -> dict[str, str]:
    return {"ENV_NAME": env, "SQLALCHEMY_DATABASE_URI": database}


def test_production_refuses_to_start_without_a_secret_key():
    with pytest.raises(serving.SettingsError, match="needs SECRET_KEY"):
        serving.check_settings(settings(), {})


def test_production_refuses_sqlite_unless_one_process_is_meant():
    with pytest.raises(serving.SettingsError, match="RUNHIVE_SINGLE_PROCESS=1"):
        serving.check_settings(settings(database=SQLITE), {"SECRET_KEY": "k" * 40})

    serving.check_settings(
        settings(database=SQLITE), {"SECRET_KEY": "k" * 40, "RUNHIVE_SINGLE_PROCESS": "1"}
    )


def test_production_on_postgresql_with_a_secret_key_starts():
    serving.check_settings(settings(), {"SECRET_KEY": "k" * 40})


def test_development_starts_as_it_is():
    serving.check_settings(settings("development", SQLITE), {})


def test_the_server_says_why_it_will_not_start(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "RUNHIVE_ENV": "production", "PORT": "1"}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'runhive.db'}"

    done = subprocess.run(
        [sys.executable, "app.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )

    assert done.returncode == 1
    assert "Runhive will not start: RUNHIVE_ENV=production needs SECRET_KEY" in done.stderr


def test_every_connection_has_nagles_algorithm_off():
    with socket.create_server(("127.0.0.1", 0)) as listener:
        client = socket.create_connection(listener.getsockname())
        accepted, address = listener.accept()
        with client, accepted:
            assert not accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)

            serving.NoDelayHandler(accepted, address, server=None)

            assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
