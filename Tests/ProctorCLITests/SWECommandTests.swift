import Foundation
import Testing

/// `proctor swe` and `grade-repo --specs` run the way a user runs them, on the fixture
/// repositories (Fixtures/swe): environments built and reused, validation, a rerun from an
/// instance directory alone, and the errors a user meets first.
@Suite(.serialized, .enabled(if: geteuid() == 0, "in-place overlays need a mount namespace (run the tests as root)"))
struct SWECommandTests {
    static let fixtures = ProctorExecutable.root + "/Fixtures/swe"

    @Test func buildValidateAndRerunLikeAUser() throws {
        try #require(ProctorExecutable.isBuilt)
        let base = NSTemporaryDirectory() + "proctor-swe-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: base) }
        let built = try ProctorExecutable.runTool(ProctorExecutable.root + "/scripts/build-swe-fixtures", [base + "/repos"])
        #expect(built.contains("paramkit f3585c22e860c16ecc3afa4d11ae4f60a2d67184"))
        let common = [
            "--instances", Self.fixtures + "/instances.jsonl", "--repos", base + "/repos", "--specs", Self.fixtures + "/specs.json",
            "--env-cache", base + "/cache", "--python", "3.11=/usr/bin/python3",
        ]
        let build = try ProctorExecutable.run(["swe", "env", "build"] + common)
        #expect(build.status == 0, "\(build.stdout)\(build.stderr)")
        #expect(build.stdout.contains("3 of 3 instances have environments"))
        let again = try ProctorExecutable.run(["swe", "env", "build"] + common)
        #expect(!again.stdout.contains("environment proctor-fixtures"), "nothing is built twice: \(again.stdout)")

        let validate = try ProctorExecutable.run(["swe", "validate"] + common + ["--out", base + "/validate", "--timeout", "120s"])
        #expect(validate.status == 0, "\(validate.stdout)\(validate.stderr)")
        #expect(validate.stdout.contains("3 of 3 instances reproducible here"))

        // One instance again from its directory alone: same specs, layers, interpreter and profile.
        for directory in ["gold/proctor-fixtures__djangoish-1", "empty/proctor-fixtures__sympyish-1"] {
            let rerun = try ProctorExecutable.run(["repro-repo", base + "/validate/" + directory])
            #expect(rerun.status == 0, "\(directory): \(rerun.stdout.suffix(800))\(rerun.stderr)")
            #expect(rerun.stdout.contains("matches the recorded result"))
        }

        // The whole log parsed as SWE-bench's parser for the repository would.
        let parsed = try ProctorExecutable.run([
            "swe", "parse", "--repo", "django/django", base + "/validate/empty/proctor-fixtures__djangoish-1/test_output.txt",
        ])
        let statuses = try JSONSerialization.jsonObject(with: Data(parsed.stdout.utf8)) as? [String: String]
        #expect(statuses?["test_full_discount (pricing_tests.tests.TotalTests.test_full_discount)"] == "FAILED")
        #expect(statuses?["An empty basket costs nothing."] == "PASSED")
    }

    @Test func whatAUserGetsWrongIsNamed() throws {
        try #require(ProctorExecutable.isBuilt)
        let base = NSTemporaryDirectory() + "proctor-swe-errors-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: base) }
        _ = try ProctorExecutable.runTool(ProctorExecutable.root + "/scripts/build-swe-fixtures", [base + "/repos"])
        let bad = try ProctorExecutable.run([
            "grade-repo", "--instances", Self.fixtures + "/instances.jsonl", "--predictions", "gold", "--specs",
            Self.fixtures + "/specs.json", "--python", "3.9",
        ])
        #expect(bad.status != 0 && bad.stderr.contains("--python 3.9: give VERSION=/absolute/path"))
        // A Python version this machine does not have: one clear error per instance, naming it.
        let specs = try String(contentsOfFile: Self.fixtures + "/specs.json", encoding: .utf8).replacingOccurrences(
            of: "\"3.11\"", with: "\"2.7\"")
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        try specs.write(toFile: base + "/old.json", atomically: true, encoding: .utf8)
        let old = try ProctorExecutable.run([
            "swe", "validate", "--instances", Self.fixtures + "/instances.jsonl", "--repos", base + "/repos", "--specs", base + "/old.json",
            "--env-cache", base + "/cache", "--out", base + "/out", "--instance-ids", "proctor-fixtures__sympyish-1",
        ])
        #expect(old.status == 1)
        #expect(old.stdout.contains("NOT") && old.stdout.contains("needs Python 2.7") && old.stdout.contains("--python 2.7="), "\(old.stdout)")
        let missing = try ProctorExecutable.run(["swe", "env", "build", "--instances", Self.fixtures + "/instances.jsonl"])
        #expect(missing.status != 0 && missing.stderr.contains("--specs is needed"))
    }
}
