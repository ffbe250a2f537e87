import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// What a run inherits of the grader's memory, and keeping it small.
///
/// Why: a cold run's first process is a copy of the grader (`clone` without `CLONE_VM`), and the
/// kernel carries the copy's resident anonymous pages into the run's `ru_maxrss` through `exec`
/// (`exec_mmap` keeps the old address space's high-water mark). A grader whose heap holds
/// 400 MB — in use, or freed but kept by malloc — makes a run of `pass` report 400 MB, and a
/// sample that raises MemoryError itself then reads as `memory_limit`. Freed memory is handed
/// back before each spawn (`malloc_trim`); memory the grader still uses is measured, and a
/// run's `ru_maxrss` no higher than it is not taken as the run's own.
enum InheritedMemory {
    /// Returns freed heap memory to the kernel before a spawn. Only when the grader holds more
    /// than `trimAboveKiB`: a trim on every spawn gave back pages the next run's bookkeeping
    /// faulted in again (+2.4 ms a cold run in `make bench`).
    static func release() { _ = mallocTrim(0) }

    /// 64 MiB: a grader grading plainly holds about 40.
    static let trimAboveKiB = 64 << 10

    /// The grader's resident anonymous memory now, in KiB (/proc/self/statm: resident − shared).
    static func residentAnonymousKiB() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .ascii) else { return 0 }
        let fields = text.split(separator: " ").compactMap { Int($0) }
        guard fields.count >= 3 else { return 0 }
        return max(0, fields[1] - fields[2]) * (Int(getpagesize()) / 1024)
    }

}

/// glibc's `malloc_trim` (not in Swift's Glibc module).
@_silgen_name("malloc_trim") private func mallocTrim(_ pad: Int) -> Int32
