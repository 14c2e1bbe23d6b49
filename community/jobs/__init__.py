"""Work that leaves the request: periodic tasks now, queued jobs next."""
