# The 10 window titles you spent most time on, not counting time away.
# Run it with: aw query --file examples/rest/top-titles.aw --start today
window = flood(query_bucket(find_bucket("aw-watcher-window_")));
afk = filter_keyvals(flood(query_bucket(find_bucket("aw-watcher-afk_"))), "status", ["not-afk"]);
window = filter_period_intersect(window, afk);
RETURN = limit_events(sort_by_duration(merge_events_by_keys(window, ["app", "title"])), 10);
