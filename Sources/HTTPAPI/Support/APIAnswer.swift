/// How an API request will be answered, settled before the work is done: a small answer is
/// computed where the request was read, the rest on the work pool (see `WorkPlacement`).
struct APIAnswer: Sendable {
    let small: Bool
    let compute: @Sendable () throws -> String

    init(small: Bool, _ compute: @escaping @Sendable () throws -> String) {
        self.small = small
        self.compute = compute
    }

    static func inline(_ compute: @escaping @Sendable () throws -> String) -> APIAnswer {
        APIAnswer(small: true, compute)
    }

    static func offloaded(_ compute: @escaping @Sendable () throws -> String) -> APIAnswer {
        APIAnswer(small: false, compute)
    }
}
