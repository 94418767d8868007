"""Reads wrk --latency output; prints: requests/s, p50, p99, non-2xx count."""
import re
import sys

text = open(sys.argv[1]).read()
rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
p50 = re.search(r"^\s+50%\s+(\S+)", text, re.M)
p99 = re.search(r"^\s+99%\s+(\S+)", text, re.M)
errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
print(
    f"{float(rps.group(1)) if rps else 0:.0f}",
    p50.group(1) if p50 else "?",
    p99.group(1) if p99 else "?",
    errors.group(1) if errors else "0",
)
