# Tries to write outside the workdir; prints what happened to each attempt.
import os, sys
results = {}
for path in ["/tmp/proctor-escape-test", "/etc/proctor-escape-test", "/usr/lib/python3.11/proctor-escape.py",
             os.path.join(os.path.dirname(os.getcwd()), "proctor-escape-test"), "/dev/shm/proctor-escape-test"]:
    try:
        with open(path, "w") as handle:
            handle.write("escaped")
        results[path] = "written"
    except OSError as error:
        results[path] = "errno %d" % error.errno
with open("inside.txt", "w") as handle:
    handle.write("fine")
results["inside"] = open("inside.txt").read()
print(results)
