import Crypto
import Foundation

/// sha256 of a whole file, read in blocks (a samples file can be larger than memory should hold).
public enum FileDigest {
    public static func sha256(path: String) throws(GradeError) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw GradeError("\(path): cannot open for reading") }
        defer { try? handle.close() }
        var hasher = SHA256()
        while true {
            let block: Data
            do {
                block = try handle.read(upToCount: 1 << 20) ?? Data()
            } catch {
                throw GradeError(io: "\(path): read failed", errno: Int32((error as NSError).code))
            }
            if block.isEmpty { break }
            hasher.update(data: block)
        }
        return hasher.finalize().map { String($0, radix: 16).leftPadded() }.joined()
    }
}

extension String {
    fileprivate func leftPadded() -> String { count == 1 ? "0" + self : self }
}
