/// TimeSeriesCore owns the vocabulary every stage of Surge shares: label sets, matchers, samples,
/// timestamps, and the two seams between storage and its users (`SeriesAppender`, `SeriesQuerier`).
/// It has no dependencies and performs no I/O.
public enum TimeSeriesCore {}
