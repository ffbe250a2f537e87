import Foundation
@testable import Sandbox
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Profiles and policies are data: they load, fingerprint, and fail with file and line.
struct ProfileTests {
    /// Writes `files` into a fresh sandboxes directory and returns its path.
    private func sandboxes(_ files: [String: String]) throws -> String {
        let directory = "/tmp/proctor-profile-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        for (name, text) in files {
            let path = "\(directory)/\(name)"
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        }
        return directory
    }

    private func copyOfShippedFiles(replacing name: String, with text: String) throws -> String {
        var files: [String: String] = [:]
        for relative in [
            "profiles/python-strict.json", "seccomp/cpython.json", "python/bootstrap.py", "python/zygote.py", "seccomp/census/core.json",
            "seccomp/census/native.json", "seccomp/census/jvm.json", "seccomp/census/node.json",
        ] {
            files[relative] = try String(contentsOfFile: Checkout.sandboxes + "/" + relative, encoding: .utf8)
        }
        files[name] = text
        return try sandboxes(files)
    }

    private func loadError(_ directory: String) -> SandboxError? {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            let profile = try SandboxProfile.load(named: "python-strict", sandboxesDirectory: directory)
            _ = try Sandbox(profile: profile, workBase: Checkout.workBase)
            return nil
        } catch {
            return error
        }
    }

    /// Limits travel as JSON (a queue stores each run's): what is decoded must be what was
    /// encoded, not a wall clock 1000 times longer.
    @Test func limitsSurviveAJSONRoundTrip() throws {
        var limits = try SandboxProfile.load(named: "python-strict", sandboxesDirectory: SandboxesDirectory.locate()).definition.limits
        limits.wall = TimeSpan(milliseconds: 1500)
        let decoded = try JSONDecoder().decode(ResourceLimits.self, from: JSONEncoder().encode(limits))
        #expect(decoded == limits)
        #expect(decoded.wall.milliseconds == 1500)
        #expect(decoded.cpu == limits.cpu)
    }

    @Test func shippedProfilesLoadAndCompile() throws {
        for name in ["python-strict", "python"] {
            let sandbox = try Checkout.sandbox(name)
            #expect(sandbox.profile.name == name)
            #expect(sandbox.profile.sha256.count == 64)
        }
    }

    @Test func fingerprintChangesWithThePolicy() throws {
        let shipped = try SandboxProfile.load(named: "python-strict", sandboxesDirectory: Checkout.sandboxes)
        let policy = try String(contentsOfFile: Checkout.sandboxes + "/seccomp/cpython.json", encoding: .utf8)
        let directory = try copyOfShippedFiles(replacing: "seccomp/cpython.json", with: policy + "\n")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let changed = try SandboxProfile.load(named: "python-strict", sandboxesDirectory: directory)
        #expect(changed.sha256 != shipped.sha256)
    }

    @Test func malformedJSONNamesTheFile() throws {
        let directory = try copyOfShippedFiles(replacing: "profiles/python-strict.json", with: "{\n  \"name\": \"x\",\n  oops\n}")
        let error = try #require(loadError(directory))
        #expect(error.code == .invalidProfile)
        #expect(error.message.contains("profiles/python-strict.json"))
        #expect(error.message.contains("invalid JSON"))
    }

    @Test func missingFieldNamesFileAndField() throws {
        let shipped = try String(contentsOfFile: Checkout.sandboxes + "/profiles/python-strict.json", encoding: .utf8)
        let broken = shipped.replacingOccurrences(of: "\"wall\": \"5s\",", with: "")
        let directory = try copyOfShippedFiles(replacing: "profiles/python-strict.json", with: broken)
        let error = try #require(loadError(directory))
        #expect(error.message.contains("python-strict.json:"))
        #expect(error.message.contains("missing field 'wall'"))
    }

    @Test func badLimitNamesTheLine() throws {
        let shipped = try String(contentsOfFile: Checkout.sandboxes + "/profiles/python-strict.json", encoding: .utf8)
        let broken = shipped.replacingOccurrences(of: "\"memory\": \"256MiB\"", with: "\"memory\": \"lots\"")
        let line = broken.components(separatedBy: "\n").firstIndex { $0.contains("\"memory\"") }! + 1
        let directory = try copyOfShippedFiles(replacing: "profiles/python-strict.json", with: broken)
        let error = try #require(loadError(directory))
        #expect(error.message.contains("python-strict.json:\(line):"))
        #expect(error.message.contains("'lots' is not a size"))
    }

    @Test func unknownSyscallInPolicyIsRejected() throws {
        let policy = try String(contentsOfFile: Checkout.sandboxes + "/seccomp/cpython.json", encoding: .utf8)
        let broken = policy.replacingOccurrences(of: "\"brk\",", with: "\"brk\", \"no_such_call\",")
        let directory = try copyOfShippedFiles(replacing: "seccomp/cpython.json", with: broken)
        let error = try #require(loadError(directory))
        #expect(error.message.contains("unknown syscall 'no_such_call'"))
    }

    /// A tier that `extends` another gets that tier's rules and afterStart rules first: the warm
    /// pool's tier cannot drift from the strict tier it widens; a loop is refused by name.
    @Test func tiersExtendOthers() throws {
        let policy = try JSONDecoder().decode(
            SeccompPolicy.self, from: Data(contentsOf: URL(fileURLWithPath: Checkout.sandboxes + "/seccomp/cpython.json")))
        let strict = try policy.resolvedTier("strict")
        let pool = try policy.resolvedTier("strict-pool")
        #expect(Array(pool.rules.prefix(strict.rules.count)) == strict.rules)
        let strictAfterStart = strict.afterStart ?? []
        #expect(Array((pool.afterStart ?? []).prefix(strictAfterStart.count)) == strictAfterStart)
        #expect(pool.rules.count > strict.rules.count && (pool.afterStart?.count ?? 0) > (strict.afterStart?.count ?? 0))
        var looped = policy
        looped.tiers["strict"]?.extends = "strict-pool"
        #expect(throws: SandboxError.self) { _ = try looped.resolvedTier("strict-pool") }
    }

    @Test func unknownProfileListsTheAvailableOnes() {
        #expect {
            _ = try SandboxProfile.load(named: "cobol", sandboxesDirectory: Checkout.sandboxes)
        } throws: { error in
            let message = (error as? SandboxError)?.message ?? ""
            return message.contains("python-strict") && message.contains("no profile 'cobol'")
        }
    }

    @Test(arguments: [("256MiB", UInt64(268_435_456)), ("64KiB", 65536), ("1GiB", 1 << 30), ("1000", 1000), ("1.5MiB", 1_572_864)])
    func sizesParse(_ text: String, _ bytes: UInt64) {
        #expect(ByteCount(parsing: text)?.bytes == bytes)
    }

    @Test(arguments: [("2s", UInt64(2000)), ("1500ms", 1500), ("1.5s", 1500), ("2m", 120_000), ("3", 3000)])
    func durationsParse(_ text: String, _ milliseconds: UInt64) {
        #expect(TimeSpan(parsing: text)?.milliseconds == milliseconds)
    }

    @Test(arguments: ["", "abc", "-1s", "0s"])
    func nonsenseDurationsAreRejected(_ text: String) {
        #expect(TimeSpan(parsing: text) == nil)
    }
}
