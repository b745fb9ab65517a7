//! The playground's components, one per file.

pub mod code_editor;
pub mod cost;
pub mod editors;
pub mod graph;
pub mod history;
pub mod inspector;
pub mod json_view;
pub mod output;
pub mod settings;
pub mod share;
pub mod splitter;
pub mod summary;
pub mod timeline;
pub mod toolbar;
