# kill(-1, SIGKILL): must kill nothing outside the run.
import os, signal
try:
    os.kill(-1, signal.SIGKILL)
    print("kill(-1) returned")
except OSError as error:
    print("kill(-1) failed:", error.errno)
