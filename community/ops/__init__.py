"""Running Runhive in production: the server, its settings check, request logs, health."""
