#if canImport(Glibc)
    import Glibc
#endif

/// One CPU core for one warm pool, across every grader on the machine.
///
/// A sample's run is a ping-pong between processes: the grader hands the sample over, the
/// tester calls the candidate once per assertion, each answer wakes the other side. Spread over
/// two cores, every one of those wake-ups is a cross-core interrupt and an idle exit; kept on
/// one core they are a plain context switch (measured on a 2-core machine: a call round trip
/// costs ~140 µs of CPU across cores, ~57 µs on one, and the HumanEval set grades ~35% faster).
/// Pools on different cores still run in parallel, so each pool leases a core of its own.
///
/// Like ``SlotLease``, each core is a lock file held with `flock`, dropped by the kernel when
/// the holder exits. When every allowed core is taken (more pools than cores), the pool runs
/// unpinned.
final class CoreLease: Sendable {
    let core: Int32
    private let lockFD: Int32

    private init(core: Int32, lockFD: Int32) {
        self.core = core
        self.lockFD = lockFD
    }

    deinit { Syscall.close(lockFD) }

    /// Takes the first free core among those this process may run on, or nil when none is free.
    static func acquire(directory: String) -> CoreLease? {
        let cores = Syscall.allowedCores()
        guard cores.count > 1 else { return nil }  // one core: nothing to spread, nothing to pin
        mkdir(directory, 0o700)
        for core in cores {
            if let fd = try? Syscall.tryLockFile("\(directory)/cpu-\(core).lock") { return CoreLease(core: core, lockFD: fd) }
        }
        return nil
    }
}
