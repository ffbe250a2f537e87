import Foundation
import Results
import Testing

/// `RowDecoder` must read what Foundation's `JSONDecoder` reads, and refuse what it refuses:
/// it is what every report, comparison and leaderboard reads rows with.
@Suite struct RowDecoderTests {
    private func both<T: Decodable & Equatable>(_ type: T.Type, _ text: String) throws -> T {
        let ours = try RowDecoder.decode(type, from: Array(text.utf8))
        let foundation = try JSONDecoder().decode(type, from: Data(text.utf8))
        #expect(ours == foundation, "\(text)")
        return ours
    }

    @Test func aRowAsGradeWritesItDecodesAsFoundationDecodesIt() throws {
        let row = #"""
            {"task_id":"HumanEval/0","completion_id":"3","completion":"    return [x for x in \"a\\\"b\"]\n","passed":false,
             "status":"failed","result":"failed: AssertionError","tests_calls":2,
             "error":{"type":"AssertionError","message":"é \u00e9 \ud83d\ude00 tab\t","line":4,"file":"tests","source":null},
             "sandbox_status":"exited(1)","exit_code":1,"signal":null,"wall_ms":12.5,"cpu_ms":1e1,"peak_rss_kib":11264,
             "stdout_tail":"{\"not\": \"a member\"}","audit":{"problem_sha256":"p","sample_sha256":"s","profile":"python-strict",
             "limits":{"cpu_s":3,"wall_ms":3000.0,"memory_bytes":268435456},"kernel":"6.1","extra":[1,[2,{"x":[]}],true,null]},
             "schema_version":1}
            """#
        let record = try both(SampleRecord.self, row)
        #expect(record.taskID == "HumanEval/0" && record.sampleStatus == .failed && record.passes == false)
        #expect(record.error?.message == "é é 😀 tab\t" && record.error?.line == 4 && record.error?.source == nil)
        #expect(record.cpuMs == 10 && record.peakRssKiB == 11264 && record.audit?.limits?.wallMs == 3000)
        #expect(record.audit?.limits?.byName == ["cpu_s": 3, "wall_ms": 3000, "memory_bytes": 268_435_456])
    }

    @Test func idsMayBeNumbersAndAnErrorABareMessage() throws {
        let record = try RowDecoder.decode(SampleRecord.self, from: Array(#"{"task_id": 11, "completion_id": 2.0, "error": "boom"}"#.utf8))
        #expect(record.taskID == "11" && record.completionID == "2" && record.error?.message == "boom")
    }

    @Test func aRepositoryReportCountsByItsResolution() throws {
        let full = try both(SampleRecord.self, #"{"instance_id":"a__b-1","model_name_or_path":"m","resolution":"FULL","resolved":true}"#)
        #expect(full.isRepository && full.passes && full.effectiveStatus == SampleStatus.resolved.rawValue)
        let broken = try both(SampleRecord.self, #"{"instance_id":"a__b-2","resolution":"NO","resolved":false,"error":"no log"}"#)
        #expect(!broken.passes && broken.effectiveStatus == SampleStatus.error.rawValue)
    }

    @Test func theFirstOfRepeatedNamesWins() throws {
        _ = try both(SampleRecord.self, #"{"status":"failed","status":"passed"}"#)
        #expect(try RowDecoder.decode(SampleRecord.self, from: Array(#"{"status":"failed","status":"passed"}"#.utf8)).status == "failed")
    }

    @Test func anEscapedMemberNameIsFound() throws {
        _ = try both(SampleRecord.self, #"{"st\u0061tus":"timeout"}"#)
    }

    @Test func brokenLinesAreRefused() {
        for text in [
            #"{"task_id": "x", garbage}"#, #"{"task_id": "x"} trailing"#, #"{"task_id": "x""#, #"{"task_id" "x"}"#,
            #"{"task_id": "x",}"#, #"{"a": [1, 2}"#, #"{"a": tru}"#, #"{"a": "unterminated}"#, "", #"{"passed": "yes"}"#,
            #"{"wall_ms": "fast"}"#, #"{"tests_total": 1.5}"#, #"{"a": "\u12"}"#, #"{"a": "\q"}"#,
        ] {
            #expect(throws: (any Error).self, "\(text)") { try RowDecoder.decode(SampleRecord.self, from: Array(text.utf8)) }
        }
    }

    @Test func nestingAsDeepAsAStackIsRefusedNotACrash() throws {
        let deep = "{\"extra\": " + String(repeating: "[", count: 200_000) + String(repeating: "]", count: 200_000) + "}"
        #expect(throws: (any Error).self) { try RowDecoder.decode(SampleRecord.self, from: Array(deep.utf8)) }
        let fine = "{\"extra\": " + String(repeating: "[", count: 100) + String(repeating: "]", count: 100) + ", \"status\": \"failed\"}"
        #expect(try RowDecoder.decode(SampleRecord.self, from: Array(fine.utf8)).status == "failed")
    }

    @Test func aSummaryOfAnyAgeReadsWithDefaults() throws {
        let summary = try RowDecoder.decode(GradeSummary.self, from: Array(#"{"problems": "p.jsonl", "status_counts": {"passed": 2}}"#.utf8))
        #expect(summary.problems == "p.jsonl" && summary.statusCounts == ["passed": 2] && summary.schemaVersion == nil && summary.passAtK.isEmpty)
    }
}

/// The streaming reader: rows in file order with their line numbers, whichever core decoded
/// them; a bad line named by file and line.
@Suite struct ResultsReaderTests {
    private func file(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "proctor-results-reader-\(UUID().uuidString).jsonl"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func rowsComeInFileOrderAcrossBlocks() throws {
        // More than one block of lines, and no newline after the last.
        let count = 30_000
        let text = (0..<count).map { #"{"task_id":"T/\#($0)","passed":\#($0 % 2 == 0),"pad":"\#(String(repeating: "x", count: 200))"}"# }
            .joined(separator: "\n")
        let path = try file(text)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var seen: [(String, Int)] = []
        try ResultsReader.forEachRow(in: path) { record, line in seen.append((record.taskID ?? "", line)) }
        #expect(seen.count == count)
        #expect(seen.enumerated().allSatisfy { index, entry in entry.0 == "T/\(index)" && entry.1 == index + 1 })
    }

    @Test func aBadLineIsNamedByFileAndLine() throws {
        let path = try file("{\"task_id\":\"a\"}\n\n{\"task_id\":\"b\",}\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect {
            try ResultsReader.forEachRow(in: path) { _, _ in }
        } throws: { error in
            "\(error)".contains("\(path):3: not a results row")
        }
    }
}

/// `ExplicitNull`: absent values are written as null and read back from null or a missing key.
@Suite struct ExplicitNullTests {
    struct Document: Codable, Equatable {
        var name: String
        @ExplicitNull var p: Double?
        @ExplicitNull var note: String?
    }

    @Test func absentIsNullAndNullOrMissingIsAbsent() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let empty = String(decoding: try encoder.encode(Document(name: "a", p: nil, note: nil)), as: UTF8.self)
        #expect(empty == #"{"name":"a","note":null,"p":null}"#)
        let full = Document(name: "b", p: 0.25, note: "x")
        #expect(String(decoding: try encoder.encode(full), as: UTF8.self) == #"{"name":"b","note":"x","p":0.25}"#)
        #expect(try JSONDecoder().decode(Document.self, from: try encoder.encode(full)) == full)
        for text in [#"{"name":"c"}"#, #"{"name":"c","p":null,"note":null}"#] {
            let read = try JSONDecoder().decode(Document.self, from: Data(text.utf8))
            #expect(read.p == nil && read.note == nil && read.name == "c")
        }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Document.self, from: Data(#"{"name":"c","p":"high"}"#.utf8)) }
    }

    /// A type asking for its super decoder with keys that have no "super" gets an error, not a trap.
    @Test func superDecoderWithoutASuperKeyThrows() throws {
        struct Asks: Decodable {
            enum Keys: String, CodingKey { case a }
            init(from decoder: any Decoder) throws {
                _ = try decoder.container(keyedBy: Keys.self).superDecoder()
            }
        }
        #expect(throws: DecodingError.self) { try RowDecoder.decode(Asks.self, from: Array(#"{"a": 1}"#.utf8)) }
    }
}
