//! `newsdex entities FILE` and `newsdex eval-ner FILE`: what the extractor finds in one file,
//! and how it scores on CoNLL-format data.

use anyhow::Context;

use super::search::print_report;
use super::{EntitiesArgs, EvalArgs, ExitStatus};
use crate::corpus::{self, ReadOptions};
use crate::extract::entities::model::Labeller;
use crate::extract::entities::{Extractor, aggregate, eval};
use crate::output::entities::{
    ArticleEntities, EntityWithForms, print_entities_table, print_evaluation_table,
};

/// Runs `newsdex entities`.
pub fn run_entities(args: EntitiesArgs) -> anyhow::Result<ExitStatus> {
    let extractor = Extractor::new(args.extractor.into())?;
    let read = corpus::read_file(&args.file, &ReadOptions::default())
        .map_err(|skip| anyhow::anyhow!("{}: {skip}", args.file.display()))?;
    for problem in &read.problems {
        eprintln!("warning: {}: {}: {}", args.file.display(), problem.place, problem.reason);
    }
    let articles: Vec<ArticleEntities> = read
        .articles
        .iter()
        .map(|a| {
            let body = crate::extract::without_dateline_tag(crate::extract::SourceRules::shared(), &a.body);
            let mentions = extractor.mentions(&[&a.title, &body]);
            let entities = aggregate(mentions.iter().flatten())
                .into_iter()
                .map(|entity| {
                    let mut forms: Vec<String> = Vec::new();
                    for m in mentions
                        .iter()
                        .flatten()
                        .filter(|m| m.canonical == entity.name && m.kind == entity.kind)
                    {
                        if !forms.contains(&m.surface) {
                            forms.push(m.surface.clone());
                        }
                    }
                    EntityWithForms { actor: entity.is_actor(), entity, forms }
                })
                .collect();
            ArticleEntities { title: a.title.clone(), locator: a.locator.clone(), entities }
        })
        .collect();
    print_report(args.format, &articles[..], print_entities_table)?;
    let found = articles.iter().any(|a| !a.entities.is_empty());
    Ok(if found { ExitStatus::Success } else { ExitStatus::NoResults })
}

/// Runs `newsdex eval-ner`.
pub fn run_eval(args: EvalArgs) -> anyhow::Result<ExitStatus> {
    let data = std::fs::read_to_string(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let extractor = match &args.model {
        Some(path) => {
            let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
            let labeller =
                Labeller::from_bytes(&bytes).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            Extractor::with_labeller(labeller)?
        }
        None => Extractor::new(args.extractor.into())?,
    };
    let evaluation =
        eval::evaluate(&extractor, &data).map_err(|e| anyhow::anyhow!("{}: {e}", args.file.display()))?;
    print_report(args.format, &evaluation, print_evaluation_table)?;
    Ok(ExitStatus::Success)
}
