import Foundation
import Synchronization

/// Compiled programs by the hash of what made them (language, steps, toolchain version,
/// source), so the same program seen again — the same completion in k samples, a rerun —
/// compiles once. In the grader's memory only: nothing a sandboxed run can reach writes to it
/// (the compile run hands its artifact back through an output file the grader reads), and it
/// is bounded in bytes, the least recently used entry going first.
public final class ArtifactCache: Sendable {
    public enum Entry: Sendable {
        case program([UInt8])
        /// The compiler's message: the same source fails the same way.
        case error(String)

        var bytes: Int {
            switch self {
            case .program(let bytes): bytes.count
            case .error(let message): message.utf8.count
            }
        }
    }

    private struct State {
        var entries: [String: (entry: Entry, used: UInt64)] = [:]
        var bytes = 0
        var clock: UInt64 = 0
    }

    let limitBytes: Int
    private let state = Mutex(State())

    public init(limitBytes: Int = 512 << 20) { self.limitBytes = limitBytes }

    func get(_ key: String) -> Entry? {
        state.withLock { state in
            guard var found = state.entries[key] else { return nil }
            state.clock += 1
            found.used = state.clock
            state.entries[key] = found
            return found.entry
        }
    }

    func put(_ key: String, _ entry: Entry) {
        guard entry.bytes <= limitBytes else { return }
        state.withLock { state in
            if let old = state.entries.removeValue(forKey: key) { state.bytes -= old.entry.bytes }
            while state.bytes + entry.bytes > limitBytes, let oldest = state.entries.min(by: { $0.value.used < $1.value.used }) {
                state.entries.removeValue(forKey: oldest.key)
                state.bytes -= oldest.value.entry.bytes
            }
            state.clock += 1
            state.entries[key] = (entry, state.clock)
            state.bytes += entry.bytes
        }
    }

    var totalBytes: Int { state.withLock { $0.bytes } }
    var count: Int { state.withLock { $0.entries.count } }
}
