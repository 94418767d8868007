// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "tessera",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "tessera", targets: ["tessera"])
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/vapor/sqlite-nio.git", from: "1.13.2"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        // The resource-server example's HTTP client (already built: HummingbirdTesting uses it).
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        // Mutual TLS (RFC 8705) behind a proxy: the forwarded certificate and its RFC 9440 header.
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-http-structured-headers.git", from: "1.7.0"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
    ],
    targets: [
        // Domain values and rules: no I/O, no HTTP, no SQL.
        .target(
            name: "TesseraCore",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto")
            ]
        ),
        // JOSE: the one strict JSON reader and writer, the one JWS parser and verifier, JWKs, and the
        // signing keys (generation, encryption at rest, rotation).
        .target(
            name: "TesseraJOSE",
            dependencies: [
                "TesseraCore",
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        // Storage protocols and the PostgreSQL and SQLite backends; SQL comes from schema/.
        .target(
            name: "TesseraStore",
            dependencies: [
                "TesseraCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            plugins: ["EmbedSchema"]
        ),
        // The protocol: grants, client authentication, discovery. Knows no HTTP framework.
        .target(
            name: "TesseraOAuth",
            dependencies: [
                "TesseraCore",
                "TesseraJOSE",
                "TesseraStore",
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "RawStructuredFieldValues", package: "swift-http-structured-headers"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                // The guarded outbound HTTP client (upstream identity providers, back-channel logout
                // tokens POSTed to clients, client ID metadata documents), and its extra trust roots.
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Hummingbird application, middleware, pages, service lifecycle.
        .target(
            name: "TesseraServer",
            dependencies: [
                "TesseraCore",
                "TesseraJOSE",
                "TesseraStore",
                "TesseraOAuth",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                // SIGTERM/SIGINT of `serve`, and the connections it drains (docs/rolling-restarts.md).
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "tessera",
            dependencies: [
                "TesseraCore",
                "TesseraJOSE",
                "TesseraStore",
                "TesseraOAuth",
                "TesseraServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Used only by scripts/bench: creates many tenants, each with its keys and a confidential
        // client, in-process through `Administration`, and writes their credentials to a file.
        .executableTarget(
            name: "TesseraBenchSetup",
            dependencies: [
                "TesseraCore", "TesseraJOSE", "TesseraStore", "TesseraOAuth",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // examples/resource-server: an API that verifies Tessera tokens on its own. Built with the
        // rest so the suite runs it; it uses nothing of Tessera's own modules.
        .executableTarget(
            name: "example-resource-server",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "examples/resource-server/Sources/ResourceServer"
        ),
        // Build-time tool: turns schema/*.sql into Swift string literals so the binary carries them.
        .executableTarget(name: "SchemaEmbedder"),
        .plugin(name: "EmbedSchema", capability: .buildTool(), dependencies: ["SchemaEmbedder"]),

        // Shared by the test targets: fresh databases, a store per backend, the built binary.
        .target(
            name: "TesseraTestSupport",
            dependencies: [
                "TesseraCore", "TesseraJOSE", "TesseraStore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                // The https listener of the outgoing-request tests, with its own certificate.
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            path: "Tests/TesseraTestSupport"
        ),
        .testTarget(name: "TesseraCoreTests", dependencies: ["TesseraCore"]),
        .testTarget(name: "TesseraJOSETests", dependencies: ["TesseraJOSE", "TesseraCore"]),
        .testTarget(name: "TesseraStoreTests", dependencies: ["TesseraStore", "TesseraCore", "TesseraTestSupport"]),
        .testTarget(
            name: "TesseraOAuthTests",
            dependencies: [
                "TesseraOAuth", "TesseraCore", "TesseraJOSE", "TesseraStore", "TesseraTestSupport",
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        .testTarget(
            name: "TesseraServerTests",
            dependencies: [
                "TesseraServer", "TesseraCore", "TesseraJOSE", "TesseraStore", "TesseraOAuth", "TesseraTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        // Starts the real `tessera` binary that the test build made.
        .testTarget(
            name: "TesseraEndToEndTests",
            dependencies: ["TesseraCore", "TesseraTestSupport"]
        ),
    ]
)
