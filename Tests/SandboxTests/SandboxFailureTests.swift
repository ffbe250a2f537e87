import Foundation
import Sandbox
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The sandbox's own failures are reported as internal_error, and leave nothing behind.
struct SandboxFailureTests {
    @Test func missingInterpreterIsAnInternalErrorNamingTheStage() throws {
        let shipped = try SandboxProfile.load(named: "python-strict", sandboxesDirectory: Checkout.sandboxes)
        var profile = shipped
        profile.definition.command[0] = "/usr/bin/no-such-python"
        let sandbox = try Sandbox(profile: profile, workBase: Checkout.workBase)
        let outcome = sandbox.run(RunRequest(source: "print(1)"))
        #expect(outcome.status == "internal_error")
        #expect(outcome.error?.contains("execve") == true)
        #expect(outcome.error?.contains("No such file") == true)
        #expect(!FileManager.default.fileExists(atPath: outcome.isolation.workdir))
    }

    @Test func workdirsOfDeadGradersAreSwept() throws {
        let base = "/tmp/proctor-sweep-test-\(getpid())"
        try FileManager.default.createDirectory(atPath: base + "/run-999999-1-42/deep", withIntermediateDirectories: true)
        try "x".write(toFile: base + "/run-999999-1-42/deep/file", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: base + "/run-\(getpid())-77-1", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: base) }
        _ = try Sandbox(
            profile: SandboxProfile.load(named: "python-strict", sandboxesDirectory: Checkout.sandboxes), workBase: base)
        #expect(!FileManager.default.fileExists(atPath: base + "/run-999999-1-42"))
        // A live grader's (our own) directory is left alone.
        #expect(FileManager.default.fileExists(atPath: base + "/run-\(getpid())-77-1"))
    }

    @Test func stdinIsFedFromTheRequest() throws {
        let sandbox = try Checkout.sandbox()
        let outcome = sandbox.run(RunRequest(source: "import sys\nprint(sys.stdin.read().upper())", stdin: Array("hello".utf8)))
        #expect(outcome.stdout == "HELLO\n")
        let empty = sandbox.run(RunRequest(source: "import sys\nprint(repr(sys.stdin.read()))"))
        #expect(empty.stdout == "''\n")
    }

    @Test func uncaughtExceptionIsAnOrdinaryExit() throws {
        let outcome = try Checkout.sandbox().run(RunRequest(source: "raise ValueError('boom')"))
        #expect(outcome.statusText == "exited(1)")
        #expect(outcome.stderr.contains("ValueError: boom"))
    }

    @Test func signalDeathIsReportedByName() throws {
        let outcome = try Checkout.sandbox().run(RunRequest(source: "import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)"))
        #expect(outcome.statusText == "signaled(SIGSEGV)")
        #expect(outcome.signal == 11)
    }
}
