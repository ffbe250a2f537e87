import Foundation
import Sandbox
import Testing

@testable import Grader

/// `--python-env`: a virtual environment's packages importable by samples, read-only, in both
/// pool modes; without it the same sample cannot import them.
@Suite(.serialized)
struct PythonEnvironmentTests {
    /// A fresh venv (Debian's python3, no pip, nothing downloaded) holding one module of ours.
    static func environment() throws -> String {
        let directory = NSTemporaryDirectory() + "proctor-venv-\(UInt32.random(in: 0...UInt32.max))"
        let venv = Process()
        venv.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        venv.arguments = ["-m", "venv", "--without-pip", directory]
        try venv.run()
        venv.waitUntilExit()
        try #require(venv.terminationStatus == 0, "python3 -m venv failed")
        let lib = try #require(try FileManager.default.contentsOfDirectory(atPath: directory + "/lib").first)
        try "def triple(x):\n    return 3 * x\n".write(
            toFile: directory + "/lib/\(lib)/site-packages/proctor_env_probe.py", atomically: true, encoding: .utf8)
        return directory
    }

    @Test(arguments: PoolMode.allCases)
    func samplesImportTheEnvironmentsPackagesAndCannotChangeThem(_ pool: PoolMode) throws {
        let venv = try Self.environment()
        defer { try? FileManager.default.removeItem(atPath: venv) }
        let problems = try Checkout.file(
            "problems.jsonl",
            [
                #"{"task_id": "Env/0", "prompt": "import proctor_env_probe\n\n\ndef f(x):\n", "entry_point": "f", "test": "def check(candidate):\n    assert candidate(2) == 6\n"}"#
            ])
        let samples = try Checkout.file(
            "samples.jsonl",
            [
                #"{"task_id": "Env/0", "completion": "    return proctor_env_probe.triple(x)\n"}"#,
                #"{"task_id": "Env/0", "completion": "    open(proctor_env_probe.__file__, 'a').write('x')\n    return 6\n"}"#,
            ])
        let base = try Checkout.profile()
        for (profile, expected) in [(base, ["failed", "failed"]), (try base.withPythonEnvironment(venv), ["passed", "failed"])] {
            let out = Checkout.outDirectory("venv")
            var options = GradeOptions(problemsPath: problems, samplesPath: samples, outDirectory: out, profile: profile, limits: profile.definition.limits)
            options.ks = [1]
            options.pool = pool
            _ = try Checkout.run(options)
            let rows = try Checkout.rows(out + "/samples.jsonl")
            #expect(rows.map { $0["status"] as? String ?? "?" } == expected, "\(pool): \(rows.map { $0["result"] ?? "" })")
        }
        #expect(try String(contentsOfFile: venv + "/lib/python3.11/site-packages/proctor_env_probe.py", encoding: .utf8) == "def triple(x):\n    return 3 * x\n", "a sample changed the environment")
        #expect(throws: SandboxError.self) { try base.withPythonEnvironment("/tmp") }
    }
}
