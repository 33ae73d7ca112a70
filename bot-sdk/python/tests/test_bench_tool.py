"""The benchmark's tool for the SDK's own CPU per job (bench/python/bot_cpu.py) still runs the echo bot
to the end, with and without the profiler."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

TOOL = Path(__file__).resolve().parents[3] / "bench/python/bot_cpu.py"
MEASURED = r"bot CPU per job [\d.]+ µs, [\d,]+ jobs/s, [\d.]+ jobs per exchange\n"


def measure(*extra: str) -> str:
    done = subprocess.run([sys.executable, str(TOOL), "--warm", "200", "--measure", "400", "--runs", "1", *extra],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_cpu_tool_measures_the_echo_bot_and_stops_it() -> None:
    assert re.fullmatch(MEASURED, measure())


def test_under_the_profiler_it_also_says_where_the_time_went(tmp_path: Path) -> None:
    out = measure("--profile", str(tmp_path / "bot.prof"))
    assert re.match(MEASURED, out), out
    assert "| the SDK (shepherd_bot) | " in out and re.search(r"\| in all \| [\d.]+ \| \|", out), out
