# Stops itself with SIGSTOP: only the grader's own wall clock can end it.
import os, signal
os.kill(os.getpid(), signal.SIGSTOP)
print("resumed")
