//! End-to-end recordings of small programs: exact steps, calls, arguments and return values.

mod support;

use _native::config::Format;
use support::{call, entries, record, ret, step, variables_at};

const RECURSION: &str = "\
def fact(n):
    if n <= 1:
        return 1
    return n * fact(n - 1)

result = fact(3)
";

#[test]
fn recursion_records_every_step_call_and_return() {
    let recording = record("recursion", RECURSION, Format::Json);
    let expected = vec![
        step(1),
        call("<__main__>", &[]),
        step(1),
        step(6),
        step(1),
        call("fact", &[("n", "3")]),
        step(2),
        step(4),
        step(1),
        call("fact", &[("n", "2")]),
        step(2),
        step(4),
        step(1),
        call("fact", &[("n", "1")]),
        step(2),
        step(3),
        ret("1"),
        ret("2"),
        ret("6"),
        ret("None"),
        ret("0"),
    ];
    assert_eq!(entries(&recording.events, &recording.script), expected);
}

#[test]
fn binary_trace_reads_back_like_the_json_one() {
    let json = record("fmt-json", RECURSION, Format::Json);
    let binary = record("fmt-binary", RECURSION, Format::Binary);
    assert!(binary.trace_dir.join("trace.bin").is_file());
    assert_eq!(entries(&binary.events, &binary.script), entries(&json.events, &json.script));
}

#[test]
fn generators_and_exceptions() {
    let source = "\
def gen(k):
    for i in range(k):
        yield i * 10

def fail(x):
    raise ValueError(f\"bad {x}\")

total = sum(gen(2))
try:
    fail(7)
except ValueError:
    caught = True
";
    let recording = record("generators", source, Format::Json);
    let expected = vec![
        step(1),
        call("<__main__>", &[]),
        step(1),
        step(5),
        step(8),
        step(1),
        call("gen", &[("k", "2")]),
        step(2),
        step(3),
        ret("0"),
        step(1),
        call("gen", &[]),
        step(2),
        step(3),
        ret("10"),
        step(1),
        call("gen", &[]),
        step(2),
        ret("None"),
        step(9),
        step(10),
        step(5),
        call("fail", &[("x", "7")]),
        step(6),
        ret("error: ValueError: bad 7"),
        step(11),
        step(12),
        ret("None"),
        // `<toplevel>` returns the exit status, so the trace ends balanced.
        ret("0"),
    ];
    assert_eq!(entries(&recording.events, &recording.script), expected);
}

#[test]
fn classes_and_closures() {
    let source = "\
class Counter:
    def __init__(self, start):
        self.value = start

    def bump(self, by=1):
        self.value += by
        return self.value

def make_adder(k):
    def add(x):
        return x + k
    return add

c = Counter(5)
c.bump(2)
add3 = make_adder(3)
add3(4)
";
    let recording = record("classes", source, Format::Json);
    let calls: Vec<_> = entries(&recording.events, &recording.script)
        .into_iter()
        .filter(|entry| !matches!(entry, support::Entry::Step(_)))
        .collect();
    let expected = vec![
        call("<__main__>", &[]),
        call("Counter", &[]),
        ret("None"),
        // Objects are their fields, read without calling `repr`: no fields yet, then `value=5`.
        call("Counter.__init__", &[("self", "<__main__.Counter object>"), ("start", "5")]),
        ret("None"),
        call("Counter.bump", &[("self", "__main__.Counter{value: 5}"), ("by", "2")]),
        ret("7"),
        call("make_adder", &[("k", "3")]),
        ret("<add>"),
        call("make_adder.<locals>.add", &[("x", "4")]),
        ret("7"),
        ret("None"),
        ret("0"),
    ];
    let normalise = |entries: Vec<support::Entry>| -> Vec<support::Entry> {
        entries
            .into_iter()
            .map(|entry| match entry {
                support::Entry::Call(name, args) => {
                    support::Entry::Call(name, args.into_iter().map(|(n, v)| (n, short_repr(&v))).collect())
                }
                support::Entry::Return(value) => support::Entry::Return(short_repr(&value)),
                other => other,
            })
            .collect()
    };
    assert_eq!(normalise(calls), expected);
    // The closure sees its free variable.
    let at_add = variables_at(&recording.events, 11, 0);
    assert_eq!(at_add, vec![("x".to_string(), "4".to_string()), ("k".to_string(), "3".to_string())]);
}

/// `<function make_adder.<locals>.add at 0x..>` -> `<add>`.
fn short_repr(value: &str) -> String {
    if let Some(rest) = value.strip_prefix("<function ") {
        return format!("<{}>", rest.split(' ').next().unwrap().rsplit('.').next().unwrap());
    }
    value.to_string()
}

#[test]
fn locals_are_recorded_at_each_step() {
    let source = "\
def accumulate(items):
    total = 0
    for item in items:
        total += item
    return total

accumulate([4, 5])
";
    let recording = record("locals", source, Format::Json);
    let pairs = |items: &[(&str, &str)]| -> Vec<(String, String)> {
        items.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect()
    };
    assert_eq!(variables_at(&recording.events, 2, 0), pairs(&[("items", "[4, 5]")]));
    assert_eq!(variables_at(&recording.events, 4, 1), pairs(&[("items", "[4, 5]"), ("total", "4"), ("item", "5")]));
    assert_eq!(variables_at(&recording.events, 5, 0), pairs(&[("items", "[4, 5]"), ("total", "9"), ("item", "5")]));
}
