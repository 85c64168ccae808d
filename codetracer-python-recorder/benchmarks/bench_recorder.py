"""Benchmark of the recorder: slowdown, events per second, bytes per event and peak RSS.

Runs a call-heavy workload (recursive fib) and a loop-heavy one (numeric loops) untraced and traced
(json and binary), each in fresh subprocesses, at two trace lengths, and prints a Markdown table of
medians. Peak RSS is ``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`` read by a small wrapper process
that runs only the measured command, so the benchmark's own memory never shows up in it; it should not
grow with the trace length.

    python benchmarks/bench_recorder.py [--repeat 3] [--baseline-python /path/to/venv/bin/python]

``--baseline-python`` names an interpreter with another recorder release installed (for example
``codetracer-python-recorder==0.3.0`` in its own venv); its rows are added to the table.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

WORKLOADS = {
    "calls (fib)": """\
        import sys

        def fib(n):
            if n < 2:
                return n
            return fib(n - 1) + fib(n - 2)

        fib(int(sys.argv[1]))
        """,
    "loops (numeric)": """\
        import sys

        def crunch(n):
            total = 0
            for i in range(n):
                total += (i * i) % 7
            return total

        crunch(int(sys.argv[1]))
        """,
}

# Argument per workload for the short and the long trace (the long one records about 4x the events).
SCALES = {
    "calls (fib)": {"short": "20", "long": "23"},
    "loops (numeric)": {"short": "50000", "long": "200000"},
}


# Runs the command given as arguments and prints its exit status and peak RSS (KiB on Linux).
RSS_WRAPPER = """\
import resource, subprocess, sys
status = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode
print(status, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""

COUNT_JSON_EVENTS = "import json, sys; print(len(json.load(open(sys.argv[1], encoding='utf-8'))))"


@dataclass
class Run:
    seconds: float
    peak_rss_kib: int
    events: int | None
    events_bytes: int | None


def count_json_events(path: Path) -> int:
    with path.open("rb") as handle:
        first = handle.readline()
        if first.strip() == b"[":
            # This recorder writes one event per line between the bracket lines.
            return sum(1 for _ in handle) - 1
    # Other layouts are parsed in a throwaway process, so their size cannot inflate later RSS figures.
    output = subprocess.run([sys.executable, "-c", COUNT_JSON_EVENTS, str(path)], capture_output=True, text=True)
    return int(output.stdout)


def run_once(command: list[str], trace_dir: Path | None) -> Run:
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", RSS_WRAPPER, *command], capture_output=True, text=True)
    seconds = time.perf_counter() - started
    status, peak = (int(field) for field in result.stdout.split())
    if result.returncode != 0 or status != 0:
        raise SystemExit(f"benchmark command failed ({status}): {' '.join(command)}\n{result.stderr}")
    if sys.platform == "darwin":
        peak //= 1024  # ru_maxrss is in bytes on macOS
    events = events_bytes = None
    if trace_dir is not None:
        json_file, binary_file = trace_dir / "trace.json", trace_dir / "trace.bin"
        if json_file.is_file():
            events_bytes = json_file.stat().st_size
            events = count_json_events(json_file)
        elif binary_file.is_file():
            events_bytes = binary_file.stat().st_size
    return Run(seconds, peak, events, events_bytes)


def measure(command: list[str], trace_dir: Path | None, repeat: int) -> list[Run]:
    return [run_once(command, trace_dir) for _ in range(repeat)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per configuration; the median is shown")
    parser.add_argument("--python", default=sys.executable, help="interpreter with this recorder installed")
    parser.add_argument("--baseline-python", help="interpreter with a baseline recorder release installed")
    options = parser.parse_args()
    if options.repeat < 3:
        parser.error("--repeat must be at least 3 for a meaningful median")

    recorders = [("this", options.python)]
    if options.baseline_python:
        recorders.append(("baseline", options.baseline_python))

    rows = []
    with tempfile.TemporaryDirectory(prefix="codetracer-bench-") as temp:
        temp_dir = Path(temp)
        for workload, source in WORKLOADS.items():
            script = temp_dir / (workload.split()[0] + ".py")
            script.write_text(textwrap.dedent(source), encoding="utf-8")
            for scale, argument in SCALES[workload].items():
                base = measure([options.python, str(script), argument], None, options.repeat)
                base_seconds = statistics.median(run.seconds for run in base)
                rows.append((workload, scale, "untraced", base_seconds, 1.0, None, None, None,
                             statistics.median(run.peak_rss_kib for run in base)))
                json_events = None
                for label, python in recorders:
                    for trace_format in ("json", "binary"):
                        trace_dir = temp_dir / f"trace-{label}-{trace_format}"
                        command = [python, "-m", "codetracer_python_recorder", "--trace-dir", str(trace_dir),
                                   "--format", trace_format, str(script), argument]
                        runs = measure(command, trace_dir, options.repeat)
                        seconds = statistics.median(run.seconds for run in runs)
                        events = runs[0].events
                        if trace_format == "json":
                            json_events = events
                        # A binary file cannot be counted without decoding it; the same recorder
                        # writes the same events as in its JSON run just before.
                        events = events if events is not None else json_events
                        size = runs[0].events_bytes
                        rows.append((
                            workload, scale, f"{trace_format}" + ("" if label == "this" else f" ({label})"),
                            seconds, seconds / base_seconds, events,
                            events / seconds if events else None,
                            size / events if events and size else None,
                            statistics.median(run.peak_rss_kib for run in runs),
                        ))

    print(f"Python {sys.version.split()[0]}, median of {options.repeat} runs per row\n")
    print("| workload | trace length | mode | median s | slowdown | events | events/s | bytes/event | peak RSS MiB |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|")
    for workload, scale, mode, seconds, slowdown, events, rate, per_event, rss in rows:
        print(
            f"| {workload} | {scale} | {mode} | {seconds:.3f} | {slowdown:.1f}x | "
            f"{events if events is not None else '-'} | {f'{rate:,.0f}' if rate else '-'} | "
            f"{f'{per_event:.1f}' if per_event else '-'} | {rss / 1024:.1f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
