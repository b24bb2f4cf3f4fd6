pub mod ast;
pub mod cancellation;
pub mod parsing;
pub mod pretty_display;
pub mod schema_transformer;
