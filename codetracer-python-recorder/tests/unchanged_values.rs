//! Values found unchanged since an earlier step are written from memory (`capture::memo`): every
//! change between two steps must still show at the next step, in both formats.

mod support;

use _native::config::Format;
use codetracer_trace_types::TraceLowLevelEvent;
use support::{record, render_with_types, variables_rendered_at};

const PROGRAM: &str = "\
class Box:
    def __init__(self):
        self.label = 'a'
        self.items = [1, [2, 3]]

class Slotted:
    __slots__ = ('x',)
    def __init__(self):
        self.x = 1

counter = 0

def mutate(box, table, slotted):
    global counter
    box.label = 'b'  # after: start
    box.items[1][0] = 20  # after: attribute
    table['k'] = 2  # after: nested list item
    counter += 1  # after: dict entry
    slotted.x = 5  # after: global
    box.items.append(4)  # after: slot
    del table['k']  # after: list length
    number = 1000  # after: dict key removed
    number = number + 1  # after: int
    pair = [1, 2]  # after: int again
    del pair  # after: list
    pair = [3, 4]  # after: list freed
    return pair  # after: list made again

for _ in range(2):
    mutate(Box(), {'k': 1}, Slotted())
";

/// The line of the statement whose comment says `after: <label>`.
fn line_after(label: &str) -> i64 {
    let index = PROGRAM.lines().position(|line| line.ends_with(&format!("# after: {label}"))).unwrap();
    index as i64 + 1
}

/// The rendered values recorded with the `occurrence`-th step of `line`, by variable name.
fn values_at(events: &[TraceLowLevelEvent], line: i64, occurrence: usize) -> Vec<(String, String)> {
    let out = variables_rendered_at(events, line, occurrence, |value| render_with_types(value, events));
    assert!(!out.is_empty(), "no values at line {line}");
    out
}

fn value_of(values: &[(String, String)], name: &str) -> String {
    values.iter().find(|(known, _)| known == name).map(|(_, value)| value.clone()).unwrap_or_default()
}

#[test]
fn every_change_between_two_steps_shows_at_the_next_step() {
    for format in [Format::Json, Format::Binary] {
        let recording = record("unchanged", PROGRAM, format);
        // Both calls: the second one finds every value remembered from the first.
        for occurrence in 0..2 {
            let at = |label: &str| values_at(&recording.events, line_after(label), occurrence);
            let start = at("start");
            assert_eq!(
                value_of(&start, "box"),
                "__main__.Box (label, items){label: \"a\", items: [1, [2, 3]]}",
                "{format:?}"
            );
            assert_eq!(value_of(&start, "table"), "[(\"k\", 1)]");
            assert_eq!(value_of(&start, "slotted"), "__main__.Slotted{x: 1}");
            assert_eq!(
                value_of(&at("attribute"), "box"),
                "__main__.Box (label, items){label: \"b\", items: [1, [2, 3]]}"
            );
            assert_eq!(
                value_of(&at("nested list item"), "box"),
                "__main__.Box (label, items){label: \"b\", items: [1, [20, 3]]}"
            );
            assert_eq!(value_of(&at("dict entry"), "table"), "[(\"k\", 2)]");
            assert_eq!(value_of(&at("global"), "counter"), (occurrence + 1).to_string());
            assert_eq!(value_of(&at("slot"), "slotted"), "__main__.Slotted{x: 5}");
            assert_eq!(
                value_of(&at("list length"), "box"),
                "__main__.Box (label, items){label: \"b\", items: [1, [20, 3], 4]}"
            );
            assert_eq!(value_of(&at("dict key removed"), "table"), "[]");
            assert_eq!(value_of(&at("int"), "number"), "1000");
            assert_eq!(value_of(&at("int again"), "number"), "1001");
            assert_eq!(value_of(&at("list"), "pair"), "[1, 2]");
            assert_eq!(value_of(&at("list freed"), "pair"), "");
            assert_eq!(value_of(&at("list made again"), "pair"), "[3, 4]");
        }
    }
}

const CALLS: &str = "\
class Box:
    def __init__(self, label):
        self.label = label

def take(first, second):
    return first

def give(box):
    return box

box = Box('a')
alias = box
for round in range(3):
    take(box, alias)
    alias.label = 'b' * (round + 1)
    give(box)
    big = int('100' + str(round)) - round
    take(big, 2000 - 1000)
";

/// The calls and returns of `CALLS`, with their values.
fn calls_and_returns(format: Format) -> Vec<support::Entry> {
    let recording = record("unchanged_calls", CALLS, format);
    support::entries(&recording.events, &recording.script)
        .into_iter()
        .filter(|entry| !matches!(entry, support::Entry::Step(_)))
        .collect()
}

#[test]
fn arguments_and_returned_values_written_from_memory_show_every_change() {
    use support::{call, ret};
    for format in [Format::Json, Format::Binary] {
        let boxed = |label: &str| format!("__main__.Box{{label: \"{label}\"}}");
        let mut expected = vec![
            call("<__main__>", &[]),
            call("Box", &[]),
            ret("None"),
            call("Box.__init__", &[("self", "<__main__.Box object>"), ("label", "\"a\"")]),
            ret("None"),
        ];
        for (before, after) in [("a", "b"), ("b", "bb"), ("bb", "bbb")] {
            // The same object twice, then mutated through the other name before it is passed again.
            expected.push(call("take", &[("first", &boxed(before)), ("second", &boxed(before))]));
            expected.push(ret(&boxed(before)));
            expected.push(call("give", &[("box", &boxed(after))]));
            expected.push(ret(&boxed(after)));
            // Equal ints that are different objects: each is read, whichever was remembered.
            expected.push(call("take", &[("first", "1000"), ("second", "1000")]));
            expected.push(ret("1000"));
        }
        // The module returns, then `<toplevel>` with the exit status.
        expected.extend([ret("None"), ret("0")]);
        assert_eq!(calls_and_returns(format), expected, "{format:?}");
    }
}
