import CSandboxSpawn
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The plan of a run's own root: the list of steps the C child follows, on a fresh tmpfs, before
/// it `pivot_root`s into it.
///
/// Filters leave side doors (a `stat` of a host path, `statfs` of the host disk, `utime` of a file
/// Landlock lets through, a datagram sent to a host socket's path); a path that does not exist in
/// the run's world needs no rule. The root holds exactly:
/// - the profile's `readExecute` paths (interpreter, standard library, `--python-env`, SWE
///   layers), bound read-only at their own paths — symlinks such as `/lib → usr/lib` recreated
///   as symlinks, with their targets bound;
/// - `/dev` with `null`, `zero`, `full`, `random`, `urandom` and nothing else;
/// - the workdir as a small tmpfs of its own holding copies of the inputs (so `statfs` of it
///   shows that tmpfs, not the host disk), the scratch mount point, a caller-built working tree
///   (read-only; the overlay covers it) and output files bound read-write;
/// - mount points for `/proc` and `/dev/shm` when the run gets them.
/// Paths keep their host names, so argv, the environment and Landlock's rules (which hold
/// inodes, shared by bind mounts) stay as they are.
struct MinimalRoot {
    struct Entry {
        var kind: Int32
        var path: String
        var source: String = ""
        var mode: UInt32 = 0o755
        var owner: (uid: UInt32, gid: UInt32)? = nil
        var landlock: UInt64 = 0
    }

    /// Where the root tmpfs is mounted on the host (a directory of the run's workdir).
    let mountPoint: String
    /// tmpfs options of the root itself (its directories, mount points and symlinks only).
    let options: String
    private(set) var entries: [Entry] = []
    private var made: Set<String> = ["/"]
    /// Paths bound whole: nothing is created beneath them.
    private var bound: [String] = []

    /// The device nodes every run gets: read-write for the sinks and sources of zeros, read for
    /// the random devices.
    static let devices: [(name: String, writable: Bool)] = [
        ("null", true), ("zero", true), ("full", true), ("random", false), ("urandom", false),
    ]

    /// - Parameters:
    ///   - readExecute: the profile's runtime paths (missing ones are skipped, as Landlock skips them).
    ///   - readWrite: further read-write paths of the profile (devices under `/dev` are always there).
    ///   - workdir: the run's workdir on the host; its regular files are copied, `outputs` bound.
    ///   - scratch: the scratch mount point inside the workdir.
    ///   - tree: a caller-built working tree (bound read-only: the overlay is what the run writes).
    ///   - proc, sharedMemory: mount points the child fills after the pivot.
    ///   - files: read-only files of the caller's at paths of their own (`RunRequest.rootFiles`),
    ///     copied from `source` on the host, their directories made as needed.
    init(
        mountPoint: String, readExecute: [String], readWrite: [String], workdir: String, scratch: String, owner: (UInt32, UInt32)?,
        outputs: [String], tree: String?, proc: Bool, sharedMemory: Bool, inputAccess: UInt64, deviceAccess: (read: UInt64, write: UInt64),
        files extra: [(path: String, source: String)] = []
    ) throws(SandboxError) {
        self.mountPoint = mountPoint
        options = "size=1m,nr_inodes=4096,mode=0755"
        // Host paths, resolved; a path beneath another one listed comes with it.
        var binds: [(path: String, source: String, kind: Int32)] = []
        var links: [(path: String, target: String)] = []
        for (paths, kind) in [(readExecute, CSANDBOX_ROOT_BIND_RO), (readWrite, CSANDBOX_ROOT_BIND_RW)] {
            for path in paths where !path.hasPrefix("/dev/") && path != "/dev" {
                guard path.hasPrefix("/"), let real = Self.realPath(path) else { continue }
                binds.append((real, real, Int32(kind)))
                if real != path {
                    // One hop whose parent is real: the same symlink in the root; otherwise the
                    // target is bound at the link's path too.
                    var info = stat()
                    if lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFLNK, Self.realPath(Self.parent(path)) == Self.parent(path),
                        let target = Self.readLink(path),
                        Self.realPath(target.hasPrefix("/") ? target : Self.parent(path) + "/" + target) == real
                    {
                        links.append((path, target))
                    } else {
                        binds.append((path, real, Int32(kind)))
                    }
                }
            }
        }
        if let tree, !tree.hasPrefix(workdir + "/") { binds.append((tree, tree, Int32(CSANDBOX_ROOT_BIND_RO))) }
        binds.sort { $0.path < $1.path }
        for bind in binds where !isCovered(bind.path) && !made.contains(bind.path) {
            var info = stat()
            guard stat(bind.source, &info) == 0 else { continue }
            try makeParents(of: bind.path)
            let directory = info.st_mode & S_IFMT == S_IFDIR
            append(Entry(kind: Int32(directory ? CSANDBOX_ROOT_DIR : CSANDBOX_ROOT_FILE), path: bind.path))
            append(Entry(kind: bind.kind, path: bind.path, source: bind.source))
            bound.append(bind.path)
            made.insert(bind.path)
        }
        for link in links where !isCovered(link.path) && !made.contains(link.path) {
            try makeParents(of: link.path)
            append(Entry(kind: Int32(CSANDBOX_ROOT_SYMLINK), path: link.path, source: link.target))
        }
        // /dev: the five devices, and mount points for /dev/shm; symlinks into the run's procfs.
        try makeDirectory("/dev")
        for device in Self.devices {
            append(Entry(kind: Int32(CSANDBOX_ROOT_FILE), path: "/dev/" + device.name))
            append(
                Entry(
                    kind: Int32(CSANDBOX_ROOT_BIND_DEVICE), path: "/dev/" + device.name, source: "/dev/" + device.name,
                    landlock: device.writable ? deviceAccess.write : deviceAccess.read))
        }
        for (name, target) in [("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2")] {
            append(Entry(kind: Int32(CSANDBOX_ROOT_SYMLINK), path: "/dev/" + name, source: target))
        }
        if sharedMemory { try makeDirectory("/dev/shm") }
        if proc { try makeDirectory("/proc") }
        // The workdir: a tmpfs sized to its inputs, the inputs copied (same modes and owners).
        guard !isCovered(workdir) else { throw SandboxError(.invalidArgument, "workdir \(workdir) lies beneath a runtime path") }
        try makeParents(of: workdir)
        append(Entry(kind: Int32(CSANDBOX_ROOT_DIR), path: workdir, mode: 0o700))
        var files: [Entry] = []
        var total: UInt64 = 0
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: workdir)) ?? []).sorted()
        for name in names where name != Self.hostMountName {
            let path = workdir + "/" + name
            var info = stat()
            guard lstat(path, &info) == 0 else { continue }
            let owned: (UInt32, UInt32) = (info.st_uid, info.st_gid)
            switch info.st_mode & S_IFMT {
            case S_IFREG where outputs.contains(path):
                files.append(Entry(kind: Int32(CSANDBOX_ROOT_FILE), path: path))
                files.append(Entry(kind: Int32(CSANDBOX_ROOT_BIND_RW), path: path, source: path))
            case S_IFREG:
                total += UInt64(info.st_size)
                files.append(Entry(kind: Int32(CSANDBOX_ROOT_COPY), path: path, source: path, mode: UInt32(info.st_mode & 0o7777), owner: owned))
            case S_IFDIR where path == scratch:
                files.append(Entry(kind: Int32(CSANDBOX_ROOT_DIR), path: path, mode: UInt32(info.st_mode & 0o7777), owner: owned))
            case S_IFDIR where path == tree:
                files.append(Entry(kind: Int32(CSANDBOX_ROOT_DIR), path: path, mode: 0o755))
                files.append(Entry(kind: Int32(CSANDBOX_ROOT_BIND_RO), path: path, source: path))
            default:
                continue  // nothing else of the host workdir exists in the run
            }
        }
        let ownerOptions = owner.map { ",uid=\($0.0),gid=\($0.1)" } ?? ""
        let size = total + UInt64(names.count + 8) * 4096 + (1 << 20)
        append(
            Entry(
                kind: Int32(CSANDBOX_ROOT_TMPFS), path: workdir, source: "size=\(size),nr_inodes=\(names.count + 64),mode=0700" + ownerOptions,
                landlock: inputAccess))
        for file in files { append(file) }
        for file in extra {
            guard !isCovered(file.path), !made.contains(file.path), file.path != workdir, !file.path.hasPrefix(workdir + "/") else {
                throw SandboxError(.invalidArgument, "minimal root: \(file.path) is already part of the run's root")
            }
            try makeParents(of: file.path)
            append(Entry(kind: Int32(CSANDBOX_ROOT_COPY), path: file.path, source: file.source, mode: 0o444, landlock: deviceAccess.read))
            made.insert(file.path)
        }
    }

    /// The name of the root's mount point inside the host workdir (never copied into the run).
    static let hostMountName = ".proctor-root"

    private mutating func append(_ entry: Entry) {
        var entry = entry
        entry.path = mountPoint + entry.path
        entries.append(entry)
    }

    private func isCovered(_ path: String) -> Bool {
        bound.contains { path == $0 || path.hasPrefix($0 == "/" ? "/" : $0 + "/") }
    }

    private mutating func makeDirectory(_ path: String) throws(SandboxError) {
        guard !made.contains(path) else { return }
        try makeParents(of: path)
        append(Entry(kind: Int32(CSANDBOX_ROOT_DIR), path: path))
        made.insert(path)
    }

    private mutating func makeParents(of path: String) throws(SandboxError) {
        let parent = Self.parent(path)
        guard !made.contains(parent) else { return }
        guard !isCovered(parent) else {
            throw SandboxError(.invalidArgument, "minimal root: \(path) would be made inside the bound \(parent)")
        }
        try makeDirectory(parent)
    }

    static func parent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    static func readLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
