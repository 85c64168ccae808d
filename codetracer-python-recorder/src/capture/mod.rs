//! Reading what a monitoring event is about (its code object, frame and values) into owned Rust data,
//! so no Python object is touched while the trace writer is locked.

mod builtin;
mod code;
mod frame;
pub(crate) mod globals;
pub(crate) mod memo;
mod object;
mod unchanged;
mod value;

pub use code::CodeFacts;
pub use frame::{
    capture_arguments, capture_locals, capture_return, capture_thrown, module_name, ArgumentValue, ReturnValue,
    StepCapture, StepValue,
};
pub use object::describe_exception;
pub use unchanged::{is_unchanged, TypeCache};
pub use value::{capture_value, take_interrupt, Captured};
