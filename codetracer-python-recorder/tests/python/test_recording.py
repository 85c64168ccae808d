"""Small programs recorded through the CLI: exact steps, calls, arguments and return values."""

from __future__ import annotations

from pathlib import Path

import pytest
from trace_reading import load_trace

MODULE_START = [("step", 1), ("call", "<__main__>", {})]


def record(run_cli, write_script, source: str) -> tuple[Path, object]:
    script = write_script(source)
    result = run_cli("--trace-dir", "trace", str(script))
    assert result.returncode == 0, result.stderr
    return script, load_trace(script.parent / "trace")


def test_recursion(run_cli, write_script):
    script, trace = record(
        run_cli,
        write_script,
        """\
        def fact(n):
            if n <= 1:
                return 1
            return n * fact(n - 1)

        result = fact(3)
        """,
    )
    assert trace.flow(script) == [
        *MODULE_START,
        ("step", 1),
        ("step", 6),
        ("step", 1),
        ("call", "fact", {"n": "3"}),
        ("step", 2),
        ("step", 4),
        ("step", 1),
        ("call", "fact", {"n": "2"}),
        ("step", 2),
        ("step", 4),
        ("step", 1),
        ("call", "fact", {"n": "1"}),
        ("step", 2),
        ("step", 3),
        ("return", "1"),
        ("return", "2"),
        ("return", "6"),
        ("return", "None"),
    ]


def test_generators(run_cli, write_script):
    script, trace = record(
        run_cli,
        write_script,
        """\
        def countdown(n):
            while n > 0:
                yield n
                n -= 1

        values = list(countdown(2))
        """,
    )
    assert trace.flow(script) == [
        *MODULE_START,
        ("step", 1),
        ("step", 6),
        ("step", 1),
        ("call", "countdown", {"n": "2"}),
        ("step", 2),
        ("step", 3),
        ("return", "2"),
        ("step", 1),
        ("call", "countdown", {}),
        ("step", 4),
        ("step", 2),
        ("step", 3),
        ("return", "1"),
        ("step", 1),
        ("call", "countdown", {}),
        ("step", 4),
        ("step", 2),
        ("return", "None"),
        ("return", "None"),
    ]


def test_an_exception_thrown_into_a_generator_is_the_resumed_call_s_argument(run_cli, write_script):
    script, trace = record(
        run_cli,
        write_script,
        """\
        def worker():
            try:
                yield 1
            except KeyError:
                yield 2

        gen = worker()
        next(gen)
        gen.throw(KeyError("stop"))
        """,
    )
    calls = [entry for entry in trace.calls(script) if entry[0] == "call" and entry[1] == "worker"]
    assert [arguments for _, _, arguments in calls] == [{}, {"exception": calls[1][2].get("exception")}]
    assert "KeyError" in calls[1][2]["exception"] and "stop" in calls[1][2]["exception"], calls


def test_exceptions(run_cli, write_script):
    script, trace = record(
        run_cli,
        write_script,
        """\
        def check(x):
            if x < 0:
                raise ValueError(f"negative: {x}")
            return x

        def safe(x):
            try:
                return check(x)
            except ValueError:
                return 0

        safe(-1)
        """,
    )
    assert trace.calls(script) == [
        ("call", "<__main__>", {}),
        ("call", "safe", {"x": "-1"}),
        ("call", "check", {"x": "-1"}),
        ("return", "error: ValueError: negative: -1"),
        ("return", "0"),
        ("return", "None"),
    ]
    assert trace.steps(script) == [1, 1, 6, 12, 6, 7, 8, 1, 2, 3, 9, 10]


def test_classes_and_closures(run_cli, write_script):
    script, trace = record(
        run_cli,
        write_script,
        """\
        class Box:
            def __init__(self, item):
                self.item = item

            def __repr__(self):
                return "Box()"

            def get(self):
                return self.item

        def multiplier(k):
            def apply(x):
                return x * k
            return apply

        triple = multiplier(3)
        triple(Box(4).get())
        """,
    )
    calls = trace.calls(script)
    assert calls[:4] == [
        ("call", "<__main__>", {}),
        ("call", "Box", {}),
        ("return", "None"),
        ("call", "multiplier", {"k": "3"}),
    ]
    assert calls[4][0] == "return" and calls[4][1].startswith("<function multiplier.<locals>.apply at ")
    # Objects are recorded as their fields; their __repr__ is not called.
    assert calls[5:] == [
        ("call", "Box.__init__", {"self": "<__main__.Box object>", "item": "4"}),
        ("return", "None"),
        ("call", "Box.get", {"self": "__main__.Box{item: 4}"}),
        ("return", "4"),
        ("call", "multiplier.<locals>.apply", {"x": "4"}),
        ("return", "12"),
        ("return", "None"),
    ]


def test_threads(run_cli, write_script):
    script, trace = record(
        run_cli,
        write_script,
        """\
        import threading

        def work(n):
            total = 0
            for i in range(n):
                total += i
            return total

        threads = [threading.Thread(target=work, args=(300,)) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        """,
    )
    calls = trace.calls(script)
    assert calls.count(("call", "work", {"n": "300"})) == 4
    assert calls.count(("return", "44850")) == 4
    thread_events = [event for event in trace.events if "ThreadStart" in event or "ThreadSwitch" in event]
    assert thread_events, "worker threads are announced in the trace"


@pytest.mark.parametrize(
    ("expression", "rendered"),
    [
        ("7", "7"),
        ("2.5", "2.5"),
        ("True", "True"),
        ("'text'", "'text'"),
        ("None", "None"),
        ("[1, (2, 'a')]", "[1, (2, 'a')]"),
        ("{'k': [1, 2]}", "[('k', [1, 2])]"),
        ("{3}", "[3]"),
        ("2 ** 64", "bigint(AQAAAAAAAAAA)"),
        ("object", "<class 'object'>"),
    ],
)
def test_value_encoding(run_cli, write_script, expression, rendered):
    script, trace = record(
        run_cli,
        write_script,
        f"""\
        def take(value):
            return value

        take({expression})
        """,
    )
    assert ("call", "take", {"value": rendered}) in trace.calls(script)
    assert ("return", rendered) in trace.calls(script)


def test_huge_values_stay_small(run_cli, write_script):
    script, trace = record(
        run_cli,
        write_script,
        """\
        def take(value):
            return None

        take(list(range(10**6)))
        take("x" * 10**7)
        take(10**100000)
        """,
    )
    calls = [entry for entry in trace.calls(script) if entry[:2] == ("call", "take")]
    assert calls[0][2]["value"].endswith(", … 999968 more]")
    assert len(calls[1][2]["value"]) < 300
    assert calls[2][2]["value"].startswith("error: int of 332193 bits")
    assert (script.parent / "trace" / "trace.json").stat().st_size < 100_000


def test_threads_whose_repr_releases_the_gil_do_not_deadlock(run_cli, write_script):
    script = write_script(
        """\
        import threading
        import time

        class Slow:
            def __repr__(self):
                time.sleep(0.0005)  # lets the other threads run in the middle of a callback
                return "Slow()"

        def work(n):
            marker = Slow()
            for i in range(n):
                marker = marker if i % 2 else Slow()
            return n

        threads = [threading.Thread(target=work, args=(100,)) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        """
    )
    result = run_cli("--call-repr", "--trace-dir", "trace", str(script), timeout=120)
    assert result.returncode == 0, result.stderr
    calls = load_trace(script.parent / "trace").calls(script)
    assert calls.count(("call", "work", {"n": "100"})) == 6
    assert calls.count(("return", "100")) == 6


def test_ctrl_c_inside_a_repr_reaches_the_program(run_cli, write_script):
    script = write_script(
        """\
        class Interrupting:
            def __repr__(self):
                raise KeyboardInterrupt

        def take(value):
            return 1

        try:
            take(Interrupting())
            for _ in range(10000):
                pass
            print("not interrupted")
        except KeyboardInterrupt:
            print("interrupted")
        """
    )
    result = run_cli("--call-repr", "--trace-dir", "trace", str(script))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "interrupted\n"
    load_trace(script.parent / "trace")
