# Reports uid, groups, capability sets and rlimits as the program sees them.
import ctypes, json, os, resource
libc = ctypes.CDLL(None, use_errno=True)
PR_CAPBSET_READ, PR_GET_NO_NEW_PRIVS = 23, 39
bounding = [cap for cap in range(64) if libc.prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1]
class Header(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]
class Data(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]
header = Header(0x20080522, 0)
data = (Data * 2)()
libc.capget(ctypes.byref(header), data)
limits = {name: resource.getrlimit(getattr(resource, name)) for name in
          ["RLIMIT_CPU", "RLIMIT_AS", "RLIMIT_DATA", "RLIMIT_STACK", "RLIMIT_FSIZE", "RLIMIT_NOFILE", "RLIMIT_NPROC",
           "RLIMIT_CORE", "RLIMIT_MEMLOCK"]}
print(json.dumps({
    "uid": os.getresuid(), "gid": os.getresgid(), "groups": os.getgroups(),
    "bounding": bounding,
    "effective": [d.effective for d in data], "permitted": [d.permitted for d in data],
    "inheritable": [d.inheritable for d in data],
    "no_new_privs": libc.prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0),
    "limits": limits, "cwd": os.getcwd(), "pid": os.getpid(),
}))
