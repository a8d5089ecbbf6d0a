"""Scores product reviews with the linear model in /opt/ml/model/weights.json.

SageMaker runs the container as ``docker run <image> serve``: it answers ``GET /ping`` once the
model is loaded and ``POST /invocations`` (one review per line, text/plain) with one score per
line, in [0, 1] (1: positive).
"""

import json
import math
import re
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

MODEL_DIR = Path("/opt/ml/model")
WORDS = re.compile(r"[a-z']+")


def load() -> tuple[dict[str, float], float]:
    model = json.loads((MODEL_DIR / "weights.json").read_text())
    return model["weights"], model["bias"]


WEIGHTS, BIAS = load()


def score(text: str) -> float:
    total = BIAS + sum(WEIGHTS.get(word, 0.0) for word in WORDS.findall(text.lower()))
    return 1 / (1 + math.exp(-total))


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # the http.server API names them
        self._reply(200 if self.path == "/ping" else 404, b"")

    def do_POST(self) -> None:
        if self.path != "/invocations":
            self._reply(404, b"")
            return
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        scores = "\n".join(f"{score(line):.4f}" for line in body.splitlines())
        self._reply(200, scores.encode())

    def _reply(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


if __name__ == "__main__":
    if sys.argv[1:] not in ([], ["serve"]):
        sys.exit(f"usage: serve.py [serve], not {sys.argv[1:]}")
    ThreadingHTTPServer(("0.0.0.0", 8080), Handler).serve_forever()
