import Foundation

/// Grading a new model adaptively ("fluid benchmarking"): after each task, θ is re-estimated
/// (EAP over the same grid as the fit) and the next task is the unanswered one with the most
/// Fisher information at that estimate; stop after `maxItems` or once θ's standard error falls
/// below `targetSE`.
public struct AdaptiveTest: Sendable {
    public struct Step: Sendable, Codable, Equatable {
        public var task: String
        public var n: Int
        public var c: Int
        public var theta: Double
        public var se: Double
    }

    public let items: [String: ItemResponseModel.Item]
    public let maxItems: Int
    public let targetSE: Double
    public private(set) var steps: [Step] = []
    public private(set) var theta = 0.0
    public private(set) var se = 1.0

    public init(items: [ItemResponseModel.Item], maxItems: Int, targetSE: Double) {
        self.items = Dictionary(items.map { ($0.task, $0) }, uniquingKeysWith: { first, _ in first })
        self.maxItems = maxItems
        self.targetSE = targetSE
    }

    public var finished: Bool { steps.count >= maxItems || (!steps.isEmpty && se < targetSE) }

    /// The next task to grade among `available` (nil when done or none is left).
    public func next(available: Set<String>) -> String? {
        guard !finished else { return nil }
        let answered = Set(steps.map(\.task))
        return available.subtracting(answered).compactMap { items[$0] }
            .max { $0.information(theta) < $1.information(theta) || ($0.information(theta) == $1.information(theta) && $0.task > $1.task) }?
            .task
    }

    /// Runs the test to its end: `grade(task)` grades that task's samples and returns (n, c).
    public mutating func run(available: Set<String>, grade: (String) throws -> (n: Int, c: Int)) rethrows {
        while let task = next(available: available) {
            let result = try grade(task)
            record(task: task, n: result.n, c: result.c)
        }
    }

    /// Records a task's result (c of n samples passed) and updates θ.
    public mutating func record(task: String, n: Int, c: Int) {
        guard items[task] != nil else { return }
        steps.append(Step(task: task, n: n, c: c, theta: 0, se: 0))
        let estimate = ItemResponseModel.ability(responses: steps.compactMap { step in items[step.task].map { ($0, step.n, step.c) } })
        theta = estimate.theta
        se = estimate.se
        steps[steps.count - 1].theta = theta
        steps[steps.count - 1].se = se
    }

    /// Where θ stands against the abilities of the runs the items were fitted on.
    public enum Extrapolation: String, Sendable, Codable, Equatable {
        /// Above every fitted run: the items say little up there and the prior pulls θ down,
        /// so only a lower bound is honest.
        case above
        /// Below every fitted run: only an upper bound is honest.
        case below
    }

    /// Whether θ left the range of `fitted` abilities (nil: inside it, the interval stands).
    public func extrapolation(fitted: [Double]) -> Extrapolation? {
        guard let low = fitted.min(), let high = fitted.max() else { return nil }
        if theta > high { return .above }
        if theta < low { return .below }
        return nil
    }

    /// The 95% interval, open on the side θ extrapolated to (nil there): an adaptive estimate
    /// past every fitted run is a bound, not a number.
    public func interval(fitted: [Double]) -> (low: Double?, high: Double?) {
        let low = theta - 1.96 * se
        let high = theta + 1.96 * se
        switch extrapolation(fitted: fitted) {
        case .above?: return (low, nil)
        case .below?: return (nil, high)
        case nil: return (low, high)
        }
    }
}
