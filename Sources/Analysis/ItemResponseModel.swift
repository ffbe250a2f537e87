import Estimates
import Foundation

/// A two-parameter logistic item response model, P(solve | θ) = σ(a(θ − b)), fitted to a
/// pass/fail matrix of runs (models) × tasks (items) by marginal maximum likelihood: EM with
/// θ ~ N(0, 1) (the scale's anchor) integrated on each run's own adaptive nodes (`MarginalEM`),
/// each item's M-step a Newton step on (a, d = −ab), from several starting points, with weak priors a ~ N(1, 2²), d ~ N(0, 4²) so items every run solved
/// (or none did) stay finite (Bayes modal estimation, as BILOG does). Several samples per task
/// are repeated responses: a run's task contributes its c passes of n (binomial).
public struct ItemResponseModel: Sendable, Codable {
    public struct Item: Sendable, Codable, Equatable {
        public var task: String
        /// Discrimination, difficulty, and their standard errors.
        public var a: Double
        public var b: Double
        public var aSE: Double
        public var bSE: Double
        /// Passes and samples over all runs.
        public var passes: Int
        public var samples: Int
        /// `never_solved`, `always_solved`, `negative_discrimination`, `low_discrimination`.
        public var flags: [String]

        enum CodingKeys: String, CodingKey {
            case task, a, b, aSE = "a_se", bSE = "b_se", passes, samples, flags
        }

        /// Probability that ability θ solves it.
        public func probability(_ theta: Double) -> Double { 1 / (1 + exp(-a * (theta - b))) }

        /// Fisher information at θ: a² p (1 − p).
        public func information(_ theta: Double) -> Double {
            let p = probability(theta)
            return a * a * p * (1 - p)
        }
    }

    public struct Ability: Sendable, Codable, Equatable {
        public var run: String
        /// Posterior mean (EAP) and standard deviation of θ.
        public var theta: Double
        public var se: Double
        public var low: Double
        public var high: Double
        public var passAt1: Double

        enum CodingKeys: String, CodingKey {
            case run, theta, se, low = "ci95_low", high = "ci95_high", passAt1 = "pass_at_1"
        }
    }

    public var items: [Item]
    public var abilities: [Ability]
    public var iterations: Int
    public var converged: Bool
    /// The penalised marginal log-likelihood reached, and the EM's estimate of how far below the
    /// optimum it still is (nil when it did not converge: no estimate holds). Absent from
    /// items.json files written before they were reported.
    public var logLikelihood: Double?
    public var gap: Double?
    /// Every starting point's outcome: starts that end far apart mean the likelihood has several
    /// optima, and the best was kept.
    public var starts: [Start]?

    enum CodingKeys: String, CodingKey {
        case items, abilities, iterations, converged, logLikelihood = "log_likelihood", gap, starts
    }

    /// How far apart the starting points ended, in log-likelihood (0 with one start).
    public var startSpread: Double {
        let values = (starts ?? []).map(\.logLikelihood)
        return (values.max() ?? 0) - (values.min() ?? 0)
    }

    /// Responses: per run, per task, (n, c). Tasks missing from a run are simply not responses.
    public struct Responses: Sendable {
        public var runs: [String]
        public var tasks: [String]
        /// counts[run][task] = (n, c), or nil.
        public var counts: [[(n: Int, c: Int)?]]

        public init(runs: [String], tasks: [String], counts: [[(n: Int, c: Int)?]]) {
            self.runs = runs
            self.tasks = tasks
            self.counts = counts
        }

        /// The tasks every run's results share, in the first run's order.
        public init(_ results: [RunResults]) {
            runs = results.map(\.name)
            let shared = Set(results.dropFirst().reduce(Set(results.first?.taskOrder ?? [])) { $0.intersection($1.taskOrder) })
            let tasks = (results.first?.taskOrder ?? []).filter { shared.contains($0) }
            self.tasks = tasks
            counts = results.map { run in tasks.map { task in run.tasks[task].map { ($0.n, $0.c) } } }
        }
    }

    /// The grid each run's first nodes are placed from, and the grid adaptive testing reads θ off
    /// (0.01 apart: one run answering a few items has a posterior far wider than that).
    static let grid = Quadrature.normal(points: 121, range: 6)
    static let fine = Quadrature.normal(points: 1601, range: 8)

    /// How a fit went from one starting point.
    public struct Start: Sendable, Codable, Equatable {
        public var logLikelihood: Double
        public var iterations: Int
        public var converged: Bool

        enum CodingKeys: String, CodingKey { case logLikelihood = "log_likelihood", iterations, converged }
    }

    /// Fits the model to `responses` by EM from `starts` starting points (the first from each
    /// item's pass rate, the others spread around it), keeping the one with the highest
    /// penalised log-likelihood. Each EM stops once its estimated distance to the optimum is
    /// below `tolerance` log-units (see `MarginalEM`).
    public static func fit(_ responses: Responses, maxIterations: Int = 2000, tolerance: Double = 1e-4, starts: Int = 3) -> ItemResponseModel {
        let runs = responses.runs.count
        let items = responses.tasks.count
        let engine = MarginalEM(responses)
        // First start: a = 1, d from each item's overall pass rate (logit, kept inside ±4).
        var d0 = [Double](repeating: 0, count: items)
        for j in 0..<items {
            var n = 0, c = 0
            for r in 0..<runs { if let cell = responses.counts[r][j] { n += cell.n; c += cell.c } }
            let p = (Double(c) + 0.5) / (Double(n) + 1)
            d0[j] = max(-4, min(4, log(p / (1 - p))))
        }
        var generator = SplitMix64(seed: 0x1A7E)
        var outcomes: [MarginalEM.Outcome] = []
        for start in 0..<max(1, starts) {
            var a = [Double](repeating: 1, count: items)
            var d = d0
            if start > 0 {
                // Others: discriminations drawn over [0.3, 3], intercepts jittered by up to ±1.
                for j in 0..<items {
                    a[j] = 0.3 + 2.7 * Double(generator.next() >> 11) / Double(1 << 53)
                    d[j] += 2 * Double(generator.next() >> 11) / Double(1 << 53) - 1
                }
            }
            outcomes.append(engine.run(a: a, d: d, maxIterations: maxIterations, tolerance: tolerance))
        }
        let best = outcomes.max { $0.logLikelihood < $1.logLikelihood }!
        let (a, d, information) = (best.a, best.d, best.information)
        // Abilities: each run's posterior on nodes a quarter as far apart as the EM's.
        let centred = engine.posteriors(a: a, d: d, centres: engine.initialCentres(a: a, d: d))
        let posterior = engine.posteriors(
            a: a, d: d, centres: centred.moments.map { ($0.mean, max($0.sd, 1e-4)) }, offsets: (-60...60).map { Double($0) * 0.125 })
        var fitted: [Item] = []
        for j in 0..<items {
            // Standard errors from the inverse information of (a, d); b = −d/a by the delta method.
            let (iaa, iad, idd) = information[j]
            let determinant = iaa * idd - iad * iad
            let varA = determinant > 0 ? idd / determinant : .infinity
            let varD = determinant > 0 ? iaa / determinant : .infinity
            let covAD = determinant > 0 ? -iad / determinant : 0
            let b = -d[j] / a[j]
            let gradA = d[j] / (a[j] * a[j])
            let gradD = -1 / a[j]
            let varB = gradA * gradA * varA + gradD * gradD * varD + 2 * gradA * gradD * covAD
            var n = 0, c = 0
            for r in 0..<runs { if let cell = responses.counts[r][j] { n += cell.n; c += cell.c } }
            var flags: [String] = []
            if c == 0 { flags.append("never_solved") }
            if c == n && n > 0 { flags.append("always_solved") }
            if c > 0 && c < n {
                if a[j] < 0 { flags.append("negative_discrimination") } else if a[j] < 0.25 { flags.append("low_discrimination") }
            }
            fitted.append(
                Item(
                    task: responses.tasks[j], a: a[j], b: b, aSE: varA.squareRoot(), bSE: max(0, varB).squareRoot(), passes: c, samples: n,
                    flags: flags))
        }
        var abilities: [Ability] = []
        for (run, moments) in posterior.moments.enumerated() {
            let (theta, se) = moments
            var passRates: [Double] = []
            for j in 0..<items { if let cell = responses.counts[run][j], cell.n > 0 { passRates.append(Double(cell.c) / Double(cell.n)) } }
            abilities.append(
                Ability(
                    run: responses.runs[run], theta: theta, se: se, low: theta - 1.96 * se, high: theta + 1.96 * se,
                    passAt1: passRates.isEmpty ? 0 : passRates.reduce(0, +) / Double(passRates.count)))
        }
        return ItemResponseModel(
            items: fitted, abilities: abilities, iterations: best.iterations, converged: best.converged, logLikelihood: best.logLikelihood,
            gap: best.gap.isFinite ? best.gap : nil,
            starts: outcomes.map { Start(logLikelihood: $0.logLikelihood, iterations: $0.iterations, converged: $0.converged) })
    }

    /// Each run's posterior weights over the grid, given the items.
    static func posteriors(_ responses: Responses, a: [Double], d: [Double], on grid: Quadrature.Grid = grid) -> [[Double]] {
        let nodes = grid.nodes
        let count = nodes.count
        // log σ(z) and log σ(−z) per item and node, once (stable for large |z|).
        var logP = [Double](repeating: 0, count: a.count * count)
        var logQ = logP
        for j in 0..<a.count {
            for q in 0..<count {
                let z = a[j] * nodes[q] + d[j]
                logP[j * count + q] = -softplus(-z)
                logQ[j * count + q] = -softplus(z)
            }
        }
        let prior = grid.weights.map { Foundation.log($0) }
        return responses.counts.map { row in
            var log = prior
            for (j, cell) in row.enumerated() {
                guard let cell, cell.n > 0 else { continue }
                let (passes, fails) = (Double(cell.c), Double(cell.n - cell.c))
                let base = j * count
                for q in 0..<count { log[q] += passes * logP[base + q] + fails * logQ[base + q] }
            }
            let top = log.max()!
            let unnormalised = log.map { exp($0 - top) }
            let total = unnormalised.reduce(0, +)
            return unnormalised.map { $0 / total }
        }
    }

    static func softplus(_ x: Double) -> Double { x > 30 ? x : x < -30 ? exp(x) : Foundation.log1p(exp(x)) }

    /// Posterior mean and standard deviation of θ.
    static func summary(_ weights: [Double], on grid: Quadrature.Grid) -> (Double, Double) {
        let nodes = grid.nodes
        let mean = zip(nodes, weights).reduce(0) { $0 + $1.0 * $1.1 }
        let variance = zip(nodes, weights).reduce(0) { $0 + ($1.0 - mean) * ($1.0 - mean) * $1.1 }
        return (mean, variance.squareRoot())
    }

    /// θ (EAP) and its standard deviation for one set of responses to known items: adaptive
    /// testing's update, and a run graded on a subset of the items.
    public static func ability(responses: [(item: Item, n: Int, c: Int)]) -> (theta: Double, se: Double) {
        let nodes = fine.nodes
        var log = fine.weights.map { Foundation.log($0) }
        for response in responses where response.n > 0 {
            for q in 0..<nodes.count {
                let z = response.item.a * (nodes[q] - response.item.b)
                log[q] += Double(response.c) * -softplus(-z) + Double(response.n - response.c) * -softplus(z)
            }
        }
        let top = log.max()!
        let unnormalised = log.map { exp($0 - top) }
        let total = unnormalised.reduce(0, +)
        return summary(unnormalised.map { $0 / total }, on: fine)
    }

    // MARK: item selection

    /// The `k` items with the most Fisher information summed over the runs' abilities (the
    /// ability range the benchmark must tell apart), and how well θ from those items alone
    /// reproduces the full ranking (Kendall's tau).
    public func select(_ k: Int, responses: Responses) -> (tasks: [String], kendallTau: Double) {
        let thetas = abilities.map(\.theta)
        let ranked = items.indices.sorted { i, j in
            let left = thetas.reduce(0) { $0 + items[i].information($1) }
            let right = thetas.reduce(0) { $0 + items[j].information($1) }
            return left > right || (left == right && i < j)
        }
        let chosen = Array(ranked.prefix(k))
        var subsetThetas: [Double] = []
        for run in responses.runs.indices {
            let answered = chosen.compactMap { j in responses.counts[run][j].map { (items[j], $0.n, $0.c) } }
            subsetThetas.append(Self.ability(responses: answered).theta)
        }
        return (chosen.map { items[$0].task }, PairedTests.kendallTau(thetas, subsetThetas))
    }
}

/// Quadrature for integrals against the standard normal density: equally spaced nodes with
/// weights ∝ φ(θ), summing to 1 (rectangular quadrature, as IRT programs use). The coarse grid
/// only places the EM's first adaptive nodes; adaptive testing reads θ off the fine one.
enum Quadrature {
    struct Grid: Sendable {
        var nodes: [Double]
        var weights: [Double]
    }

    static func normal(points: Int, range: Double) -> Grid {
        let nodes = (0..<points).map { -range + 2 * range * Double($0) / Double(points - 1) }
        let density = nodes.map { exp(-$0 * $0 / 2) }
        let total = density.reduce(0, +)
        return Grid(nodes: nodes, weights: density.map { $0 / total })
    }
}
