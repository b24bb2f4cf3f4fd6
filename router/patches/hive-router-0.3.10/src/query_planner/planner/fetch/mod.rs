pub(crate) mod error;
pub mod fetch_graph;
pub(crate) mod fetch_step_data;
pub(crate) mod optimize;
pub(crate) mod response_keys;
pub(crate) mod selections;
pub mod state;
