#if canImport(Glibc)
    import Glibc
#endif

/// Exclusive use of one unprivileged uid/gid for one run, across every grader on the machine.
///
/// Each slot is a lock file held with `flock`; the kernel drops the lock when the holder exits,
/// so a crashed grader never leaks a slot. Distinct uids keep concurrent runs from signalling,
/// ptracing or reading each other, and make RLIMIT_NPROC count only the run's own tasks.
final class SlotLease: Sendable {
    let uid: UInt32
    let gid: UInt32
    private let lockFD: Int32

    private init(uid: UInt32, lockFD: Int32) {
        self.uid = uid
        self.gid = uid
        self.lockFD = lockFD
    }

    deinit { Syscall.close(lockFD) }

    /// Takes the first free slot in `base ..< base + count`, whose lock files live in `directory`.
    static func acquire(base: UInt32, count: UInt32, directory: String) throws(SandboxError) -> SlotLease {
        mkdir(directory, 0o700)
        for index in 0..<count {
            if let fd = try Syscall.tryLockFile("\(directory)/\(base + index).lock") { return SlotLease(uid: base + index, lockFD: fd) }
        }
        throw SandboxError(.noFreeSlot, "all \(count) uid slots from \(base) are in use")
    }
}
