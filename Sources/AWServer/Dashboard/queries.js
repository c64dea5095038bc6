// The query2 programs behind the views. They follow the official web UI's queries (AFK-filtered,
// flooded window events, categorized), so both UIs show the same numbers.
import { browsers } from './api.js';

/**
 * A value written as a query2 literal. Strings are written as typed: query2 strings keep
 * backslashes, so a category regex such as `a\.b` reaches the server unchanged.
 */
export function literal(value) {
  if (typeof value === 'string') return `"${value.replaceAll('"', '\\"')}"`;
  if (Array.isArray(value)) return `[${value.map(literal).join(', ')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.entries(value).map(([key, item]) => `${literal(key)}: ${literal(item)}`).join(', ')}}`;
  }
  return String(value);
}

/** The `categorize` rules for the stored category settings (rules without a pattern skipped). */
export function categoryRules(classes) {
  return classes
    .filter((entry) => Array.isArray(entry.name) && entry.name.length > 0 && entry.rule)
    .filter((entry) => entry.rule.type === 'regex' && entry.rule.regex)
    .map((entry) => [entry.name, {
      type: 'regex', regex: entry.rule.regex, ...(entry.rule.ignore_case ? { ignore_case: true } : {}),
    }]);
}

/**
 * The statements every activity query starts with: `events` (window events while not AFK,
 * categorized, and only those of `categories`, a list of category paths, when given), `not_afk`,
 * and `browser_events` (the host's browser buckets while their browser window was active).
 */
export function canonicalEvents({ windowBucket, afkBucket, browserBuckets = [], classes = [], categories = null }) {
  const lines = [`events = flood(query_bucket(${literal(windowBucket)}));`];
  if (afkBucket) {
    lines.push(
      `not_afk = flood(query_bucket(${literal(afkBucket)}));`,
      'not_afk = filter_keyvals(not_afk, "status", ["not-afk"]);',
    );
  } else {
    lines.push('not_afk = [];');
  }
  lines.push('browser_events = [];');
  for (const { browser, id } of browserBuckets) {
    lines.push(
      `events_${browser} = flood(query_bucket(${literal(id)}));`,
      `window_${browser} = filter_keyvals_regex(events, "app", ${literal(browsers[browser])});`,
      `events_${browser} = filter_period_intersect(events_${browser}, window_${browser});`,
      `events_${browser} = split_url_events(events_${browser});`,
      `browser_events = concat(browser_events, events_${browser});`,
    );
  }
  lines.push('browser_events = sort_by_timestamp(browser_events);');
  // Without an AFK bucket every window event counts.
  if (afkBucket) lines.push('events = filter_period_intersect(events, not_afk);');
  const rules = categoryRules(classes);
  if (rules.length > 0) lines.push(`events = categorize(events, ${literal(rules)});`);
  if (categories) lines.push(`events = filter_keyvals(events, "$category", ${literal(categories)});`);
  return lines;
}

/** The Activity view's summary: top apps, titles, categories, browser domains and active time. */
export function activityQuery(buckets) {
  return [
    ...canonicalEvents(buckets),
    'title_events = sort_by_duration(merge_events_by_keys(events, ["app", "title"]));',
    'app_events = sort_by_duration(merge_events_by_keys(title_events, ["app"]));',
    'cat_events = sort_by_duration(merge_events_by_keys(events, ["$category"]));',
    'app_events = limit_events(app_events, 100);',
    'title_events = limit_events(title_events, 100);',
    'duration = sum_durations(events);',
    'browser_domains = limit_events(sort_by_duration(merge_events_by_keys(browser_events, ["$domain"])), 100);',
    'browser_urls = limit_events(sort_by_duration(merge_events_by_keys(browser_events, ["url"])), 100);',
    'browser_duration = sum_durations(browser_events);',
    'RETURN = {"window": {"app_events": app_events, "title_events": title_events, "cat_events": cat_events,',
    '  "active_events": not_afk, "duration": duration},',
    '  "browser": {"domains": browser_domains, "urls": browser_urls, "duration": browser_duration}};',
  ].join('\n');
}

/** A day's strip of applications and of AFK status, consecutive equal events joined. */
export function dayStripQuery({ windowBucket, afkBucket }) {
  return [
    `events = flood(query_bucket(${literal(windowBucket)}));`,
    afkBucket ? `afk = flood(query_bucket(${literal(afkBucket)}));` : 'afk = [];',
    'RETURN = {"apps": chunk_events_by_key(sort_by_timestamp(events), "app"),',
    '  "afk": chunk_events_by_key(sort_by_timestamp(afk), "status")};',
  ].join('\n');
}

/** Active (not-AFK) time, run with one period per day. */
export function activeTimeQuery({ afkBucket }) {
  return [
    `not_afk = flood(query_bucket(${literal(afkBucket)}));`,
    'not_afk = filter_keyvals(not_afk, "status", ["not-afk"]);',
    'RETURN = sum_durations(not_afk);',
  ].join('\n');
}

/** The Query explorer's starting text; `__CATEGORIES__` stands for the category rules. */
export const exampleQuery = `# Window titles while not AFK, longest first.
events = flood(query_bucket(find_bucket("aw-watcher-window_")));
not_afk = flood(query_bucket(find_bucket("aw-watcher-afk_")));
not_afk = filter_keyvals(not_afk, "status", ["not-afk"]);
events = filter_period_intersect(events, not_afk);
events = categorize(events, __CATEGORIES__);
title_events = sort_by_duration(merge_events_by_keys(events, ["app", "title"]));
RETURN = limit_events(title_events, 100);`;
