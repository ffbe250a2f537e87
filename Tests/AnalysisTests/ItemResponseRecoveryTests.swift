import Estimates
import Foundation
import Testing

@testable import Analysis

/// The IRT fit against the truth it was simulated from, at 1, 10 and 50 samples per task, and
/// against an independent check of optimality: the penalised marginal log-likelihood and its
/// gradient (by Fisher's identity) integrated on a fixed grid 0.01 apart, none of the fit's
/// own adaptive machinery involved.
@Suite struct ItemResponseRecoveryTests {
    /// The objective and, per item, its gradient in (a, d), on the fixed fine grid.
    static func independentObjective(_ responses: ItemResponseModel.Responses, a: [Double], d: [Double]) -> (
        value: Double, gradient: [(a: Double, d: Double)]
    ) {
        let grid = Quadrature.normal(points: 1601, range: 8)
        var value = zip(a, d).reduce(0) { $0 - ($1.0 - 1) * ($1.0 - 1) / 8 - $1.1 * $1.1 / 32 }
        var gradient = zip(a, d).map { (a: -($0 - 1) / 4, d: -$1 / 16) }
        for row in responses.counts {
            var log = grid.weights.map { Foundation.log($0) }
            for (j, cell) in row.enumerated() {
                guard let cell else { continue }
                for (q, theta) in grid.nodes.enumerated() {
                    let p = 1 / (1 + exp(-(a[j] * theta + d[j])))
                    log[q] += Double(cell.c) * Foundation.log(p) + Double(cell.n - cell.c) * Foundation.log(1 - p)
                }
            }
            let top = log.max()!
            let weights = log.map { exp($0 - top) }
            let total = weights.reduce(0, +)
            value += top + Foundation.log(total)
            for (j, cell) in row.enumerated() {
                guard let cell else { continue }
                for (q, theta) in grid.nodes.enumerated() where weights[q] > 1e-14 * total {
                    let w = weights[q] / total
                    let residual = w * (Double(cell.c) - Double(cell.n) / (1 + exp(-(a[j] * theta + d[j]))))
                    gradient[j].a += residual * theta
                    gradient[j].d += residual
                }
            }
        }
        return (value, gradient)
    }

    @Test(arguments: [1, 10, 50])
    func reachesTheOptimumAndRecoversTheTruth(samples: Int) {
        let (responses, thetas, trueA, trueB) = ItemResponseTests.simulate(models: 24, items: 120, n: samples, seed: 2026 + UInt64(samples))
        let model = ItemResponseModel.fit(responses)
        #expect(model.converged, "\(samples) sample(s): not converged after \(model.iterations) iterations")
        let gap = try? #require(model.gap)
        #expect((gap ?? 1) < 1e-3, "\(samples) sample(s): gap \(String(describing: gap))")
        #expect(model.starts?.count == 3)
        #expect(model.startSpread < 0.01, "\(samples) sample(s): starts ended \(model.startSpread) log-units apart: \(model.starts ?? [])")

        let a = model.items.map(\.a)
        let d = model.items.map { -$0.a * $0.b }
        let fitted = Self.independentObjective(responses, a: a, d: d)
        // The fit's own log-likelihood is the objective's value, integrated independently.
        if let reported = model.logLikelihood {
            #expect(abs(reported - fitted.value) < 0.05, "\(samples) sample(s): reported \(reported), fixed grid \(fitted.value)")
        }
        // No better point than the fit's: the truth scores lower, and the gradient is nil.
        let truth = Self.independentObjective(responses, a: trueA, d: zip(trueA, trueB).map { -$0 * $1 })
        #expect(fitted.value >= truth.value - 0.01, "\(samples) sample(s): fit \(fitted.value) below the truth's \(truth.value)")
        let steepest = fitted.gradient.map { max(abs($0.a), abs($0.d)) }.max() ?? 0
        #expect(steepest < 0.01, "\(samples) sample(s): largest gradient component \(steepest) at the fit")

        // Abilities in the truth's order, and (after the linear map the N(0, 1) scale leaves
        // free) most intervals hold the true value.
        let theta = model.abilities.map(\.theta)
        #expect(PairedTests.kendallTau(thetas, theta) >= (samples == 1 ? 0.85 : 0.95))
        let mean = (theta.reduce(0, +) / Double(theta.count), thetas.reduce(0, +) / Double(thetas.count))
        let slope =
            zip(theta, thetas).reduce(0) { $0 + ($1.0 - mean.0) * ($1.1 - mean.1) } / theta.reduce(0) { $0 + ($1 - mean.0) * ($1 - mean.0) }
        let covered = model.abilities.enumerated().filter { index, ability in
            let (low, high) = (mean.1 + slope * (ability.low - mean.0), mean.1 + slope * (ability.high - mean.0))
            return low <= thetas[index] && thetas[index] <= high
        }.count
        #expect(covered >= 19, "\(samples) sample(s): \(covered) of 24 intervals hold the true ability")
    }
}
