/// The built-in dashboard's files (Sources/AWServer/Dashboard, compiled into the binary), by the
/// name they are served under.
enum DashboardFiles {
    static let all: [String: [UInt8]] = [
        "index.html": PackageResources.index_html,
        "dashboard.css": PackageResources.dashboard_css,
        "favicon.svg": PackageResources.favicon_svg,
        "default-categories.json": PackageResources.default_categories_json,
        "main.js": PackageResources.main_js,
        "theme.js": PackageResources.theme_js,
        "util.js": PackageResources.util_js,
        "api.js": PackageResources.api_js,
        "queries.js": PackageResources.queries_js,
        "charts.js": PackageResources.charts_js,
        "activity.js": PackageResources.activity_js,
        "timeline.js": PackageResources.timeline_js,
        "buckets.js": PackageResources.buckets_js,
        "explorer.js": PackageResources.explorer_js,
        "settings.js": PackageResources.settings_js,
    ]
}
