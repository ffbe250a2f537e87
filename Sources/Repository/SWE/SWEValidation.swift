import Foundation
import Grader

/// `proctor swe validate`: whether each instance can be graded on this machine. Its own fix (the
/// gold patch) must come out FULL and an empty patch NO — the tests of FAIL_TO_PASS must fail
/// without the fix — or the instance is listed as not reproducible here, with the reason (an
/// environment that did not build, a Python version not available, tests that pass without the
/// fix or fail with it).
public enum SWEValidation {
    public struct Row: Codable, Sendable {
        public var instanceID: String
        public var reproducible: Bool
        public var gold: String
        public var empty: String
        public var reason: String?

        enum CodingKeys: String, CodingKey {
            case instanceID = "instance_id", reproducible, gold, empty, reason
        }
    }

    /// Grades gold into OUT/gold and an empty patch into OUT/empty, then compares; writes
    /// OUT/validation.json.
    public static func run(_ options: RepoGradeOptions) throws(GradeError) -> [Row] {
        var instances = try RepoInstance.read(path: options.instancesPath)
        if let wanted = options.instanceIDs {
            let known = Set(instances.map(\.instanceID))
            if let missing = wanted.first(where: { !known.contains($0) }) {
                throw GradeError("--instance-ids: no instance '\(missing)' in \(options.instancesPath)")
            }
            instances = instances.filter { wanted.contains($0.instanceID) }
        }
        var gold = options
        gold.outDirectory = options.outDirectory + "/gold"
        gold.instanceIDs = nil
        _ = try RepoGradeRun(gold, instances: instances, predictions: RepoPrediction.gold(instances, source: options.instancesPath)).run()
        var empty = options
        empty.outDirectory = options.outDirectory + "/empty"
        empty.instanceIDs = nil
        empty.runEmptyPatches = true
        _ = try RepoGradeRun(
            empty, instances: instances,
            predictions: instances.map { RepoPrediction(instanceID: $0.instanceID, model: "empty", patch: "") }
        ).run()
        var rows: [Row] = []
        for instance in instances {
            let name = RepoGradeRun.directoryName(instance.instanceID)
            let withFix = try? RepoGradeRun.report(in: gold.outDirectory + "/" + name)
            let without = try? RepoGradeRun.report(in: empty.outDirectory + "/" + name)
            func verdict(_ report: RepoGradeRun.InstanceReport?) -> String {
                guard let report else { return "no report" }
                return report.error == nil ? report.resolution : "ERROR"
            }
            var reason: String?
            if let error = withFix?.error {
                reason = "gold: \(error)"
            } else if withFix?.resolution != "FULL" {
                let failing = (withFix?.failToPass.failure ?? []) + (withFix?.passToPass.failure ?? [])
                reason = "gold is \(verdict(withFix)): failing with the fix: \(failing.prefix(5).joined(separator: "; "))"
            } else if let error = without?.error {
                reason = "empty patch: \(error)"
            } else if without?.resolution != "NO" {
                reason = "an empty patch is \(verdict(without)): FAIL_TO_PASS tests pass without the fix: \((without?.failToPass.success ?? []).prefix(5).joined(separator: "; "))"
            }
            rows.append(Row(instanceID: instance.instanceID, reproducible: reason == nil, gold: verdict(withFix), empty: verdict(without), reason: reason))
        }
        try JSONReport.write(rows, to: options.outDirectory + "/validation.json")
        return rows
    }
}
