# One huge allocation (capped at 4 GiB): must end as memory_limit.
block = bytearray(4 << 30)
print(len(block))
