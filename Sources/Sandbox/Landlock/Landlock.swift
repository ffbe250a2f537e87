import CSandboxSpawn

#if canImport(Glibc)
    import Glibc
#endif

/// Landlock: the unprivileged filesystem, network and scoping layer.
///
/// The ruleset is built in the parent for each run (its workdir differs per run) and only
/// enforced in the child with `landlock_restrict_self`, which needs no_new_privs first.
enum Landlock {
    /// Landlock ABI of the running kernel; nil when the kernel has none (or it is disabled).
    static let abi: Int? = {
        let value = csandbox_landlock_abi()
        return value > 0 ? Int(value) : nil
    }()

    // Filesystem rights (linux/landlock.h); later ABIs add rights, never reorder them.
    static let execute: UInt64 = 1 << 0
    static let writeFile: UInt64 = 1 << 1
    static let readFile: UInt64 = 1 << 2
    static let readDir: UInt64 = 1 << 3
    /// REMOVE_FILE, and TRUNCATE (ABI 3).
    static let removeFile: UInt64 = 1 << 5
    static let truncate: UInt64 = 1 << 14

    /// Every filesystem right the given ABI knows: 13 in ABI 1, REFER in 2, TRUNCATE in 3,
    /// IOCTL_DEV in 5.
    static func handledFilesystem(abi: Int) -> UInt64 {
        var rights: UInt64 = (1 << 13) - 1
        if abi >= 2 { rights |= 1 << 13 }
        if abi >= 3 { rights |= 1 << 14 }
        if abi >= 5 { rights |= 1 << 15 }
        return rights
    }

    /// A ruleset fd ready for the child, plus a description of what it enforces.
    final class Ruleset {
        let fd: Int32
        let abi: Int
        let layers: [String]

        init(fd: Int32, abi: Int, layers: [String]) {
            self.fd = fd
            self.abi = abi
            self.layers = layers
        }

        deinit { Syscall.close(fd) }
    }

    /// Builds the ruleset for one run: read+execute under `readExecute`, read-write under
    /// `readWrite` and the workdir, no TCP bind/connect (ABI 4+), and signals and abstract unix
    /// sockets scoped to the run (ABI 6+); under `readRemove` files can be read and deleted only;
    /// `writeFiles` are single files that can be read, written and truncated, nothing beside them;
    /// `executeFiles` single files that can be read and executed (a compiled program).
    /// Returns nil when the kernel has no Landlock. With `loopbackNetwork` TCP is left to the
    /// run's network namespace, whose only interface is its own lo.
    static func ruleset(
        readExecute: [String], readWrite: [String], readRemove: [String] = [], executeFiles: [String] = [], writeFiles: [String] = [],
        loopbackNetwork: Bool = false
    ) throws(SandboxError) -> Ruleset? {
        guard let abi else { return nil }
        let handled = handledFilesystem(abi: abi)
        // BIND_TCP | CONNECT_TCP, with no rule allowing either.
        let handledNet: UInt64 = abi >= 4 && !loopbackNetwork ? 0b11 : 0
        let scoped: UInt64 = abi >= 6 ? 0b11 : 0  // ABSTRACT_UNIX_SOCKET | SIGNAL
        let fd = csandbox_landlock_create_ruleset(Int32(abi), handled, handledNet, scoped)
        guard fd >= 0 else { throw SandboxError(.landlock, "landlock_create_ruleset", errno: Glibc.errno) }
        var layers = ["filesystem"]
        if handledNet != 0 { layers.append("tcp") }
        if scoped != 0 { layers.append("signal-scope"); layers.append("abstract-unix-scope") }
        let ruleset = Ruleset(fd: fd, abi: abi, layers: layers)
        // REMOVE_FILE (1 << 5) without any MAKE_* or WRITE_FILE: files may be deleted, never created or changed.
        let truncate: UInt64 = abi >= 3 ? Self.truncate : 0
        for (paths, rights) in [
            (readExecute, execute | readFile | readDir), (readWrite, handled), (readRemove, readFile | readDir | removeFile),
            (writeFiles, readFile | writeFile | truncate), (executeFiles, execute | readFile),
        ] {
            for path in paths {
                let target = csandbox_open_path(path)
                if target < 0 {
                    // A runtime path this machine lacks (e.g. /lib64) simply grants nothing.
                    if Glibc.errno == ENOENT { continue }
                    throw SandboxError(.landlock, "open \(path)", errno: Glibc.errno)
                }
                defer { Syscall.close(target) }
                if csandbox_landlock_allow_path(ruleset.fd, target, rights) != 0 {
                    throw SandboxError(.landlock, "landlock_add_rule \(path)", errno: Glibc.errno)
                }
            }
        }
        return ruleset
    }
}
