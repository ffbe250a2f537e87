import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A fresh directory per run: the only place the program may write.
///
/// Named `run-<grader pid>-<sequence>-<random>` under a base directory that other uids may
/// traverse but not list (0711), owned by the run's uid, mode 0700. Removed when the run ends;
/// directories left by a grader that crashed are swept by the next grader that starts.
final class Workdir: Sendable {
    let path: String

    private static let sequence = Atomic(0)

    private init(path: String) { self.path = path }

    static func create(base: String, owner: SlotLease?) throws(SandboxError) -> Workdir {
        try ensureBase(base)
        let number = sequence.next()
        let path = "\(base)/run-\(getpid())-\(number)-\(UInt32.random(in: 0...UInt32.max))"
        try Syscall.makeDirectory(path, mode: 0o700, owner: owner.map { ($0.uid, $0.gid) })
        return Workdir(path: path)
    }

    /// A directory inside the workdir, owned by the run's uid; returns its path.
    func subdirectory(_ name: String, owner: SlotLease?) throws(SandboxError) -> String {
        let path = "\(self.path)/\(name)"
        try Syscall.makeDirectory(path, mode: 0o700, owner: owner.map { ($0.uid, $0.gid) })
        return path
    }

    /// Writes an input file the program may read but not modify (owned by the grader, 0444).
    func place(_ name: String, _ bytes: [UInt8], mode: mode_t = 0o444) throws(SandboxError) {
        try Self.place(name, bytes, in: path, mode: mode)
    }

    /// Makes an empty file the program may write (a working tree's or a request's output), owned
    /// by the run's uid, 0600; returns its path. The name must be a plain file name that is not
    /// the tree's or scratch's, and of its own: one already placed (an input) is refused too.
    func placeOutput(_ name: String, owner: SlotLease?) throws(SandboxError) -> String {
        guard !name.isEmpty, !name.contains("/"), name != "tree", name != "scratch", name != "." && name != "..",
            !FileManager.default.fileExists(atPath: "\(path)/\(name)")
        else {
            throw SandboxError(.invalidArgument, "output \(name): a plain file name of its own is needed")
        }
        try Self.place(name, [], in: path, mode: 0o600)
        let output = "\(path)/\(name)"
        if let owner { try Syscall.changeOwner(tree: output, uid: owner.uid, gid: owner.gid) }
        return output
    }

    /// Writes a new file `name` into `directory`: grader-owned and read-only (0444) unless told.
    static func place(_ name: String, _ bytes: [UInt8], in directory: String, mode: mode_t = 0o444) throws(SandboxError) {
        let fd = try Syscall.open("\(directory)/\(name)", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode)
        defer { Syscall.close(fd) }
        try Syscall.writeAll(fd, bytes)
    }

    /// Deletes the directory and everything the run left in it, without following symlinks.
    func remove() {
        Self.removeTree(path)
    }

    static func ensureBase(_ base: String) throws(SandboxError) {
        if mkdir(base, 0o711) != 0 && errno != EEXIST {
            throw SandboxError(.workdir, "mkdir \(base)", errno: errno)
        }
        chmod(base, 0o711)
    }

    /// Removes `run-<pid>-*` directories whose grader process no longer exists.
    static func sweepStale(base: String) -> Int {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: base) else { return 0 }
        var removed = 0
        for name in names where name.hasPrefix("run-") {
            let parts = name.split(separator: "-")
            guard parts.count >= 2, let pid = pid_t(parts[1]) else { continue }
            if pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH {
                removeTree("\(base)/\(name)")
                removed += 1
            }
        }
        return removed
    }

    static func removeTree(_ path: String) {
        // The program may have made directories unwritable or unreadable; give them back first
        // (lchmod semantics: symlinks are never followed, so a planted link cannot redirect us).
        if let walker = FileManager.default.enumerator(atPath: path) {
            for case let relative as String in walker {
                let full = "\(path)/\(relative)"
                var info = stat()
                if lstat(full, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR {
                    chmod(full, 0o700)
                }
            }
        }
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// A tiny atomic counter (Synchronization's Atomic needs a stored `let` of a noncopyable type).
final class Atomic: Sendable {
    private let value: Mutex<Int>

    init(_ initial: Int) { value = Mutex(initial) }

    func next() -> Int {
        value.withLock {
            $0 += 1; return $0
        }
    }
}
