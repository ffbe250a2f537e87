# One endless line on stdout, ending after 256 MiB.
import os
chunk = b"y" * 65536
for _ in range(4096):
    os.write(1, chunk)
