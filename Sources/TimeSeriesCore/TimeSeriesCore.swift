/// TimeSeriesCore owns the vocabulary every stage of Surge shares: label sets, matchers (their
/// regular expressions are RE2's, through CRE2), samples, timestamps, and the seams between the
/// stages: `SeriesAppender` and `SeriesQuerier` (storage), `SampleArrivals` (append watches),
/// `QueryEngine` (PromQL asked at a time) and `LoopClock` (the time every loop reads and waits on).
/// It performs no I/O beyond reading the clock.
public enum TimeSeriesCore {}
