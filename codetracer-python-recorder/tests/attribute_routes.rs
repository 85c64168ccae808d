//! Every way a program can change an object's attributes (setattr, specialised `STORE_ATTR`, `del`,
//! `__dict__` methods, `vars()`, `object.__setattr__`, another thread, `__class__` and `__dict__`
//! assignment) must show at the next step, though the unchanged-value walk answers most steps from
//! memory. (Debug builds also compare every "unchanged" answer with a fresh capture.)

mod support;

use _native::config::Format;
use codetracer_trace_types::TraceLowLevelEvent;
use support::{record, render_with_types};

/// Each route changes `box` on the same line that computes `expected` (the line's step records the
/// values from before it runs), followed by two steps that find it unchanged.
const PROGRAM: &str = "\
import threading

class Box:
    def __init__(self):
        self.a = 1
        self.s = 'x'
        self.items = [1]

class Other:
    pass

def show(o):
    kind = type(o).__module__ + '.' + type(o).__qualname__
    if not vars(o):
        return '<' + kind + ' object>'
    return kind + '{' + ', '.join(k + ': ' + shown(v) for k, v in vars(o).items()) + '}'

def shown(value):
    if isinstance(value, str):
        return '\"' + value + '\"'
    if isinstance(value, Box):
        return '<' + type(value).__module__ + '.' + type(value).__qualname__ + ' object>'
    return repr(value)

def bump(target):
    target.a += 1000

def routes(box):
    expected = show(box)
    settle = 0
    settle = 1
    box.a = 2; expected = show(box)
    settle = 0
    settle = 1
    for i in range(40): box.a = i; expected = show(box)
    settle = 0
    settle = 1
    for other in [Box() for _ in range(40)] + [box]: other.a = 7; expected = show(box)
    settle = 0
    settle = 1
    setattr(box, 's', 'y'); expected = show(box)
    settle = 0
    settle = 1
    object.__setattr__(box, 'a', 100); expected = show(box)
    settle = 0
    settle = 1
    del box.s; expected = show(box)
    settle = 0
    settle = 1
    box.__dict__.update(s='z'); expected = show(box)
    settle = 0
    settle = 1
    vars(box)['a'] = 5; expected = show(box)
    settle = 0
    settle = 1
    box.__dict__.setdefault('n', 1); expected = show(box)
    settle = 0
    settle = 1
    box.__dict__.pop('n'); expected = show(box)
    settle = 0
    settle = 1
    box.__dict__ |= {'a': 6}; expected = show(box)
    settle = 0
    settle = 1
    box.__dict__.popitem(); expected = show(box)
    settle = 0
    settle = 1
    box.items.append(2); expected = show(box)
    settle = 0
    settle = 1
    box.child = Box(); expected = show(box)
    settle = 0
    settle = 1
    box.child.a = 3; expected = show(box)
    settle = 0
    settle = 1
    del box.child; expected = show(box)
    settle = 0
    settle = 1
    thread = threading.Thread(target=bump, args=(box,)); thread.start(); thread.join(); expected = show(box)
    settle = 0
    settle = 1
    box.__class__ = Other; expected = show(box)
    settle = 0
    settle = 1
    box.__class__ = Box; expected = show(box)
    settle = 0
    settle = 1
    for round in range(6):
        box.__dict__ = {'a': box.a + 1, 's': 'r'}; expected = show(box)
        settle = 0
        settle = 1
    box.__dict__.clear(); expected = show(box)
    settle = 0
    settle = 1
    box.a = 8; expected = show(box)
    settle = 0
    settle = 1

routes(Box())
";

/// For every step that records both `box` and `expected`: `box` as recorded, and as the program saw it.
fn recorded_and_expected(events: &[TraceLowLevelEvent]) -> Vec<(String, String)> {
    let mut variables: Vec<String> = Vec::new();
    let mut pairs = Vec::new();
    let mut step: Vec<(String, String)> = Vec::new();
    let mut finish = |step: &mut Vec<(String, String)>| {
        let find = |name: &str| step.iter().find(|(known, _)| known == name).map(|(_, value)| value.clone());
        if let (Some(recorded), Some(expected)) = (find("box"), find("expected")) {
            pairs.push((recorded, expected));
        }
        step.clear();
    };
    for event in events {
        match event {
            TraceLowLevelEvent::VariableName(name) => variables.push(name.clone()),
            TraceLowLevelEvent::Value(value) => {
                step.push((variables[value.variable_id.0].clone(), render_with_types(&value.value, events)))
            }
            TraceLowLevelEvent::Step(_) | TraceLowLevelEvent::Call(_) | TraceLowLevelEvent::Return(_) => {
                finish(&mut step)
            }
            _ => {}
        }
    }
    finish(&mut step);
    pairs
}

/// A recorded value without the field lists that tell a class's layouts apart
/// (`Box (a, s, items){...}` becomes `Box{...}`), as the program shows it.
fn without_layouts(recorded: &str) -> String {
    let mut out = recorded.to_string();
    while let Some(start) = out.find(" (") {
        let Some(length) = out[start..].find("){") else {
            break;
        };
        out.replace_range(start..start + length + 1, "");
    }
    out
}

#[test]
fn every_route_that_changes_an_attribute_shows_at_the_next_step() {
    for format in [Format::Json, Format::Binary] {
        let recording = record("attribute_routes", PROGRAM, format);
        let pairs = recorded_and_expected(&recording.events);
        assert!(pairs.len() > 60, "{format:?}: only {} steps with both values", pairs.len());
        for (recorded, expected) in &pairs {
            // `expected` is text, shown quoted with its quotes escaped.
            let expected = expected.strip_prefix('"').and_then(|text| text.strip_suffix('"')).unwrap();
            assert_eq!(without_layouts(recorded), expected.replace("\\\"", "\""), "{format:?}: recorded {recorded}");
        }
    }
}
