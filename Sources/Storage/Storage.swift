/// Storage owns Surge's time-series database: an in-memory head of compressed chunks with an
/// inverted index, made durable by a write-ahead log that is replayed at start-up. It implements the
/// `SeriesAppender` and `SeriesQuerier` seams of TimeSeriesCore and knows nothing of PromQL.
public enum Storage {}
