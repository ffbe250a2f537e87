# Burns CPU until the CPU limit (stops by itself after 120 s of wall time).
import time
end = time.monotonic() + 120
while time.monotonic() < end:
    pass
