# Double fork; the grandchild tries setsid() and then outlives the program by a minute.
import os, sys, time
pid = os.fork()
if pid == 0:
    if os.fork() == 0:
        try:
            os.setsid()
        except OSError as error:
            print("setsid failed:", error.errno, file=sys.stderr)
        time.sleep(60)
        os._exit(0)
    os._exit(0)
os.waitpid(pid, 0)
print("parent done")
