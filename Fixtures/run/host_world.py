# Looks for the host's file tree from inside a run (Landlock does not govern stat, statfs,
# utime or sendto on a socket path). argv: host paths that exist outside the run. Prints a JSON
# object: what of them could be stat'ed, what the root holds, and what statfs reveals.
import json
import os
import socket
import sys

found = {}
for path in sys.argv[1:]:
    try:
        os.stat(path)
        found[path] = "visible"
    except OSError as error:
        found[path] = type(error).__name__
report = {"paths": found}
try:
    report["root"] = sorted(os.listdir("/"))
except OSError as error:
    report["root"] = type(error).__name__
try:
    report["dev"] = sorted(os.listdir("/dev"))
except OSError as error:
    report["dev"] = type(error).__name__
# statfs: a filesystem shared with the host shows the host's free space moving.
shared = []
for path in ("/", "/usr", "/usr/bin", os.getcwd(), os.path.dirname(os.getcwd()), "/tmp"):
    try:
        info = os.statvfs(path)
        if info.f_blocks * info.f_frsize > (8 << 30):
            shared.append(path)
    except OSError:
        pass
report["large_filesystems"] = shared
# Metadata of what the run was given: the root, the workdir above scratch.
touched = []
for path in ("/", "/usr", os.path.dirname(os.getcwd()), "/dev/null"):
    try:
        os.utime(path, (1, 1))
        touched.append(path)
    except OSError:
        pass
report["utime"] = touched
# A datagram socketpair can name any socket path with sendto.
try:
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
    report["dgram_socketpair"] = "made"
except OSError as error:
    report["dgram_socketpair"] = type(error).__name__
# /dev devices still work.
with open("/dev/zero", "rb") as zero, open("/dev/urandom", "rb") as random_source:
    report["devices"] = [zero.read(4) == b"\0\0\0\0", len(random_source.read(8)) == 8]
print(json.dumps(report, sort_keys=True))
