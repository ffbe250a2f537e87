# Twenty processes, each well under a per-process memory limit, together far over it. Each holds
# 40 MiB (touched) for at most 3 seconds, then exits: self-limiting whatever the sandbox does.
import os
import time

children = []
for _ in range(20):
    pid = os.fork()
    if pid == 0:
        block = b"x" * (40 << 20)
        time.sleep(3)
        os._exit(0)
    children.append(pid)
for pid in children:
    os.waitpid(pid, 0)
print("all children finished")
