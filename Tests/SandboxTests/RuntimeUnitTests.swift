import Foundation
import Sandbox
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

/// The runtime as every run gets it: bundled with the bootstrap, its modules loaded as a mode
/// needs them, and its absence the sandbox's failure, never the program's.
@Suite struct RuntimeBundleTests {
    @Test func aPlainRunLoadsOnlyTheModulesItNeeds() throws {
        let sandbox = try Checkout.sandbox()
        let program = "import sys\nprint(sorted(m for m in sys.modules if m.startswith('proctor_runtime')))\n"
        let outcome = sandbox.run(RunRequest(source: program))
        #expect(outcome.statusText == "exited(0)", "\(outcome.stderr)")
        #expect(outcome.stdout == "['proctor_runtime', 'proctor_runtime.channel', 'proctor_runtime.program']\n")
    }

    @Test func theProfileDigestCoversTheRuntime() throws {
        let copy = NSTemporaryDirectory() + "proctor-runtime-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: copy) }
        try FileManager.default.copyItem(atPath: Checkout.sandboxes, toPath: copy)
        let original = try SandboxProfile.load(named: "python-strict", sandboxesDirectory: Checkout.sandboxes)
        let codec = copy + "/python/proctor_runtime/codec.py"
        try (String(contentsOfFile: codec, encoding: .utf8) + "\n# changed\n").write(toFile: codec, atomically: true, encoding: .utf8)
        #expect(try SandboxProfile.load(named: "python-strict", sandboxesDirectory: copy).sha256 != original.sha256)
    }

    @Test func aMissingRuntimeIsTheSandboxsFailure() throws {
        let copy = NSTemporaryDirectory() + "proctor-runtime-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: copy) }
        try FileManager.default.copyItem(atPath: Checkout.sandboxes, toPath: copy)
        try FileManager.default.removeItem(atPath: copy + "/python/proctor_runtime")
        let profile = try SandboxProfile.load(named: "python-strict", sandboxesDirectory: copy)
        #expect(profile.runtimeSources.isEmpty)
        let outcome = try Sandbox(profile: profile, workBase: Checkout.workBase).run(RunRequest(source: "print('ran')\n"))
        #expect(outcome.runStatus.isInternalError, "\(outcome.statusText) \(outcome.stderr)")
        #expect(!outcome.stdout.contains("ran"))
    }
}
