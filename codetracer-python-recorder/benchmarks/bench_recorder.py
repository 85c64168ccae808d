"""Benchmark of the recorder against the untraced run, codetracer-python-recorder 0.3.0 and viztracer.

Four workloads, each at two trace lengths (the long one records about four times the events of the short
one): call-heavy (recursive fib), loop-heavy (numeric loops), object-heavy (dicts, lists, class instances)
and a real program written by others (sortedcontainers, from PyPI, exercised by a short script). Every
configuration runs in fresh processes, ``--repeat`` times; figures are medians. Times include interpreter
start-up. Peak RSS is ``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`` read by a small wrapper process
that runs only the measured command, so the benchmark's own memory never shows up in it.

    python benchmarks/bench_recorder.py [--repeat 3] [--quick]
        [--baseline-python /venv-with-0.3.0/bin/python] [--viztracer-python /venv-with-viztracer/bin/python]
        [--markdown-out results.md] [--summary-out summary.json]

Each interpreter needs ``sortedcontainers`` installed (tools/benchmarks/requirements.txt pins it);
``npm run bench`` builds the venvs and calls this script.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

# Runs one of pyperformance's own benchmark files from the installed package (`pip install --no-deps
# pyperformance`). They import pyperf only for its clock, so a stand-in module provides that: pyperf would bring
# psutil, which 0.3.0 cannot record.
PYPERFORMANCE_DRIVER = """\
import importlib.util
import pathlib
import sys
import time
import types

sys.modules["pyperf"] = types.SimpleNamespace(perf_counter=time.perf_counter)
package = pathlib.Path(importlib.util.find_spec("pyperformance").submodule_search_locations[0])
source = package / "data-files" / "benchmarks" / "{benchmark}" / "run_benchmark.py"
spec = importlib.util.spec_from_file_location("{benchmark}", source)
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
{call}
"""

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
    "objects (dicts, lists, classes)": """\
        import sys
        from collections import deque

        class Account:
            def __init__(self, owner, balance):
                self.owner = owner
                self.balance = balance
                self.history = []

            def deposit(self, amount):
                self.balance += amount
                self.history.append(("deposit", amount))
                return self.balance

        def run(n):
            accounts = {f"user{i}": Account(f"user{i}", i) for i in range(50)}
            ledger = deque(maxlen=100)  # bounded, so the workload's own memory does not grow with n
            for i in range(n):
                account = accounts[f"user{i % 50}"]
                ledger.append({"who": account.owner, "after": account.deposit(i % 13)})
            return sum(entry["after"] for entry in ledger)

        run(int(sys.argv[1]))
        """,
    "real program (sortedcontainers 2.4.0)": """\
        import random
        import sys

        from sortedcontainers import SortedDict, SortedList

        def run(n):
            rng = random.Random(1234)
            values = SortedList()
            index = SortedDict()
            for i in range(n):
                key = rng.randrange(n * 10)
                values.add(key)
                index[key] = i
            hits = sum(1 for probe in range(0, n * 10, 7) if probe in values)
            for key in list(index.islice(0, n // 2)):
                values.discard(key)
                del index[key]
            return hits, len(values), values.bisect_left(n)

        run(int(sys.argv[1]))
        """,
    "richards (pyperformance 1.14.0)": PYPERFORMANCE_DRIVER.format(
        benchmark="bm_richards", call="module.Richards().run(int(sys.argv[1]))"
    ),
    "nbody (pyperformance 1.14.0)": PYPERFORMANCE_DRIVER.format(
        benchmark="bm_nbody", call='module.bench_nbody(1, "sun", int(sys.argv[1]))'
    ),
}

# The workload argument for the short and the long trace.
SCALES = {
    "calls (fib)": {"short": "20", "long": "23"},
    "loops (numeric)": {"short": "50000", "long": "200000"},
    "objects (dicts, lists, classes)": {"short": "1000", "long": "4000"},
    "real program (sortedcontainers 2.4.0)": {"short": "100", "long": "400"},
    # One Richards run is its fixed task set: about 2.65 million steps (3 GB of JSON here, minutes under 0.3.0),
    # so it is measured at one length only.
    "richards (pyperformance 1.14.0)": {"short": "1"},
    "nbody (pyperformance 1.14.0)": {"short": "300", "long": "1200"},
}
QUICK_SCALES = {
    "calls (fib)": {"short": "17", "long": "20"},
    "loops (numeric)": {"short": "12500", "long": "50000"},
    "objects (dicts, lists, classes)": {"short": "250", "long": "1000"},
    "real program (sortedcontainers 2.4.0)": {"short": "100", "long": "400"},
    "richards (pyperformance 1.14.0)": {"short": "1"},
    "nbody (pyperformance 1.14.0)": {"short": "75", "long": "300"},
}

# Our recorder must take at most this share of 0.3.0's time on each workload.
TARGET_TIME_SHARE_OF_BASELINE = 0.25
# JSON bytes per line step: at most this share of 0.3.0's.
TARGET_BYTES_PER_STEP_SHARE = 0.5
# "Peak RSS does not grow with trace length": the long trace's peak within this factor of the short one's.
TARGET_RSS_GROWTH = 1.10

# Runs the command given as arguments and prints its exit status and peak RSS (KiB on Linux).
RSS_WRAPPER = """\
import resource, subprocess, sys
status = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode
print(status, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""

COUNT_JSON_EVENTS = (
    "import json, sys; events = json.load(open(sys.argv[1], encoding='utf-8')); "
    "print(len(events), sum(1 for event in events if 'Step' in event))"
)
COUNT_VIZTRACER_EVENTS = "import json, sys; print(len(json.load(open(sys.argv[1], encoding='utf-8'))['traceEvents']))"


# JSON traces above this size are not parsed to count their events: json.load would need several times their size.
MAX_PARSED_JSON_BYTES = 512 * 1024 * 1024


class RunFailed(Exception):
    """A measured command that did not finish (a baseline tracer killed for lack of memory, say)."""


@dataclass
class Run:
    seconds: float
    peak_rss_kib: int


@dataclass
class Tracer:
    """One way of running a workload: untraced, a recorder in one format, or viztracer."""

    label: str
    python: str
    kind: str  # "untraced", "codetracer" or "viztracer"
    trace_format: str | None = None
    recorder: str | None = None  # "this" or "0.3.0", for codetracer rows


@dataclass
class Row:
    workload: str
    scale: str
    tracer: Tracer
    seconds: list[float]
    peak_rss_kib: float
    trace_bytes: int | None
    events: int | None
    steps: int | None = None
    failure: str | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def count_json_events(path: Path) -> tuple[int | None, int | None]:
    """Events and line steps of a JSON trace."""
    with path.open("rb") as handle:
        first = handle.readline()
        if first.strip() == b"[":
            # This recorder writes one event per line between the bracket lines.
            events = steps = 0
            for line in handle:
                events += 1
                steps += line.startswith(b'{"Step"')
            return events - 1, steps
    if path.stat().st_size > MAX_PARSED_JSON_BYTES:
        return None, None
    # Other layouts (0.3.0 writes one line) are parsed in a throwaway process.
    counted = subprocess.run([sys.executable, "-c", COUNT_JSON_EVENTS, str(path)], capture_output=True, text=True, check=True)
    events, steps = counted.stdout.split()
    return int(events), int(steps)


def run_once(command: list[str], cwd: Path, timeout: float | None = None) -> Run:
    started = time.perf_counter()
    # A scratch working directory: `python -m codetracer_python_recorder` run from the project folder would import
    # the source package there instead of the installed one. Its own session, so a run past the timeout is stopped
    # with the workload the wrapper started.
    wrapper = subprocess.Popen([sys.executable, "-c", RSS_WRAPPER, *command], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, cwd=cwd, start_new_session=True)
    try:
        stdout, stderr = wrapper.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(wrapper.pid, signal.SIGKILL)
        wrapper.communicate()
        raise RunFailed(f"stopped after {timeout:g} s") from None
    seconds = time.perf_counter() - started
    fields = stdout.split()
    if wrapper.returncode != 0 or len(fields) != 2:
        raise RunFailed(f"benchmark wrapper failed: {' '.join(command)}\n{stderr}")
    status, peak = int(fields[0]), int(fields[1])
    if status == -9:
        raise RunFailed(f"killed by SIGKILL (out of memory) at {peak / 1024 / 1024:.1f} GiB peak RSS")
    if status != 0:
        raise RunFailed(f"exit status {status}: {' '.join(command)}")
    if sys.platform == "darwin":
        peak //= 1024  # ru_maxrss is in bytes on macOS
    return Run(seconds, peak)


def command_for(tracer: Tracer, output: Path, script: Path, argument: str) -> list[str]:
    if tracer.kind == "untraced":
        return [tracer.python, str(script), argument]
    if tracer.kind == "viztracer":
        return [tracer.python, "-m", "viztracer", "--quiet", "-o", str(output / "result.json"), str(script), argument]
    # No size limit: the comparison is of whole recordings (0.3.0 has none).
    limit = ["--max-trace-bytes", "0"] if tracer.recorder == "this" else []
    return [tracer.python, "-m", "codetracer_python_recorder", "--trace-dir", str(output), "--format", tracer.trace_format,
            *limit, str(script), argument]


def trace_size_and_events(tracer: Tracer, output: Path) -> tuple[int | None, int | None, int | None]:
    """Bytes of the event file (trace.json / trace.bin / viztracer's result.json) and, where readable, the events
    and line steps."""
    if tracer.kind == "viztracer":
        result = output / "result.json"
        events = subprocess.run([sys.executable, "-c", COUNT_VIZTRACER_EVENTS, str(result)], capture_output=True, text=True, check=True)
        return result.stat().st_size, int(events.stdout), None
    json_file, binary_file = output / "trace.json", output / "trace.bin"
    if json_file.is_file():
        return (json_file.stat().st_size, *count_json_events(json_file))
    if binary_file.is_file():
        # A binary trace cannot be counted without decoding it; the caller takes the count of the same
        # recorder's JSON run of the same workload, which records the same events.
        return binary_file.stat().st_size, None, None
    return None, None, None


def measure(tracer: Tracer, workload: str, scale: str, script: Path, argument: str, temp_dir: Path, repeat: int,
            baseline_timeout: float | None = None) -> Row:
    output = temp_dir / f"out-{tracer.label.replace(' ', '-')}"
    # Only comparison tracers are stopped: 0.3.0 takes many minutes on richards.
    timeout = baseline_timeout if tracer.kind != "untraced" and tracer.recorder != "this" else None
    runs = []
    for _ in range(repeat):
        output.mkdir(parents=True, exist_ok=True)
        try:
            runs.append(run_once(command_for(tracer, output, script, argument), temp_dir, timeout))
        except RunFailed as failure:
            if tracer.kind == "untraced" or tracer.recorder == "this":
                raise SystemExit(f"{workload}, {scale}, {tracer.label}: {failure}") from None
            # A comparison tracer that cannot finish is a result too: reported instead of measured.
            return Row(workload, scale, tracer, [], 0, None, None, failure=str(failure).splitlines()[0])
    size, events, steps = (None, None, None) if tracer.kind == "untraced" else trace_size_and_events(tracer, output)
    peak = statistics.median(run.peak_rss_kib for run in runs)
    return Row(workload, scale, tracer, [run.seconds for run in runs], peak, size, events, steps)


def number(value: float | None, digits: int = 0) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def results_table(rows: list[Row]) -> str:
    base = {(row.workload, row.scale): row.median for row in rows if row.tracer.kind == "untraced"}
    lines = [
        "| workload | trace | mode | median s (min-max) | x untraced | trace size KiB | events | bytes/event | steps | bytes/step | events/s | peak RSS MiB |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        if row.failure:
            lines.append(f"| {row.workload} | {row.scale} | {row.tracer.label} | did not finish: {row.failure} | - | - | - | - | - | - | - | - |")
            continue
        ratio = row.median / base[(row.workload, row.scale)]
        lines.append(
            f"| {row.workload} | {row.scale} | {row.tracer.label} | {row.median:.3f} ({min(row.seconds):.3f}-{max(row.seconds):.3f}) | "
            f"{ratio:.1f}x | {number(None if row.trace_bytes is None else row.trace_bytes / 1024, 1)} | {number(row.events)} | "
            f"{number(row.trace_bytes / row.events if row.trace_bytes and row.events else None, 2)} | {number(row.steps)} | "
            f"{number(row.trace_bytes / row.steps if row.trace_bytes and row.steps else None, 1)} | "
            f"{number(row.events / row.median if row.events else None)} | {row.peak_rss_kib / 1024:.1f} |"
        )
    return "\n".join(lines)


def write_seconds(size: int, directory: Path, repeat: int) -> float:
    """Median time to write `size` bytes to a new file in `directory`, in the recorder's 256 KiB writes: what any
    recorder that writes a trace of that size spends in the kernel alone, before producing a byte of it."""
    chunk = memoryview(bytes(256 << 10))
    times = []
    for _ in range(repeat):
        path = directory / "write-floor.bin"
        started = time.perf_counter()
        with path.open("wb", buffering=0) as out:
            left = size
            while left > 0:
                left -= out.write(chunk[: min(left, len(chunk))])
        times.append(time.perf_counter() - started)
        path.unlink()
    return statistics.median(times)


def floor_table(rows: list[Row], write_floors: dict[tuple[str, str], float]) -> str:
    """How close each JSON recording can get to the untraced run at all: the untraced time plus the time to write
    its JSON trace's bytes, against what this recorder takes."""
    by_key = {(row.workload, row.scale, row.tracer.label): row for row in rows}
    lines = [
        "| workload | trace | untraced s | this recorder's JSON MiB | writing them alone s | floor x untraced | "
        "this recorder, json x untraced | this recorder, binary x untraced |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for (workload, scale), seconds in write_floors.items():
        untraced = by_key[(workload, scale, "untraced")].median
        ours = by_key[(workload, scale, "this recorder, json")]
        binary = by_key.get((workload, scale, "this recorder, binary"))
        lines.append(
            f"| {workload} | {scale} | {untraced:.3f} | {ours.trace_bytes / 1024 / 1024:,.1f} | {seconds:.3f} | "
            f"{(untraced + seconds) / untraced:.1f}x | {ours.median / untraced:.1f}x | "
            f"{'-' if binary is None else f'{binary.median / untraced:.1f}x'} |"
        )
    return "\n".join(lines)


def target_tables(rows: list[Row]) -> tuple[str, str, str, list[list[str]]]:
    """The two targets, judged per workload and format: time against 0.3.0, and RSS against trace length."""
    by_key = {(row.workload, row.scale, row.tracer.label): row for row in rows}
    summary: list[list[str]] = []
    time_lines = [
        "| workload | trace | format | this recorder s | 0.3.0 s | this / 0.3.0 | target | result |",
        "|---|---|---|---:|---:|---:|---|---|",
    ]
    rss_lines = [
        "| workload | mode | peak RSS short MiB | peak RSS long MiB | long / short | target | result |",
        "|---|---|---:|---:|---:|---|---|",
    ]
    time_pass = rss_pass = True
    worst_share = 0.0
    worst_growth = 0.0
    for workload in WORKLOADS:
        for trace_format in ("json", "binary"):
            for scale in ("short", "long"):
                ours = by_key.get((workload, scale, f"this recorder, {trace_format}"))
                baseline = by_key.get((workload, scale, f"0.3.0, {trace_format}"))
                if ours and baseline and baseline.failure and baseline.failure.startswith("stopped after "):
                    # 0.3.0 took longer than the timeout: the share is at most ours / timeout.
                    bound = float(baseline.failure.split()[2])
                    share = ours.median / bound
                    passed = share <= TARGET_TIME_SHARE_OF_BASELINE
                    worst_share = max(worst_share, share) if passed else worst_share
                    time_pass &= passed
                    time_lines.append(
                        f"| {workload} | {scale} | {trace_format} | {ours.median:.3f} | > {bound:g} ({baseline.failure}) | "
                        f"< {share:.2f} | <= {TARGET_TIME_SHARE_OF_BASELINE} | "
                        f"{'PASS' if passed else 'MISS (not shown: 0.3.0 stopped too early to tell)'} |"
                    )
                elif ours and baseline and baseline.failure:
                    time_lines.append(
                        f"| {workload} | {scale} | {trace_format} | {ours.median:.3f} | did not finish ({baseline.failure}) | - | "
                        f"<= {TARGET_TIME_SHARE_OF_BASELINE} | PASS (0.3.0 did not finish) |"
                    )
                elif ours and baseline:
                    share = ours.median / baseline.median
                    worst_share = max(worst_share, share)
                    passed = share <= TARGET_TIME_SHARE_OF_BASELINE
                    time_pass &= passed
                    time_lines.append(
                        f"| {workload} | {scale} | {trace_format} | {ours.median:.3f} | {baseline.median:.3f} | {share:.2f} | "
                        f"<= {TARGET_TIME_SHARE_OF_BASELINE} | {'PASS' if passed else 'MISS'} |"
                    )
        for label in sorted({row.tracer.label for row in rows if row.tracer.kind != "untraced"}):
            short, long = by_key.get((workload, "short", label)), by_key.get((workload, "long", label))
            if not (short and long) or short.failure or long.failure:
                continue
            growth = long.peak_rss_kib / short.peak_rss_kib
            judged = label.startswith("this recorder")
            if judged:
                worst_growth = max(worst_growth, growth)
                rss_pass &= growth <= TARGET_RSS_GROWTH
            rss_lines.append(
                f"| {workload} | {label} | {short.peak_rss_kib / 1024:.1f} | {long.peak_rss_kib / 1024:.1f} | {growth:.2f} | "
                + (f"<= {TARGET_RSS_GROWTH:.2f} | {'PASS' if growth <= TARGET_RSS_GROWTH else 'MISS'} |" if judged else "(not judged) | |")
            )
    size_lines = [
        "| workload | trace | this recorder bytes/step | 0.3.0 bytes/step | this / 0.3.0 | target | result |",
        "|---|---|---:|---:|---:|---|---|",
    ]
    size_pass = True
    worst_size = 0.0
    for workload in WORKLOADS:
        for scale in ("short", "long"):
            ours = by_key.get((workload, scale, "this recorder, json"))
            baseline = by_key.get((workload, scale, "0.3.0, json"))
            if not (ours and baseline and ours.steps and baseline.steps and ours.trace_bytes and baseline.trace_bytes):
                continue
            share = (ours.trace_bytes / ours.steps) / (baseline.trace_bytes / baseline.steps)
            worst_size = max(worst_size, share)
            size_pass &= share <= TARGET_BYTES_PER_STEP_SHARE
            size_lines.append(
                f"| {workload} | {scale} | {ours.trace_bytes / ours.steps:,.1f} | {baseline.trace_bytes / baseline.steps:,.1f} | "
                f"{share:.2f} | <= {TARGET_BYTES_PER_STEP_SHARE} | {'PASS' if share <= TARGET_BYTES_PER_STEP_SHARE else 'MISS'} |"
            )
    if len(size_lines) > 2:
        summary.append(["Recorder JSON bytes per step vs 0.3.0 (worst)", f"{worst_size:.2f}x of 0.3.0's",
                        f"<= {TARGET_BYTES_PER_STEP_SHARE}x", "PASS" if size_pass else "MISS"])
    if len(time_lines) > 2:
        summary.append(["Recorder time vs 0.3.0 (worst workload/format/length)", f"{worst_share:.2f}x of 0.3.0's time",
                        f"<= {TARGET_TIME_SHARE_OF_BASELINE}x", "PASS" if time_pass else "MISS"])
    summary.append(["Recorder peak RSS, long vs short trace (worst)", f"{worst_growth:.2f}x", f"<= {TARGET_RSS_GROWTH:.2f}x",
                    "PASS" if rss_pass else "MISS"])
    return "\n".join(time_lines), "\n".join(size_lines), "\n".join(rss_lines), summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per configuration; the median is shown")
    parser.add_argument("--quick", action="store_true", help="smaller workloads (a quarter of the events)")
    parser.add_argument("--python", default=sys.executable, help="interpreter with this recorder installed")
    parser.add_argument("--baseline-python", help="interpreter with codetracer-python-recorder 0.3.0 installed")
    parser.add_argument("--viztracer-python", help="interpreter with viztracer installed")
    parser.add_argument("--markdown-out", type=Path, help="also write the tables to this file")
    parser.add_argument("--summary-out", type=Path, help="write the target verdicts as JSON rows to this file")
    parser.add_argument("--baseline-timeout", type=float, default=240.0, metavar="SECONDS",
                        help="stop a comparison tracer's run after this long and report it as stopped (default: 240)")
    parser.add_argument("--only", action="append", default=[], metavar="TEXT",
                        help="run only the workloads whose name contains TEXT; repeatable")
    options = parser.parse_args()
    if options.repeat < 3:
        parser.error("--repeat must be at least 3 for a meaningful median")

    tracers = [Tracer("untraced", options.python, "untraced")]
    for trace_format in ("json", "binary"):
        tracers.append(Tracer(f"this recorder, {trace_format}", options.python, "codetracer", trace_format, "this"))
        if options.baseline_python:
            tracers.append(Tracer(f"0.3.0, {trace_format}", options.baseline_python, "codetracer", trace_format, "0.3.0"))
    if options.viztracer_python:
        tracers.append(Tracer("viztracer", options.viztracer_python, "viztracer"))

    scales = QUICK_SCALES if options.quick else SCALES
    rows: list[Row] = []
    write_floors: dict[tuple[str, str], float] = {}
    with tempfile.TemporaryDirectory(prefix="codetracer-bench-") as temp:
        temp_dir = Path(temp)
        for index, (workload, source) in enumerate(WORKLOADS.items()):
            if options.only and not any(text in workload for text in options.only):
                continue
            script = temp_dir / f"workload_{index}.py"
            script.write_text(textwrap.dedent(source), encoding="utf-8")
            for scale, argument in scales[workload].items():
                json_events: dict[str, tuple[int | None, int | None]] = {}
                for tracer in tracers:
                    row = measure(tracer, workload, scale, script, argument, temp_dir, options.repeat,
                                  options.baseline_timeout)
                    if tracer.kind == "codetracer":
                        if tracer.trace_format == "json":
                            json_events[tracer.recorder] = (row.events, row.steps)
                        elif row.events is None:
                            row.events, row.steps = json_events.get(tracer.recorder, (None, None))
                    rows.append(row)
                    if tracer.recorder == "this" and tracer.trace_format == "json" and row.trace_bytes:
                        write_floors[(workload, scale)] = write_seconds(row.trace_bytes, temp_dir, options.repeat)
                    figure = f"did not finish: {row.failure}" if row.failure else f"{row.median:.3f} s"
                    print(f"  {workload}, {scale}: {tracer.label}: {figure}", file=sys.stderr, flush=True)

    time_table, size_table, rss_table, summary = target_tables(rows)
    markdown = "\n\n".join([
        f"Python {sys.version.split()[0]}, median of {options.repeat} runs per row{' (quick sizes)' if options.quick else ''}; "
        "times include interpreter start-up; events/s = events / traced median time; a binary trace's events are "
        "counted in the same recorder's JSON trace of the same run.",
        results_table(rows),
        "Time against codetracer-python-recorder 0.3.0 (target: at most a quarter of its time on each workload):",
        time_table,
        "JSON bytes per line step against 0.3.0 (target: at most half; steps counted in each JSON trace, traces over "
        f"{MAX_PARSED_JSON_BYTES // 1024 // 1024} MiB in 0.3.0's one-line layout are not counted):",
        size_table,
        "The floor of a JSON recording: the untraced run plus only writing its trace's bytes to the same disk (median "
        "of the same number of runs), against this recorder's JSON and binary times:",
        floor_table(rows, write_floors),
        f"Peak RSS against trace length (target for this recorder: the long trace's peak RSS within "
        f"{TARGET_RSS_GROWTH:.2f}x of the short trace's):",
        rss_table,
    ])
    print(markdown)
    if options.markdown_out:
        options.markdown_out.write_text(markdown + "\n", encoding="utf-8")
    if options.summary_out:
        options.summary_out.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
