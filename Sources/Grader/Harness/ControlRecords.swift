import Sandbox

/// The records on the control channel (fd 3) that more than one reader needs: the verdict of a
/// sample, the reference run's cases and amplify's problem line all come back this way, and
/// only the supervisor (never task or sample code) can write them.
enum ControlRecords {
    /// The first well-formed `exception TYPE<TAB>FILE<TAB>LINE<TAB>MESSAGE` record (FILE is
    /// `program` or `tests`), its fields unescaped.
    static func exception(in control: [String]) -> (type: String, file: String, line: Int, message: String)? {
        for record in control where record.hasPrefix("exception ") {
            let fields = record.dropFirst("exception ".count).split(separator: "\t", maxSplits: 3, omittingEmptySubsequences: false)
            if fields.count == 4, fields[1] == "program" || fields[1] == "tests" {
                return (ControlText.unescape(fields[0]), String(fields[1]), Int(fields[2]) ?? 0, ControlText.unescape(fields[3]))
            }
        }
        return nil
    }

    /// The bytes the tester handed over in `blob HEX` records (one value split over lines of
    /// hex digits), or nil when there are none or they are not lowercase hex.
    static func blob(in control: [String]) -> [UInt8]? {
        var out: [UInt8] = []
        var high: UInt8?
        for record in control where record.hasPrefix("blob ") {
            for c in record.utf8.dropFirst(5) {
                let value: UInt8
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): value = c - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): value = c - UInt8(ascii: "a") + 10
                default: return nil
                }
                if let h = high {
                    out.append(h << 4 | value)
                    high = nil
                } else {
                    high = value
                }
            }
        }
        return out.isEmpty || high != nil ? nil : out
    }
}
