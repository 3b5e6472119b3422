"""The load test's baselines: bare Flask endpoints under the same gunicorn command as the app.

``/`` returns a fixed string: the ratio of the app's throughput to this one's is what the app's
own work costs on this machine. ``/payload`` returns fixed bytes as large as the map's data
(``BENCH_PAYLOAD_BYTES``), to show how much of that is only moving the bytes over loopback.
"""

import os

from flask import Flask, Response

app = Flask(__name__)
PAYLOAD = os.urandom(int(os.environ.get("BENCH_PAYLOAD_BYTES", "500000")))


@app.get("/")
def fixed():
    return "ok"


@app.get("/payload")
def payload():
    return Response(PAYLOAD, mimetype="application/octet-stream")
