# Tries to replace itself with a shell and to start one: python-strict forbids both.
import os, subprocess
try:
    subprocess.run(["/bin/sh", "-c", "echo from shell"])
    print("subprocess ran")
except OSError as error:
    print("subprocess failed:", error.errno)
try:
    os.execv("/bin/sh", ["/bin/sh", "-c", "echo exec worked"])
except OSError as error:
    print("exec failed:", error.errno)
