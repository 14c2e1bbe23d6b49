"""Entry point: `flask --app app run`, or `python app.py` to serve with Socket.IO."""

import os

from community import create_app

app = create_app()

if __name__ == "__main__":
    from community.extensions import socketio

    socketio.run(
        app,
        host=os.environ.get("HOST", "127.0.0.1"),
        port=int(os.environ.get("PORT", "5000")),
        allow_unsafe_werkzeug=True,
    )
