//! Printers for what the entity extractor produces: the mentions of one file (`entities`) and
//! the scores of an evaluation (`eval-ner`).

use std::io::{self, Write};

use serde::Serialize;

use crate::extract::entities::Entity;
use crate::extract::entities::eval::Evaluation;

/// The entities of one article, for `newsdex entities FILE`.
#[derive(Debug, Serialize)]
pub struct ArticleEntities {
    /// Article title.
    pub title: String,
    /// Where in the file it was (line of a JSON Lines file), if not the whole file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locator: Option<String>,
    /// The entities, most mentioned first, each with the words it was written as.
    pub entities: Vec<EntityWithForms>,
}

/// An entity and the ways the article wrote it.
#[derive(Debug, Serialize)]
pub struct EntityWithForms {
    /// The entity.
    #[serde(flatten)]
    pub entity: Entity,
    /// Distinct surface forms, in order of first appearance.
    pub forms: Vec<String>,
    /// Whether it counts as an actor (person, organisation or country).
    pub actor: bool,
}

/// Prints the entities of each article as a table.
pub fn print_entities_table(out: &mut dyn Write, articles: &[ArticleEntities]) -> io::Result<()> {
    for article in articles {
        match &article.locator {
            Some(l) => writeln!(out, "{} ({l})", article.title)?,
            None => writeln!(out, "{}", article.title)?,
        }
        writeln!(out, "  {:<7} {:<40} {:>8}  {:<5}  written as", "kind", "name", "mentions", "actor")?;
        for e in &article.entities {
            let name = match &e.entity.country {
                Some(c) if *c != e.entity.name => format!("{} ({c})", e.entity.name),
                _ => e.entity.name.clone(),
            };
            let actor = if e.actor { "yes" } else { "" };
            writeln!(
                out,
                "  {:<7} {:<40} {:>8}  {:<5}  {}",
                e.entity.kind.as_str(),
                name,
                e.entity.mentions,
                actor,
                e.forms.join(", ")
            )?;
        }
    }
    Ok(())
}

/// Prints evaluation scores as a table.
pub fn print_evaluation_table(out: &mut dyn Write, evaluation: &Evaluation) -> io::Result<()> {
    writeln!(out, "{} documents, {} tokens", evaluation.documents, evaluation.tokens)?;
    writeln!(
        out,
        "{:<6} {:>9} {:>7} {:>7} {:>7} {:>7} {:>7}",
        "type", "precision", "recall", "f1", "tp", "fp", "fn"
    )?;
    for s in &evaluation.scores {
        writeln!(
            out,
            "{:<6} {:>9.3} {:>7.3} {:>7.3} {:>7} {:>7} {:>7}",
            s.label, s.precision, s.recall, s.f1, s.true_positives, s.false_positives, s.false_negatives
        )?;
    }
    Ok(())
}
