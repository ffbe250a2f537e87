// Proctor — the C side of the sandbox.
//
// Everything that must happen between fork and exec lives here, because after fork() in a
// multithreaded Swift process only async-signal-safe calls are allowed: Swift code allocates,
// takes runtime locks and may run actor checks, any of which can deadlock the child forever.
// The parent (Swift) builds every table this code reads — argv, envp, rlimits, the compiled
// seccomp program, the Landlock ruleset — before calling csandbox_spawn(); the child only makes
// raw system calls.
//
// The remaining functions are thin wrappers for system calls that Swift cannot call itself
// (glibc's `syscall` and `prctl` are variadic and therefore unavailable, and Debian 12's kernel
// headers predate the Landlock and pidfd structures we need).

#ifndef PROCTOR_SANDBOX_SPAWN_H
#define PROCTOR_SANDBOX_SPAWN_H

#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/// One resource limit to apply in the child (`resource` is an RLIMIT_* number).
typedef struct csandbox_rlimit {
    int resource;
    uint64_t soft;
    uint64_t hard;
} csandbox_rlimit;

/// One BPF instruction, laid out exactly like the kernel's `struct sock_filter`.
typedef struct csandbox_bpf_insn {
    uint16_t code;
    uint8_t jt;
    uint8_t jf;
    uint32_t k;
} csandbox_bpf_insn;

/// Namespaces the child may be created in (only honoured when the caller has CAP_SYS_ADMIN).
enum {
    CSANDBOX_NS_PID = 1 << 0,
    CSANDBOX_NS_IPC = 1 << 1,
    CSANDBOX_NS_UTS = 1 << 2,
    CSANDBOX_NS_NET = 1 << 3,
    CSANDBOX_NS_MOUNT = 1 << 4,
};

/// Kinds of entries of a run's minimal root (see `csandbox_root_entry`).
enum {
    CSANDBOX_ROOT_DIR = 1,      ///< mkdir `path` (mode, owner).
    CSANDBOX_ROOT_FILE,         ///< an empty file at `path`: the mount point of a file bind.
    CSANDBOX_ROOT_COPY,         ///< copy the host file `source` to `path` (mode, owner).
    CSANDBOX_ROOT_BIND_RO,      ///< bind the host `source` on `path`: read-only, nosuid, nodev.
    CSANDBOX_ROOT_BIND_RW,      ///< bind the host `source` on `path`: nosuid, nodev.
    CSANDBOX_ROOT_BIND_DEVICE,  ///< bind the host device `source` on `path`: nosuid, noexec.
    CSANDBOX_ROOT_SYMLINK,      ///< a symlink at `path` pointing to `source`.
    CSANDBOX_ROOT_TMPFS,        ///< a tmpfs on `path` with the options in `source`.
};

/// One step of building a run's root. Every `path` already starts with the root's mount point:
/// the parent joins the strings, the child only makes system calls.
typedef struct csandbox_root_entry {
    int kind;
    const char *path;
    const char *source;
    uint32_t mode;
    int64_t uid;               ///< Owner for DIR/COPY (-1: leave root's).
    int64_t gid;
    uint64_t landlock_access;  ///< Non-zero: a Landlock rule with these rights on `path` once made.
} csandbox_root_entry;

/// Everything the child needs, prepared by the parent before the fork.
typedef struct csandbox_config {
    const char *path;          ///< Executable, absolute.
    char *const *argv;         ///< NULL-terminated.
    char *const *envp;         ///< NULL-terminated; the only environment the child sees.
    const char *workdir;       ///< The run's scratch directory (the tmpfs mountpoint).
    const char *cwd;           ///< Where the program starts; NULL means `workdir`.
    const char *scratch_options; ///< Non-NULL (needs CSANDBOX_NS_MOUNT): mount a tmpfs with these options on `workdir`.
    uint64_t scratch_landlock_access; ///< Landlock rights granted on the mounted tmpfs (rules on a mountpoint do not reach the mount).
    uint64_t proc_landlock_access; ///< Landlock rights on the run's private procfs (0: unreadable, as the host's).
    int loopback_up;           ///< With CSANDBOX_NS_NET: bring the new namespace's lo up (its only interface).
    const char *shm_options;   ///< Non-NULL (needs scratch_options): a private tmpfs with these options on /dev/shm
                               ///< (POSIX semaphores and shared memory: multiprocessing needs them).
    const char *overlay_target;  ///< Non-NULL (needs scratch_options): cover this directory with an overlay whose
                                 ///< writable layer is `overlay_upper` on the scratch tmpfs, so writes beneath it are
                                 ///< bounded like scratch and never reach the host directory.
    const char *overlay_upper;   ///< Made on the tmpfs (owned by the run's uid: the merged root takes its owner).
    const char *overlay_work;    ///< Made on the tmpfs; the overlay's work directory.
    const char *overlay_options; ///< "lowerdir=TARGET,upperdir=UPPER,workdir=WORK".
    int stdin_fd;              ///< Becomes fd 0.
    int stdout_fd;             ///< Becomes fd 1.
    int stderr_fd;             ///< Becomes fd 2.
    int control_fd;            ///< Becomes fd 3 when >= 0 (the harness's private channel).
    const csandbox_rlimit *rlimits;
    int rlimit_count;
    int drop_privileges;       ///< Non-zero: clear groups, drop every capability, switch uid/gid.
    uid_t uid;
    gid_t gid;
    int last_capability;       ///< Highest capability number the kernel knows (from libcap).
    int namespaces;            ///< CSANDBOX_NS_* bits.
    int landlock_ruleset_fd;   ///< -1 when Landlock is not used.
    const csandbox_bpf_insn *filter;
    uint16_t filter_length;
    int seccomp_listener_socket; ///< >= 0: install with NEW_LISTENER and send the listener fd here.
    const char *root_mount;    ///< Non-NULL (needs CSANDBOX_NS_MOUNT): build the run's root on a tmpfs mounted
                               ///< here, `pivot_root` into it and detach the host's tree.
    const char *root_options;  ///< tmpfs options of the root.
    const csandbox_root_entry *root_entries;
    int root_entry_count;
    int cgroup_procs_fd;       ///< >= 0: an open `cgroup.procs` of the run's own cgroup (`--cgroup`);
                               ///< the child writes "0" to it first thing, so the init, the program
                               ///< and all they start are charged to it. -1: none.
} csandbox_config;

/// Stages of the child's set-up, reported back when one fails.
typedef enum csandbox_stage {
    CSANDBOX_STAGE_NONE = 0,
    CSANDBOX_STAGE_CLONE,
    CSANDBOX_STAGE_INIT_FORK,
    CSANDBOX_STAGE_SIGNALS,
    CSANDBOX_STAGE_SETSID,
    CSANDBOX_STAGE_DEATHSIG,
    CSANDBOX_STAGE_STDIO,
    CSANDBOX_STAGE_CLOSE_FDS,
    CSANDBOX_STAGE_CHDIR,
    CSANDBOX_STAGE_MOUNT,
    CSANDBOX_STAGE_RLIMIT,
    CSANDBOX_STAGE_GROUPS,
    CSANDBOX_STAGE_CAPABILITIES,
    CSANDBOX_STAGE_SETGID,
    CSANDBOX_STAGE_SETUID,
    CSANDBOX_STAGE_NO_NEW_PRIVS,
    CSANDBOX_STAGE_LANDLOCK,
    CSANDBOX_STAGE_SECCOMP,
    CSANDBOX_STAGE_SEND_LISTENER,
    CSANDBOX_STAGE_EXEC,
    CSANDBOX_STAGE_OVERLAY,
    CSANDBOX_STAGE_LOOPBACK,
    CSANDBOX_STAGE_ROOT,
    CSANDBOX_STAGE_PIVOT,
    CSANDBOX_STAGE_CGROUP,
} csandbox_stage;

/// What the parent gets back.
typedef struct csandbox_result {
    pid_t pid;          ///< The direct child (the namespace's init when CSANDBOX_NS_PID is set).
    int pidfd;          ///< pidfd of `pid` (-1 if pidfd_open failed).
    int status_fd;      ///< Read end: the init writes the program's wait status (4 bytes) here.
    int failed_stage;   ///< csandbox_stage; CSANDBOX_STAGE_NONE on success.
    int failed_errno;
} csandbox_result;

/// Forks the sandboxed child and waits until it has exec'd (or failed to).
///
/// With CSANDBOX_NS_PID the direct child becomes init of a new PID namespace: it forks the real
/// program, reaps everything, writes the program's wait status to `status_fd` and exits — and
/// the kernel then kills every process left in the namespace, double-forked orphans included.
/// Without it the child is the program itself and `status_fd` is -1.
///
/// Returns 0 when the program was exec'd; -1 with `failed_stage`/`failed_errno` set otherwise
/// (the child has then been reaped).
int csandbox_spawn(const csandbox_config *config, csandbox_result *result);

/// `pipe2(fds, O_CLOEXEC)`; glibc declares pipe2 only under _GNU_SOURCE, which Swift's Glibc lacks.
int csandbox_pipe(int fds[2]);

/// `memfd_create(name, MFD_CLOEXEC)`: an anonymous file, to hand a sample's inputs to a warm pool
/// without touching a filesystem (glibc declares it only under _GNU_SOURCE).
int csandbox_memfd(const char *name);

/// `sched_getaffinity(2)` of the calling thread as a byte mask (bit N of byte N/8 is CPU N);
/// glibc declares it only under _GNU_SOURCE. Returns -1 with errno set.
int csandbox_get_affinity(unsigned char *mask, size_t size);

/// `open(path, O_PATH | O_CLOEXEC)`: a handle naming a path for Landlock rules (O_PATH is GNU-only).
int csandbox_open_path(const char *path);

/// `pidfd_open(2)`; not exposed by Swift's Glibc module.
int csandbox_pidfd_open(pid_t pid);

/// `pidfd_send_signal(2)`: signals exactly the process behind the pidfd, immune to pid reuse.
int csandbox_pidfd_kill(int pidfd, int signal);

/// How many bytes a pipe or socket of another process holds in the kernel, for the memory
/// watch: `pidfd_getfd(2)` takes a copy of descriptor `fd` of the process behind `pidfd`; for a
/// pipe FIONREAD (its unread bytes), for a socket (`is_socket`) TIOCOUTQ (SIOCOUTQ: the memory
/// of what it sent that is not yet consumed, which a unix socket is charged for, so the peer's
/// receive queue is not counted twice); the copy is closed. -1 with errno when the descriptor
/// cannot be taken.
/// In C because `syscall` and `ioctl` are variadic (Swift cannot call them).
long long csandbox_queued_bytes(int pidfd, int fd, int is_socket);

/// `statfs(path)`'s `f_type` (the filesystem's magic number), or -1 with errno; Swift's Glibc
/// module does not export statfs.
long csandbox_filesystem_type(const char *path);

/// Receives one fd passed with SCM_RIGHTS on `socket`; -1 with errno on failure.
int csandbox_receive_fd(int socket);

/// Sends `length` bytes and `count` (at most 16) descriptors (SCM_RIGHTS) as one message on `socket`.
int csandbox_send_fds(int socket, const void *bytes, size_t length, const int *fds, int count);

/// Landlock ABI version of the running kernel, or -1 with errno (ENOSYS/EOPNOTSUPP) without it.
int csandbox_landlock_abi(void);

/// `landlock_create_ruleset(2)` with the fields the ABI understands (0 means "not handled").
int csandbox_landlock_create_ruleset(int abi, uint64_t handled_fs, uint64_t handled_net, uint64_t scoped);

/// Adds a path-beneath rule for the already opened (O_PATH) `parent_fd`. Rights that only make
/// sense for directories are masked off when `parent_fd` is not a directory, as the kernel wants.
int csandbox_landlock_allow_path(int ruleset_fd, int parent_fd, uint64_t access);

/// Receives one seccomp user notification on `listener`; on success sets the syscall number and
/// audit architecture of the call that was stopped. Returns -1 with errno otherwise.
int csandbox_seccomp_receive(int listener, int *syscall_nr, uint32_t *arch, pid_t *pid);

#ifdef __cplusplus
}
#endif

#endif
