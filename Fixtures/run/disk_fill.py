# Fills the working directory: 300 files of 8 MiB (2.4 GiB at most), then 100,000 empty files,
# then tries to write beside its own inputs. Prints how far each got.
import os
written = 0
try:
    for i in range(300):
        with open("f%d" % i, "wb") as handle:
            handle.write(b"x" * (8 << 20))
        written += 1
except OSError as error:
    print("bytes stopped after", written, "files: errno", error.errno)
created = 0
try:
    for i in range(100000):
        open("i%d" % i, "w").close()
        created += 1
except OSError as error:
    print("inodes stopped after", created, "files: errno", error.errno)
try:
    open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "planted.py"), "w")
    print("planted beside the inputs")
except OSError as error:
    print("inputs: errno", error.errno)
