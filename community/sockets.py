"""The Socket.IO connection: only logged-in users, each in their own `user:{id}` room."""

from flask_login import current_user
from flask_socketio import SocketIO, join_room

from community.realtime import user_room


def on_connect(auth: object = None) -> bool:
    # current_user comes from the Flask-Login session cookie, checked against the
    # session version, so a revoked session cannot connect either.
    if not current_user.is_authenticated:
        return False
    join_room(user_room(current_user.id))
    return True


def register(socketio: SocketIO) -> None:
    from community.challenges import sockets as challenge_sockets
    from community.clubs import sockets as club_sockets
    from community.feed import sockets as feed_sockets
    from community.group_runs import sockets as run_sockets

    socketio.on_event("connect", on_connect)
    club_sockets.register(socketio)
    run_sockets.register(socketio)
    challenge_sockets.register(socketio)
    feed_sockets.register(socketio)
