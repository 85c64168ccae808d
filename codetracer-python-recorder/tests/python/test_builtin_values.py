"""Values of built-in types and their subclasses: what a step shows of them, read without running the program's
code (a subclass's ``__len__``, ``__iter__``, ``__getitem__`` or an ``args`` property)."""

from __future__ import annotations

from trace_reading import load_trace


def recorded_arguments(run_cli, write_script, source: str) -> dict[str, str]:
    """The arguments of the program's one call of ``show``, as the trace renders them."""
    script = write_script(source)
    result = run_cli("--trace-dir", "trace", str(script))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "[]\n", "the program's own code ran during capture: " + result.stdout
    trace = load_trace(script.parent / "trace")
    (arguments,) = [entry[2] for entry in trace.calls(script) if entry[:2] == ("call", "show")]
    return arguments


def test_subclasses_of_builtin_containers_are_read_without_their_methods(run_cli, write_script):
    shown = recorded_arguments(
        run_cli,
        write_script,
        """\
        calls = []

        class Loud(list):
            def __len__(self):
                calls.append("list len")
                return 0

            def __iter__(self):
                calls.append("list iter")
                return iter(())

        class LoudTuple(tuple):
            def __len__(self):
                calls.append("tuple len")
                return 0

            def __iter__(self):
                calls.append("tuple iter")
                return iter(())

        class LoudSet(set):
            def __iter__(self):
                calls.append("set iter")
                return iter(())

        class LoudFrozen(frozenset):
            def __len__(self):
                calls.append("frozenset len")
                return 0

        class LoudDict(dict):
            def __len__(self):
                calls.append("dict len")
                return 0

        class LoudBytes(bytes):
            def __len__(self):
                calls.append("bytes len")
                return 0

            def __getitem__(self, index):
                calls.append("bytes getitem")
                return b""

        def show(items, pair, members, frozen, table, data):
            return None

        show(Loud([1, 2]), LoudTuple((3, 4)), LoudSet({5}), LoudFrozen({6}), LoudDict(a=7), LoudBytes(b"xy"))
        print(calls)
        """,
    )
    assert shown == {
        "items": "[1, 2]",
        "pair": "(3, 4)",
        "members": "[5]",
        "frozen": "[6]",
        "table": "[('a', 7)]",
        "data": "b'xy'",
    }


def test_deques_and_arrays_show_their_items(run_cli, write_script):
    shown = recorded_arguments(
        run_cli,
        write_script,
        """\
        import array
        import collections

        calls = []

        def show(recent, numbers, long):
            return None

        show(collections.deque([1, "two"], maxlen=5), array.array("i", [3, 4]), collections.deque(range(100)))
        print(calls)
        """,
    )
    assert shown["recent"] == "[1, 'two']"
    assert shown["numbers"] == "[3, 4]"
    # Cut at the item limit like a list, with the marker saying how many were left out.
    assert shown["long"].startswith("[0, 1, 2, ") and shown["long"].endswith("… 68 more]"), shown["long"]


def test_exceptions_show_their_args_and_attributes(run_cli, write_script):
    shown = recorded_arguments(
        run_cli,
        write_script,
        """\
        calls = []

        class Rejected(Exception):
            def __init__(self, reason, code):
                super().__init__(reason)
                self.code = code

            @property
            def args(self):
                calls.append("args property")
                return ()

            def __repr__(self):
                calls.append("repr")
                return "Rejected()"

        def show(plain, custom):
            return None

        show(ValueError("bad value", 3), Rejected("no room", 507))
        print(calls)
        """,
    )
    assert shown["plain"] == "ValueError{args: ('bad value', 3)}"
    # The class's first layout was registered in `__init__`, before `code` was set; later layouts carry
    # their field names.
    assert shown["custom"].startswith("__main__.Rejected"), shown["custom"]
    assert shown["custom"].endswith("{args: ('no room'), code: 507}"), shown["custom"]


def test_standard_library_values_show_their_repr_when_it_runs_no_program_code(run_cli, write_script):
    shown = recorded_arguments(
        run_cli,
        write_script,
        """\
        import datetime
        import decimal
        import re

        calls = []

        class Local(datetime.tzinfo):
            def utcoffset(self, moment):
                return datetime.timedelta(hours=1)

            def __repr__(self):
                calls.append("tzinfo repr")
                return "Local()"

        def show(price, pattern, alarm, utc_noon, local_noon):
            return None

        utc = datetime.timezone.utc
        show(
            decimal.Decimal("1.10"),
            re.compile("a+"),
            datetime.time(7, 30),
            datetime.datetime(2026, 1, 2, 12, 0, tzinfo=utc),
            datetime.datetime(2026, 1, 2, 12, 0, tzinfo=Local()),
        )
        print(calls)
        """,
    )
    assert shown == {
        # A heap type in CPython 3.13's `_decimal`, a static type in 3.12's: the same either way.
        "price": "Decimal('1.10')",
        "pattern": "re.compile('a+')",
        "alarm": "datetime.time(7, 30)",
        "utc_noon": "datetime.datetime(2026, 1, 2, 12, 0, tzinfo=datetime.timezone.utc)",
        "local_noon": "datetime.datetime(2026, 1, 2, 12, 0, tzinfo=<__main__.Local object>)",
    }


def test_an_unwound_frame_names_its_exception_without_running_its_str(run_cli, write_script):
    script = write_script(
        """\
        calls = []

        class Noisy(Exception):
            def __str__(self):
                calls.append("str")
                return "noisy"

        def fail(error):
            raise error

        for error in (KeyError("k"), Noisy("quiet"), ValueError(object())):
            try:
                fail(error)
            except Exception:
                pass
        print(calls)
        """
    )
    result = run_cli("--trace-dir", "trace", str(script))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "[]\n"
    returns = [entry[1] for entry in load_trace(script.parent / "trace").calls(script) if entry[0] == "return"]
    # The class body's return, then `fail`'s three: CPython's message where its own `__str__` reads only
    # text and numbers, the type alone otherwise; then the module's.
    assert returns == ["None", "error: KeyError: 'k'", "error: Noisy", "error: ValueError", "None"]


def test_enum_members_show_as_python_shows_them(run_cli, write_script):
    shown = recorded_arguments(
        run_cli,
        write_script,
        """\
        import enum

        calls = []

        class Color(enum.Enum):
            RED = 1

            def __repr__(self):
                calls.append("repr")
                return "red!"

        class Permission(enum.IntFlag):
            READ = 4
            WRITE = 2

        class Pixel:
            def __init__(self):
                self.color = Color.RED

        def show(color, access, pixel):
            return None

        show(Color.RED, Permission.READ | Permission.WRITE, Pixel())
        print(calls)
        """,
    )
    assert shown["color"] == "<Color.RED: 1>"
    assert shown["access"] == "<Permission.READ|WRITE: 6>"
    # Inside an object too, where other objects are only named.
    assert shown["pixel"].endswith("{color: <Color.RED: 1>}"), shown["pixel"]
