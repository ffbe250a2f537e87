import Foundation
import Testing

@testable import Sandbox

/// A cold run starts as a copy of the grader: a grader whose heap holds hundreds of megabytes —
/// freed but kept by malloc, or still in use — must not make a run of `pass` look like it used
/// them, or be killed for them.
@Suite(.serialized) struct InheritedMemoryTests {
    static func sandbox() throws -> Sandbox {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        return try Sandbox(profile: try SandboxProfile.load(named: "python-strict", sandboxesDirectory: root + "/Sandboxes"))
    }

    @Test func freedHeapIsNotChargedToARun() throws {
        let sandbox = try Self.sandbox()
        // What a run reports with the test process as it is (it holds other tests' data too).
        let baseline = sandbox.run(RunRequest(source: "pass\n")).peakRssKiB
        var chunks: [UnsafeMutablePointer<UInt8>] = []
        for _ in 0..<150_000 {
            let chunk = UnsafeMutablePointer<UInt8>.allocate(capacity: 2000)
            chunk.initialize(repeating: 1, count: 2000)
            chunks.append(chunk)
        }
        for chunk in chunks { chunk.deallocate() }
        chunks = []
        let outcome = sandbox.run(RunRequest(source: "pass\n"))
        #expect(outcome.statusText == "exited(0)")
        #expect(outcome.peakRssKiB < baseline + 64 * 1024, "a run of pass reported \(outcome.peakRssKiB) KiB (\(baseline) KiB before the heap grew)")
    }

    /// 600 MB the grader still holds (its copy, shared with the run's init, is more than the limit): the run is
    /// not killed for it, and a MemoryError raised without using memory stays a plain failure.
    @Test func heldHeapDoesNotKillOrReclassifyARun() throws {
        let sandbox = try Self.sandbox()
        let size = 600 << 20
        var chunks: [UnsafeMutablePointer<UInt8>] = []
        for _ in 0..<(size / 2000) {
            let chunk = UnsafeMutablePointer<UInt8>.allocate(capacity: 2000)
            chunk.initialize(repeating: 1, count: 2000)
            chunks.append(chunk)
        }
        defer { for chunk in chunks { chunk.deallocate() } }
        let plain = sandbox.run(RunRequest(source: "pass\n"))
        #expect(plain.statusText == "exited(0)", "\(plain.statusText)")
        let raised = sandbox.run(RunRequest(source: "raise MemoryError('refused')\n"))
        #expect(raised.statusText == "exited(1)", "a MemoryError raised without memory: \(raised.statusText)")
    }
}
