// Proctor — fork/exec of a sandboxed program. See include/sandbox_spawn.h for why this is C.
//
// Rules for everything reachable from child_* functions: raw system calls only. The child is
// created with a raw clone(2) (a fork that can also create a PID namespace), which skips glibc's
// fork bookkeeping, so even glibc wrappers that touch thread state (setuid, setgroups broadcast
// to "all threads" with signals) would deadlock; no malloc, no stdio, no errno-dependent libc.

#define _GNU_SOURCE
#include "sandbox_spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#define SYS_landlock_add_rule 445
#define SYS_landlock_restrict_self 446
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif

/// `struct mount_attr` and its flags (Debian 12's headers predate mount_setattr).
struct proctor_mount_attr {
    uint64_t attr_set;
    uint64_t attr_clr;
    uint64_t propagation;
    uint64_t userns_fd;
};
#define PROCTOR_MOUNT_ATTR_RDONLY 0x1ULL
#define PROCTOR_MOUNT_ATTR_NOSUID 0x2ULL
#define PROCTOR_MOUNT_ATTR_NODEV 0x4ULL
#define PROCTOR_MOUNT_ATTR_NOEXEC 0x8ULL
#define PROCTOR_AT_RECURSIVE 0x8000

/// Layouts of the Landlock structures as of ABI 6 (the kernel accepts shorter prefixes, and
/// Debian 12's headers only know the first field).
struct proctor_landlock_ruleset_attr {
    uint64_t handled_access_fs;
    uint64_t handled_access_net;
    uint64_t scoped;
};
struct proctor_landlock_path_beneath_attr {
    uint64_t allowed_access;
    int32_t parent_fd;
} __attribute__((packed));

#define PROCTOR_LANDLOCK_RULE_PATH_BENEATH 1
#define PROCTOR_LANDLOCK_CREATE_RULESET_VERSION (1U << 0)
/// File-only rights: EXECUTE, WRITE_FILE, READ_FILE, TRUNCATE (ABI 3), IOCTL_DEV (ABI 5).
#define PROCTOR_LANDLOCK_FILE_RIGHTS ((1ULL << 0) | (1ULL << 1) | (1ULL << 2) | (1ULL << 14) | (1ULL << 15))

/// The kernel's sigaction layout (glibc's differs); used with the raw rt_sigaction syscall.
struct proctor_kernel_sigaction {
    void (*handler)(int);
    unsigned long flags;
    void (*restorer)(void);
    uint64_t mask;
};

/// Serialises spawns: the signal-mask dance below is per thread, but keeping one spawn at a
/// time also keeps fd inheritance windows simple.
static pthread_mutex_t spawn_lock = PTHREAD_MUTEX_INITIALIZER;

struct failure {
    int32_t stage;
    int32_t err;
};

/// Room for the SCM_RIGHTS control data of up to 16 descriptors.
union rights_buffer {
    struct cmsghdr header;
    char bytes[CMSG_SPACE(16 * sizeof(int))];
};

/// Fills `message` to carry `iov` and `count` descriptors in caller-provided storage: no
/// allocation, so the child may use it between fork and exec.
static void build_rights_message(struct msghdr *message, struct iovec *iov, union rights_buffer *buffer, const int *fds, int count) {
    memset(buffer, 0, sizeof *buffer);
    memset(message, 0, sizeof *message);
    message->msg_iov = iov;
    message->msg_iovlen = 1;
    if (count <= 0) return;
    message->msg_control = buffer->bytes;
    message->msg_controllen = CMSG_SPACE(count * sizeof(int));
    struct cmsghdr *cmsg = CMSG_FIRSTHDR(message);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(count * sizeof(int));
    memcpy(CMSG_DATA(cmsg), fds, count * sizeof(int));
}

static void child_fail(int error_fd, csandbox_stage stage, int err) {
    struct failure f = {stage, err};
    ssize_t ignored = syscall(SYS_write, error_fd, &f, sizeof f);
    (void)ignored;
    syscall(SYS_exit_group, 127);
    __builtin_unreachable();
}

static int child_errno(long rc) {
    // glibc's syscall() stores errno in thread-local storage, which is valid in the child: the
    // clone copied the forking thread, TLS included.
    return rc == -1 ? errno : 0;
}

/// Default dispositions for every signal and an empty mask: Swift's worker threads block
/// almost everything, and both the mask and SIG_IGN survive execve.
static void child_reset_signals(int error_fd) {
    struct proctor_kernel_sigaction action;
    memset(&action, 0, sizeof action);
    action.handler = SIG_DFL;
    for (int sig = 1; sig < 65; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        syscall(SYS_rt_sigaction, sig, &action, NULL, 8);
    }
    uint64_t empty = 0;
    if (syscall(SYS_rt_sigprocmask, SIG_SETMASK, &empty, NULL, 8) != 0)
        child_fail(error_fd, CSANDBOX_STAGE_SIGNALS, errno);
}

/// Moves `fd` out of the way of 0..3 so the dup2 calls below cannot clobber a source.
static int child_lift(int error_fd, int fd) {
    if (fd < 0) return -1;
    long lifted = syscall(SYS_fcntl, fd, F_DUPFD_CLOEXEC, 10);
    if (lifted < 0) child_fail(error_fd, CSANDBOX_STAGE_STDIO, errno);
    return (int)lifted;
}

static void child_place(int error_fd, int source, int target) {
    if (syscall(SYS_dup2, source, target) < 0) child_fail(error_fd, CSANDBOX_STAGE_STDIO, errno);
}

/// Grants `access` on `path`, opened with `flags` besides O_PATH (O_DIRECTORY, O_NOFOLLOW).
static void child_allow(int error_fd, int ruleset, const char *path, uint64_t access, int flags, csandbox_stage stage) {
    if (ruleset < 0 || access == 0) return;
    long target = syscall(SYS_openat, AT_FDCWD, path, O_PATH | O_CLOEXEC | flags);
    if (target < 0) child_fail(error_fd, stage, errno);
    struct proctor_landlock_path_beneath_attr rule = {access, (int32_t)target};
    if (syscall(SYS_landlock_add_rule, ruleset, PROCTOR_LANDLOCK_RULE_PATH_BENEATH, &rule, 0) != 0)
        child_fail(error_fd, CSANDBOX_STAGE_LANDLOCK, errno);
    syscall(SYS_close, target);
}

/// Grants `access` beneath the root of a mount the child just made. Landlock skips a mountpoint
/// when walking up from inside the mount, so a rule the parent put on the directory underneath
/// does not cover what is mounted over it.
static void child_allow_mount(int error_fd, int ruleset, const char *path, uint64_t access, csandbox_stage stage) {
    child_allow(error_fd, ruleset, path, access, O_DIRECTORY, stage);
}

/// Sets mount attributes on a bind mount and everything mounted beneath it (mount_setattr with
/// AT_RECURSIVE); kernels before 5.12 get a remount of the top mount only.
static void child_restrict_mount(int error_fd, const char *path, uint64_t attributes, unsigned long flags) {
    struct proctor_mount_attr attr = {attributes, 0, 0, 0};
    if (syscall(SYS_mount_setattr, AT_FDCWD, path, PROCTOR_AT_RECURSIVE, &attr, sizeof attr) == 0) return;
    if (errno != ENOSYS) child_fail(error_fd, CSANDBOX_STAGE_ROOT, errno);
    if (syscall(SYS_mount, NULL, path, NULL, MS_BIND | MS_REMOUNT | flags, NULL) != 0)
        child_fail(error_fd, CSANDBOX_STAGE_ROOT, errno);
}

/// Copies one input file into the run's root with a kernel-side copy (no buffer of ours).
static void child_copy_file(int error_fd, const csandbox_root_entry *entry) {
    long in = syscall(SYS_openat, AT_FDCWD, entry->source, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (in < 0) child_fail(error_fd, CSANDBOX_STAGE_ROOT, errno);
    long out = syscall(SYS_openat, AT_FDCWD, entry->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (out < 0) child_fail(error_fd, CSANDBOX_STAGE_ROOT, errno);
    for (;;) {
        long copied = syscall(SYS_sendfile, out, in, NULL, 1 << 20);
        if (copied == 0) break;
        if (copied < 0 && errno != EINTR) child_fail(error_fd, CSANDBOX_STAGE_ROOT, errno);
    }
    if (entry->uid >= 0 && syscall(SYS_fchown, out, (uid_t)entry->uid, (gid_t)entry->gid) != 0)
        child_fail(error_fd, CSANDBOX_STAGE_ROOT, errno);
    if (syscall(SYS_fchmod, out, entry->mode) != 0) child_fail(error_fd, CSANDBOX_STAGE_ROOT, errno);
    syscall(SYS_close, in);
    syscall(SYS_close, out);
}

/// Builds the run's whole world on a fresh tmpfs and makes it the root (what nsjail, isolate
/// and bubblewrap do): exactly the entries the parent listed — the profile's paths bound
/// read-only, a few device nodes, the inputs copied onto a small tmpfs of their own — and
/// nothing else of the host. After `pivot_root` the host's tree is detached, so no path of it
/// can be opened, stat'ed, watched, `utime`d or sent to, whatever Landlock would have said.
static void child_build_root(const csandbox_config *c, int error_fd, int ruleset) {
    if (syscall(SYS_mount, "proctor-root", c->root_mount, "tmpfs", MS_NOSUID | MS_NODEV, c->root_options) != 0)
        child_fail(error_fd, CSANDBOX_STAGE_ROOT, errno);
    for (int i = 0; i < c->root_entry_count; i++) {
        const csandbox_root_entry *entry = &c->root_entries[i];
        switch (entry->kind) {
        case CSANDBOX_ROOT_DIR:
            if (syscall(SYS_mkdirat, AT_FDCWD, entry->path, 0700) != 0) child_fail(error_fd, CSANDBOX_STAGE_ROOT, errno);
            if (entry->uid >= 0 && syscall(SYS_fchownat, AT_FDCWD, entry->path, (uid_t)entry->uid, (gid_t)entry->gid, AT_SYMLINK_NOFOLLOW) != 0)
                child_fail(error_fd, CSANDBOX_STAGE_ROOT, errno);
            if (syscall(SYS_fchmodat, AT_FDCWD, entry->path, entry->mode) != 0) child_fail(error_fd, CSANDBOX_STAGE_ROOT, errno);
            break;
        case CSANDBOX_ROOT_FILE: {
            long fd = syscall(SYS_openat, AT_FDCWD, entry->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0444);
            if (fd < 0) child_fail(error_fd, CSANDBOX_STAGE_ROOT, errno);
            syscall(SYS_close, fd);
            break;
        }
        case CSANDBOX_ROOT_COPY:
            child_copy_file(error_fd, entry);
            break;
        case CSANDBOX_ROOT_BIND_RO:
        case CSANDBOX_ROOT_BIND_RW:
        case CSANDBOX_ROOT_BIND_DEVICE: {
            if (syscall(SYS_mount, entry->source, entry->path, NULL, MS_BIND | MS_REC, NULL) != 0)
                child_fail(error_fd, CSANDBOX_STAGE_ROOT, errno);
            uint64_t attributes = PROCTOR_MOUNT_ATTR_NOSUID;
            unsigned long flags = MS_NOSUID;
            if (entry->kind == CSANDBOX_ROOT_BIND_DEVICE) {
                attributes |= PROCTOR_MOUNT_ATTR_NOEXEC;
                flags |= MS_NOEXEC;
            } else {
                attributes |= PROCTOR_MOUNT_ATTR_NODEV;
                flags |= MS_NODEV;
            }
            if (entry->kind == CSANDBOX_ROOT_BIND_RO) {
                attributes |= PROCTOR_MOUNT_ATTR_RDONLY;
                flags |= MS_RDONLY;
            }
            child_restrict_mount(error_fd, entry->path, attributes, flags);
            break;
        }
        case CSANDBOX_ROOT_SYMLINK:
            if (syscall(SYS_symlinkat, entry->source, AT_FDCWD, entry->path) != 0) child_fail(error_fd, CSANDBOX_STAGE_ROOT, errno);
            break;
        case CSANDBOX_ROOT_TMPFS:
            if (syscall(SYS_mount, "proctor-inputs", entry->path, "tmpfs", MS_NOSUID | MS_NODEV, entry->source) != 0)
                child_fail(error_fd, CSANDBOX_STAGE_ROOT, errno);
            break;
        default:
            child_fail(error_fd, CSANDBOX_STAGE_ROOT, EINVAL);
        }
        // A file or directory just made in the run's root: a rule of its own (its inode is new).
        child_allow(error_fd, ruleset, entry->path, entry->landlock_access, O_NOFOLLOW, CSANDBOX_STAGE_ROOT);
    }
    // pivot_root(".", ".") stacks the old root on the new one; detaching it leaves only the new.
    if (syscall(SYS_chdir, c->root_mount) != 0) child_fail(error_fd, CSANDBOX_STAGE_PIVOT, errno);
    if (syscall(SYS_pivot_root, ".", ".") != 0) child_fail(error_fd, CSANDBOX_STAGE_PIVOT, errno);
    if (syscall(SYS_umount2, ".", MNT_DETACH) != 0) child_fail(error_fd, CSANDBOX_STAGE_PIVOT, errno);
    if (syscall(SYS_chdir, "/") != 0) child_fail(error_fd, CSANDBOX_STAGE_PIVOT, errno);
}

/// The program's own set-up, in the order the research notes validated: stdio, fds, cwd,
/// rlimits, privileges, no_new_privs, Landlock, and seccomp last, right before execve.
static void child_exec_program(const csandbox_config *c, int error_fd) {
    // Lift every descriptor we still need above the targets, then place them: stdio and the
    // control channel at 0-3 (inherited by the program), and the error pipe, Landlock ruleset
    // and listener socket at 4-6 (close-on-exec, used before exec only).
    int in = child_lift(error_fd, c->stdin_fd);
    int out = child_lift(error_fd, c->stdout_fd);
    int err = child_lift(error_fd, c->stderr_fd);
    int control = child_lift(error_fd, c->control_fd);
    int lifted_error = child_lift(error_fd, error_fd);
    int ruleset = child_lift(lifted_error, c->landlock_ruleset_fd);
    int listener_socket = child_lift(lifted_error, c->seccomp_listener_socket);
    error_fd = lifted_error;
    child_place(error_fd, in, 0);
    child_place(error_fd, out, 1);
    child_place(error_fd, err, 2);
    if (control >= 0) child_place(error_fd, control, 3);
    if (syscall(SYS_dup3, error_fd, 4, O_CLOEXEC) < 0) child_fail(error_fd, CSANDBOX_STAGE_STDIO, errno);
    error_fd = 4;
    if (ruleset >= 0) {
        if (syscall(SYS_dup3, ruleset, 5, O_CLOEXEC) < 0) child_fail(error_fd, CSANDBOX_STAGE_STDIO, errno);
        ruleset = 5;
    }
    if (listener_socket >= 0) {
        if (syscall(SYS_dup3, listener_socket, 6, O_CLOEXEC) < 0) child_fail(error_fd, CSANDBOX_STAGE_STDIO, errno);
        listener_socket = 6;
    }
    if (control < 0) syscall(SYS_close, 3);
    // Everything else the grader had open is closed for real — database sockets, other runs'
    // pipes, log files — so nothing leaks and RLIMIT_NOFILE starts from an almost empty table
    // (the seccomp listener needs a free slot below it).
    if (syscall(SYS_close_range, 7, ~0U, 0) != 0) child_fail(error_fd, CSANDBOX_STAGE_CLOSE_FDS, errno);
    if (ruleset < 0) syscall(SYS_close, 5);
    if (listener_socket < 0) syscall(SYS_close, 6);

    // A private tmpfs over the scratch directory: what the program writes is bounded in bytes
    // and inodes, costs no host disk, and vanishes with the run's mount namespace.
    if (c->scratch_options != NULL && (c->namespaces & CSANDBOX_NS_MOUNT)) {
        if (syscall(SYS_mount, "none", "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
            child_fail(error_fd, CSANDBOX_STAGE_MOUNT, errno);
        if (c->root_mount != NULL) child_build_root(c, error_fd, ruleset);
        if (syscall(SYS_mount, "proctor-scratch", c->workdir, "tmpfs", MS_NOSUID | MS_NODEV, c->scratch_options) != 0)
            child_fail(error_fd, CSANDBOX_STAGE_MOUNT, errno);
        child_allow_mount(error_fd, ruleset, c->workdir, c->scratch_landlock_access, CSANDBOX_STAGE_MOUNT);
        // A procfs of the run's own PID namespace over /proc: the host's processes (their pids,
        // owners, command lines) are not there even to stat(), which Landlock does not govern.
        // Best effort: where the kernel refuses a new procfs (a container with masked /proc
        // paths), /proc stays the host's, still unreadable under Landlock.
        if (c->namespaces & CSANDBOX_NS_PID) {
            if (syscall(SYS_mount, "proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "hidepid=invisible") != 0)
                syscall(SYS_mount, "proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
            // Readable only where the profile asks (test suites that count their CPUs or read
            // their own status): it shows the run's own processes and nothing of the host's.
            child_allow_mount(error_fd, ruleset, "/proc", c->proc_landlock_access, CSANDBOX_STAGE_MOUNT);
        }
        // A /dev/shm of the run's own (multiprocessing's semaphores live there), bounded and
        // discarded like scratch, instead of the host's shared one.
        if (c->shm_options != NULL) {
            if (syscall(SYS_mount, "proctor-shm", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, c->shm_options) != 0)
                child_fail(error_fd, CSANDBOX_STAGE_MOUNT, errno);
            child_allow_mount(error_fd, ruleset, "/dev/shm", c->scratch_landlock_access, CSANDBOX_STAGE_MOUNT);
        }
        // A caller-built working tree (a repository checkout) is read from the host but written to
        // an overlay layer on the tmpfs: a test suite that writes without end fills the run's quota,
        // not the host's disk, and leaves the checkout as it was.
        if (c->overlay_target != NULL) {
            if (syscall(SYS_mkdirat, AT_FDCWD, c->overlay_upper, 0755) != 0 || syscall(SYS_mkdirat, AT_FDCWD, c->overlay_work, 0700) != 0)
                child_fail(error_fd, CSANDBOX_STAGE_OVERLAY, errno);
            if (c->drop_privileges && syscall(SYS_fchownat, AT_FDCWD, c->overlay_upper, c->uid, c->gid, 0) != 0)
                child_fail(error_fd, CSANDBOX_STAGE_OVERLAY, errno);
            if (syscall(SYS_mount, "proctor-tree", c->overlay_target, "overlay", MS_NOSUID | MS_NODEV, c->overlay_options) != 0)
                child_fail(error_fd, CSANDBOX_STAGE_OVERLAY, errno);
            child_allow_mount(error_fd, ruleset, c->overlay_target, c->scratch_landlock_access, CSANDBOX_STAGE_OVERLAY);
        }
        // Everything is mounted: the root itself (its directories and mount points) becomes
        // read-only, so the run can add nothing beside what it was given.
        if (c->root_mount != NULL && syscall(SYS_mount, NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) != 0)
            child_fail(error_fd, CSANDBOX_STAGE_PIVOT, errno);
    } else if (c->overlay_target != NULL || c->root_mount != NULL) {
        child_fail(error_fd, c->root_mount != NULL ? CSANDBOX_STAGE_ROOT : CSANDBOX_STAGE_OVERLAY, EINVAL);
    }
    // A network namespace of the run's own starts with lo down; up, it is the run's whole
    // network: servers the tests start on 127.0.0.1 are reachable, nothing of the host's is.
    if (c->loopback_up && (c->namespaces & CSANDBOX_NS_NET)) {
        long sock = syscall(SYS_socket, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (sock < 0) child_fail(error_fd, CSANDBOX_STAGE_LOOPBACK, errno);
        struct ifreq request;
        char *bytes = (char *)&request;
        for (size_t i = 0; i < sizeof request; i++) bytes[i] = 0;
        request.ifr_name[0] = 'l';
        request.ifr_name[1] = 'o';
        request.ifr_flags = IFF_UP | IFF_LOOPBACK | IFF_RUNNING;
        if (syscall(SYS_ioctl, sock, SIOCSIFFLAGS, &request) != 0) child_fail(error_fd, CSANDBOX_STAGE_LOOPBACK, errno);
        syscall(SYS_close, sock);
    }
    if (syscall(SYS_chdir, c->cwd != NULL ? c->cwd : c->workdir) != 0) child_fail(error_fd, CSANDBOX_STAGE_CHDIR, errno);

    for (int i = 0; i < c->rlimit_count; i++) {
        struct rlimit limit = {(rlim_t)c->rlimits[i].soft, (rlim_t)c->rlimits[i].hard};
        if (syscall(SYS_setrlimit, c->rlimits[i].resource, &limit) != 0)
            child_fail(error_fd, CSANDBOX_STAGE_RLIMIT, errno);
    }

    if (c->drop_privileges) {
        if (syscall(SYS_setgroups, 0, NULL) != 0) child_fail(error_fd, CSANDBOX_STAGE_GROUPS, errno);
        // The bounding set can only be lowered while we still hold CAP_SETPCAP, i.e. before setuid.
        for (int cap = 0; cap <= c->last_capability; cap++) {
            if (syscall(SYS_prctl, PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL)
                child_fail(error_fd, CSANDBOX_STAGE_CAPABILITIES, errno);
        }
        if (syscall(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL)
            child_fail(error_fd, CSANDBOX_STAGE_CAPABILITIES, errno);
        if (syscall(SYS_setresgid, c->gid, c->gid, c->gid) != 0) child_fail(error_fd, CSANDBOX_STAGE_SETGID, errno);
        if (syscall(SYS_setresuid, c->uid, c->uid, c->uid) != 0) child_fail(error_fd, CSANDBOX_STAGE_SETUID, errno);
        // Leaving uid 0 cleared effective and permitted; clear inheritable too.
        struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
        struct __user_cap_data_struct data[2];
        memset(data, 0, sizeof data);
        if (syscall(SYS_capset, &header, data) != 0) child_fail(error_fd, CSANDBOX_STAGE_CAPABILITIES, errno);
    }

    if (syscall(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        child_fail(error_fd, CSANDBOX_STAGE_NO_NEW_PRIVS, errno);

    if (ruleset >= 0) {
        if (syscall(SYS_landlock_restrict_self, ruleset, 0) != 0)
            child_fail(error_fd, CSANDBOX_STAGE_LANDLOCK, errno);
    }

    if (c->filter != NULL && c->filter_length > 0) {
        struct sock_fprog program = {c->filter_length, (struct sock_filter *)c->filter};
        if (listener_socket >= 0) {
            long listener = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &program);
            if (listener < 0) child_fail(error_fd, CSANDBOX_STAGE_SECCOMP, errno);
            // From here on the filter applies to us: sendmsg, close and execve must be allowed.
            char payload = 'L';
            struct iovec iov = {&payload, 1};
            int listener_fd = (int)listener;
            union rights_buffer rights;
            struct msghdr message;
            build_rights_message(&message, &iov, &rights, &listener_fd, 1);
            if (syscall(SYS_sendmsg, listener_socket, &message, MSG_NOSIGNAL) < 0)
                child_fail(error_fd, CSANDBOX_STAGE_SEND_LISTENER, errno);
            syscall(SYS_close, listener_fd);
        } else if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &program) != 0) {
            child_fail(error_fd, CSANDBOX_STAGE_SECCOMP, errno);
        }
    }

    syscall(SYS_execve, c->path, c->argv, c->envp);
    child_fail(error_fd, CSANDBOX_STAGE_EXEC, errno);
}

/// Init of the run's PID namespace: starts the program, reaps every process of the run, and
/// reports the program's wait status. Its exit makes the kernel kill whatever is left.
static void child_run_init(const csandbox_config *c, int error_fd, int status_fd) {
    long pid = syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
    if (pid < 0) child_fail(error_fd, CSANDBOX_STAGE_INIT_FORK, errno);
    if (pid == 0) {
        syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
        syscall(SYS_close, status_fd);
        child_exec_program(c, error_fd);
    }
    // Keep only the status pipe: holding the program's stdio or the error pipe would stop the
    // grader from seeing EOF.
    if (status_fd != 0) syscall(SYS_close_range, 0, status_fd - 1, 0);
    syscall(SYS_close_range, status_fd + 1, ~0U, 0);
    for (;;) {
        int status = 0;
        long reaped = syscall(SYS_wait4, -1, &status, __WALL, NULL);
        if (reaped == pid) {
            int32_t value = status;
            ssize_t ignored = syscall(SYS_write, status_fd, &value, sizeof value);
            (void)ignored;
            // Kill what the program left (a harness's candidate, orphans) and reap it here, so
            // its CPU time and peak memory add to ours and reach the grader's wait4: a sample
            // killed for its wall time is still accounted.
            syscall(SYS_kill, -1, SIGKILL);
            while (syscall(SYS_wait4, -1, &status, __WALL, NULL) > 0 || errno == EINTR) {
            }
            syscall(SYS_exit_group, 0);
        }
        if (reaped < 0 && errno == ECHILD) syscall(SYS_exit_group, 0);
    }
}

int csandbox_spawn(const csandbox_config *config, csandbox_result *result) {
    memset(result, 0, sizeof *result);
    result->pid = -1;
    result->pidfd = -1;
    result->status_fd = -1;

    int error_pipe[2];
    if (pipe2(error_pipe, O_CLOEXEC) != 0) {
        result->failed_stage = CSANDBOX_STAGE_CLONE;
        result->failed_errno = errno;
        return -1;
    }
    int use_init = (config->namespaces & CSANDBOX_NS_PID) != 0;
    int status_pipe[2] = {-1, -1};
    if (use_init && pipe2(status_pipe, O_CLOEXEC) != 0) {
        result->failed_stage = CSANDBOX_STAGE_CLONE;
        result->failed_errno = errno;
        close(error_pipe[0]);
        close(error_pipe[1]);
        return -1;
    }

    unsigned long flags = SIGCHLD;
    if (config->namespaces & CSANDBOX_NS_PID) flags |= CLONE_NEWPID;
    if (config->namespaces & CSANDBOX_NS_IPC) flags |= CLONE_NEWIPC;
    if (config->namespaces & CSANDBOX_NS_UTS) flags |= CLONE_NEWUTS;
    if (config->namespaces & CSANDBOX_NS_NET) flags |= CLONE_NEWNET;
    if (config->namespaces & CSANDBOX_NS_MOUNT) flags |= CLONE_NEWNS;

    pthread_mutex_lock(&spawn_lock);
    // Block every signal around the clone so no handler of the grader runs in the child before
    // it has reset them.
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);

    long pid = syscall(SYS_clone, flags, 0, 0, 0, 0);
    if (pid == 0) {
        int error_fd = error_pipe[1];
        syscall(SYS_close, error_pipe[0]);
        if (status_pipe[0] >= 0) syscall(SYS_close, status_pipe[0]);
        child_reset_signals(error_fd);
        // Into the run's own cgroup before anything else runs, while still the grader's uid
        // (moving a process needs write access to the cgroup's procs file).
        if (config->cgroup_procs_fd >= 0) {
            if (syscall(SYS_write, config->cgroup_procs_fd, "0", 1) != 1) child_fail(error_fd, CSANDBOX_STAGE_CGROUP, errno);
            syscall(SYS_close, config->cgroup_procs_fd);
        }
        if (syscall(SYS_setsid) < 0) child_fail(error_fd, CSANDBOX_STAGE_SETSID, errno);
        // Dies with the spawning thread, which is why the Swift side spawns from one long-lived
        // dedicated thread.
        if (syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0)
            child_fail(error_fd, CSANDBOX_STAGE_DEATHSIG, errno);
        if (use_init) child_run_init(config, error_fd, status_pipe[1]);
        child_exec_program(config, error_fd);
    }
    int clone_errno = errno;
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    pthread_mutex_unlock(&spawn_lock);

    close(error_pipe[1]);
    if (status_pipe[1] >= 0) close(status_pipe[1]);
    if (pid < 0) {
        close(error_pipe[0]);
        if (status_pipe[0] >= 0) close(status_pipe[0]);
        result->failed_stage = CSANDBOX_STAGE_CLONE;
        result->failed_errno = clone_errno;
        return -1;
    }
    result->pid = (pid_t)pid;
    result->pidfd = csandbox_pidfd_open((pid_t)pid);
    result->status_fd = status_pipe[0];

    // EOF on the error pipe means the program was exec'd (its copy was close-on-exec and the
    // init closed its own); a record means a stage failed.
    struct failure failure = {0, 0};
    ssize_t got;
    do {
        got = read(error_pipe[0], &failure, sizeof failure);
    } while (got < 0 && errno == EINTR);
    close(error_pipe[0]);
    if (got == (ssize_t)sizeof failure) {
        result->failed_stage = failure.stage;
        result->failed_errno = failure.err;
        kill((pid_t)pid, SIGKILL);
        int status;
        while (waitpid((pid_t)pid, &status, __WALL) < 0 && errno == EINTR) {
        }
        if (result->pidfd >= 0) close(result->pidfd);
        if (result->status_fd >= 0) close(result->status_fd);
        result->pidfd = -1;
        result->status_fd = -1;
        return -1;
    }
    return 0;
}

int csandbox_pipe(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

int csandbox_memfd(const char *name) { return (int)syscall(SYS_memfd_create, name, MFD_CLOEXEC); }

int csandbox_get_affinity(unsigned char *mask, size_t size) {
    memset(mask, 0, size);
    return syscall(SYS_sched_getaffinity, 0, size, mask) < 0 ? -1 : 0;
}

int csandbox_open_path(const char *path) { return open(path, O_PATH | O_CLOEXEC); }

int csandbox_pidfd_open(pid_t pid) { return (int)syscall(SYS_pidfd_open, pid, 0); }

int csandbox_pidfd_kill(int pidfd, int signal) { return (int)syscall(SYS_pidfd_send_signal, pidfd, signal, NULL, 0); }

long long csandbox_queued_bytes(int pidfd, int fd, int is_socket) {
    int copy = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
    if (copy < 0) return -1;
    int count = 0;
    long long total = 0;
    if (ioctl(copy, is_socket ? TIOCOUTQ : FIONREAD, &count) == 0 && count > 0) total = count;
    close(copy);
    return total;
}

long csandbox_filesystem_type(const char *path) {
    struct statfs info;
    if (statfs(path, &info) != 0) return -1;
    return (long)info.f_type;
}

int csandbox_receive_fd(int socket) {
    char payload;
    struct iovec iov = {&payload, 1};
    union {
        struct cmsghdr header;
        char buffer[CMSG_SPACE(sizeof(int))];
    } control_message;
    struct msghdr message;
    memset(&message, 0, sizeof message);
    message.msg_iov = &iov;
    message.msg_iovlen = 1;
    message.msg_control = control_message.buffer;
    message.msg_controllen = sizeof control_message.buffer;
    ssize_t got;
    do {
        got = recvmsg(socket, &message, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
    } while (got < 0 && errno == EINTR);
    if (got <= 0) {
        if (got == 0) errno = ENOMSG;
        return -1;
    }
    struct cmsghdr *cmsg = CMSG_FIRSTHDR(&message);
    if (cmsg == NULL || cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS) {
        errno = EPROTO;
        return -1;
    }
    int fd;
    memcpy(&fd, CMSG_DATA(cmsg), sizeof fd);
    return fd;
}

int csandbox_send_fds(int socket, const void *bytes, size_t length, const int *fds, int count) {
    if (count < 0 || count > 16) {
        errno = EINVAL;
        return -1;
    }
    struct iovec iov = {(void *)bytes, length};
    union rights_buffer rights;
    struct msghdr message;
    build_rights_message(&message, &iov, &rights, fds, count);
    ssize_t sent;
    do {
        sent = sendmsg(socket, &message, MSG_NOSIGNAL);
    } while (sent < 0 && errno == EINTR);
    return sent < 0 ? -1 : 0;
}

int csandbox_landlock_abi(void) {
    return (int)syscall(SYS_landlock_create_ruleset, NULL, 0, PROCTOR_LANDLOCK_CREATE_RULESET_VERSION);
}

int csandbox_landlock_create_ruleset(int abi, uint64_t handled_fs, uint64_t handled_net, uint64_t scoped) {
    struct proctor_landlock_ruleset_attr attr = {handled_fs, handled_net, scoped};
    size_t size = sizeof(uint64_t);                       // ABI 1-3: filesystem only
    if (abi >= 4) size = 2 * sizeof(uint64_t);            // ABI 4: TCP bind/connect
    if (abi >= 6) size = sizeof attr;                     // ABI 6: signal and abstract-socket scoping
    return (int)syscall(SYS_landlock_create_ruleset, &attr, size, 0);
}

int csandbox_landlock_allow_path(int ruleset_fd, int parent_fd, uint64_t access) {
    struct stat info;
    if (fstat(parent_fd, &info) != 0) return -1;
    if (!S_ISDIR(info.st_mode)) access &= PROCTOR_LANDLOCK_FILE_RIGHTS;
    struct proctor_landlock_path_beneath_attr rule = {access, parent_fd};
    return (int)syscall(SYS_landlock_add_rule, ruleset_fd, PROCTOR_LANDLOCK_RULE_PATH_BENEATH, &rule, 0);
}

int csandbox_seccomp_receive(int listener, int *syscall_nr, uint32_t *arch, pid_t *pid) {
    struct seccomp_notif notification;
    memset(&notification, 0, sizeof notification);
    if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &notification) != 0) return -1;
    *syscall_nr = notification.data.nr;
    *arch = notification.data.arch;
    *pid = (pid_t)notification.pid;
    return 0;
}
