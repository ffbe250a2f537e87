import Foundation
import Sandbox

/// The one JSON shape `proctor` prints outcomes in: stable key order, pretty, no escaped slashes.
enum OutcomeJSON {
    static func encode(_ outcome: Outcome) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(outcome), as: UTF8.self)
    }
}
