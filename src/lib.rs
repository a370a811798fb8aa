//! newsdex: a search engine for folders of news articles.
//!
//! The modules follow the data's way through the program: [`corpus`] walks folders and reads
//! each format into raw articles; [`extract`] resolves dates and sources into the normalised
//! [`article::Article`]; [`index`] builds the tantivy schema from `index_schema/` and writes
//! articles; [`query`] turns search arguments into tantivy queries and hits; [`output`]
//! prints hits for people and scripts. Only `index` and `query` know tantivy.

pub mod article;
pub mod corpus;
pub mod error;

pub use error::{Error, Result};
pub mod cli;
pub mod extract;
pub mod index;
pub mod indexer;
pub mod output;
pub mod query;
pub mod saved;
