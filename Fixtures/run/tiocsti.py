# Terminal injection with and without the high bits: both must fail with ENOSYS.
import ctypes, errno
libc = ctypes.CDLL(None, use_errno=True)
TIOCSTI = 0x5412
results = []
for request in (TIOCSTI, TIOCSTI | (1 << 32)):
    char = ctypes.c_char(b"x")
    rc = libc.syscall(16, 0, ctypes.c_ulong(request), ctypes.byref(char))
    results.append((rc, errno.errorcode.get(ctypes.get_errno(), "?")))
print(results)
