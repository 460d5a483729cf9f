"""A real SMTP server for benchmarks, in its own process (aiosmtpd): accepts every message, keeps
only counts, and writes them to a JSON file when it is told to stop (SIGTERM).

    python bench/_smtp_sink.py PORT STATS.json
"""

from __future__ import annotations

import json
import signal
import sys
import threading

from aiosmtpd.controller import Controller


class Counter:
    def __init__(self):
        self.messages = 0
        self.bytes = 0
        self.connections = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server, session, envelope):
        self.messages += 1
        self.bytes += len(envelope.content)
        return "250 OK"


def main() -> None:
    port, stats = int(sys.argv[1]), sys.argv[2]
    counter = Counter()
    controller = Controller(counter, hostname="127.0.0.1", port=port)
    controller.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print("READY", flush=True)
    stop.wait()
    controller.stop()
    with open(stats, "w") as f:
        json.dump({"messages": counter.messages, "bytes": counter.bytes, "connections": counter.connections}, f)


if __name__ == "__main__":
    main()
