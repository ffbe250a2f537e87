# Floods stderr, ending after 256 MiB.
import os
chunk = b"z" * 65535 + b"\n"
for _ in range(4096):
    os.write(2, chunk)
