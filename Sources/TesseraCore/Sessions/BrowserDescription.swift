/// The few words the account page shows for a session's browser ("Firefox on Linux"), read from
/// its User-Agent. Only these words are stored, never the header itself.
public enum BrowserDescription {
    public static let unknown = "Unknown browser"

    public static func describe(userAgent: String?) -> String {
        guard let agent = userAgent, !agent.isEmpty else { return unknown }
        // Order matters: Edge and Opera also say Chrome, Chrome also says Safari.
        let browsers: [(String, String)] = [
            ("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chromium/", "Chromium"),
            ("Chrome/", "Chrome"), ("Safari/", "Safari"), ("curl/", "curl"), ("python-requests/", "Python requests"),
        ]
        let systems: [(String, String)] = [
            ("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"), ("Windows", "Windows"),
            ("Mac OS X", "macOS"), ("Macintosh", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"),
        ]
        let browser = browsers.first { agent.contains($0.0) }?.1
        let system = systems.first { agent.contains($0.0) }?.1
        switch (browser, system) {
        case (let browser?, let system?): return "\(browser) on \(system)"
        case (let browser?, nil): return browser
        case (nil, let system?): return "A browser on \(system)"
        case (nil, nil): return unknown
        }
    }
}
