# Files on the run's scratch tmpfs are memory too: 384 MiB in 16 MiB files in the working
# directory, held for at most 3 seconds. Self-limiting (and bounded by the scratch quota).
import time

for index in range(24):
    with open("fill-%d" % index, "wb") as handle:
        handle.write(b"x" * (16 << 20))
time.sleep(3)
print("held %d MiB" % (16 * 24))
