import Foundation
import Results
import SchemaCheck
import Testing

/// `docs/results-schema.json` and the vocabulary in `Results` say the same, and the checker the
/// suites use on what they write does refuse what does not conform.
@Suite struct ResultsSchemaDocumentTests {
    @Test func theDocumentNamesTheVocabularyInReportOrderAndTheVersion() throws {
        let schema = try SchemaCheck.schema()
        #expect(schema["$defs"]?["status"]?["enum"] == .array(SampleStatus.allCases.map { .string($0.rawValue) }))
        #expect(schema["$defs"]?["groupStatus"]?["enum"] == .array(GroupStatus.allCases.map { .string($0.rawValue) }))
        #expect(schema["version"] == .integer(Int64(ResultsSchema.version)))
        for kind in ["sampleRow", "summary", "repositoryReport", "repositorySummary"] {
            #expect(schema["$defs"]?[kind]?["properties"]?["schema_version"]?["const"] == .integer(Int64(ResultsSchema.version)), "\(kind)")
        }
    }

    private let good = #"""
        {"task_id":"T/0","completion_id":"0","passed":true,"status":"passed","result":"passed","error":null,"wall_ms":3.5,
         "cpu_ms":2,"peak_rss_kib":11000,"completion":"kept as the sample gave it","schema_version":2,
         "audit":{"problem_sha256":"\#(String(repeating: "a", count: 64))","sample_sha256":"\#(String(repeating: "b", count: 64))",
                  "profile":"python-strict","profile_sha256":"\#(String(repeating: "c", count: 64))","proctor_version":"0.1.0",
                  "limits":{"cpu_s":3,"wall_ms":3000,"memory_bytes":1,"output_limit_bytes":1,"processes":1,"file_size_bytes":1}}}
        """#

    @Test func aConformingRowHasNoProblems() throws {
        #expect(try SchemaCheck.problems(good, as: .sampleRow) == [])
        // A result's reason is the sample's exception message: it may span lines.
        let multiline = good.replacingOccurrences(of: #""result":"passed""#, with: #""result":"failed: one\ntwo""#)
        #expect(try SchemaCheck.problems(multiline, as: .sampleRow) == [])
    }

    @Test func theCheckerRefusesWhatDoesNotConform() throws {
        let cases: [(String, String)] = [
            (#""status":"passed""#, #""status":"bogus""#),
            (#""passed":true"#, #""passed":"yes""#),
            (#""schema_version":2"#, #""schema_version":1"#),
            (#""wall_ms":3.5"#, #""wall_ms":-1"#),
            (#""error":null"#, #""error":{"type":"X","why":"a field rows do not have"}"#),
            (#""result":"passed""#, #""result":"looks good""#),
            (#""cpu_s":3"#, #""cpu_s":"3""#),
        ]
        for (from, to) in cases {
            let bad = good.replacingOccurrences(of: from, with: to)
            #expect(bad != good)
            #expect(try !SchemaCheck.problems(bad, as: .sampleRow).isEmpty, "\(to)")
        }
        let missing = good.replacingOccurrences(of: #""task_id":"T/0","#, with: "")
        #expect(try SchemaCheck.problems(missing, as: .sampleRow).contains { $0.contains("task_id is missing") })
        #expect(try !SchemaCheck.problems(#"{"problems":"p","status_counts":{"bogus":1}}"#, as: .summary).isEmpty)
    }
}
