//! The unchanged-value walk skips an object's names and plain values while CPython's dict watcher
//! reports its `__dict__` unchanged: every way a program can change an object's attributes must show at
//! the next step. (Debug builds also compare every "unchanged" answer with a fresh capture.)

mod attribute_routes;
mod support;

#[test]
fn every_route_that_changes_an_attribute_shows_at_the_next_step() {
    attribute_routes::check_every_route();
}
