/// Additive Holt-Winters with one or more seasons (J. W. Taylor's double-seasonal form for a day and
/// a week): a level, a damped-free trend and one seasonal index per position of each season.
///
///     forecast(h) = level + h·trend + Σ seasonal_i[t + h mod s_i]
public struct HoltWinters: Sendable, Equatable {
    public struct Parameters: Sendable, Equatable {
        public var alpha: Double
        public var beta: Double
        public var gammas: [Double]

        public init(alpha: Double, beta: Double, gammas: [Double]) {
            self.alpha = alpha
            self.beta = beta
            self.gammas = gammas
        }
    }

    public let seasonLengths: [Int]
    public let parameters: Parameters
    public private(set) var level: Double
    public private(set) var trend: Double
    private var seasonals: [[Double]]
    /// How many values the state has taken in; positions in each season follow from it.
    public private(set) var count: Int

    /// Starts from the first `max(seasonLengths)` values: the level is their mean, each season's
    /// indices are the mean deviation at each of its positions after removing the shorter seasons.
    /// Nil when fewer values are given.
    public init?(initialValues values: [Double], seasonLengths: [Int], parameters: Parameters) {
        let longest = seasonLengths.max() ?? 1
        guard values.count >= longest, longest >= 1, seasonLengths.allSatisfy({ $0 >= 1 }) else { return nil }
        self.seasonLengths = seasonLengths
        self.parameters = parameters
        let first = values.prefix(longest)
        let mean = first.reduce(0, +) / Double(longest)
        level = mean
        trend = 0
        var residual = first.map { $0 - mean }
        var seasonals: [[Double]] = []
        for length in seasonLengths.sorted() {
            var sums = [Double](repeating: 0, count: length)
            var counts = [Double](repeating: 0, count: length)
            for (index, value) in residual.enumerated() {
                sums[index % length] += value
                counts[index % length] += 1
            }
            let season = zip(sums, counts).map { $1 > 0 ? $0 / $1 : 0 }
            for index in residual.indices { residual[index] -= season[index % length] }
            seasonals.append(season)
        }
        // Back in the caller's order of seasons.
        let order = seasonLengths.enumerated().sorted { $0.element < $1.element }.map(\.offset)
        var reordered = seasonals
        for (sortedIndex, originalIndex) in order.enumerated() { reordered[originalIndex] = seasonals[sortedIndex] }
        self.seasonals = reordered
        count = longest
    }

    /// The one-step-ahead forecast, then the state updated with the actual value.
    @discardableResult
    public mutating func update(_ value: Double) -> Double {
        let predicted = forecast(stepsAhead: 1)
        var seasonalSum = 0.0
        for (index, length) in seasonLengths.enumerated() { seasonalSum += seasonals[index][count % length] }
        let previousLevel = level
        level = parameters.alpha * (value - seasonalSum) + (1 - parameters.alpha) * (level + trend)
        trend = parameters.beta * (level - previousLevel) + (1 - parameters.beta) * trend
        for (index, length) in seasonLengths.enumerated() {
            let position = count % length
            let others = seasonalSum - seasonals[index][position]
            let gamma = parameters.gammas[index]
            seasonals[index][position] = gamma * (value - level - others) + (1 - gamma) * seasonals[index][position]
        }
        count += 1
        return predicted
    }

    /// The forecast `h` steps after the last value taken in (h = 1 is the next one).
    public func forecast(stepsAhead h: Int) -> Double {
        var value = level + Double(h) * trend
        for (index, length) in seasonLengths.enumerated() {
            value += seasonals[index][(count + h - 1) % length]
        }
        return value
    }

    /// Fits the smoothing parameters to `values` by a grid search on the one-step errors after the
    /// first season, and returns the model having taken in all of them. Nil when there are fewer
    /// values than the longest season.
    public static func fit(_ values: [Double], seasonLengths: [Int]) -> HoltWinters? {
        let longest = seasonLengths.max() ?? 1
        guard values.count >= longest else { return nil }
        let alphas = [0.02, 0.05, 0.1, 0.2, 0.4]
        let gammaChoices = [0.02, 0.05, 0.1, 0.2, 0.4]
        var grids: [[Double]] = [[]]
        for _ in seasonLengths { grids = grids.flatMap { prefix in gammaChoices.map { prefix + [$0] } } }
        var best: (error: Double, model: HoltWinters)?
        for alpha in alphas {
            for gammas in grids {
                guard var model = HoltWinters(initialValues: values, seasonLengths: seasonLengths,
                                              parameters: Parameters(alpha: alpha, beta: 0, gammas: gammas)) else { return nil }
                var error = 0.0
                for value in values[longest...] {
                    let predicted = model.update(value)
                    error += (predicted - value) * (predicted - value)
                }
                if best == nil || error < best!.error { best = (error, model) }
            }
        }
        return best?.model
    }
}
