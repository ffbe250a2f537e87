# NUMA calls about the caller's own memory are refused softly (EPERM) under a repository
# profile; moving another process's pages is killed and named. argv[1]: "own" or "other".
import ctypes
import errno
import sys

libc = ctypes.CDLL(None, use_errno=True)
SYS_MBIND, SYS_SET_MEMPOLICY, SYS_GET_MEMPOLICY, SYS_MIGRATE_PAGES, SYS_MOVE_PAGES = 237, 238, 239, 256, 279
buffer = ctypes.create_string_buffer(1 << 16)
mask = ctypes.c_ulong(1)
mode = ctypes.c_int(0)
calls = {
    "mbind": (SYS_MBIND, ctypes.c_void_p(ctypes.addressof(buffer) & ~4095), ctypes.c_ulong(4096), 1, None, 0, 0),
    "set_mempolicy": (SYS_SET_MEMPOLICY, 1, ctypes.byref(mask), 64),
    "get_mempolicy": (SYS_GET_MEMPOLICY, ctypes.byref(mode), None, 0, None, 0),
    "migrate_pages": (SYS_MIGRATE_PAGES, 0, 64, ctypes.byref(mask), ctypes.byref(mask)),
    "move_pages": (SYS_MOVE_PAGES, 0, 0, None, None, None, 0),
}
if sys.argv[1] == "other":
    libc.syscall(SYS_MOVE_PAGES, 1, 0, None, None, None, 0)  # the run's init: killed here
    print("move_pages on another process returned")
    sys.exit(3)
for name, call in calls.items():
    result = libc.syscall(*call)
    print(name, result, errno.errorcode.get(ctypes.get_errno(), ctypes.get_errno()))
