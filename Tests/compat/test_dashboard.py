"""The built-in dashboard at / in a real browser: Debian's headless Chromium driven by Selenium
(chromium-driver), against a live aw-server holding a generated day of window, AFK and browser
events. What each view shows is checked against the same data read through the Python aw-client.
Screenshots of every view, wide and phone-narrow, go to .build/test-artifacts/dashboard/."""
import json
import os
import shutil
import subprocess
import tempfile
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from aw_client import ActivityWatchClient
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.actions.wheel_input import ScrollOrigin
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import ServerProcess, free_port, wait_for
from sample_activity import day_of_activity

DAY = datetime(2026, 11, 20, tzinfo=timezone.utc)
# The dashboard's days start at 04:00 (the official web UI's default); the browser runs in UTC.
PERIOD = (DAY + timedelta(hours=4), DAY + timedelta(hours=28))
ARTIFACTS = Path(__file__).resolve().parents[2] / ".build/test-artifacts/dashboard"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


def post_json(server: ServerProcess, path: str, document, headers=None) -> int:
    request = urllib.request.Request(f"{server.url}/api/0/{path}", data=json.dumps(document).encode(), method="POST",
                                     headers={"Content-Type": "application/json", **(headers or {})})
    with urllib.request.urlopen(request) as response:
        return response.status


def desktop_day() -> dict:
    """A second host with two hours of GIMP."""
    start = DAY + timedelta(hours=10)
    window = [{"timestamp": (start + timedelta(minutes=10 * i)).isoformat(), "duration": 600,
               "data": {"app": "gimp", "title": f"poster-{i % 2}.xcf - GIMP"}} for i in range(12)]
    afk = [{"timestamp": start.isoformat(), "duration": 7200, "data": {"status": "not-afk"}}]
    return {"buckets": {
        "aw-watcher-window_desktop": {"id": "aw-watcher-window_desktop", "type": "currentwindow", "hostname": "desktop",
                                      "client": "aw-watcher-window", "events": window},
        "aw-watcher-afk_desktop": {"id": "aw-watcher-afk_desktop", "type": "afkstatus", "hostname": "desktop",
                                   "client": "aw-watcher-afk", "events": afk}}}


@pytest.fixture(scope="module")
def server():
    with tempfile.TemporaryDirectory(prefix="aw-dashboard-") as directory:
        process = ServerProcess(Path(directory), free_port()).start()
        assert post_json(process, "import", day_of_activity("laptop", DAY)) == 200
        # Imported later, so the laptop stays the host with the newest activity (shown first).
        document = desktop_day()
        for bucket in document["buckets"].values():
            for event in bucket["events"]:
                event["timestamp"] = (datetime.fromisoformat(event["timestamp"]) - timedelta(days=1)).isoformat()
        assert post_json(process, "import", document) == 200
        # A third host that reports windows but has no AFK watcher.
        kiosk = [{"timestamp": (DAY - timedelta(days=2, hours=-9)).isoformat(), "duration": 1800,
                  "data": {"app": "kiosk-browser", "title": "Welcome"}}]
        assert post_json(process, "import", {"buckets": {"aw-watcher-window_kiosk": {
            "id": "aw-watcher-window_kiosk", "type": "currentwindow", "hostname": "kiosk", "client": "aw-watcher-window",
            "events": kiosk}}}) == 200
        yield process
        assert process.stop() == 0, process.log.read_text()


@pytest.fixture(scope="module")
def client(server):
    client = ActivityWatchClient("aw-dashboard-test", testing=True, port=server.port)
    yield client


@pytest.fixture(scope="module")
def browser():
    downloads = tempfile.mkdtemp(prefix="aw-dashboard-downloads-")
    options = Options()
    for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1280,1000", "--lang=en-US"]:
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(CHROMEDRIVER, env={**os.environ, "TZ": "UTC"})
    driver = webdriver.Chrome(options=options, service=service)
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": downloads})
    driver.downloads = Path(downloads)
    yield driver
    driver.quit()
    shutil.rmtree(downloads, ignore_errors=True)


def open_view(browser, server, route: str, screenshot: str | None = None):
    """Loads a view and waits until it has rendered (or failed, which fails the test)."""
    browser.get(f"{server.url}/#/{route}")
    return wait_ready(browser, screenshot)


def wait_ready(browser, screenshot: str | None = None):
    # The view drawn for the current address (a click may not have replaced the previous one yet).
    WebDriverWait(browser, 20).until(lambda driver: driver.execute_script(
        "const view = document.querySelector('#view .view');"
        "return view && view.dataset.route === location.hash && view.dataset.state !== 'loading';"))
    view = browser.find_element(By.CSS_SELECTOR, "#view .view")
    # Script errors fail the test; 4xx answers the test provoked (logged as network errors) do not.
    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE" and entry["source"] != "network"]
    assert view.get_attribute("data-state") == "ready", view.text
    assert errors == [], errors
    if screenshot:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(ARTIFACTS / f"{screenshot}.png"))
    return view


def bars(browser, card: str) -> list[tuple[str, float]]:
    return [(item.get_attribute("data-label"), float(item.get_attribute("data-seconds")))
            for item in browser.find_elements(By.CSS_SELECTOR, f"#{card} li")]


def expected_activity(client, host="laptop") -> dict:
    query = f"""
        events = flood(query_bucket("aw-watcher-window_{host}"));
        not_afk = flood(query_bucket("aw-watcher-afk_{host}"));
        not_afk = filter_keyvals(not_afk, "status", ["not-afk"]);
        firefox = filter_keyvals(events, "app", ["firefox"]);
        web = filter_period_intersect(flood(query_bucket("aw-watcher-web-firefox_{host}")), firefox);
        events = filter_period_intersect(events, not_afk);
        RETURN = {{"apps": sort_by_duration(merge_events_by_keys(events, ["app"])),
                  "titles": sort_by_duration(merge_events_by_keys(events, ["title"])),
                  "domains": sort_by_duration(merge_events_by_keys(split_url_events(web), ["$domain"])),
                  "duration": sum_durations(events)}};"""
    if host != "laptop":
        query = query.replace(f'flood(query_bucket("aw-watcher-web-firefox_{host}"))', "[]")
    return client.query(query, [PERIOD])[0]


def test_activity_view_shows_what_the_queries_compute(browser, server, client):
    open_view(browser, server, "activity?date=2026-11-20", "activity-day")
    expected = expected_activity(client)
    assert expected["duration"] == pytest.approx(12.5 * 3600, abs=1), "the sample day has 12.5 h not AFK"
    active = browser.find_element(By.ID, "active-time")
    assert float(active.get_attribute("data-seconds")) == pytest.approx(expected["duration"], abs=0.01)
    assert active.text == "12h 30m"
    shown = bars(browser, "top-apps")
    assert [label for label, _ in shown] == [event["data"]["app"] for event in expected["apps"]]
    assert [seconds for _, seconds in shown] == pytest.approx([event["duration"] for event in expected["apps"]], abs=0.01)
    first = browser.find_element(By.CSS_SELECTOR, "#top-apps li")
    assert first.find_element(By.CLASS_NAME, "label").text == expected["apps"][0]["data"]["app"]
    titles = bars(browser, "top-titles")
    assert sorted(label for label, _ in titles) == sorted(event["data"]["title"] for event in expected["titles"])
    domains = bars(browser, "top-domains")
    assert [label for label, _ in domains] == [event["data"]["$domain"] for event in expected["domains"]]
    assert [seconds for _, seconds in domains] == pytest.approx([e["duration"] for e in expected["domains"]], abs=0.01)
    assert {label for label, _ in domains} == {"github.com", "youtube.com", "stackoverflow.com"}
    pages = dict(bars(browser, "top-urls"))
    assert sum(pages.values()) == pytest.approx(sum(seconds for _, seconds in domains), abs=0.01)
    # Default categories: every active second lands in exactly one category.
    categories = dict(bars(browser, "top-categories"))
    assert sum(categories.values()) == pytest.approx(expected["duration"], abs=0.01)
    assert "Comms > Email" in categories and "Uncategorized" in categories
    # The day's strip: one lane of applications, one of AFK status.
    labels = [text.text for text in browser.find_elements(By.CSS_SELECTOR, "#day-timeline .lane-label")]
    assert labels == ["Applications", "AFK status"]


def test_clicking_a_category_shows_only_its_time(browser, server):
    open_view(browser, server, "activity?date=2026-11-20")
    categories = dict(bars(browser, "top-categories"))
    browser.find_element(By.CSS_SELECTOR, "#top-categories li[data-label='Comms > Email']").click()
    wait_ready(browser, "activity-category")
    assert "category=Comms" in browser.current_url
    assert bars(browser, "top-apps") == [("Thunderbird", pytest.approx(categories["Comms > Email"], abs=0.01))]
    assert "Comms > Email" in browser.find_element(By.ID, "category-filter").text
    # A parent category includes its subcategories.
    browser.find_element(By.CSS_SELECTOR, "#category-filter button").click()
    wait_ready(browser)
    browser.find_element(By.CSS_SELECTOR, "#top-categories li[data-label='Work']").click()
    wait_ready(browser)
    work = sum(seconds for name, seconds in categories.items() if name == "Work" or name.startswith("Work > "))
    assert float(browser.find_element(By.ID, "active-time").get_attribute("data-seconds")) == pytest.approx(work, abs=0.01)
    assert {label for label, _ in bars(browser, "top-apps")} == {"code", "firefox", "libreoffice"}
    browser.find_element(By.CSS_SELECTOR, "#category-filter button").click()
    wait_ready(browser)
    assert not browser.find_elements(By.ID, "category-filter")


def test_day_timeline_hover_and_zoom(browser, server):
    open_view(browser, server, "activity?date=2026-11-20")
    svg = browser.find_element(By.CSS_SELECTOR, "#day-timeline svg")
    size = svg.size
    ticks = [text.text for text in svg.find_elements(By.CLASS_NAME, "tick-label")]
    # 09:00 on a 04:00-04:00 day, on the applications lane (y 24-46).
    label_width = 170
    x = label_width + (size["width"] - label_width) * 5 / 24
    ActionChains(browser).move_to_element_with_offset(svg, int(x - size["width"] / 2), int(35 - size["height"] / 2)).perform()
    tooltip = browser.find_element(By.ID, "tooltip")
    wait_for(lambda: tooltip.is_displayed(), 5)
    assert "app: " in tooltip.text and "duration" in tooltip.text
    browser.find_element(By.CSS_SELECTOR, "#day-timeline .timeline-tools button[title='Zoom in']").click()
    zoomed = [text.text for text in svg.find_elements(By.CLASS_NAME, "tick-label")]
    assert zoomed != ticks
    ActionChains(browser).scroll_from_origin(ScrollOrigin.from_element(svg), 0, -400).perform()
    assert [text.text for text in svg.find_elements(By.CLASS_NAME, "tick-label")] != zoomed


def test_host_selection(browser, server, client):
    open_view(browser, server, "activity?date=2026-11-19")
    select = Select(browser.find_element(By.ID, "host"))
    assert [option.text for option in select.options] == ["laptop", "desktop", "kiosk"]
    select.select_by_visible_text("desktop")
    wait_ready(browser, "activity-second-host")
    assert "host=desktop" in browser.current_url
    expected = client.query('RETURN = sum_durations(query_bucket("aw-watcher-window_desktop"));',
                            [(PERIOD[0] - timedelta(days=1), PERIOD[1] - timedelta(days=1))])[0]
    assert bars(browser, "top-apps") == [("gimp", pytest.approx(expected))]
    assert not browser.find_elements(By.ID, "top-domains"), "the desktop has no browser bucket"
    # Without an AFK bucket all window time counts, and the view says so.
    open_view(browser, server, "activity?host=kiosk&date=2026-11-18", "activity-no-afk")
    assert bars(browser, "top-apps") == [("kiosk-browser", 1800.0)]
    assert "No AFK bucket" in browser.find_element(By.CSS_SELECTOR, ".summary .warning").text
    assert [t.text for t in browser.find_elements(By.CSS_SELECTOR, "#day-timeline .lane-label")] == ["Applications",
                                                                                                       "AFK status"]


def test_week_and_month(browser, server, client):
    open_view(browser, server, "activity?date=2026-11-20&range=week", "activity-week")
    columns = browser.find_elements(By.CSS_SELECTOR, "#per-day .column")
    assert [column.get_attribute("data-date") for column in columns] == [f"2026-11-{day}" for day in range(16, 23)]
    seconds = {column.get_attribute("data-date"): float(column.get_attribute("data-seconds")) for column in columns}
    assert seconds["2026-11-20"] == pytest.approx(12.5 * 3600, abs=1)
    assert seconds["2026-11-19"] == 0, "the other host's activity that day is not the laptop's"
    assert float(browser.find_element(By.ID, "active-time").get_attribute("data-seconds")) == pytest.approx(
        expected_activity(client)["duration"], abs=0.01)
    browser.find_element(By.CSS_SELECTOR, "button[data-range='month']").click()
    wait_ready(browser, "activity-month")
    assert len(browser.find_elements(By.CSS_SELECTOR, "#per-day .column")) == 30
    browser.find_element(By.CSS_SELECTOR, "#per-day .column[data-date='2026-11-20']").click()
    wait_ready(browser)
    assert "range=day" in browser.current_url and "date=2026-11-20" in browser.current_url
    browser.find_element(By.ID, "next").click()
    wait_ready(browser)
    assert "date=2026-11-21" in browser.current_url
    assert browser.find_element(By.ID, "active-time").text == "0s"


def test_category_rule_added_in_settings_changes_the_activity_view(browser, server, client):
    try:
        open_view(browser, server, "settings", "settings")
        rows = browser.find_elements(By.CSS_SELECTOR, "#rules tr")
        browser.find_element(By.ID, "add-rule").click()
        row = browser.find_elements(By.CSS_SELECTOR, "#rules tr")[-1]
        assert len(rows) + 1 == len(browser.find_elements(By.CSS_SELECTOR, "#rules tr"))
        row.find_element(By.CLASS_NAME, "rule-name").send_keys("Work > Terminal")
        row.find_element(By.CLASS_NAME, "rule-regex").send_keys("XTERM|bash")
        row.find_element(By.CLASS_NAME, "rule-ignore-case").click()
        browser.find_element(By.ID, "save-rules").click()
        stored = wait_for(lambda: client.get_setting("classes") if any(
            entry["name"] == ["Work", "Terminal"] for entry in client.get_setting("classes") or []) else None, 10)
        rule = next(entry for entry in stored if entry["name"] == ["Work", "Terminal"])
        # The official web UI's shape: name path, rule {type, regex, ignore_case}, a numeric id.
        assert rule["rule"] == {"type": "regex", "regex": "XTERM|bash", "ignore_case": True}
        assert isinstance(rule["id"], int) and len({entry["id"] for entry in stored}) == len(stored)
        open_view(browser, server, "activity?date=2026-11-20", "activity-with-new-category")
        categories = dict(bars(browser, "top-categories"))
        xterm = dict(bars(browser, "top-apps"))["xterm"]
        assert categories["Work > Terminal"] == pytest.approx(xterm, abs=0.01)
        # A pattern the server's regular expression engine rejects is not saved.
        open_view(browser, server, "settings")
        browser.find_element(By.CSS_SELECTOR, "#rules tr:last-child .rule-regex").send_keys("(")
        browser.find_element(By.ID, "save-rules").click()
        toast = WebDriverWait(browser, 10).until(lambda driver: driver.find_element(By.CSS_SELECTOR, ".toast.error"))
        assert "Work > Terminal" in toast.text and "not valid" in toast.text
        assert next(e for e in client.get_setting("classes") if e["name"] == ["Work", "Terminal"])["rule"]["regex"] == "XTERM|bash"
    finally:
        urllib.request.urlopen(urllib.request.Request(f"{server.url}/api/0/settings/classes", method="DELETE"))


def test_start_of_day_and_theme_are_shared_settings(browser, server, client):
    try:
        open_view(browser, server, "settings")
        Select(browser.find_element(By.ID, "theme")).select_by_value("dark")
        wait_for(lambda: client.get_setting("theme") == "dark", 10)
        assert browser.find_element(By.TAG_NAME, "html").get_attribute("data-theme") == "dark"
        start = browser.find_element(By.ID, "start-of-day")
        browser.execute_script("arguments[0].value = '00:00'; arguments[0].dispatchEvent(new Event('change'));", start)
        wait_for(lambda: client.get_setting("startOfDay") == "00:00", 10)
        browser.refresh()
        open_view(browser, server, "activity?date=2026-11-20", "activity-dark")
        assert browser.find_element(By.TAG_NAME, "html").get_attribute("data-theme") == "dark"
        # Days from midnight now: the same day's activity, all of it between 06:00 and 20:00.
        assert float(browser.find_element(By.ID, "active-time").get_attribute("data-seconds")) == pytest.approx(12.5 * 3600, abs=1)
        assert browser.find_elements(By.CSS_SELECTOR, "#day-timeline .tick-label")[0].text in ("00:00", "11-20")
    finally:
        for key in ("theme", "startOfDay"):
            urllib.request.urlopen(urllib.request.Request(f"{server.url}/api/0/settings/{key}", method="DELETE"))


def test_timeline_view_lanes_and_details(browser, server, client):
    open_view(browser, server, "timeline?start=2026-11-20T05:00:00.000Z&end=2026-11-20T21:00:00.000Z", "timeline")
    lanes = [text.get_attribute("textContent") for text in browser.find_elements(By.CSS_SELECTOR, "#timeline .lane-label title")]
    assert lanes == sorted(bucket for bucket in client.get_buckets())
    summary = browser.find_element(By.ID, "timeline-summary").text
    assert "169 events" in summary, "114 window + 5 AFK + 50 browser events that day"
    svg = browser.find_element(By.CSS_SELECTOR, "#timeline svg")
    row = lanes.index("aw-watcher-window_laptop")
    size = svg.size
    x = 170 + (size["width"] - 170) * 0.5  # 13:00
    ActionChains(browser).move_to_element_with_offset(
        svg, int(x - size["width"] / 2), int(24 + row * 26 + 11 - size["height"] / 2)).perform()
    tooltip = browser.find_element(By.ID, "tooltip")
    wait_for(lambda: tooltip.is_displayed(), 5)
    assert tooltip.text.startswith("aw-watcher-window_laptop") and "title: " in tooltip.text
    browser.find_element(By.XPATH, "//button[text()='24h']").click()
    wait_ready(browser)
    assert "hours=24" in browser.current_url


def test_buckets_view_import_browse_export_delete(browser, server, client, tmp_path):
    view = open_view(browser, server, "buckets", "buckets")
    counts = {row.get_attribute("data-bucket"): int(row.find_element(By.CSS_SELECTOR, "td[data-count]").get_attribute("data-count"))
              for row in view.find_elements(By.CSS_SELECTOR, "#bucket-table tbody tr")}
    assert counts["aw-watcher-window_laptop"] == 114 and counts["aw-watcher-afk_laptop"] == 5
    assert set(counts) == set(client.get_buckets())
    # Import through the file input.
    export = {"buckets": {"imported_test": {"id": "imported_test", "type": "test", "client": "t", "hostname": "h",
                                            "events": [{"timestamp": f"2026-11-20T0{i}:00:00+00:00", "duration": 60,
                                                        "data": {"n": i}} for i in range(1, 4)]}}}
    file = tmp_path / "export.json"
    file.write_text(json.dumps(export))
    browser.find_element(By.ID, "import-file").send_keys(str(file))
    browser.find_element(By.CSS_SELECTOR, "#import-form button").click()
    row = WebDriverWait(browser, 10).until(lambda d: d.find_element(By.CSS_SELECTOR, "tr[data-bucket='imported_test']"))
    wait_ready(browser, "buckets-after-import")
    row = browser.find_element(By.CSS_SELECTOR, "tr[data-bucket='imported_test']")
    assert row.find_element(By.CSS_SELECTOR, "td[data-count]").get_attribute("data-count") == "3"
    assert len(client.get_events("imported_test")) == 3
    # A bad file: the server's message is shown, nothing changes.
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    browser.find_element(By.ID, "import-file").send_keys(str(bad))
    browser.find_element(By.CSS_SELECTOR, "#import-form button").click()
    toast = WebDriverWait(browser, 10).until(lambda d: d.find_element(By.CSS_SELECTOR, ".toast.error"))
    assert "Import failed" in toast.text and "JSON" in toast.text
    # Export one bucket: the browser saves the server's export document.
    row = browser.find_element(By.CSS_SELECTOR, "tr[data-bucket='imported_test']")
    row.find_element(By.XPATH, ".//button[text()='Export']").click()
    saved = wait_for(lambda: next(iter(browser.downloads.glob("aw-bucket-export_imported_test.json")), None), 10)
    document = wait_for(lambda: json.loads(saved.read_text()) if saved.stat().st_size else None, 10)
    assert [event["data"] for event in document["buckets"]["imported_test"]["events"]] == [{"n": 3}, {"n": 2}, {"n": 1}]
    # Browse the events.
    browser.find_element(By.LINK_TEXT, "imported_test").click()
    wait_ready(browser, "bucket-events")
    assert len(browser.find_elements(By.CSS_SELECTOR, "#event-table tbody tr")) == 3
    assert browser.find_element(By.CSS_SELECTOR, "#event-table tbody tr td.data").text == "n: 3"
    # Delete, after confirming.
    browser.find_element(By.XPATH, "//div[@class='toolbar']/button[text()='Delete']").click()
    dialog = browser.find_element(By.CSS_SELECTOR, "dialog.modal")
    assert "imported_test" in dialog.text
    dialog.find_element(By.XPATH, ".//button[text()='Cancel']").click()
    assert "imported_test" in client.get_buckets()
    browser.find_element(By.XPATH, "//div[@class='toolbar']/button[text()='Delete']").click()
    browser.find_element(By.CSS_SELECTOR, "dialog.modal button.danger").click()
    wait_for(lambda: "imported_test" not in client.get_buckets(), 10)
    wait_ready(browser)
    assert browser.current_url.endswith("#/buckets")
    assert not browser.find_elements(By.CSS_SELECTOR, "tr[data-bucket='imported_test']")


def test_bucket_event_pages(browser, server):
    open_view(browser, server, "buckets/aw-watcher-window_laptop")
    rows = lambda: browser.find_elements(By.CSS_SELECTOR, "#event-table tbody tr")
    assert len(rows()) == 100
    browser.find_element(By.ID, "more").click()
    wait_for(lambda: len(rows()) == 114, 10)
    assert not browser.find_element(By.ID, "more").is_displayed()


def test_query_explorer_results_and_error_position(browser, server, client):
    open_view(browser, server, "query", "query")
    editor = browser.find_element(By.ID, "query-text")
    # Periods are set through the inputs: the sample day, 04:00 to 04:00.
    for name, value in (("period-start", "2026-11-20T04:00"), ("period-end", "2026-11-21T04:00")):
        browser.execute_script("arguments[0].value = arguments[1];", browser.find_element(By.CLASS_NAME, name), value)
    editor.clear()
    editor.send_keys('events = query_bucket("aw-watcher-afk_laptop");\nRETURN = sort_by_duration(events);')
    browser.find_element(By.ID, "run-query").click()
    WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.ID, "query-status"))
    expected = client.query('RETURN = sort_by_duration(query_bucket("aw-watcher-afk_laptop"));', [PERIOD])[0]
    cells = browser.find_elements(By.CSS_SELECTOR, ".result-table td.number")
    assert [float(cell.get_attribute("data-seconds")) for cell in cells] == pytest.approx([e["duration"] for e in expected])
    browser.find_element(By.ID, "as-json").click()
    assert json.loads(browser.find_element(By.CSS_SELECTOR, "pre.json").text) == expected
    browser.save_screenshot(str(ARTIFACTS / "query-json.png"))
    # An error: the message names the place, the editor marks line 2 and puts the cursor there.
    editor.clear()
    editor.send_keys('events = query_bucket("aw-watcher-afk_laptop");\nRETURN = sort_by_duration(events, );')
    browser.find_element(By.ID, "run-query").click()
    error = WebDriverWait(browser, 10).until(lambda d: d.find_element(By.ID, "query-error"))
    assert "line 2, column" in error.text
    column = int(error.text.split("line 2, column ")[1].split(")")[0])
    assert [line.text for line in browser.find_elements(By.CSS_SELECTOR, ".gutter .flagged")] == ["2"]
    marked = browser.find_element(By.CSS_SELECTOR, ".error-line mark")
    assert marked.get_attribute("textContent") == "RETURN = sort_by_duration(events, );"[column - 1]
    cursor = browser.execute_script("return arguments[0].selectionStart", editor)
    assert cursor == len('events = query_bucket("aw-watcher-afk_laptop");\n') + column - 1
    browser.save_screenshot(str(ARTIFACTS / "query-error.png"))
    # The placeholder for the category rules is replaced before the query is sent.
    editor.clear()
    editor.send_keys('RETURN = categorize(query_bucket("aw-watcher-window_laptop"), __CATEGORIES__);')
    browser.find_element(By.ID, "run-query").click()
    WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.ID, "query-status"))
    events = json.loads(browser.find_element(By.CSS_SELECTOR, "pre.json").text)
    assert {tuple(e["data"]["$category"]) for e in events if e["data"]["app"] == "Thunderbird"} == {("Comms", "Email")}


@pytest.mark.parametrize("route", ["activity?date=2026-11-20", "activity?date=2026-11-20&range=month", "timeline",
                                   "buckets", "buckets/aw-watcher-window_laptop", "query", "settings"])
def test_views_fit_a_phone_screen(browser, server, route):
    browser.set_window_size(390, 844)
    try:
        name = "phone-" + route.split("?")[0].replace("/", "-") + ("-month" if "month" in route else "")
        open_view(browser, server, route, name)
        overflow = browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{route} is {overflow}px wider than the screen"
    finally:
        browser.set_window_size(1280, 1000)


def test_api_key_is_asked_for_once_and_remembered(browser, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[auth]\napi_key = "letmein"\n')
    keyed = ServerProcess(tmp_path, free_port(), config=config).start()
    try:
        browser.get(f"{keyed.url}/#/buckets")
        dialog = WebDriverWait(browser, 10).until(lambda d: d.find_element(By.CSS_SELECTOR, "dialog.modal[open]"))
        dialog.find_element(By.NAME, "key").send_keys("letmein")
        dialog.find_element(By.CSS_SELECTOR, "button.primary").click()
        wait_ready(browser, "api-key")
        browser.refresh()
        wait_ready(browser)
        assert not browser.find_elements(By.CSS_SELECTOR, "dialog.modal[open]")
    finally:
        assert keyed.stop() == 0


def test_webpath_serves_another_web_ui_build(browser, tmp_path):
    build = tmp_path / "dist"
    (build / "js").mkdir(parents=True)
    (build / "index.html").write_text('<!doctype html><title>Other UI</title><script src="/js/app.js"></script>')
    (build / "js/app.js").write_text(
        "fetch('/api/0/info').then(r => r.json()).then(i => { document.title = 'Other UI on ' + i.hostname; });")
    other = ServerProcess(tmp_path, free_port(), extra_args=["--webpath", str(build)]).start()
    try:
        browser.get(other.url + "/")
        hostname = json.load(urllib.request.urlopen(f"{other.url}/api/0/info"))["hostname"]
        wait_for(lambda: browser.title == f"Other UI on {hostname}", 10)
    finally:
        assert other.stop() == 0
    missing = subprocess.run([ServerProcess.binary(), "--testing", "--port", str(free_port()), "--no-watchers",
                              "--webpath", str(tmp_path / "nowhere")], capture_output=True, text=True, timeout=30,
                             env={**os.environ, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config"),
                                  "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CACHE_HOME": str(tmp_path / "cache")})
    assert missing.returncode == 1
    assert f"web UI directory '{tmp_path / 'nowhere'}' does not exist" in missing.stderr


def test_a_failed_first_start_import_is_shown_on_the_first_page(browser, tmp_path):
    damaged = tmp_path / "data/activitywatch/aw-server-rust/sqlite-testing.db"
    damaged.parent.mkdir(parents=True)
    damaged.write_bytes(b"not a database " * 100)
    other = ServerProcess(tmp_path, free_port()).start()
    try:
        open_view(browser, other, "activity", screenshot="notice-failed-import")
        notice = WebDriverWait(browser, 10).until(
            lambda driver: driver.find_element(By.CSS_SELECTOR, '#notices [data-notice="legacy-import"]'))
        assert "was not imported on the first start" in notice.text
        assert "not an SQLite database" in notice.text
        assert notice.find_element(By.TAG_NAME, "code").text == "aw-server import-legacy --testing"
        open_view(browser, other, "buckets")
        assert browser.find_element(By.CSS_SELECTOR, '#notices [data-notice="legacy-import"]').is_displayed()
    finally:
        assert other.stop() == 0
