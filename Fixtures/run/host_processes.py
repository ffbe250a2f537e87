# Looks for host processes: stat() on /proc/PID for each pid given (Landlock does not govern
# stat), and a listing of /proc. Prints what it could see, one line each.
import os
import sys

for pid in sys.argv[1:]:
    try:
        info = os.stat("/proc/" + pid)
        print("pid %s visible, owner %d" % (pid, info.st_uid))
    except OSError as error:
        print("pid %s hidden (%s)" % (pid, type(error).__name__))
try:
    print("listing: %d entries" % len(os.listdir("/proc")))
except OSError as error:
    print("listing refused (%s)" % type(error).__name__)
