# Shared anonymous memory, which RLIMIT_DATA does not count: 384 MiB in 16 MiB mappings, each
# filled, held for at most 3 seconds. Self-limiting.
import mmap
import time

blocks = []
for _ in range(24):
    block = mmap.mmap(-1, 16 << 20, flags=mmap.MAP_SHARED | mmap.MAP_ANONYMOUS)
    block.write(b"x" * (16 << 20))
    blocks.append(block)
time.sleep(3)
print("held %d MiB" % (16 * len(blocks)))
