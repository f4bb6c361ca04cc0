"""JupyterLab works for a researcher: the server starts headless, opens every notebook of the
pipeline and starts its `python3` kernel, and saving a notebook that was only opened leaves its
bytes unchanged (checked through the REST API, on a free loopback port)."""

from __future__ import annotations

import copy
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from tweetstorm import paths

pytestmark = pytest.mark.slow

NOTEBOOKS = sorted(p.relative_to(paths.ROOT).as_posix() for p in paths.NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, base: str, token: str) -> None:
        self.base, self.token = base, token

    def call(self, method: str, path: str, body: dict | None = None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Authorization": f"token {self.token}",
                                              "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as resp:
            raw = resp.read()
            return json.loads(raw) if raw else None


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port, token = _free_port(), secrets.token_hex(16)
    runtime = tmp_path_factory.mktemp("jupyter-runtime")
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(runtime), JUPYTER_CONFIG_DIR=str(runtime / "config"))
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
           f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={paths.ROOT}",
           "--ServerApp.port_retries=0"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    log = runtime / "server.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env)
    srv = Server(f"http://127.0.0.1:{port}", token)
    deadline = time.monotonic() + 90
    while True:
        try:
            srv.call("GET", "/api/status")
            break
        except (urllib.error.URLError, ConnectionError):
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"JupyterLab did not start:\n{log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.5)
    yield srv
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def _shell_replies(server, kernel_id: str, msg_type: str, content: dict):
    """Send one shell request over the kernel's websocket channels and yield the messages that
    answer it (the parent header names the request)."""
    import uuid

    import websocket  # websocket-client, a dependency of jupyter_server

    url = server.base.replace("http", "ws", 1) + f"/api/kernels/{kernel_id}/channels?token={server.token}"
    ws = websocket.create_connection(url, timeout=60)
    try:
        msg_id = uuid.uuid4().hex
        ws.send(json.dumps({
            "header": {"msg_id": msg_id, "username": "test", "session": uuid.uuid4().hex,
                       "msg_type": msg_type, "version": "5.3"},
            "parent_header": {}, "metadata": {}, "channel": "shell", "content": content,
        }))
        while True:
            msg = json.loads(ws.recv())
            if msg.get("parent_header", {}).get("msg_id") == msg_id:
                yield msg
    finally:
        ws.close()


def _execute(server, kernel_id: str, code: str) -> str:
    """Run ``code`` in the kernel over the websocket channels; return its stdout."""
    out = []
    content = {"code": code, "silent": False, "store_history": False, "user_expressions": {},
               "allow_stdin": False}
    for msg in _shell_replies(server, kernel_id, "execute_request", content):
        if msg["msg_type"] == "stream":
            out.append(msg["content"]["text"])
        elif msg["msg_type"] == "error":
            raise AssertionError(f"kernel error: {msg['content']['ename']}: {msg['content']['evalue']}")
        elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return "".join(out)
    raise AssertionError("the kernel closed the channel before it was idle")


def _kernel_info(server, kernel_id: str) -> dict:
    """The kernel's kernel_info_reply content, as JupyterLab asks for it when it opens a notebook."""
    for msg in _shell_replies(server, kernel_id, "kernel_info_request", {}):
        if msg["msg_type"] == "kernel_info_reply":
            return msg["content"]
    raise AssertionError("the kernel closed the channel before its kernel_info_reply")


@pytest.fixture(scope="module")
def language_info(server):
    """What JupyterLab writes into a notebook's metadata once its kernel answers."""
    session = server.call("POST", "/api/sessions", {"path": "build/lab-info.ipynb", "type": "notebook",
                                                    "name": "lab-info", "kernel": {"name": "python3"}})
    try:
        return _kernel_info(server, session["kernel"]["id"])["language_info"]
    finally:
        server.call("DELETE", f"/api/sessions/{session['id']}")


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_saving_an_opened_notebook_leaves_its_bytes_unchanged(server, language_info, notebook):
    committed = (paths.ROOT / notebook).read_bytes()
    model = server.call("GET", f"/api/contents/{notebook}")
    # JupyterLab sets language_info from the kernel on opening; the committed metadata already
    # holds all of it but the Python version, which the server's pre-save hook drops
    opened = copy.deepcopy(model)
    opened["content"]["metadata"]["language_info"] = dict(language_info)
    assert "version" in language_info
    assert {k: v for k, v in language_info.items() if k != "version"} == model["content"]["metadata"]["language_info"]
    for label, body in (("unchanged", model), ("as JupyterLab saves it after opening", opened)):
        target = f"build/lab-roundtrip/{label.split()[0]}-{notebook.rsplit('/', 1)[-1]}"
        (paths.ROOT / target).parent.mkdir(parents=True, exist_ok=True)
        server.call("PUT", f"/api/contents/{target}", {"type": "notebook", "format": "json",
                                                        "content": body["content"]})
        saved = (paths.ROOT / target).read_bytes()
        (paths.ROOT / target).unlink()
        assert saved == committed, f"{notebook} saved {label} differs from the committed bytes"


def test_lab_page_is_served(server):
    req = urllib.request.Request(server.base + "/lab", headers={"Authorization": f"token {server.token}"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        assert resp.status == 200
        assert b"JupyterLab" in resp.read()


def test_pipeline_notebooks_exist():
    assert len(NOTEBOOKS) >= 5, NOTEBOOKS


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_notebook_opens_and_its_kernel_starts(server, notebook):
    model = server.call("GET", f"/api/contents/{notebook}")
    assert model["type"] == "notebook"
    assert model["content"]["metadata"]["kernelspec"]["name"] == "python3"
    session = server.call("POST", "/api/sessions", {"path": notebook, "type": "notebook",
                                                    "name": notebook, "kernel": {"name": "python3"}})
    try:
        kernel_id = session["kernel"]["id"]
        assert session["kernel"]["name"] == "python3"
        # The server reports the kernel's state once a client talks to it: run code through the
        # websocket, as JupyterLab does, and check the kernel answers with the compendium importable.
        assert _execute(server, kernel_id, "import pandas, seaborn, statsmodels\nfrom tweetstorm import paths\n"
                        "print((paths.ROOT / 'Makefile').is_file())") == "True\n"
    finally:
        server.call("DELETE", f"/api/sessions/{session['id']}")
