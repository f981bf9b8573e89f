"""`hmoqa serve --dir DIR`: the dashboards over HTTP for a team, on the loopback interface only."""

from __future__ import annotations

import functools
import ipaddress
import socket
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def make_server(directory: Path, port: int = 8000, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    """A server for `directory` (not started). Refuses a non-loopback host: the pages are for the organisation,
    and a team member reaches them through the machine, not the open network."""
    if not _is_loopback(host):
        raise ValueError(f"hmoqa serve listens on localhost only, not {host!r}")
    directory = Path(directory)
    if not directory.is_dir():
        raise FileNotFoundError(f"no dashboards folder at {directory}")
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(directory))
    server = ThreadingHTTPServer((host, port), handler)
    if ":" in host:
        server.address_family = socket.AF_INET6
    return server


def serve(directory: Path, port: int = 8000, host: str = "127.0.0.1") -> None:
    """Serve `directory` until interrupted (Ctrl-C)."""
    server = make_server(directory, port, host)
    address, bound_port = server.server_address[:2]
    print(f"Serving {directory} at http://{address}:{bound_port}/index.html (Ctrl-C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
