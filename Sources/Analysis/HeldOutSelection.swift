import Estimates
import Foundation

/// How well `--select`'s items rank runs the selection never saw: the runs split into folds; on
/// each, the model is fitted and the items chosen on the other runs, and the held-out runs' θ
/// from the chosen items alone is set against their θ from every item. Pooled over the folds,
/// Kendall's tau between the two is the held-out tau (the in-sample one chooses and scores the
/// items on the same runs, so it flatters). The same is done for random subsets of the same
/// size, so the report can say whether selecting beats chance with this many runs.
public struct HeldOutSelection: Sendable, Codable, Equatable {
    public var k: Int
    public var folds: Int
    /// Kendall's tau of the held-out runs' ranking from the selected items against all items.
    public var kendallTau: Double
    /// The same for random item subsets of size k (mean over `randomDraws`).
    public var randomKendallTau: Double
    public var randomDraws: Int
    /// Whether the selection ranks held-out runs better than random subsets do.
    public var beatsRandom: Bool

    enum CodingKeys: String, CodingKey {
        case k, folds, kendallTau = "kendall_tau", randomKendallTau = "random_kendall_tau", randomDraws = "random_draws"
        case beatsRandom = "beats_random"
    }

    /// nil with fewer than four runs (each fold must leave two runs to rank and two to fit on).
    public static func evaluate(_ responses: ItemResponseModel.Responses, k: Int, randomDraws: Int = 10, seed: UInt64 = 0x5EED)
        -> HeldOutSelection?
    {
        let runs = responses.runs.count
        guard runs >= 4, k >= 1, !responses.tasks.isEmpty else { return nil }
        let folds = min(5, runs / 2)
        var generator = SplitMix64(seed: seed)
        var order = Array(0..<runs)
        order.shuffle(using: &generator)
        var full: [Double] = []
        var selected: [Double] = []
        var random = [[Double]](repeating: [], count: randomDraws)
        for fold in 0..<folds {
            let heldOut = order.enumerated().filter { $0.offset % folds == fold }.map(\.element)
            let training = order.filter { !heldOut.contains($0) }
            let trained = ItemResponseModel.fit(
                ItemResponseModel.Responses(
                    runs: training.map { responses.runs[$0] }, tasks: responses.tasks, counts: training.map { responses.counts[$0] }),
                starts: 1)
            let chosen = trained.select(min(k, trained.items.count), responses: .init(
                runs: training.map { responses.runs[$0] }, tasks: responses.tasks, counts: training.map { responses.counts[$0] })).tasks
            let chosenIndices = Set(chosen.compactMap { responses.tasks.firstIndex(of: $0) })
            let subsets = (0..<randomDraws).map { _ in
                Set(Array(responses.tasks.indices).shuffled(using: &generator).prefix(min(k, responses.tasks.count)))
            }
            func theta(_ run: Int, _ subset: Set<Int>?) -> Double {
                let answered = responses.tasks.indices.compactMap { j -> (item: ItemResponseModel.Item, n: Int, c: Int)? in
                    guard subset?.contains(j) ?? true, let count = responses.counts[run][j] else { return nil }
                    return (trained.items[j], count.n, count.c)
                }
                return ItemResponseModel.ability(responses: answered).theta
            }
            for run in heldOut {
                full.append(theta(run, nil))
                selected.append(theta(run, chosenIndices))
                for (draw, subset) in subsets.enumerated() { random[draw].append(theta(run, subset)) }
            }
        }
        let tau = PairedTests.kendallTau(full, selected)
        let randomTau = random.map { PairedTests.kendallTau(full, $0) }.reduce(0, +) / Double(max(1, randomDraws))
        return HeldOutSelection(
            k: k, folds: folds, kendallTau: tau, randomKendallTau: randomTau, randomDraws: randomDraws, beatsRandom: tau > randomTau)
    }
}
