/// A core/v1 Event, as controllers record what they did to an object (`kubectl describe` lists them).
public struct KubernetesEvent: Codable, Sendable, Equatable {
    public var apiVersion = "v1"
    public var kind = "Event"
    public var metadata: ObjectMeta
    public var involvedObject: ObjectReference
    /// `SuccessfulRescale`, `FailedRescale`, ...
    public var reason: String
    public var message: String
    /// `Normal` or `Warning`.
    public var type: String
    public var source: Source
    public var firstTimestamp: String
    public var lastTimestamp: String
    public var count: Int
    public var reportingComponent: String

    public struct ObjectReference: Codable, Sendable, Equatable {
        public var apiVersion: String
        public var kind: String
        public var namespace: String
        public var name: String
        public var uid: String?

        public init(apiVersion: String, kind: String, namespace: String, name: String, uid: String? = nil) {
            self.apiVersion = apiVersion
            self.kind = kind
            self.namespace = namespace
            self.name = name
            self.uid = uid
        }
    }

    public struct Source: Codable, Sendable, Equatable {
        public var component: String
    }

    /// An event named as client-go names them: the object's name, a dot and the time in hex nanoseconds.
    public init(on object: ObjectReference, type: String, reason: String, message: String, timestamp: String, nanoseconds: Int64,
                component: String = "surge") {
        metadata = ObjectMeta(name: "\(object.name).\(String(nanoseconds, radix: 16))", namespace: object.namespace)
        involvedObject = object
        self.reason = reason
        self.message = message
        self.type = type
        source = Source(component: component)
        firstTimestamp = timestamp
        lastTimestamp = timestamp
        count = 1
        reportingComponent = component
    }
}

/// What another autoscaler (a HorizontalPodAutoscaler, a KEDA ScaledObject) says it scales.
public struct ScalerObjectList: Codable, Sendable, Equatable {
    public var items: [ScalerObject]

    public struct ScalerObject: Codable, Sendable, Equatable {
        public var metadata: ObjectMeta
        public var spec: Spec?
    }

    public struct Spec: Codable, Sendable, Equatable {
        public var scaleTargetRef: TargetRef?
    }

    public struct TargetRef: Codable, Sendable, Equatable {
        public var apiVersion: String?
        /// KEDA leaves it out for Deployments.
        public var kind: String?
        public var name: String
    }
}
