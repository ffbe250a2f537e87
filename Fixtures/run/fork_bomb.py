# Fork bomb that stops itself: every process forks until 3000 forks were attempted in total
# (approximated per process) or forking fails. Must be contained by the sandbox.
import os, sys, time

attempts = 0
children = 0
while attempts < 3000:
    attempts += 1
    try:
        pid = os.fork()
    except OSError as error:
        print("fork failed:", error.errno, file=sys.stderr)
        break
    if pid == 0:
        attempts += 100
        continue
    children += 1
time.sleep(0.5)
os._exit(0)
