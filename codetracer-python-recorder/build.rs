fn main() {
    // Test binaries embed the interpreter and link libpython. Point their rpath at it so `cargo test`
    // and `cargo nextest run` work without LD_LIBRARY_PATH. Extension-module builds (maturin enables the
    // feature) link no libpython and get no rpath.
    if std::env::var_os("CARGO_FEATURE_EXTENSION_MODULE").is_none() {
        pyo3_build_config::add_libpython_rpath_link_args();
    }
}
