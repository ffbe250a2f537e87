import Foundation
import Testing

/// The in-sandbox runtime's own unit tests (Tests/python: the codec, the comparison rules), run
/// with the sandbox's interpreter against Sandboxes/python. They exercise our code with our own
/// data only, so they need no sandbox.
@Suite struct RuntimeUnitTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    @Test func codecAndComparisonRules() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-I", "-S", "-B", Self.root + "/Tests/python/run.py"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text)")
        #expect(text.contains("OK"), "\(text)")
    }
}
