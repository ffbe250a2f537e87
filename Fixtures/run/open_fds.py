# Lists every open file descriptor below 1024 without /proc (which the sandbox hides).
import os
open_fds = []
for fd in range(1024):
    try:
        os.fstat(fd)
        open_fds.append(fd)
    except OSError:
        pass
print(open_fds)
