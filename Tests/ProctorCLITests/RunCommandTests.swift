import ArgumentParser
import Foundation
import Sandbox
import Testing

@testable import ProctorCLI

#if canImport(Glibc)
    import Glibc
#endif

/// `proctor run` as a user runs it: the built executable, real files, exit codes.
@Suite(.serialized)
struct RunCommandTests {
    static let root = ProctorExecutable.root
    static let executable = ProctorExecutable.path

    func proctor(_ arguments: [String]) throws -> ProctorExecutable.Invocation { try ProctorExecutable.run(arguments) }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: executable), "needs `swift build` first"))
    func runPrintsOneOutcomeWithEveryFieldAndWritesJSONOut() throws {
        let jsonOut = "/tmp/proctor-cli-test-\(getpid()).json"
        defer { unlink(jsonOut) }
        let result = try proctor([
            "run", "--profile", "python-strict", "--time", "2s", "--memory", "256MiB", "--json-out", jsonOut, "--",
            "Fixtures/run/normal.py",
        ])
        #expect(result.status == 0)
        let outcome = try #require(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        for key in [
            "status", "status_text", "exit_code", "signal", "signal_name", "timeout", "blocked_syscall", "wall_ms", "cpu_ms",
            "user_ms", "system_ms", "peak_rss_kib", "stdout", "stderr", "stdout_bytes", "stderr_bytes",
            "stdout_truncated_bytes", "stderr_truncated_bytes", "limits", "profile", "isolation",
        ] {
            #expect(outcome.keys.contains(key), "missing \(key)")
        }
        #expect(outcome["status_text"] as? String == "exited(0)")
        let limits = try #require(outcome["limits"] as? [String: Any])
        #expect(limits["cpu_s"] as? Int == 2)
        #expect(limits["wall_ms"] as? Int == 5000)
        #expect(limits["memory_bytes"] as? Int == 256 << 20)
        let profile = try #require(outcome["profile"] as? [String: Any])
        #expect((profile["sha256"] as? String)?.count == 64)
        #expect(profile["name"] as? String == "python-strict")
        let isolation = try #require(outcome["isolation"] as? [String: Any])
        for key in ["landlock_abi", "namespaces", "privileges_dropped", "seccomp_instructions", "uid"] {
            #expect(isolation.keys.contains(key), "missing isolation.\(key)")
        }
        let written = try String(contentsOfFile: jsonOut, encoding: .utf8)
        #expect(written == result.stdout)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: executable), "needs `swift build` first"))
    func programFailureIsNotAProctorFailure() throws {
        let result = try proctor(["run", "--time", "1s", "--", "Fixtures/run/cpu_burn.py"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("\"status_text\" : \"timeout(cpu)\""))
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: executable), "needs `swift build` first"))
    func badUsageAndUnknownProfilesExitWith64() throws {
        let unknown = try proctor(["run", "--profile", "cobol", "--", "Fixtures/run/normal.py"])
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("no profile 'cobol'"))
        let missing = try proctor(["run", "--", "/no/such/file.py"])
        #expect(missing.status == 64)
        #expect(missing.stderr.contains("cannot read program /no/such/file.py"))
        let badTime = try proctor(["run", "--time", "soon", "--", "Fixtures/run/normal.py"])
        #expect(badTime.status == 64)
        #expect(badTime.stderr.contains("'soon' is not a duration"))
    }

    @Test func helpExplainsEveryFlag() {
        let help = RunCommand.helpMessage()
        for flag in [
            "--profile", "--time", "--wall", "--memory", "--output-limit", "--file-size", "--processes", "--stdin", "--json-out",
            "--sandboxes",
        ] {
            #expect(help.contains(flag), "help lacks \(flag)")
        }
        #expect(help.contains("Exit status"))
    }

    @Test func flagsOverrideTheProfilesLimits() throws {
        let command = try RunCommand.parse(["--time", "3s", "--memory", "128MiB", "--output-limit", "2MiB", "--", "x.py"])
        let shipped = try SandboxProfile.load(
            named: "python-strict", sandboxesDirectory: Self.root + "/Sandboxes")
        let limits = try command.limits(from: shipped.definition.limits)
        #expect(limits.cpu.milliseconds == 3000)
        #expect(limits.wall.milliseconds == 7000)
        #expect(limits.memory.bytes == 128 << 20)
        #expect(limits.outputLimit.bytes == 2 << 20)
        #expect(throws: (any Error).self) {
            try RunCommand.parse(["--time", "3s", "--wall", "1s", "--", "x.py"]).limits(from: shipped.definition.limits)
        }
        // A wall limit alone, below the profile's CPU limit, brings the CPU limit down with it.
        let short = try RunCommand.parse(["--wall", "500ms", "--", "x.py"]).limits(from: shipped.definition.limits)
        #expect(short.wall.milliseconds == 500 && short.cpu.milliseconds == 500)
        // A memory limit the interpreter cannot start under is refused, naming the minimum.
        let error = #expect(throws: (any Error).self) {
            try RunCommand.parse(["--memory", "1KiB", "--", "x.py"]).limits(from: shipped.definition.limits)
        }
        #expect("\(error.map { "\($0)" } ?? "")".contains("32MiB"), "\(String(describing: error))")
    }

    @Test(.enabled(if: geteuid() == 0, "network namespaces need root"))
    func loopbackGivesTheRunItsOwnLoopbackAndNothingElse() throws {
        try #require(ProctorExecutable.isBuilt)
        let invocation = try ProctorExecutable.run([
            "run", "--profile", "python", "--loopback", "--", ProctorExecutable.root + "/Fixtures/run/loopback_network.py", "1", "/nonexistent",
        ])
        let outcome = try JSONSerialization.jsonObject(with: Data(invocation.stdout.utf8)) as? [String: Any]
        let result = try JSONSerialization.jsonObject(with: Data(((outcome?["stdout"] as? String) ?? "").utf8)) as? [String: String]
        #expect(result?["own_server"] == "pong", "\(invocation.stdout)")
        #expect(result?["outside"]?.hasPrefix("refused") == true)
        let strict = try ProctorExecutable.run(["run", "--profile", "python-strict", "--loopback", "--", ProctorExecutable.root + "/Fixtures/run/normal.py"])
        #expect(strict.status != 0 && strict.stderr.contains("no tier 'strict-loopback'"))
    }
}
