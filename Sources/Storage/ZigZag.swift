/// Signed integers as unsigned ones, small magnitudes first: 0, -1, 1, -2, 2, ...
@inline(__always)
func zigzag(_ x: Int64) -> UInt64 { UInt64(bitPattern: (x << 1) ^ (x >> 63)) }

@inline(__always)
func unzigzag(_ u: UInt64) -> Int64 { Int64(bitPattern: u >> 1) ^ -Int64(bitPattern: u & 1) }
