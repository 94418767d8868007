extension Duration {
    /// For `Retry-After`: whole seconds, rounded up, at least 1.
    public var retryAfterSeconds: Int {
        max(1, Int(components.seconds) + (components.attoseconds > 0 ? 1 : 0))
    }

    /// The duration as fractional seconds, for rates.
    public var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
