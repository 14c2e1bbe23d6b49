"""Flask-SocketIO's Redis message queue, told what to do when Redis comes back.

While Redis is away, events published by any process are lost (python-socketio logs and
drops them) and pages keep working. When this process subscribes again, every socket it
holds is told `live:resync`: open pages fetch what they missed, as after a reconnect.
"""

import time
from collections.abc import Iterator
from typing import Any

import socketio

from community import realtime

RESYNC = "live:resync"


class RedisManager(realtime.RedisManager):
    def __init__(self, url: str, channel: str) -> None:
        # A Redis that is down is found out at once, not after the system's TCP timeout.
        super().__init__(url, channel=channel, redis_options={"socket_connect_timeout": 2})

    def _redis_listen_with_retries(self) -> Iterator[Any]:  # pragma: no cover (a thread)
        # python-socketio's loop (redis_manager.py), with the resync after an outage.
        retry_sleep = 1
        subscribed = False
        lost = False
        while True:
            try:
                if not subscribed:
                    self._redis_connect()
                    self.pubsub.subscribe(self.channel)
                    subscribed = True
                    retry_sleep = 1
                    if lost:
                        lost = False
                        self.resync_local_sockets()
                yield from self.pubsub.listen()
            except Exception as exc:
                self._get_logger().error(
                    "Cannot receive from redis... retrying in %s secs",
                    retry_sleep,
                    extra={"redis_exception": str(exc)},
                )
                subscribed = False
                lost = True
                time.sleep(retry_sleep)
                retry_sleep = min(retry_sleep * 2, 8)

    def resync_local_sockets(self) -> None:
        """Tell this process's sockets (not the queue's) to catch up."""
        socketio.Manager.emit(self, RESYNC, {}, namespace="/")
