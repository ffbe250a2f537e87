import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Output files written whole or not at all: a temporary file beside the target, flushed to
/// disk, then renamed over it. A full disk or a crash leaves the old file (or none), never half
/// of the new one; errors name the file and the errno (``GradeError/isIO``).
public enum AtomicFile {
    public static func write(_ bytes: [UInt8], to path: String) throws(GradeError) {
        let temporary = path + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw GradeError(io: "\(temporary): cannot open for writing", errno: errno) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                let code = errno
                close(fd)
                unlink(temporary)
                throw GradeError(io: "\(path): write failed", errno: code)
            }
            offset += written
        }
        if fsync(fd) != 0 {
            let code = errno
            close(fd)
            unlink(temporary)
            throw GradeError(io: "\(path): write failed", errno: code)
        }
        close(fd)
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw GradeError(io: "\(path): cannot replace", errno: code)
        }
    }

    /// Whether `a` and `b` are the same file (same device and inode); false if either is missing.
    public static func sameFile(_ a: String, _ b: String) -> Bool {
        var first = stat(), second = stat()
        guard stat(a, &first) == 0, stat(b, &second) == 0 else { return false }
        return first.st_dev == second.st_dev && first.st_ino == second.st_ino
    }
}
