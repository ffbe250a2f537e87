import Foundation
import Crypto

/// sha256 as lowercase hex (audit digests).
enum Digest {
    static func of(_ text: String) -> String { SHA256.hash(data: Array(text.utf8)).map { String(format: "%02x", $0) }.joined() }
}
