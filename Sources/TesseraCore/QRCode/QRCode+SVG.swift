extension QRCode {
    /// The code as an SVG image for a page: one path of unit squares inside the four-module
    /// quiet zone §7.3.7 requires, scaled by the viewer. Only numbers come from the data, so the
    /// markup is safe to place in a page as it is; presentation attributes only (no `style`),
    /// so the pages' Content-Security-Policy needs nothing more.
    public func svg(title: String) -> String {
        let quiet = 4
        let side = size + 2 * quiet
        var path = ""
        for (row, line) in modules.enumerated() {
            for (column, isDark) in line.enumerated() where isDark {
                path += "M\(column + quiet) \(row + quiet)h1v1h-1z"
            }
        }
        let escapedTitle = title.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(
            of: "<", with: "&lt;"
        )
        .replacingOccurrences(of: ">", with: "&gt;")
        return """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(side) \(side)" width="220" height="220" \
            role="img" aria-label="\(escapedTitle.replacingOccurrences(of: "\"", with: "&quot;"))" shape-rendering="crispEdges">\
            <rect width="\(side)" height="\(side)" fill="#fff"/><path d="\(path)" fill="#000"/></svg>
            """
    }
}
