import Foundation
import Queue
import QueueTestSupport
import Testing

/// Hidden means hidden, measured: the same hostile samples are graded against two problem sets
/// that differ only in a 12-bit secret inside their hidden tests (0x5A5 and 0xA5A differ in
/// every bit, so every choice a sample makes from the secret differs between the two). Each
/// sample moves the secret into something it controls — exit status, signal, exception type and
/// message, printed output and its size, memory, wall and CPU time, which test fails, which
/// status it ends with, a blocked call, a table of guesses for the leakage report — and
/// every output Proctor writes must then be identical for both secrets, except the figures
/// that are not the samples' to move: run-level timing (duration, throughput, progress,
/// `hidden_aggregate`, when a summary was written) and the problem files' own identity
/// (their digests and paths). The samples are built to pass or fail alike under both secrets,
/// so the pass bit is checked apart (`onlyThePassBitCrosses`).
///
/// Sealed sets (function, inputs and stdin/stdout tasks) and unsealed private tests
/// (LiveCodeBench, CodeContests, APPS, native `hidden`), warm and cold, directly and through
/// the queue; `grade`, `repro`, `report` (HTML, Markdown, JSON), `results`, `compare`,
/// `leaderboard`, `irt`, the leakage report and the queue's database rows.
@Suite(.serialized)
struct SecretChannelTests {
    static let fixtures = ProctorExecutable.root + "/Fixtures/secrets"
    static let secrets = [0x5A5, 0xA5A]
    static let limits = ["--timeout", "2", "--memory", "256MiB", "--k", "1"]

    /// One secret's problem files: the templates filled in, the sealed one sealed with a key
    /// both worlds share (so its id is the same in both).
    struct World {
        var directory: String
        var sealed: String
        var unsealed: String
        var key: String

        init(secret: Int, base: String, key: String) throws {
            directory = base + "/world-\(secret)"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            self.key = key
            let plain = directory + "/hidden.jsonl"
            try Self.fill(SecretChannelTests.fixtures + "/problems.sealed.template.jsonl", secret: secret).write(
                toFile: plain, atomically: true, encoding: .utf8)
            unsealed = directory + "/private.jsonl"
            try Self.fill(SecretChannelTests.fixtures + "/problems.private.template.jsonl", secret: secret).write(
                toFile: unsealed, atomically: true, encoding: .utf8)
            sealed = directory + "/hidden.sealed.jsonl"
            let seal = try ProctorExecutable.run(["seal", "--problems", plain, "--out", sealed, "--key-file", key])
            try #require(seal.status == 0, "\(seal.stderr)")
            self.plain = plain
        }

        /// The same problems unsealed (their tests public): what the channels carry when open.
        var plain: String

        /// `@SECRET@` the secret (a quoted one becomes a number), `@S8k@` secret * 8 + k.
        static func fill(_ template: String, secret: Int) throws -> String {
            var text = try String(contentsOfFile: template, encoding: .utf8)
            text = text.replacingOccurrences(of: "\"@SECRET@\"", with: "\(secret)").replacingOccurrences(of: "@SECRET@", with: "\(secret)")
            for k in 0..<8 { text = text.replacingOccurrences(of: "@S8\(k)@", with: "\(secret * 8 + k)") }
            return text
        }
    }

    /// Everything one secret's grading showed, by name, normalized as described above.
    typealias Observation = [String: String]

    static func makeBase(_ name: String) throws -> (base: String, key: String) {
        let base = NSTemporaryDirectory() + "proctor-secrets-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        let key = base + "/hidden.key"
        let digits = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        try (digits + "\n").write(toFile: key, atomically: true, encoding: .utf8)
        return (base, key)
    }

    // MARK: normalizing

    /// Masks what is no sample's to move: the world's directory, digests (the problems files'
    /// identity: sealed lines are ciphertext with a fresh nonce, private lines differ), and
    /// run-level timing lines.
    static func mask(_ text: String, world: World) -> String {
        var text = text.replacingOccurrences(of: world.directory, with: "<world>")
        text = text.replacingOccurrences(of: #"[0-9a-f]{64}"#, with: "<digest>", options: .regularExpression)
        // Short forms of the same digests (the report's audit table).
        text = text.replacingOccurrences(of: #"\b[0-9a-f]{16}\b"#, with: "<digest>", options: .regularExpression)
        // When a report was generated.
        text = text.replacingOccurrences(
            of: #"(generated|"generated_at" : ")\s*\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"#, with: "$1 <time>", options: .regularExpression)
        let runLevel = [
            #"^throughput "#, #"^hidden tasks \("#, #"^\S*\d+/\d+  [0-9.]+ samples/s"#, #"^\[[#.]+\] "#,
        ]
        return text.split(separator: "\n", omittingEmptySubsequences: false).filter { line in
            !runLevel.contains { line.range(of: $0, options: .regularExpression) != nil }
        }.joined(separator: "\n")
    }

    /// A JSON document with sorted keys, run-level fields masked.
    static func canonicalJSON(_ value: Any, world: World) -> String {
        func strip(_ value: Any) -> Any {
            if let object = value as? [String: Any] {
                var out: [String: Any] = [:]
                for (key, inner) in object {
                    switch key {
                    case "wall_seconds", "samples_per_second", "finished_at", "generated_at": out[key] = "<run-level>"
                    case "hidden_aggregate": out[key] = inner is NSNull ? "null" : "<run-level aggregate>"
                    default: out[key] = strip(inner)
                    }
                }
                return out
            }
            if let array = value as? [Any] { return array.map(strip) }
            return value
        }
        let data =
            (try? JSONSerialization.data(withJSONObject: strip(value), options: [.sortedKeys, .fragmentsAllowed, .withoutEscapingSlashes]))
            ?? Data()
        return mask(String(decoding: data, as: UTF8.self), world: world)
    }

    static func canonicalFile(_ path: String, world: World) throws -> String {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        if path.hasSuffix(".jsonl") {
            return try text.split(separator: "\n").map { line in
                canonicalJSON(try JSONSerialization.jsonObject(with: Data(line.utf8)), world: world)
            }.joined(separator: "\n")
        }
        if path.hasSuffix(".json"), let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) {
            return canonicalJSON(object, world: world)
        }
        return mask(text, world: world)
    }

    static func invocation(_ arguments: [String], world: World, expecting statuses: Set<Int32> = [0]) throws -> String {
        let result = try ProctorExecutable.run(arguments)
        #expect(statuses.contains(result.status), "\(arguments.prefix(2)): exit \(result.status)\n\(result.stderr.suffix(2000))")
        return "exit \(result.status)\n--stdout\n" + mask(result.stdout, world: world) + "\n--stderr\n" + mask(result.stderr, world: world)
    }

    // MARK: comparing

    /// The two observations are the same, name by name; a difference is shown line by line.
    static func expectIdentical(_ a: Observation, _ b: Observation, _ what: String) {
        #expect(Set(a.keys) == Set(b.keys), "\(what): different outputs")
        for name in a.keys.sorted() {
            guard let left = a[name], let right = b[name], left != right else { continue }
            let leftLines = left.split(separator: "\n", omittingEmptySubsequences: false)
            let rightLines = right.split(separator: "\n", omittingEmptySubsequences: false)
            let index = Array(zip(leftLines, rightLines)).firstIndex { $0 != $1 } ?? min(leftLines.count, rightLines.count)
            let show = { (lines: [Substring]) in index < lines.count ? String(lines[index].prefix(1500)) : "<end>" }
            Issue.record("\(what): \(name) differs between the secrets at line \(index + 1):\n  \(show(leftLines))\n  \(show(rightLines))")
        }
    }

    /// The verdicts the fixtures are built to get under either secret: the correct sample and
    /// the ones that only spend time pass, every other fails; nothing else is a hidden status.
    static func expectVerdicts(_ samples: String, hiddenStatuses: Set<String>) throws {
        let rows = try String(contentsOfFile: samples, encoding: .utf8).split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(!rows.isEmpty)
        for row in rows {
            let name = "\(row["task_id"] ?? "")#\(row["completion_id"] ?? "")"
            let shouldPass = ["right", "time", "cpu"].contains(row["completion_id"] as? String ?? "")
            #expect(row["passed"] as? Bool == shouldPass, "\(name): \(row["result"] ?? "")")
            #expect(hiddenStatuses.contains(row["status"] as? String ?? ""), "\(name): status \(row["status"] ?? "")")
        }
    }

    // MARK: grading and reading back

    /// `grade` in both pools, then every reader of its results and `repro` of every sample.
    static func observeDirect(_ world: World, problems: String, samples: String, sealed: Bool) throws -> Observation {
        var seen: Observation = [:]
        let keyArguments = sealed ? ["--key-file", world.key] : []
        var runs: [String] = []
        for pool in ["warm", "cold"] {
            let out = world.directory + "/\(sealed ? "sealed" : "private")-\(pool)"
            seen["grade \(pool)"] = try invocation(
                [
                    "grade", "--problems", problems, "--samples", samples, "--out", out, "--pool", pool, "--seed", "7", "--time-floor", "1",
                    "--leakage-report", "--workers", "2",
                ] + limits + keyArguments, world: world)
            for file in ["samples.jsonl", "summary.json", "leakage.jsonl"] {
                seen["\(pool) \(file)"] = try canonicalFile(out + "/" + file, world: world)
            }
            try expectVerdicts(out + "/samples.jsonl", hiddenStatuses: sealed ? ["passed", "failed"] : ["accepted", "failed"])
            runs.append(out)
        }
        let named = ["warm=" + runs[0], "cold=" + runs[1]]
        for format in ["html", "markdown", "json"] {
            seen["report \(format)"] = try invocation(["report"] + named + ["--format", format], world: world)
        }
        seen["compare"] = try invocation(["compare"] + named, world: world)
        seen["compare json"] = try invocation(["compare"] + named + ["--format", "json"], world: world)
        seen["leaderboard"] = try invocation(["leaderboard"] + named, world: world)
        seen["leaderboard html"] = try invocation(["leaderboard"] + named + ["--format", "html"], world: world)
        seen["irt"] = try invocation(["irt"] + named + ["--out", world.directory + "/items.json"], world: world)
        seen["irt items"] = try canonicalFile(world.directory + "/items.json", world: world)
        // Every sample again with repro: the verdict and nothing of the case.
        let rows = try String(contentsOfFile: runs[0] + "/samples.jsonl", encoding: .utf8).split(separator: "\n")
        for line in rows {
            let row = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let identifier = "\(row["task_id"]!)#\(row["completion_id"]!)"
            seen["repro \(identifier)"] = try invocation(
                ["repro", runs[0] + "/samples.jsonl", identifier] + keyArguments, world: world, expecting: [0])
        }
        return seen
    }

    /// `proctor grade` of `samples` against each secret's problems (`problems` picks the file),
    /// with `arguments` besides the limits, in worlds under `base`: each world and its run's
    /// directory (the controls below, run outside `observeDirect`).
    static func gradeEachSecret(
        base: String, key: String, problems: (World) -> String, samples: String, arguments: [String]
    ) throws -> [(world: World, out: String)] {
        try secrets.map { secret in
            let world = try World(secret: secret, base: base, key: key)
            let out = world.directory + "/run"
            let graded = try ProctorExecutable.run(
                ["grade", "--problems", problems(world), "--samples", fixtures + "/" + samples, "--out", out] + arguments + limits)
            try #require(graded.status == 0, "\(graded.stderr)")
            return (world, out)
        }
    }

    @Test func sealedSetsLetNothingButPassFailOut() throws {
        try #require(ProctorExecutable.isBuilt)
        let (base, key) = try Self.makeBase("sealed")
        defer { try? FileManager.default.removeItem(atPath: base) }
        var observations: [Observation] = []
        for secret in Self.secrets {
            let world = try World(secret: secret, base: base, key: key)
            observations.append(
                try Self.observeDirect(world, problems: world.sealed, samples: Self.fixtures + "/samples.sealed.jsonl", sealed: true))
        }
        Self.expectIdentical(observations[0], observations[1], "sealed")
        // The channels are live: the same samples on the same problems, unsealed, show the secret.
        let open = try Self.gradeEachSecret(
            base: base + "/open", key: key, problems: \.plain, samples: "samples.sealed.jsonl",
            arguments: ["--seed", "7", "--time-floor", "1"]
        ).map { try String(contentsOfFile: $0.out + "/samples.jsonl", encoding: .utf8) }
        for (index, secret) in Self.secrets.enumerated() {
            #expect(open[index].contains("Secret\(secret)") && open[index].contains("secret \(secret)"))
        }
        // The guess table is flagged under both secrets, and the row says no more than that.
        let leakage = try #require(observations[0]["warm leakage.jsonl"])
        #expect(leakage.contains(#""completion_id":"leakage_table","flagged":true"#), "\(leakage.prefix(500))")
        #expect(!leakage.contains("offset") && !leakage.contains("tokens"))
    }

    @Test func privateTestsLetNothingButPassFailOut() throws {
        try #require(ProctorExecutable.isBuilt)
        let (base, key) = try Self.makeBase("private")
        defer { try? FileManager.default.removeItem(atPath: base) }
        var observations: [Observation] = []
        for secret in Self.secrets {
            let world = try World(secret: secret, base: base, key: key)
            observations.append(
                try Self.observeDirect(world, problems: world.unsealed, samples: Self.fixtures + "/samples.private.jsonl", sealed: false))
        }
        Self.expectIdentical(observations[0], observations[1], "private")
        // Revealing private tests is the owner's choice, and then the secret shows (the same
        // samples, so the suite above is not passing for want of a channel).
        let revealed = try Self.gradeEachSecret(
            base: base + "/revealed", key: key, problems: \.unsealed, samples: "samples.private.jsonl", arguments: ["--reveal-private"]
        ).map { try Self.canonicalFile($0.out + "/samples.jsonl", world: $0.world) }
        #expect(revealed[0] != revealed[1])
        #expect(revealed[0].contains("\(Self.secrets[0])") && revealed[1].contains("\(Self.secrets[1])"))
    }

    @Test func throughTheQueueNothingButPassFailIsStored() throws {
        try #require(ProctorExecutable.isBuilt)
        let (base, key) = try Self.makeBase("queue")
        defer { try? FileManager.default.removeItem(atPath: base) }
        var observations: [Observation] = []
        for secret in Self.secrets {
            let world = try World(secret: secret, base: base, key: key)
            let location = try Backend.sqlite.freshLocation()
            var seen: Observation = [:]
            for (run, problems, samples, sealed) in [
                ("sealed", world.sealed, Self.fixtures + "/samples.sealed.jsonl", true),
                ("private", world.unsealed, Self.fixtures + "/samples.private.jsonl", false),
            ] {
                let keyArguments = sealed ? ["--key-file", world.key] : []
                seen["submit \(run)"] = try Self.invocation(
                    [
                        "submit", "--queue", location, "--run", run, "--problems", problems, "--samples", samples, "--seed", "7",
                        "--time-floor", "1",
                    ] + Self.limits + keyArguments, world: world)
            }
            let worker = try ProctorExecutable.run([
                "worker", "--queue", location, "--concurrency", "2", "--exit-when-idle", "1", "--reference-cache", "none", "--key-file",
                world.key,
            ])
            #expect(worker.status == 0, "\(worker.stderr.suffix(2000))")
            for run in ["sealed", "private"] {
                let out = world.directory + "/results-\(run)"
                seen["results \(run)"] = try Self.invocation(["results", "--queue", location, "--run", run, "--out", out], world: world)
                seen["results \(run) samples.jsonl"] = try Self.canonicalFile(out + "/samples.jsonl", world: world)
                seen["results \(run) summary.json"] = try Self.canonicalFile(out + "/summary.json", world: world)
                try Self.expectVerdicts(
                    out + "/samples.jsonl", hiddenStatuses: run == "sealed" ? ["passed", "failed"] : ["accepted", "failed"])
                seen["report \(run)"] = try Self.invocation(["report", "run=" + out, "--format", "json"], world: world)
                // The database's own columns, not only the rows `results` writes.
                let store = try QueueLocation(location).open(creating: false)
                defer { store.close() }
                var stored: [String] = []
                _ = try store.results(run: run) { record in
                    let row = (try? JSONSerialization.jsonObject(with: Data(record.result.row))) ?? [:]
                    stored.append(
                        "\(record.result.taskID) \(record.result.status) \(record.result.passed) \(record.result.wallMs) "
                            + "\(record.result.cpuMs) \(record.result.peakRssKiB) " + Self.canonicalJSON(row, world: world))
                }
                seen["database \(run)"] = stored.joined(separator: "\n")
                #expect(stored.count == (run == "sealed" ? 46 : 60))
            }
            // The worker's log says what it did, never how a hidden sample went (its id and
            // the log lines' times are the worker's own).
            seen["worker log"] = Self.mask(
                worker.stderr.replacingOccurrences(of: #"worker \S+ (on|stopped)"#, with: "worker <id> $1", options: .regularExpression)
                    .replacingOccurrences(
                        of: #"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d{4})?"#, with: "<time>", options: .regularExpression),
                world: world)
            observations.append(seen.mapValues { $0.replacingOccurrences(of: location, with: "<queue>") })
        }
        Self.expectIdentical(observations[0], observations[1], "queue")
    }

    @Test func onlyThePassBitCrosses() throws {
        try #require(ProctorExecutable.isBuilt)
        let (base, key) = try Self.makeBase("passbit")
        defer { try? FileManager.default.removeItem(atPath: base) }
        let rows = try Self.gradeEachSecret(
            base: base, key: key, problems: \.sealed, samples: "samples.passbit.jsonl", arguments: ["--key-file", key, "--allow-partial"]
        ).map { run in
            let line = try String(contentsOfFile: run.out + "/samples.jsonl", encoding: .utf8).split(separator: "\n")[0]
            return try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
        // 0x5A5 is odd: that sample passes; 0xA5A is even: it fails. That bit, and only it.
        #expect(rows[0]["passed"] as? Bool == true && rows[1]["passed"] as? Bool == false)
        let differing = Set(rows[0].keys).union(rows[1].keys).filter { key in
            guard let left = rows[0][key], let right = rows[1][key] else { return true }
            let encode = { (value: Any) in try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed]) }
            return encode(left) != encode(right)
        }
        #expect(differing.subtracting(["passed", "status", "result", "audit"]).isEmpty, "\(differing)")
        let audits = rows.map { ($0["audit"] as? [String: Any] ?? [:]).filter { $0.key != "problem_sha256" && $0.key != "key" } }
        #expect(NSDictionary(dictionary: audits[0]).isEqual(to: audits[1]))
    }
}
