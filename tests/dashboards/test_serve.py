"""serve(): the folder over HTTP on the loopback interface only."""

import threading
import urllib.request

import pytest

from pipelines.dashboards.serve import make_server


def test_serves_the_folder_on_localhost(tmp_path):
    (tmp_path / "index.html").write_text("<html>hmoqa dashboards</html>")
    server = make_server(tmp_path, port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        assert host == "127.0.0.1"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/index.html", timeout=10) as response:
            assert b"hmoqa dashboards" in response.read()
    finally:
        server.shutdown()
        server.server_close()


def test_refuses_other_interfaces_and_missing_folders(tmp_path):
    with pytest.raises(ValueError, match="localhost only"):
        make_server(tmp_path, port=0, host="0.0.0.0")
    with pytest.raises(FileNotFoundError):
        make_server(tmp_path / "absent", port=0)
