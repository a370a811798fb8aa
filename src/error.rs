//! Typed errors of the library, split by who can fix them: the user (bad input or arguments),
//! the environment (I/O, a locked or incompatible index), or us (an index engine failure).
//! The command-line edge wraps them with context (anyhow) and turns them into exit code 2.

use std::path::PathBuf;

/// Everything that can stop a newsdex operation as a whole. Problems with one file of a
/// corpus are not errors of this kind: they are [`crate::corpus::Skip`]s, counted and reported.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A search query the query parser rejected; the message shows the expected form.
    #[error(
        "invalid query {query:?}: {reason}\n  expected: words, \"a phrase\", AND/OR/NOT, +must -mustnot, title:word"
    )]
    Query { query: String, reason: String },

    /// A date given on the command line that is malformed or impossible.
    #[error("invalid {arg} {value:?}: {reason}; expected YYYY-MM-DD, YYYY-MM or YYYY")]
    DateArg { arg: &'static str, value: String, reason: String },

    /// Arguments that contradict each other or name something unknown.
    #[error("{0}")]
    Usage(String),

    /// A declarative file under `index_schema/` (or a user config) that does not parse.
    #[error("{file}: {reason}")]
    Config { file: String, reason: String },

    /// An index built by a different schema version: searching it would give wrong answers.
    #[error(
        "the index at {path} was built with schema version {found}, this newsdex uses {expected}: \
         re-index with `newsdex index DIR --rebuild --index {path}`"
    )]
    IncompatibleIndex { path: PathBuf, found: String, expected: String },

    /// No index where one was expected.
    #[error("no newsdex index at {0}: build one with `newsdex index DIR --index {0}`")]
    NoIndex(PathBuf),

    /// Another process is writing to the same index.
    #[error(
        "the index at {0} is locked by another `newsdex index` run (lock file {0}/.tantivy-writer.lock); \
         wait for it to finish"
    )]
    Locked(PathBuf),

    /// A failure of the file system. The I/O error is part of the message, not a separate
    /// cause, so that the report at the edge does not print it twice.
    #[error("{path}: {cause}")]
    Io { path: PathBuf, cause: std::io::Error },

    /// The run was stopped by the user (Ctrl-C); what was done is committed.
    #[error("interrupted")]
    Interrupted,

    /// Something newsdex relies on of itself did not hold: a bug, stopped before it could
    /// write a wrong index.
    #[error("internal error (please report it): {0}")]
    Internal(String),

    /// A failure inside the index engine.
    #[error("index engine: {0}")]
    Engine(#[from] tantivy::TantivyError),
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Wraps an I/O error with the path it happened on, which std's errors leave out.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { path: path.into(), cause: source }
    }
}
