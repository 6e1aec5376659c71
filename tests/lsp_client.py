"""A minimal LSP client over stdio for the tests and the bench: JSON-RPC with Content-Length
framing, talking to `python -m evalspec lsp` in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from typing import Any


class Client:
    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "evalspec", "lsp"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            env={**os.environ, "HF_HUB_OFFLINE": "1"})
        self.next_id = 0
        self.notifications: list[dict[str, Any]] = []

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def receive(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        length = 0
        while True:
            line = self.process.stdout.readline()
            if not line:
                raise EOFError("the server closed its output")
            if line in (b"\r\n", b"\n"):
                break
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        message: dict[str, Any] = json.loads(self.process.stdout.read(length))
        return message

    def request(self, method: str, params: dict[str, Any]) -> Any:
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, "params": params})
        while True:
            message = self.receive()
            if message.get("id") == self.next_id and "method" not in message:
                assert "error" not in message, message["error"]
                return message.get("result")
            if "method" in message:
                self.notifications.append(message)

    def notify(self, method: str, params: dict[str, Any]) -> None:
        self.send({"method": method, "params": params})

    def diagnostics(self, uri: str, version: int | None = None) -> tuple[list[Any], float]:
        """The next diagnostics published for `uri` (of `version`, if given), and how many
        seconds after the call they arrived."""
        started = time.perf_counter()
        while True:
            found = [n for n in self.notifications
                     if n["method"] == "textDocument/publishDiagnostics"
                     and n["params"]["uri"] == uri
                     and (version is None or n["params"].get("version") == version)]
            if found:
                self.notifications.remove(found[0])
                return found[0]["params"]["diagnostics"], time.perf_counter() - started
            message = self.receive()
            if "method" in message:
                self.notifications.append(message)

    def start(self, root: str) -> dict[str, Any]:
        result: dict[str, Any] = self.request("initialize", {
            "processId": os.getpid(), "rootUri": f"file://{root}", "capabilities": {}})
        self.notify("initialized", {})
        return result

    def close(self) -> None:
        try:
            self.request("shutdown", {})
            self.notify("exit", {})
            self.process.wait(timeout=10)
        finally:
            if self.process.poll() is None:
                self.process.kill()
