"""Memory after large requests: once a burst of big queries is over, the server hands what they
freed back to the system instead of keeping it for good."""
import time
from datetime import datetime, timedelta, timezone
from conftest import ServerProcess, call, free_port, status_kib, wait_for

EVENTS = 100_000


def own_memory_kib(pid: int) -> int:
    """The process's resident memory of its own (heap, stacks), without code mapped from files."""
    return status_kib(pid, "RssAnon")


def test_memory_freed_by_big_queries_goes_back_once_they_stop(home):
    server = ServerProcess(home, free_port()).start()
    try:
        base = f"{server.url}/api/0"
        status, _ = call(f"{base}/buckets/window", "POST",
                         {"client": "test", "type": "currentwindow", "hostname": "test"})
        assert status == 200
        end = datetime.now(timezone.utc)
        first = end - timedelta(seconds=20 * EVENTS)
        for batch in range(EVENTS // 5000):
            events = [{"timestamp": (first + timedelta(seconds=20 * i)).isoformat(), "duration": 19,
                       "data": {"app": f"app{i % 40}", "title": f"title {i % 3000}"}}
                      for i in range(batch * 5000, batch * 5000 + 5000)]
            status, _ = call(f"{base}/buckets/window/events", "POST", events, timeout=120)
            assert status == 200
        query = {"timeperiods": [f"{first.isoformat()}/{end.isoformat()}"],
                 "query": ['events = query_bucket("window");',
                           'RETURN = sort_by_duration(merge_events_by_keys(events, ["app", "title"]));']}
        status, result = call(f"{base}/query/", "POST", query, timeout=120)
        assert status == 200 and len(result[0]) == 3000
        time.sleep(12)  # what filling the bucket and the first query freed goes back
        before = own_memory_kib(server.process.pid)
        for _ in range(5):
            assert call(f"{base}/query/", "POST", query, timeout=120)[0] == 200
        # Within ten seconds after the last of them, the server is back near its size before.
        wait_for(lambda: own_memory_kib(server.process.pid) < before + 8 * 1024, timeout=30)
    finally:
        assert server.stop() == 0, server.log.read_text()
