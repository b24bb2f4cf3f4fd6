pub mod formula;
pub mod runtime;
