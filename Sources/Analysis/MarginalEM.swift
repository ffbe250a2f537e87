import Estimates
import Foundation

/// The EM behind `ItemResponseModel.fit`, from one starting point.
///
/// Why adaptive quadrature: a run with 10–50 samples per task over a few hundred tasks has a θ
/// posterior with sd ≈ 0.03, far narrower than any fixed grid an EM can afford (0.1 apart
/// collapses it onto one node, and the EM then stalls tens of log-units below the optimum).
/// Each run gets its own nodes, μᵣ + σᵣ·x over x ∈ [−7.5, 7.5] half a posterior sd apart, re-centred
/// every iteration on the run's posterior; the trapezoid rule on such nodes is exact to far
/// below the likelihood's own precision for any smooth, unimodal posterior (Schilling & Bock's
/// adaptive quadrature, on equally spaced nodes).
///
/// Why stop on the log-likelihood: a parameter-change tolerance stops an EM that creeps (as it
/// does where posteriors are narrow) long before the optimum. The EM here stops when the
/// Aitken estimate of the remaining gain — the last gain extrapolated over a linearly converging
/// sequence — falls below a tolerance, and reports that estimate as `gap`.
struct MarginalEM {
    let responses: ItemResponseModel.Responses
    /// Per item, its responses as (run, n, c).
    let byItem: [[(run: Int, n: Double, c: Double)]]

    /// Standardised nodes: 31 points half an sd apart.
    static let offsets = (-15...15).map { Double($0) * 0.5 }
    /// Priors on (a, d), as BILOG's Bayes modal estimation: a ~ N(1, 2²), d ~ N(0, 4²).
    static func logPrior(a: Double, d: Double) -> Double { -(a - 1) * (a - 1) / 8 - d * d / 32 }

    struct Outcome {
        var a: [Double]
        var d: [Double]
        /// Penalised marginal log-likelihood (log-priors on items included, constants dropped).
        var logLikelihood: Double
        var gap: Double
        var iterations: Int
        var converged: Bool
        /// Each item's information matrix for (a, d) at the last M-step.
        var information: [(aa: Double, ad: Double, dd: Double)]
    }

    init(_ responses: ItemResponseModel.Responses) {
        self.responses = responses
        var byItem = [[(run: Int, n: Double, c: Double)]](repeating: [], count: responses.tasks.count)
        for (run, row) in responses.counts.enumerated() {
            for (j, cell) in row.enumerated() {
                guard let cell, cell.n > 0 else { continue }
                byItem[j].append((run, Double(cell.n), Double(cell.c)))
            }
        }
        self.byItem = byItem
    }

    /// Each run's adaptive nodes and posterior weights over them, and its marginal log-likelihood.
    struct Posteriors {
        var nodes: [[Double]]
        var weights: [[Double]]
        var logLikelihood: Double

        /// Mean and sd of each run's posterior.
        var moments: [(mean: Double, sd: Double)] {
            zip(nodes, weights).map { nodes, weights in
                let mean = zip(nodes, weights).reduce(0) { $0 + $1.0 * $1.1 }
                let variance = zip(nodes, weights).reduce(0) { $0 + ($1.0 - mean) * ($1.0 - mean) * $1.1 }
                return (mean, variance.squareRoot())
            }
        }
    }

    /// The E-step: posteriors on nodes placed at each run's (centre, spread).
    func posteriors(a: [Double], d: [Double], centres: [(mean: Double, sd: Double)], offsets: [Double] = offsets) -> Posteriors {
        let runs = responses.runs.count
        let count = offsets.count
        let step = offsets.count > 1 ? offsets[1] - offsets[0] : 1
        var nodes = [[Double]](repeating: [], count: runs)
        var log = [[Double]](repeating: [], count: runs)
        for run in 0..<runs {
            let (mean, sd) = centres[run]
            nodes[run] = offsets.map { mean + sd * $0 }
            // Prior density φ(θ) times the node's width sd·h, in logs.
            let width = Foundation.log(sd * step) - 0.5 * Foundation.log(2 * .pi)
            log[run] = nodes[run].map { width - $0 * $0 / 2 }
        }
        for (j, answers) in byItem.enumerated() {
            let (aj, dj) = (a[j], d[j])
            for answer in answers {
                let theta = nodes[answer.run]
                let fails = answer.n - answer.c
                log[answer.run].withUnsafeMutableBufferPointer { row in
                    for q in 0..<count {
                        let z = aj * theta[q] + dj
                        // c·log σ(z) + (n − c)·log σ(−z) = −n·softplus(−z) − (n − c)·z
                        row[q] += -answer.n * ItemResponseModel.softplus(-z) - fails * z
                    }
                }
            }
        }
        var total = 0.0
        var weights = log
        for run in 0..<runs {
            let top = log[run].max()!
            let unnormalised = log[run].map { exp($0 - top) }
            let sum = unnormalised.reduce(0, +)
            total += top + Foundation.log(sum)
            weights[run] = unnormalised.map { $0 / sum }
        }
        return Posteriors(nodes: nodes, weights: weights, logLikelihood: total)
    }

    func penalised(_ posteriors: Posteriors, a: [Double], d: [Double]) -> Double {
        posteriors.logLikelihood + zip(a, d).reduce(0) { $0 + Self.logPrior(a: $1.0, d: $1.1) }
    }

    /// Where to place each run's nodes first: its posterior on a fixed grid over the prior.
    func initialCentres(a: [Double], d: [Double]) -> [(mean: Double, sd: Double)] {
        let grid = ItemResponseModel.grid
        return ItemResponseModel.posteriors(responses, a: a, d: d, on: grid).map { weights in
            let (mean, sd) = ItemResponseModel.summary(weights, on: grid)
            return (mean, max(sd, 0.02))
        }
    }

    /// One EM step's state: item parameters and where each run's nodes sit.
    struct State {
        var a: [Double]
        var d: [Double]
        var centres: [(mean: Double, sd: Double)]
    }

    /// One EM step from `state`: the E-step there (giving the objective at `state`), then one
    /// damped Newton step per item on its expected complete-data log-likelihood (a generalised
    /// EM: the fixed point is the same, each step cheaper), and the nodes re-centred.
    func step(_ state: State) -> (next: State, objective: Double, information: [(aa: Double, ad: Double, dd: Double)]) {
        let posterior = posteriors(a: state.a, d: state.d, centres: state.centres)
        let objective = penalised(posterior, a: state.a, d: state.d)
        var next = state
        var information = [(aa: Double, ad: Double, dd: Double)](repeating: (1, 0, 1), count: state.a.count)
        for j in state.a.indices {
            let (aj, dj) = (state.a[j], state.d[j])
            var ga = -(aj - 1) / 4, gd = -dj / 16
            var haa = -1.0 / 4, had = 0.0, hdd = -1.0 / 16
            for answer in byItem[j] {
                let nodes = posterior.nodes[answer.run]
                let weights = posterior.weights[answer.run]
                for q in 0..<nodes.count {
                    let w = weights[q]
                    guard w > 1e-300 else { continue }
                    let theta = nodes[q]
                    let p = 1 / (1 + exp(-(aj * theta + dj)))
                    let residual = w * (answer.c - answer.n * p)
                    let curvature = w * answer.n * p * (1 - p)
                    ga += residual * theta
                    gd += residual
                    haa -= curvature * theta * theta
                    had -= curvature * theta
                    hdd -= curvature
                }
            }
            information[j] = (-haa, -had, -hdd)
            let determinant = haa * hdd - had * had
            guard determinant > 1e-12 else { continue }
            var stepA = -(hdd * ga - had * gd) / determinant
            var stepD = -(-had * ga + haa * gd) / determinant
            let size = max(abs(stepA), abs(stepD))
            if size > 1 { stepA /= size; stepD /= size }
            next.a[j] += stepA
            next.d[j] += stepD
        }
        next.centres = posterior.moments.map { ($0.mean, max($0.sd, 1e-4)) }
        return (next, objective, information)
    }

    /// Runs the EM from (a, d) until the estimated gap is below `tolerance` log-units.
    ///
    /// Why accelerated: where posteriors are narrow the EM's slowest direction (the scale of θ
    /// against the discriminations, pinned only by the N(0, 1) prior) converges at a rate close
    /// to 1 — over a thousand plain steps at 50 samples per task. SQUAREM (Varadhan & Roland,
    /// 2008) extrapolates from two steps along the path they trace and keeps the extrapolation
    /// only when the objective does not fall, so the fixed point and monotonicity are the EM's.
    func run(a: [Double], d: [Double], maxIterations: Int, tolerance: Double) -> Outcome {
        var state = State(a: a, d: d, centres: initialCentres(a: a, d: d))
        var history: [Double] = []
        var gap = Double.infinity
        var steps = 0
        var converged = false
        var quiet = 0
        var information: [(aa: Double, ad: Double, dd: Double)] = []
        func parameters(_ state: State) -> [Double] { state.a + state.d }
        while steps < maxIterations {
            let first = step(state)
            steps += 1
            information = first.information
            history.append(first.objective)
            if history.count >= 3 {
                let (older, old, now) = (history[history.count - 3], history[history.count - 2], history[history.count - 1])
                let gain = now - old
                let previous = old - older
                // Aitken: a sequence converging linearly at rate r has gain·r/(1 − r) left to go.
                // A gain at or below zero is the quadrature's own noise at the optimum.
                let rate = previous > 0 ? gain / previous : 1
                gap = gain <= 0 ? 0 : rate < 1 ? gain * max(rate, 0) / (1 - rate) : .infinity
                // Twice running: one small gain can be an extrapolation that just fell short.
                if abs(gain) < tolerance && gap < tolerance {
                    quiet += 1
                    if quiet >= 2 {
                        converged = true
                        break
                    }
                } else {
                    quiet = 0
                }
            }
            let second = step(first.next)
            steps += 1
            let (x0, x1, x2) = (parameters(state), parameters(first.next), parameters(second.next))
            let r = zip(x1, x0).map { $0 - $1 }
            let v = zip(zip(x2, x1), r).map { $0.0 - $0.1 - $1 }
            let rNorm = r.reduce(0) { $0 + $1 * $1 }.squareRoot()
            let vNorm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            guard vNorm > 0, rNorm > 0 else {
                state = second.next
                continue
            }
            let alpha = min(-1, -rNorm / vNorm)
            let extrapolated = zip(zip(x0, r), v).map { $0.0 - 2 * alpha * $0.1 + alpha * alpha * $1 }
            let count = state.a.count
            let candidate = State(a: Array(extrapolated[0..<count]), d: Array(extrapolated[count...]), centres: second.next.centres)
            // Keep the extrapolation only if it is at least as good as where plain EM got to.
            let trial = posteriors(a: candidate.a, d: candidate.d, centres: candidate.centres)
            let trialObjective = penalised(trial, a: candidate.a, d: candidate.d)
            let plain = posteriors(a: second.next.a, d: second.next.d, centres: second.next.centres)
            let plainObjective = penalised(plain, a: second.next.a, d: second.next.d)
            state = trialObjective.isFinite && trialObjective >= plainObjective ? candidate : second.next
        }
        let final = posteriors(a: state.a, d: state.d, centres: state.centres)
        return Outcome(
            a: state.a, d: state.d, logLikelihood: penalised(final, a: state.a, d: state.d), gap: converged ? max(0, gap) : gap,
            iterations: steps, converged: converged, information: information)
    }
}
