# Prints lines until 256 MiB were written (the output limit must stop it long before).
import sys
line = "x" * 1023 + "\n"
for _ in range(256 * 1024):
    sys.stdout.write(line)
