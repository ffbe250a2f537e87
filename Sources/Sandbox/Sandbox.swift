import CSandboxSpawn
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Runs untrusted programs under one ``SandboxProfile``.
///
/// Each run gets a fresh workdir, a uid slot of its own (when the grader is root), rlimits,
/// no_new_privs, Landlock, and the profile's seccomp filter — attached last, right before exec —
/// and, where permitted, PID/IPC/UTS namespaces whose init takes every process of the run down
/// with it. ``run(_:)`` never throws: a failure of the sandbox itself is an `internal_error`
/// outcome, kept distinct from anything the program did.
public final class Sandbox: Sendable {
    public let profile: SandboxProfile
    /// Where per-run workdirs and uid-slot locks live.
    public let workBase: String
    /// `--cgroup`: every cold run in a cgroup of its own under this delegated directory.
    public let cgroup: CgroupDelegation?
    private let program: SeccompProgram
    let afterStart: SeccompProgram?
    /// The warm pool's filters when the tier has a `TIER-pool` variant: the zygote's (which may
    /// make each sample its own namespaces) and what every sample stacks on it.
    let pool: (program: SeccompProgram, afterStart: SeccompProgram?)?
    /// The bootstrap as the program will load it: bytecode when the interpreter could compile it
    /// (saves ~6 ms of compiling per run), else the source.
    let bootstrap: (name: String, bytes: [UInt8])?

    /// The default workdir base: `$PROCTOR_WORK_DIR`, else `/tmp/proctor-runs`.
    public static var defaultWorkBase: String {
        ProcessInfo.processInfo.environment["PROCTOR_WORK_DIR"] ?? "/tmp/proctor-runs"
    }

    /// Lock files of the uid slots: one directory per machine, whatever workdir base a grader uses,
    /// so two graders never hand the same uid to concurrent runs.
    public static let slotDirectory = "/tmp/proctor-slots"

    /// The delegated cgroup every sandbox of this process uses unless given another: set once by
    /// the CLI's `--cgroup` before any sandbox exists (nil: none, the default).
    nonisolated(unsafe) public static var defaultCgroup: CgroupDelegation?

    public init(
        profile: SandboxProfile, workBase: String = Sandbox.defaultWorkBase, cgroup: CgroupDelegation? = nil
    ) throws(SandboxError) {
        self.profile = profile
        self.workBase = workBase
        self.cgroup = cgroup ?? Sandbox.defaultCgroup
        let tier = profile.definition.seccomp.tier
        program = try SeccompProgram.compile(policy: profile.policy, tier: tier, cacheKey: profile.sha256)
        afterStart = try SeccompProgram.compileAfterStart(policy: profile.policy, tier: tier)
        let poolTier = tier + "-pool"
        if profile.policy.tiers[poolTier] != nil {
            pool = (
                try SeccompProgram.compile(policy: profile.policy, tier: poolTier, cacheKey: profile.sha256 + "-pool"),
                try SeccompProgram.compileAfterStart(policy: profile.policy, tier: poolTier)
            )
        } else {
            pool = nil
        }
        try Workdir.ensureBase(workBase)
        _ = Workdir.sweepStale(base: workBase)
        bootstrap = profile.bootstrapSource.map { source in
            BootstrapCompiler.compile(
                source, runtime: profile.runtimeSources, interpreter: profile.definition.command[0], workBase: workBase)
                .map { (".proctor-bootstrap.pyc", $0) } ?? (".proctor-bootstrap.py", source)
        }
    }

    /// Runs `request` to completion on the calling thread (it blocks; use ``run(_:)-async`` from tasks).
    public func run(_ request: RunRequest) -> Outcome {
        let limits = request.limits ?? profile.definition.limits
        var isolation = IsolationReport(
            uid: getuid(), gid: getgid(), privilegesDropped: false, noNewPrivs: true, landlockABI: nil,
            landlockLayers: [], namespaces: [], seccompInstructions: program.instructionCount,
            seccompAfterStartInstructions: afterStart?.instructionCount, seccompNotify: true, workdir: "",
            scratch: "", scratchTmpfs: false, workdirRemoved: false)
        var workdir: Workdir?
        defer {
            // Also reached when set-up fails half-way: no run leaves its directory behind.
            workdir?.remove()
        }
        do {
            let privileges = Privileges.current
            let slot: SlotLease? =
                privileges.canDropToSlotUser
                ? try SlotLease.acquire(
                    base: profile.definition.uidBase, count: profile.definition.uidSlots, directory: Sandbox.slotDirectory)
                : nil
            let dir = try Workdir.create(base: workBase, owner: slot)
            workdir = dir
            isolation.workdir = dir.path
            if let slot {
                isolation.uid = slot.uid
                isolation.gid = slot.gid
                isolation.privilegesDropped = true
            }
            var outcome = try execute(request, limits: limits, in: dir, slot: slot, privileges: privileges, isolation: &isolation)
            dir.remove()
            outcome.isolation.workdirRemoved = !FileManager.default.fileExists(atPath: dir.path)
            workdir = nil
            return outcome
        } catch {
            return Outcome.failure(error.description, limits: applied(limits), profile: identity, isolation: isolation)
        }
    }

    /// Runs `request` on a thread of its own, so callers on the cooperative pool never block it.
    public func run(_ request: RunRequest) async -> Outcome {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: self.run(request)) }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    var seccompInstructions: Int { program.instructionCount }

    var identity: ProfileIdentity {
        ProfileIdentity(name: profile.name, sha256: profile.sha256, path: profile.path, seccompTier: profile.definition.seccomp.tier)
    }

    private func execute(
        _ request: RunRequest, limits: ResourceLimits, in dir: Workdir, slot: SlotLease?, privileges: Privileges,
        isolation: inout IsolationReport
    ) throws(SandboxError) -> Outcome {
        guard !request.programName.contains("/"), !request.programName.hasPrefix("."), !request.programName.isEmpty else {
            throw SandboxError(.invalidArgument, "program name must be a plain file name, got '\(request.programName)'")
        }
        // A profile whose command starts with the program runs compiled programs.
        let executable = request.executable || profile.definition.command.first == "{program}"
        try dir.place(request.programName, request.program, mode: executable ? 0o555 : 0o444)
        for (name, bytes) in request.files.sorted(by: { $0.key < $1.key }) {
            guard !name.contains("/"), !name.isEmpty, name != request.programName else {
                throw SandboxError(.invalidArgument, "extra file name must be a plain, distinct file name, got '\(name)'")
            }
            try dir.place(name, bytes)
        }
        let bootstrapPath = dir.path + "/" + (bootstrap?.name ?? ".proctor-bootstrap.py")
        let afterStartPath = dir.path + "/.proctor-after-start.bpf"
        if let bootstrap { try dir.place(bootstrap.name, bootstrap.bytes) }
        if let afterStart { try dir.place(".proctor-after-start.bpf", afterStart.bytes) }

        var arguments: [String] = profile.definition.command.map {
            switch $0 {
            case "{bootstrap}": bootstrapPath
            case "{afterStart}": afterStart == nil ? "-" : afterStartPath
            case "{program}": dir.path + "/" + request.programName
            // A runtime's heap (the JVM's -Xmx, Node's old space): three quarters of the memory
            // limit, the rest for its code, threads and metadata.
            case let argument where argument.contains("{heapMiB}"):
                argument.replacingOccurrences(of: "{heapMiB}", with: String(max(16, (limits.memory.bytes * 3 / 4) >> 20)))
            default: $0
            }
        }
        arguments += request.arguments
        // stdin: /dev/null, or a read-only file in the workdir (no pipe to keep fed).
        let stdinFD: Int32
        if let bytes = request.stdin {
            try dir.place(".proctor-stdin", bytes)
            stdinFD = try Syscall.open(dir.path + "/.proctor-stdin", O_RDONLY | O_NOFOLLOW)
        } else {
            stdinFD = try Syscall.open("/dev/null", O_RDONLY)
        }
        defer { Syscall.close(stdinFD) }
        let stdout = try Syscall.pipe()
        let stderr = try Syscall.pipe()
        let control = try Syscall.pipe()
        defer { [stdout.read, stderr.read, control.read].forEach(Syscall.close) }
        let appliedLimits = applied(limits)
        var tree: (path: String, outputs: [String])?
        if let workingTree = request.workingTree {
            let path = workingTree.inPlace ?? dir.path + "/tree"
            if workingTree.inPlace != nil {
                guard privileges.canCreateNamespaces, profile.definition.scratch != nil else {
                    throw SandboxError(.invalidArgument, "working tree \(path): an in-place tree needs a mount namespace (run as root) and a profile with scratch")
                }
            } else {
                do {
                    try workingTree.build(path)
                } catch {
                    throw SandboxError(.invalidArgument, "working tree: \(error)")
                }
                if let slot { try Syscall.changeOwner(tree: path, uid: slot.uid, gid: slot.gid) }
            }
            tree = (path, try workingTree.outputs.map { (name) throws(SandboxError) in try dir.placeOutput(name, owner: slot) })
        }
        var outputs: [(name: String, path: String)] = []
        for name in request.outputs { outputs.append((name, try dir.placeOutput(name, owner: slot))) }
        var rootFiles: [(path: String, source: String)] = []
        if !request.rootFiles.isEmpty {
            // Beside the inputs, in a directory the run's root does not copy.
            let directory = try dir.subdirectory(".proctor-rootfiles", owner: nil)
            for (index, (path, bytes)) in request.rootFiles.sorted(by: { $0.key < $1.key }).enumerated() {
                guard path.hasPrefix("/"), !path.split(separator: "/").contains(where: { $0 == ".." || $0 == "." }), path.count > 1 else {
                    throw SandboxError(.invalidArgument, "root file \(path): an absolute path without . or .. is needed")
                }
                try Workdir.place("\(index)", bytes, in: directory)
                rootFiles.append((path, directory + "/\(index)"))
            }
        }
        let scope = try cgroup?.scope(limits: appliedLimits)
        defer { scope?.remove() }
        // The child starts as a copy of the grader: hand freed heap back first, and note what
        // is still resident (``InheritedMemory``).
        var inheritedKiB = InheritedMemory.residentAnonymousKiB()
        if inheritedKiB > InheritedMemory.trimAboveKiB {
            InheritedMemory.release()
            inheritedKiB = InheritedMemory.residentAnonymousKiB()
        }
        let launched = try launch(
            arguments: arguments, in: dir, slot: slot, privileges: privileges,
            stdio: (stdinFD, stdout.write, stderr.write, control.write), limits: appliedLimits, isolation: &isolation,
            tree: tree, outputs: outputs.map(\.path), rootFiles: rootFiles,
            executable: executable ? dir.path + "/" + request.programName : nil, cgroupProcs: scope?.procs ?? -1)
        scope?.close()
        isolation.cgroup = scope?.path
        defer {
            launched.close()
            if tree != nil, let workingTree = request.workingTree { workingTree.collect(dir.path) }
        }

        var monitor = RunMonitor(
            pid: launched.pid, pidfd: launched.pidfd, statusFD: launched.statusFD, wallLimit: limits.wall,
            outputLimit: limits.outputLimit.bytes, capture: Int(limits.captureBytes.bytes))
        // The limit holds for the run as a whole, not only per process (``MemoryWatch``).
        monitor.memory = MemoryWatch(
            leader: launched.pid, scratch: isolation.scratchTmpfs ? isolation.scratch : nil, limit: appliedLimits.memoryBytes,
            countLeader: launched.statusFD < 0)
        var watched = try monitor.watch(
            RunMonitor.Streams(stdout: stdout.read, stderr: stderr.read, control: control.read, listener: launched.listenerFD),
            startedAt: launched.start)
        watched.inheritedKiB = inheritedKiB
        if let scope {
            // The kernel's own account: what it charged the run, and whether it stopped it.
            watched.peakTotalBytes = max(watched.peakTotalBytes, scope.peakBytes)
            if scope.oomKilled { watched.killedForMemory = true }
        }
        var outcome = Outcome.classify(watched, limits: limits, applied: appliedLimits, profile: identity, isolation: isolation)
        for output in outputs {
            outcome.outputs[output.name] = FileManager.default.contents(atPath: output.path).map(Array.init) ?? []
        }
        return outcome
    }

    /// A spawned sandboxed process and the descriptors the grader keeps for it.
    struct Launched {
        let pid: pid_t
        let pidfd: Int32
        let statusFD: Int32
        let listenerFD: Int32
        let start: UInt64

        func close() { [pidfd, statusFD, listenerFD].forEach(Syscall.close) }
    }

    /// Spawns `arguments` with every isolation layer: the workdir's `scratch/` as working
    /// directory (a private tmpfs when permitted), namespaces, Landlock, rlimits, the uid slot
    /// and the profile's seccomp filter. The caller's stdio descriptors are closed here once the
    /// child has them.
    func launch(
        arguments: [String], in dir: Workdir, slot: SlotLease?, privileges: Privileges,
        stdio: (stdin: Int32, stdout: Int32, stderr: Int32, control: Int32), limits appliedLimits: AppliedLimits,
        isolation: inout IsolationReport, tree: (path: String, outputs: [String])? = nil, outputs: [String] = [],
        rootFiles: [(path: String, source: String)] = [], executable: String? = nil, filter: SeccompProgram? = nil,
        landlock: Bool = true, cgroupProcs: Int32 = -1
    ) throws(SandboxError) -> Launched {
        var childFDs = [stdio.stdout, stdio.stderr, stdio.control]
        defer { childFDs.forEach(Syscall.close) }
        // The program works in scratch/: the inputs beside it are readable (and removable, so the
        // bootstrap can delete the tests), but nothing new can be written next to them.
        let scratch = try dir.subdirectory("scratch", owner: slot)
        isolation.scratch = scratch
        let environment = profile.definition.environment.sorted { $0.key < $1.key }.map {
            "\($0.key)=\($0.value.replacingOccurrences(of: "{workdir}", with: scratch))"
        }
        let listener = try Syscall.socketPair()
        defer { [listener.0, listener.1].forEach(Syscall.close) }

        var namespaceBits: Int32 = 0
        // The loopback tier allows IPv4/IPv6 sockets because the run's own network namespace
        // makes lo its whole network: without one they would reach the host's.
        guard profile.definition.network != "loopback" || privileges.canCreateNamespaces else {
            throw SandboxError(.invalidArgument, "a loopback network needs a network namespace of the run's own (run the grader as root)")
        }
        if privileges.canCreateNamespaces {
            let bits: [String: Int32] = [
                "pid": Int32(CSANDBOX_NS_PID), "ipc": Int32(CSANDBOX_NS_IPC),
                "uts": Int32(CSANDBOX_NS_UTS), "net": Int32(CSANDBOX_NS_NET),
            ]
            for name in profile.definition.namespaces { namespaceBits |= bits[name] ?? 0 }
            isolation.namespaces = profile.definition.namespaces
        }
        var scratchOptions: String?
        var sharedMemoryOptions: String?
        if privileges.canCreateNamespaces, let tmpfs = profile.definition.scratch {
            namespaceBits |= Int32(CSANDBOX_NS_MOUNT)
            isolation.namespaces.append("mount")
            scratchOptions =
                "size=\(tmpfs.size.bytes),nr_inodes=\(tmpfs.inodes),mode=0700,uid=\(slot?.uid ?? getuid()),gid=\(slot?.gid ?? getgid())"
            if let shm = profile.definition.sharedMemory {
                sharedMemoryOptions = "size=\(shm.bytes),nr_inodes=4096,mode=1777"
            }
            isolation.scratchTmpfs = true
        }

        // A working tree is overlaid with a layer on the scratch tmpfs when there is one (the child
        // grants the merged tree its rights); otherwise the program writes the host tree itself.
        var overlay: SpawnContext.Overlay?
        if let tree {
            if scratchOptions != nil {
                guard !(tree.path + scratch).contains(where: { $0 == "," || $0 == ":" }) else {
                    throw SandboxError(.invalidArgument, "working tree \(tree.path): ',' and ':' cannot appear in overlay paths")
                }
                overlay = SpawnContext.Overlay(
                    target: tree.path, upper: scratch + "/.proctor-tree-upper", work: scratch + "/.proctor-tree-work")
            }
            isolation.workingTreeOverlay = overlay != nil
        }
        // A warm pool's zygote goes without a Landlock domain of its own (a restricted process may
        // not mount, and it mounts each sample's world); every process it forks restricts itself.
        let ruleset = !landlock ? nil : try Landlock.ruleset(
            readExecute: profile.definition.filesystem.readExecute,
            readWrite: profile.definition.filesystem.readWrite + [scratch] + (overlay == nil ? tree.map { [$0.path] } ?? [] : []),
            readRemove: [dir.path], executeFiles: executable.map { [$0] } ?? [],
            writeFiles: (tree?.outputs ?? []) + outputs,
            loopbackNetwork: profile.definition.network == "loopback" && namespaceBits & Int32(CSANDBOX_NS_NET) != 0)
        isolation.landlockABI = ruleset?.abi
        isolation.landlockLayers = ruleset?.layers ?? []

        // The run's own root whenever it has a mount namespace: nothing of the host but what
        // the profile names exists there (``MinimalRoot``).
        var root: MinimalRoot?
        if scratchOptions != nil && profile.definition.root != "host" {
            let mountPoint = try dir.subdirectory(MinimalRoot.hostMountName, owner: nil)
            let fileRights = Landlock.readFile | Landlock.writeFile | (ruleset.map { $0.abi >= 3 ? Landlock.truncate : 0 } ?? 0)
            root = try MinimalRoot(
                mountPoint: mountPoint, readExecute: profile.definition.filesystem.readExecute,
                readWrite: profile.definition.filesystem.readWrite, workdir: dir.path, scratch: scratch,
                owner: slot.map { ($0.uid, $0.gid) }, outputs: (tree?.outputs ?? []) + outputs, tree: tree?.path,
                proc: namespaceBits & Int32(CSANDBOX_NS_PID) != 0, sharedMemory: sharedMemoryOptions != nil,
                inputAccess: ruleset == nil
                    ? 0 : Landlock.readFile | Landlock.readDir | Landlock.removeFile | (executable != nil ? Landlock.execute : 0),
                deviceAccess: ruleset == nil ? (0, 0) : (Landlock.readFile, fileRights), files: rootFiles)
            isolation.minimalRoot = true
        }
        let context = SpawnContext(
            SpawnContext.Plan(
                arguments: arguments, environment: environment, workdir: scratch, cwd: tree?.path, overlay: overlay,
                scratchOptions: scratchOptions, sharedMemoryOptions: sharedMemoryOptions,
                procLandlockAccess: ruleset != nil && profile.definition.procfs == true && namespaceBits & Int32(CSANDBOX_NS_PID) != 0
                    ? Landlock.execute | Landlock.readFile | Landlock.readDir : 0,
                loopback: profile.definition.network == "loopback" && namespaceBits & Int32(CSANDBOX_NS_NET) != 0,
                scratchLandlockAccess: ruleset.map { Landlock.handledFilesystem(abi: $0.abi) } ?? 0, stdin: stdio.stdin,
                stdout: stdio.stdout, stderr: stdio.stderr, control: stdio.control,
                rlimits: rlimitTable(appliedLimits), slot: slot, lastCapability: privileges.lastCapability,
                namespaces: namespaceBits, landlockFD: ruleset?.fd ?? -1, filter: (filter ?? program).bytes,
                listenerSocket: listener.1, root: root, cgroupProcs: cgroupProcs))

        let start = Syscall.monotonicNanoseconds()
        let spawned = Spawner.shared.run { context.spawn() }
        childFDs.forEach(Syscall.close)
        childFDs = []
        guard spawned.failed_stage == 0 else {
            throw SandboxError(
                .spawnFailed, "child failed at \(SpawnContext.describe(stage: spawned.failed_stage))", errno: spawned.failed_errno)
        }
        let listenerFD = csandbox_receive_fd(listener.0)
        if listenerFD < 0 { isolation.seccompNotify = false }
        return Launched(pid: spawned.pid, pidfd: spawned.pidfd, statusFD: spawned.status_fd, listenerFD: listenerFD, start: start)
    }

    func applied(_ limits: ResourceLimits) -> AppliedLimits {
        AppliedLimits(
            cpuSeconds: (limits.cpu.milliseconds + 999) / 1000, wallMs: limits.wall.milliseconds,
            memoryBytes: limits.memory.bytes, addressSpaceBytes: limits.memory.bytes + limits.addressSpaceSlack.bytes,
            stackBytes: limits.stack.bytes, fileSizeBytes: limits.fileSize.bytes, openFiles: limits.openFiles,
            processes: limits.processes, outputLimitBytes: limits.outputLimit.bytes, captureBytes: limits.captureBytes.bytes,
            dataBytes: limits.dataSlack.map { limits.memory.bytes + $0.bytes })
    }

    /// RLIMIT_NPROC (6) and RLIMIT_MEMLOCK (8) are BSD extensions Swift's Glibc does not export.
    private func rlimitTable(_ limits: AppliedLimits) -> [(Int32, UInt64, UInt64)] {
        [
            (Int32(RLIMIT_CPU.rawValue), limits.cpuSeconds, limits.cpuSeconds + 1),
            (Int32(RLIMIT_DATA.rawValue), limits.dataBytes ?? limits.memoryBytes, limits.dataBytes ?? limits.memoryBytes),
            (Int32(RLIMIT_AS.rawValue), limits.addressSpaceBytes, limits.addressSpaceBytes),
            (Int32(RLIMIT_STACK.rawValue), limits.stackBytes, limits.stackBytes),
            (Int32(RLIMIT_FSIZE.rawValue), limits.fileSizeBytes, limits.fileSizeBytes),
            (Int32(RLIMIT_NOFILE.rawValue), limits.openFiles, limits.openFiles),
            (6, limits.processes, limits.processes),
            (Int32(RLIMIT_CORE.rawValue), 0, 0),
            (8, 0, 0),
        ]
    }
}
