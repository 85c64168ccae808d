use pyo3::prelude::*;
use pyo3::types::{PyString, PyTuple};

// Code object flags from CPython's `Include/cpython/code.h`.
const CO_OPTIMIZED: u32 = 0x1;
const CO_VARARGS: u32 = 0x4;
const CO_VARKEYWORDS: u32 = 0x8;

/// Facts about a code object that never change, read once per code object and cached by the session.
#[derive(Debug)]
pub struct CodeFacts {
    pub file_name: String,
    pub qualname: String,
    pub first_line: i64,
    /// Parameter names in declaration order, including `*args` and `**kwargs`.
    pub argument_names: Vec<Py<PyString>>,
    /// Module and class bodies run with a dict namespace (`f_locals` is the module globals for a
    /// module); only the names the body itself refers to are recorded for them.
    pub namespace_names: Option<Vec<Py<PyString>>>,
    /// For functions: the names the code uses that are not its own variables (`co_names` minus
    /// locals), looked up in the module globals at each step.
    pub global_names: Vec<Py<PyString>>,
    /// Names of the function's own variables (`co_varnames`, `co_cellvars`, `co_freevars`).
    pub local_names: Vec<String>,
}

impl CodeFacts {
    pub fn read(code: &Bound<'_, PyAny>) -> PyResult<CodeFacts> {
        let file_name: String = code.getattr("co_filename")?.extract()?;
        let qualname: String = code.getattr("co_qualname")?.extract()?;
        let first_line: i64 = code.getattr("co_firstlineno")?.extract()?;
        let flags: u32 = code.getattr("co_flags")?.extract()?;

        let positional: usize = code.getattr("co_argcount")?.extract()?;
        let keyword_only: usize = code.getattr("co_kwonlyargcount")?.extract()?;
        let argument_count =
            positional + keyword_only + usize::from(flags & CO_VARARGS != 0) + usize::from(flags & CO_VARKEYWORDS != 0);
        let varnames = code.getattr("co_varnames")?;
        let varnames = varnames.cast::<PyTuple>()?;
        let argument_names = varnames
            .iter()
            .take(argument_count)
            .map(|name| Ok(name.cast_into::<PyString>()?.unbind()))
            .collect::<PyResult<Vec<_>>>()?;

        let mut local_names = Vec::new();
        for attribute in ["co_varnames", "co_cellvars", "co_freevars"] {
            for name in code.getattr(attribute)?.cast::<PyTuple>()?.iter() {
                local_names.push(name.cast_into::<PyString>()?.to_cow()?.into_owned());
            }
        }
        let used_names = distinct_names(code, &local_names)?;
        let (namespace_names, global_names) =
            if flags & CO_OPTIMIZED == 0 { (Some(used_names), Vec::new()) } else { (None, used_names) };

        Ok(CodeFacts { file_name, qualname, first_line, argument_names, namespace_names, global_names, local_names })
    }
}

/// `co_names` without dunder names, repeats and the code's own variables.
fn distinct_names(code: &Bound<'_, PyAny>, local_names: &[String]) -> PyResult<Vec<Py<PyString>>> {
    let names = code.getattr("co_names")?;
    let mut kept: Vec<Py<PyString>> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for name in names.cast::<PyTuple>()?.iter() {
        let name = name.cast_into::<PyString>()?;
        let text = name.to_cow()?.into_owned();
        let is_dunder = text.starts_with("__") && text.ends_with("__");
        if !is_dunder && !seen.contains(&text) && !local_names.contains(&text) {
            seen.push(text);
            kept.push(name.unbind());
        }
    }
    Ok(kept)
}
