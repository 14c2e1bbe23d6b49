"""The official JavaScript client (socket.io-client, run by node) against the real server.

The client is the bundle committed in tests/js/vendor (tests/js/README.md): nothing is
installed or downloaded when this runs, only `node` is needed.
"""

import json
import queue
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest

from tests.helpers import require
from tests.servers import cookie_header, demo_server, give_kudos, log_run, logged_in

SCRIPT = Path(__file__).resolve().parent / "js" / "watch_kudos.js"
WAIT = 10  # seconds, for each line node prints


@pytest.fixture(scope="module")
def node() -> str:
    found = shutil.which("node")
    if found is None:
        require("node is not installed (Debian's nodejs, 18 or newer, runs tests/js)")
    return found


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with demo_server(tmp_path_factory.mktemp("server")) as url:
        yield url


class Output:
    """What node prints, line by line, read in a thread so that every wait has a timeout."""

    def __init__(self, process: subprocess.Popen) -> None:
        self.process = process
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.reader = threading.Thread(target=self._read, args=(process.stdout,), daemon=True)
        self.reader.start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            self.lines.put(line)
        self.lines.put(None)

    def next(self) -> dict[str, Any]:
        try:
            line = self.lines.get(timeout=WAIT)
        except queue.Empty:
            pytest.fail(f"node printed nothing within {WAIT} s")
        if line is None:
            self.process.wait(timeout=WAIT)
            pytest.fail(f"node exited with {self.process.returncode}: {self.process.stderr.read()}")
        return json.loads(line)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=WAIT)
        self.reader.join(timeout=WAIT)
        self.process.stdout.close()
        self.process.stderr.close()


def test_the_official_js_client_hears_kudos_given_over_http(node, server):
    """Ana's page, as socket.io-client over a websocket with her session cookie, watches her
    new run; Ben's kudos, posted over HTTP, reach it live."""
    with logged_in(server, "ana") as ana, logged_in(server, "ben") as ben:
        item = log_run(ana, server, "ana")
        command = [node, str(SCRIPT), server, cookie_header(ana), str(item), str(WAIT * 1000)]
        process = subprocess.Popen(  # noqa: S603
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        output = Output(process)
        try:
            assert output.next() == {"watching": {"ok": True, "items": [item]}}

            give_kudos(ben, server, item)

            assert output.next() == {
                "feed:kudos": {"item_id": item, "count": 1, "summary": "Ben Okafor gave kudos"}
            }
            assert process.wait(timeout=WAIT) == 0, process.stderr.read()
        finally:
            output.close()
