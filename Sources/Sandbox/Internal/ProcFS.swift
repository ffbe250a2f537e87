import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The few things the grader reads about a run's processes from the host's /proc: small files
/// read whole, and the children of a process (of all its threads, since any thread may fork).
enum ProcFS {
    /// A small /proc file, read whole; nil when the process is gone.
    static func read(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 8192)
        var data: [UInt8] = []
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            data += buffer[0..<count]
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// The children of every thread of `pid`.
    static func children(of pid: pid_t) -> [pid_t] {
        guard let tasks = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task") else { return [] }
        return tasks.flatMap { task in
            (read("/proc/\(pid)/task/\(task)/children") ?? "").split(whereSeparator: \.isWhitespace).compactMap { pid_t($0) }
        }
    }
}
