# Slow growth, 16 MiB at a time, capped at 4 GiB in total: must end as memory_limit.
chunks = []
for _ in range(256):
    chunks.append(bytearray(16 << 20))
print(len(chunks))
