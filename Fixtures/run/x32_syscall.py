# getpid through the x32 ABI (nr | 0x40000000): a foreign architecture, must be killed.
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
print("x32 getpid returned", libc.syscall(39 | 0x40000000))
