import PromQL

/// A parsed PromQL expression, under a name that does not clash with Foundation's `Expression`.
typealias ParsedQuery = Expression
