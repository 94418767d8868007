import Testing

/// Every end-to-end suite nests here: they start real servers and PostgreSQL clusters, and run
/// one at a time so that timing checks (a rotation seen within a second) measure Tessera, not
/// two cores shared by a dozen processes.
@Suite("End to end", .serialized)
enum EndToEndTests {}
