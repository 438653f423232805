/// PromQL owns the query language: the lexer and parser (with errors that point at line and column)
/// and the engine that evaluates expressions against any `SeriesQuerier`. It knows nothing of how
/// series are stored.
public enum PromQL {}
