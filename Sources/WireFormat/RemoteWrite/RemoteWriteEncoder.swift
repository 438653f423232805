import CRemoteWrite
import CProtobufC
import TimeSeriesCore
#if canImport(Glibc)
import Glibc
#endif

/// Encodes series as remote-write bodies (protobuf, then snappy), for forwarding, the load generator
/// and tests. Label sets are written as given, so tests can also produce invalid ones.
public enum RemoteWriteEncoder {
    /// A series as it goes on the wire: label pairs in the given order, not re-sorted.
    public struct WireSeries: Sendable {
        public var labels: [Label]
        public var samples: [Sample]

        public init(labels: [Label], samples: [Sample]) {
            self.labels = labels
            self.samples = samples
        }

        public init(_ series: SeriesSamples) {
            self.init(labels: series.labels.pairs, samples: series.samples)
        }
    }

    /// `metadata` goes into 1.0's WriteRequest.metadata, or in 2.0 onto each series of that name.
    public static func encode(_ series: [WireSeries], metadata: [String: MetricMetadata] = [:], version: RemoteWriteVersion) -> [UInt8] {
        Snappy.compress(protobuf(series, metadata: metadata, version: version))
    }

    public static func protobuf(_ series: [WireSeries], metadata: [String: MetricMetadata] = [:], version: RemoteWriteVersion) -> [UInt8] {
        // Forwarding's common case, written directly: no C strings or message structs per label.
        if version == .v1 && metadata.isEmpty { return directV1(series) }
        var arena = CArena()
        defer { arena.release() }
        switch version {
        case .v1: return encodeV1(series, metadata: metadata, arena: &arena)
        case .v2: return encodeV2(series, metadata: metadata, arena: &arena)
        }
    }

    /// A 1.0 WriteRequest without metadata, byte for byte what protobuf-c writes: fields in
    /// number order, proto3's zero values (empty strings, ±0.0, timestamp 0) left out.
    static func directV1(_ series: [WireSeries]) -> [UInt8] {
        var writer = ProtobufV1Writer(capacity: series.reduce(0) { $0 + 16 + $1.samples.count * 14 + ProtobufV1Writer.estimate($1.labels) })
        for one in series { writer.timeSeries(labels: one.labels, samples: one.samples) }
        return writer.bytes
    }

    /// A series' labels as a 1.0 TimeSeries carries them, encoded once to be written for many samples.
    public struct LabelBlock: Sendable {
        let bytes: [UInt8]

        public init(_ labels: [Label]) {
            var writer = ProtobufV1Writer(capacity: ProtobufV1Writer.estimate(labels))
            writer.labels(labels)
            bytes = writer.bytes
        }
    }

    /// A 1.0 WriteRequest with one series entry per sample, as Prometheus' own queue sends them:
    /// no grouping, so no lookup per sample; each sample's labels come encoded already.
    public static func protobufV1<C: Collection>(eachSample items: C, labels: (C.Element) -> LabelBlock, sample: (C.Element) -> Sample) -> [UInt8] {
        var writer = ProtobufV1Writer(capacity: items.count * 120)
        for item in items { writer.timeSeries(labels: labels(item), sample: sample(item)) }
        return writer.bytes
    }

    static func encodeV1(_ series: [WireSeries], metadata: [String: MetricMetadata], arena: inout CArena) -> [UInt8] {
        let request = arena.make(Prometheus__WriteRequest.self, prometheus__write_request__init)
        let timeseries = arena.array(of: UnsafeMutablePointer<Prometheus__TimeSeries>?.self, count: series.count)
        for (i, s) in series.enumerated() {
            let ts = arena.make(Prometheus__TimeSeries.self, prometheus__time_series__init)
            let labels = arena.array(of: UnsafeMutablePointer<Prometheus__Label>?.self, count: s.labels.count)
            for (j, pair) in s.labels.enumerated() {
                let label = arena.make(Prometheus__Label.self, prometheus__label__init)
                label.pointee.name = arena.string(pair.name)
                label.pointee.value = arena.string(pair.value)
                labels[j] = label
            }
            let samples = arena.array(of: UnsafeMutablePointer<Prometheus__Sample>?.self, count: s.samples.count)
            for (j, sample) in s.samples.enumerated() {
                let entry = arena.make(Prometheus__Sample.self, prometheus__sample__init)
                entry.pointee.value = sample.value
                entry.pointee.timestamp = sample.timestamp
                samples[j] = entry
            }
            ts.pointee.n_labels = s.labels.count
            ts.pointee.labels = labels
            ts.pointee.n_samples = s.samples.count
            ts.pointee.samples = samples
            timeseries[i] = ts
        }
        request.pointee.n_timeseries = series.count
        request.pointee.timeseries = timeseries
        let families = metadata.sorted { $0.key < $1.key }
        let entries = arena.array(of: UnsafeMutablePointer<Prometheus__MetricMetadata>?.self, count: families.count)
        for (i, (name, family)) in families.enumerated() {
            let entry = arena.make(Prometheus__MetricMetadata.self, prometheus__metric_metadata__init)
            entry.pointee.type = Prometheus__MetricMetadata__MetricType(rawValue: UInt32(family.type.protobufValue))
            entry.pointee.metric_family_name = arena.string(name)
            entry.pointee.help = arena.string(family.help)
            entry.pointee.unit = arena.string(family.unit)
            entries[i] = entry
        }
        request.pointee.n_metadata = families.count
        request.pointee.metadata = entries
        var out = [UInt8](repeating: 0, count: prometheus__write_request__get_packed_size(request))
        _ = out.withUnsafeMutableBufferPointer { prometheus__write_request__pack(request, $0.baseAddress) }
        return out
    }

    private static func encodeV2(_ series: [WireSeries], metadata: [String: MetricMetadata], arena: inout CArena) -> [UInt8] {
        var symbolRefs: [String: UInt32] = ["": 0]
        var symbolList: [String] = [""]
        func ref(_ value: String) -> UInt32 {
            if let existing = symbolRefs[value] { return existing }
            let next = UInt32(symbolList.count)
            symbolRefs[value] = next
            symbolList.append(value)
            return next
        }
        let request = arena.make(Io__Prometheus__Write__V2__Request.self, io__prometheus__write__v2__request__init)
        let timeseries = arena.array(of: UnsafeMutablePointer<Io__Prometheus__Write__V2__TimeSeries>?.self, count: series.count)
        for (i, s) in series.enumerated() {
            let ts = arena.make(Io__Prometheus__Write__V2__TimeSeries.self, io__prometheus__write__v2__time_series__init)
            let refs = arena.array(of: UInt32.self, count: s.labels.count * 2)
            for (j, pair) in s.labels.enumerated() {
                refs[2 * j] = ref(pair.name)
                refs[2 * j + 1] = ref(pair.value)
            }
            let samples = arena.array(of: UnsafeMutablePointer<Io__Prometheus__Write__V2__Sample>?.self, count: s.samples.count)
            for (j, sample) in s.samples.enumerated() {
                let entry = arena.make(Io__Prometheus__Write__V2__Sample.self, io__prometheus__write__v2__sample__init)
                entry.pointee.value = sample.value
                entry.pointee.timestamp = sample.timestamp
                samples[j] = entry
            }
            if let name = s.labels.first(where: { $0.name == metricNameLabel })?.value, let family = metadata[name] {
                let entry = arena.make(Io__Prometheus__Write__V2__Metadata.self, io__prometheus__write__v2__metadata__init)
                entry.pointee.type = Io__Prometheus__Write__V2__Metadata__MetricType(rawValue: UInt32(family.type.protobufValue))
                entry.pointee.help_ref = ref(family.help)
                entry.pointee.unit_ref = ref(family.unit)
                ts.pointee.metadata = entry
            }
            ts.pointee.n_labels_refs = s.labels.count * 2
            ts.pointee.labels_refs = refs
            ts.pointee.n_samples = s.samples.count
            ts.pointee.samples = samples
            timeseries[i] = ts
        }
        let symbols = arena.array(of: UnsafeMutablePointer<CChar>?.self, count: symbolList.count)
        for (i, symbol) in symbolList.enumerated() { symbols[i] = arena.string(symbol) }
        request.pointee.n_symbols = symbolList.count
        request.pointee.symbols = symbols
        request.pointee.n_timeseries = series.count
        request.pointee.timeseries = timeseries
        var out = [UInt8](repeating: 0, count: io__prometheus__write__v2__request__get_packed_size(request))
        _ = out.withUnsafeMutableBufferPointer { io__prometheus__write__v2__request__pack(request, $0.baseAddress) }
        return out
    }
}

/// C memory for building protobuf-c messages, released all at once.
struct CArena {
    private var allocations: [UnsafeMutableRawPointer] = []

    mutating func make<T>(_ type: T.Type, _ initialize: (UnsafeMutablePointer<T>?) -> Void) -> UnsafeMutablePointer<T> {
        let raw = calloc(1, MemoryLayout<T>.stride)!
        allocations.append(raw)
        let pointer = raw.bindMemory(to: T.self, capacity: 1)
        initialize(pointer)
        return pointer
    }

    mutating func array<T>(of type: T.Type, count: Int) -> UnsafeMutablePointer<T> {
        let raw = calloc(max(1, count), MemoryLayout<T>.stride)!
        allocations.append(raw)
        return raw.bindMemory(to: T.self, capacity: max(1, count))
    }

    mutating func string(_ value: String) -> UnsafeMutablePointer<CChar> {
        let copy = strdup(value)!
        allocations.append(UnsafeMutableRawPointer(copy))
        return copy
    }

    /// Everything came from calloc or strdup, so `free` releases it.
    mutating func release() {
        for pointer in allocations { free(pointer) }
        allocations.removeAll()
    }
}

/// Writes a 1.0 WriteRequest's time series straight into bytes.
struct ProtobufV1Writer {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    static func estimate(_ labels: [Label]) -> Int { labels.reduce(0) { $0 + 4 + $1.name.utf8.count + $1.value.utf8.count } }

    /// The label fields of a TimeSeries.
    mutating func labels(_ labels: [Label]) {
        for label in labels {
            bytes.append(0x0A)
            varint(UInt64(Self.labelSize(label)))
            string(0x0A, label.name)
            string(0x12, label.value)
        }
    }

    /// A TimeSeries of one sample whose label fields were encoded before.
    mutating func timeSeries(labels block: RemoteWriteEncoder.LabelBlock, sample: Sample) {
        let inner = Self.sampleSize(sample)
        bytes.append(0x0A)
        varint(UInt64(block.bytes.count + 1 + Self.varintSize(UInt64(inner)) + inner))
        bytes.append(contentsOf: block.bytes)
        self.sample(sample, size: inner)
    }

    private mutating func sample(_ sample: Sample, size: Int) {
        bytes.append(0x12)
        varint(UInt64(size))
        if sample.value != 0 {
            bytes.append(0x09)
            withUnsafeBytes(of: sample.value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
        }
        if sample.timestamp != 0 {
            bytes.append(0x10)
            varint(UInt64(bitPattern: sample.timestamp))
        }
    }

    mutating func timeSeries(labels: [Label], samples: some Collection<Sample>) {
        var size = 0
        for label in labels { let inner = Self.labelSize(label); size += 1 + Self.varintSize(UInt64(inner)) + inner }
        for sample in samples { let inner = Self.sampleSize(sample); size += 1 + Self.varintSize(UInt64(inner)) + inner }
        bytes.append(0x0A)
        varint(UInt64(size))
        self.labels(labels)
        for sample in samples { self.sample(sample, size: Self.sampleSize(sample)) }
    }

    static func varintSize(_ value: UInt64) -> Int { value < 0x80 ? 1 : (64 - value.leadingZeroBitCount + 6) / 7 }
    static func stringField(_ length: Int) -> Int { length == 0 ? 0 : 1 + varintSize(UInt64(length)) + length }
    static func labelSize(_ label: Label) -> Int { stringField(label.name.utf8.count) + stringField(label.value.utf8.count) }
    static func sampleSize(_ sample: Sample) -> Int {
        (sample.value == 0 ? 0 : 9) + (sample.timestamp == 0 ? 0 : 1 + varintSize(UInt64(bitPattern: sample.timestamp)))
    }

    private mutating func varint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    private mutating func string(_ tag: UInt8, _ text: String) {
        let count = text.utf8.count
        guard count > 0 else { return }
        bytes.append(tag)
        varint(UInt64(count))
        bytes.append(contentsOf: text.utf8)
    }
}
