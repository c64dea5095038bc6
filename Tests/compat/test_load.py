"""Mixed load over loopback (scripts/bench/load.py), 30 s on each datastore (AW_LOAD_SECONDS
for longer): 8 heartbeat writers, 2 bulk inserters, 2 query readers. Zero errors, and every
acknowledged write is on the server after. The figures go to .build/test-artifacts/load.txt."""
import importlib.util
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("load", ROOT / "scripts/bench/load.py")
load = importlib.util.module_from_spec(spec)
spec.loader.exec_module(load)


def test_mixed_load_holds_without_errors_or_lost_writes(server):
    result = load.run_load(server.url, float(os.environ.get("AW_LOAD_SECONDS", "30")))
    text = load.report(result)
    (ROOT / ".build/test-artifacts").mkdir(parents=True, exist_ok=True)
    (ROOT / ".build/test-artifacts/load.txt").write_text(text + "\n")
    print(text)
    assert result["errors"] == []
    assert result["missing"] == []
    assert all(count > 0 for count in result["requests"].values()), result["requests"]
    assert server.process.poll() is None
