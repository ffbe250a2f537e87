# Holds memory in kernel buffers rather than in the process: as many unix socket pairs and pipes
# as the descriptor limit allows, each filled (non-blocking) until the kernel refuses more. RLIMIT_DATA
# and RLIMIT_AS see none of it. Self-limiting: it stops at the descriptor limit (or at 48 MiB
# queued), prints what it holds as JSON, keeps it for a second (long enough for any watch to
# look), and exits 0. Run it only through the sandbox.
import json
import os
import socket
import sys
import time

CAP = 48 << 20
held = {"socket_bytes": 0, "pipe_bytes": 0, "sockets": 0, "pipes": 0}
keep = []
chunk = b"x" * 4096


def fill(write, kind):
    total = 0
    while held["socket_bytes"] + held["pipe_bytes"] + total < CAP:
        try:
            sent = write(chunk)
        except (BlockingIOError, OSError):
            break
        if not sent:
            break
        total += sent
    return total


try:
    while held["socket_bytes"] + held["pipe_bytes"] < CAP:
        try:
            first, second = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        except OSError:
            break
        first.setblocking(False)
        keep += [first, second]
        held["sockets"] += 1
        held["socket_bytes"] += fill(first.send, "socket")
        try:
            read_end, write_end = os.pipe()
        except OSError:
            break
        os.set_blocking(write_end, False)
        keep += [read_end, write_end]
        held["pipes"] += 1
        held["pipe_bytes"] += fill(lambda data: os.write(write_end, data), "pipe")
except Exception as error:  # report what was reached, whatever stopped it
    held["stopped_by"] = type(error).__name__
print(json.dumps(held))
sys.stdout.flush()
time.sleep(1)
