import CSandboxSpawn

#if canImport(Glibc)
    import Glibc
#endif

/// Everything the C child reads, laid out as C memory before the fork.
///
/// This is the only type that owns raw pointers on the spawn path: strings are `strdup`ed and
/// freed in `deinit`, so they outlive `csandbox_spawn` and nothing is allocated in the child.
final class SpawnContext: @unchecked Sendable {
    // @unchecked: the pointers are created in init, read only by `spawn()` on the spawner
    // thread while the caller waits for it, and freed in deinit.
    private let path: UnsafeMutablePointer<CChar>
    private let argv: [UnsafeMutablePointer<CChar>?]
    private let envp: [UnsafeMutablePointer<CChar>?]
    private let workdir: UnsafeMutablePointer<CChar>
    private let scratchOptions: UnsafeMutablePointer<CChar>?
    private let sharedMemoryOptions: UnsafeMutablePointer<CChar>?
    private let cwd: UnsafeMutablePointer<CChar>?
    private let overlay: [UnsafeMutablePointer<CChar>?]
    private let rlimits: [csandbox_rlimit]
    private let filter: [UInt8]
    private let rootMount: UnsafeMutablePointer<CChar>?
    private let rootOptions: UnsafeMutablePointer<CChar>?
    /// Each entry's path and source, duplicated; `rootEntries` points into them.
    private let rootStrings: [UnsafeMutablePointer<CChar>?]
    private let rootEntries: [csandbox_root_entry]
    private var config = csandbox_config()

    struct Plan {
        var arguments: [String]
        var environment: [String]
        var workdir: String
        /// Where the program starts, when not in `workdir` (a caller-built working tree).
        var cwd: String? = nil
        /// A directory to cover with an overlay whose writable layer is on the scratch tmpfs.
        var overlay: Overlay? = nil
        /// tmpfs mount options for a private scratch mount on `workdir` (needs a mount namespace).
        var scratchOptions: String?
        /// tmpfs mount options for a private /dev/shm (needs `scratchOptions`).
        var sharedMemoryOptions: String? = nil
        /// Landlock rights on the run's private procfs.
        var procLandlockAccess: UInt64 = 0
        /// Bring lo up in the run's network namespace.
        var loopback = false
        /// Landlock rights on the scratch tmpfs (the rights the ruleset grants read-write paths).
        var scratchLandlockAccess: UInt64 = 0
        var stdin: Int32
        var stdout: Int32
        var stderr: Int32
        var control: Int32
        var rlimits: [(Int32, UInt64, UInt64)]
        var slot: SlotLease?
        var lastCapability: Int32
        var namespaces: Int32
        var landlockFD: Int32
        var filter: [UInt8]
        var listenerSocket: Int32
        /// The run's own root (needs a mount namespace); nil: the host's tree, fenced by Landlock.
        var root: MinimalRoot? = nil
        /// An open `cgroup.procs` of the run's own cgroup (`--cgroup`); the child joins it first.
        var cgroupProcs: Int32 = -1
    }

    struct Overlay {
        var target: String
        var upper: String
        var work: String
        var options: String { "lowerdir=\(target),upperdir=\(upper),workdir=\(work)" }
    }

    init(_ plan: Plan) {
        path = strdup(plan.arguments[0])
        argv = plan.arguments.map { strdup($0) } + [nil]
        envp = plan.environment.map { strdup($0) } + [nil]
        workdir = strdup(plan.workdir)
        scratchOptions = plan.scratchOptions.map { strdup($0) }
        sharedMemoryOptions = plan.sharedMemoryOptions.map { strdup($0) }
        cwd = plan.cwd.map { strdup($0) }
        overlay = plan.overlay.map { [strdup($0.target), strdup($0.upper), strdup($0.work), strdup($0.options)] } ?? []
        rlimits = plan.rlimits.map { csandbox_rlimit(resource: $0.0, soft: $0.1, hard: $0.2) }
        filter = plan.filter
        rootMount = plan.root.map { strdup($0.mountPoint) }
        rootOptions = plan.root.map { strdup($0.options) }
        var strings: [UnsafeMutablePointer<CChar>?] = []
        var entries: [csandbox_root_entry] = []
        for entry in plan.root?.entries ?? [] {
            let path = strdup(entry.path)
            let source = strdup(entry.source)
            strings += [path, source]
            entries.append(
                csandbox_root_entry(
                    kind: entry.kind, path: UnsafePointer(path), source: UnsafePointer(source), mode: entry.mode,
                    uid: entry.owner.map { Int64($0.uid) } ?? -1, gid: entry.owner.map { Int64($0.gid) } ?? -1,
                    landlock_access: entry.landlock))
        }
        rootStrings = strings
        rootEntries = entries
        config.stdin_fd = plan.stdin
        config.stdout_fd = plan.stdout
        config.stderr_fd = plan.stderr
        config.control_fd = plan.control
        config.drop_privileges = plan.slot == nil ? 0 : 1
        config.uid = plan.slot?.uid ?? 0
        config.gid = plan.slot?.gid ?? 0
        config.last_capability = plan.lastCapability
        config.namespaces = plan.namespaces
        config.landlock_ruleset_fd = plan.landlockFD
        config.scratch_landlock_access = plan.scratchLandlockAccess
        config.proc_landlock_access = plan.procLandlockAccess
        config.loopback_up = plan.loopback ? 1 : 0
        config.seccomp_listener_socket = plan.listenerSocket
        config.cgroup_procs_fd = plan.cgroupProcs
    }

    deinit {
        free(path)
        free(workdir)
        free(scratchOptions)
        free(sharedMemoryOptions)
        free(cwd)
        overlay.forEach { free($0) }
        free(rootMount)
        free(rootOptions)
        rootStrings.forEach { free($0) }
        for pointer in argv + envp { free(pointer) }
    }

    /// Forks and execs; must be called on the ``Spawner`` thread.
    func spawn() -> csandbox_result {
        var result = csandbox_result()
        argv.withUnsafeBufferPointer { argvBuffer in
            envp.withUnsafeBufferPointer { envpBuffer in
                rlimits.withUnsafeBufferPointer { rlimitBuffer in
                    filter.withUnsafeBytes { filterBytes in
                      rootEntries.withUnsafeBufferPointer { rootBuffer in
                        var config = self.config
                        config.root_mount = UnsafePointer(rootMount)
                        config.root_options = UnsafePointer(rootOptions)
                        config.root_entries = rootBuffer.baseAddress
                        config.root_entry_count = Int32(rootBuffer.count)
                        config.path = UnsafePointer(path)
                        config.argv = UnsafePointer(argvBuffer.baseAddress)
                        config.envp = UnsafePointer(envpBuffer.baseAddress)
                        config.workdir = UnsafePointer(workdir)
                        config.scratch_options = UnsafePointer(scratchOptions)
                        config.shm_options = UnsafePointer(sharedMemoryOptions)
                        config.cwd = UnsafePointer(cwd)
                        if overlay.count == 4 {
                            config.overlay_target = UnsafePointer(overlay[0])
                            config.overlay_upper = UnsafePointer(overlay[1])
                            config.overlay_work = UnsafePointer(overlay[2])
                            config.overlay_options = UnsafePointer(overlay[3])
                        }
                        config.rlimits = rlimitBuffer.baseAddress
                        config.rlimit_count = Int32(rlimitBuffer.count)
                        config.filter = filterBytes.baseAddress?.assumingMemoryBound(to: csandbox_bpf_insn.self)
                        config.filter_length = UInt16(filterBytes.count / 8)
                        _ = csandbox_spawn(&config, &result)
                      }
                    }
                }
            }
        }
        return result
    }

    /// Human-readable name of a failed child stage.
    static func describe(stage: Int32) -> String {
        let names = [
            "none", "clone", "init fork", "signal reset", "setsid", "PR_SET_PDEATHSIG", "stdio", "close fds",
            "chdir", "mount scratch tmpfs", "setrlimit", "setgroups", "capability drop", "setgid", "setuid", "no_new_privs",
            "landlock_restrict_self", "seccomp", "send seccomp listener", "execve", "mount working-tree overlay", "loopback up",
            "build the minimal root", "pivot_root into the minimal root", "join the run's cgroup",
        ]
        return stage >= 0 && Int(stage) < names.count ? names[Int(stage)] : "stage \(stage)"
    }
}
