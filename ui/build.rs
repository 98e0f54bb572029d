//! Compiles the Slint UI in `ui/*.slint` (this crate's folder); test builds keep element debug info so
//! headless tests can find elements by their accessible labels.

fn main() {
    let config = slint_build::CompilerConfiguration::new()
        .with_style("fluent-light".into())
        .with_debug_info(true)
        .with_bundled_translations("translations");
    slint_build::compile_with_config("app.slint", config).expect("the Slint UI must compile");
}
