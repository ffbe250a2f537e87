# Lists the kernel counters and leftovers a warm-pool sample could read after an earlier sample
# set them: its pid and parent's, a new thread's id, inode numbers of a new file and of its
# directory, what /proc shows, SysV IPC objects, what is in its directory. `f("probe")` returns
# them; `f("mark")` moves each counter (threads, files, a SysV message queue, a chmod).
import os
import threading


def probe():
    out = {"pid": os.getpid(), "ppid": os.getppid()}
    with open("probe.txt", "w") as handle:
        handle.write("x")
    out["file_inode"] = os.stat("probe.txt").st_ino
    out["dir_inode"] = os.stat(".").st_ino
    out["dir_mode"] = os.stat(".").st_mode
    # Before the thread below: a thread that has just ended can still be seen for a moment.
    visible = []
    for pid in range(1, 400):
        try:
            os.stat("/proc/%d" % pid)
            visible.append(pid)
        except OSError:
            pass
    out["proc_pids"] = visible
    worker = threading.Thread(target=lambda: None)
    worker.start()
    worker.join()
    out["thread_id"] = worker.native_id - os.getpid()
    out["entries"] = sorted(name for name in os.listdir(".") if name != "probe.txt")
    try:
        out["parent_entries"] = sorted(os.listdir(".."))
    except OSError as error:
        out["parent_entries"] = type(error).__name__
    out["sysv_queue"] = _sysv_queue()
    return out


def _sysv_queue():
    """msgget(IPC_PRIVATE, IPC_CREAT | 0600) through ctypes: the errno name, or the queue's id
    (an object a later sample could find)."""
    try:
        import ctypes
        import errno

        libc = ctypes.CDLL(None, use_errno=True)
        queue = libc.msgget(0, 0o1000 | 0o600)
        return queue if queue >= 0 else errno.errorcode.get(ctypes.get_errno(), "?")
    except Exception as error:  # no ctypes in this world: no way to ask either
        return type(error).__name__


def mark():
    threads = [threading.Thread(target=lambda: None) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for index in range(40):
        with open("mark%d" % index, "w") as handle:
            handle.write("m")
    _sysv_queue()
    for path in (".", ".."):
        try:
            os.chmod(path, 0o777)
            os.utime(path, (12345, 12345))
        except OSError:
            pass
    return {"marked": True}


def f(what):
    return probe() if what == "probe" else mark()
