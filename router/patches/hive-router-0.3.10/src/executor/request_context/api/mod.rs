pub(crate) mod coprocessor;
pub(crate) mod plugin;
