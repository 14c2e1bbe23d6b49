"""Entry point: `flask --app app run` for development, `python app.py` to serve with Socket.IO.

`python app.py` uses gevent (bench/RESULTS.md: fanning one event out to 1,000 sockets is far
cheaper than with threads); gevent must patch the standard library before anything else loads.
"""

import gc
import logging
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("SOCKETIO_ASYNC_MODE", "gevent")
    if os.environ["SOCKETIO_ASYNC_MODE"] == "gevent":
        from gevent import monkey

        monkey.patch_all()

from community import create_app
from community.ops import serving

app = create_app()

if __name__ == "__main__":
    # What is loaded by now (about 160,000 objects) lives as long as the process: keep it out
    # of full garbage collections, which otherwise stall every socket for ~200 ms at 1,000
    # sockets. And collect the young every 20,000 allocations, not 700: at 700 collections
    # ran in the middle of every fan-out, kept its short-lived objects, and those added up to
    # full collections of all the sockets' objects (110 ms at 1,000). bench/RESULTS.md,
    # "Live feed: a kudos fanned out to 1,000 sockets".
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 10, 10)
    try:
        serving.check_settings(app.config, os.environ)
    except serving.SettingsError as refusal:
        sys.exit(f"Runhive will not start: {refusal}")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    host, port = os.environ.get("HOST", "127.0.0.1"), int(os.environ.get("PORT", "5000"))
    serving.serve(app, host, port)
