// The real clock and the real random source, for front ends to hand to everything below them.
import Foundation
import KhoCore

extension Clock {
    /// The system's wall clock (UTC) and its monotonic clock.
    public static let system = Clock(
        now: { Timestamp(epochSeconds: Date().timeIntervalSince1970) },
        uptime: { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 })
}

extension IdentifierSource {
    /// Product IDs from the system's cryptographic random source; archive IDs as UUIDs.
    public static let system = IdentifierSource(
        productID: {
            var rng = SystemRandomNumberGenerator()
            return ProductID.generate(using: &rng)
        },
        archiveID: { UUID().uuidString.lowercased() })
}
