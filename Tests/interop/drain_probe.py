"""Holds a keep-alive connection to a Tessera instance across its SIGTERM, as a proxy's upstream
pool does (docs/rolling-restarts.md).

Usage: drain_probe.py HOST PORT

Sends GET /healthz on a kept-alive connection and prints `open`; waits for a line on stdin (the
test sends it once the instance logged the signal); then sends GET /readyz on the same
connection, checks for up to 3 s that new connections are refused, and prints one JSON object:
the status, the Connection header and body of that answer, and `new_connection`.
"""
import http.client
import json
import socket
import sys
import time


def main() -> int:
    host, port = sys.argv[1], int(sys.argv[2])
    connection = http.client.HTTPConnection(host, port, timeout=10)
    connection.request("GET", "/healthz")
    first = connection.getresponse()
    first.read()
    if first.status != 200 or (first.getheader("Connection") or "").lower() == "close":
        print(json.dumps({"error": f"first answer {first.status} {first.getheaders()}"}))
        return 1
    print("open", flush=True)
    if not sys.stdin.readline():
        return 0  # the test ended without asking for the second request
    connection.request("GET", "/readyz")
    answer = connection.getresponse()
    body = answer.read()
    result = {"status": answer.status, "connection": answer.getheader("Connection"),
              "body": json.loads(body or b"{}"), "new_connection": "accepted"}
    deadline = time.time() + 3
    while time.time() < deadline:
        try:
            socket.create_connection((host, port), timeout=1).close()
        except OSError:
            result["new_connection"] = "refused"
            break
        time.sleep(0.05)
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
