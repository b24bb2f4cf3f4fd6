pub mod document;
pub mod fragment;
pub mod fragment_expansion;
pub mod hash;
pub mod minification;
pub mod normalization;
pub mod operation;
pub mod requires;
pub mod selection_item;
pub mod selection_set;
pub mod semantic_eq;
pub mod shrink;

pub(crate) mod arguments;
pub(crate) mod merge_path;
pub(crate) mod type_aware_selection;
pub mod value;

pub(crate) mod mismatch_finder;
