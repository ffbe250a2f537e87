import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Progress of a grading run on stderr: a redrawn bar on a terminal, a plain line every few
/// seconds otherwise.
public final class ProgressReporter: @unchecked Sendable {
    // @unchecked: called with the grader's lock held, from one thread at a time.
    private let terminal: Bool
    private let interval: TimeInterval
    private var lastPrint = Date.distantPast
    private var passed = 0
    private var graded = 0

    public init(terminal: Bool = isatty(2) == 1, interval: TimeInterval? = nil) {
        self.terminal = terminal
        self.interval = interval ?? (terminal ? 0.2 : 5)
    }

    func begin(total: Int) {
        emit("grading \(total) samples", final: true)
    }

    func record(passed didPass: Bool) {
        graded += 1
        if didPass { passed += 1 }
    }

    func tick(done: Int, total: Int, started: Date) {
        let now = Date()
        guard now.timeIntervalSince(lastPrint) >= interval else { return }
        lastPrint = now
        let elapsed = now.timeIntervalSince(started)
        let rate = elapsed > 0 ? Double(graded) / elapsed : 0
        let remaining = rate > 0 ? Double(total - done) / rate : 0
        // Counts, not a percentage: "100%" after one sample said more than it knew.
        let status = String(
            format: "%d/%d  %.1f samples/s  ETA %@  passed %d of %d graded", done, total, rate, Self.duration(remaining), passed,
            graded)
        if terminal {
            let width = 24
            let filled = total > 0 ? width * done / total : width
            emit("[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] " + status, final: false)
        } else {
            emit(status, final: true)
        }
    }

    func end(done: Int, total: Int) {
        if terminal { emit("", final: false) }
        emit("graded \(done)/\(total) samples", final: true)
    }

    private func emit(_ text: String, final: Bool) {
        let line = terminal ? "\r\u{1B}[2K" + text + (final ? "\n" : "") : text + "\n"
        FileHandle.standardError.write(Data(line.utf8))
    }

    private static func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        return total >= 3600 ? "\(total / 3600)h\(total % 3600 / 60)m" : "\(total / 60)m\(total % 60)s"
    }
}
