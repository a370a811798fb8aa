//! `newsdex index`: builds the read options and normaliser from the arguments, runs the
//! indexer and prints its summary on stderr.

use std::path::Path;

use anyhow::{Context, bail};

use super::{ExitStatus, IndexArgs, progress::TerminalReporter};
use crate::corpus::{FieldMap, ReadOptions};
use crate::extract::boilerplate::Boilerplate;
use crate::extract::entities::Extractor;
use crate::extract::{FolderSource, Normaliser, SourceRules};
use crate::index::NewsIndex;
use crate::indexer::{self, IndexJob};

/// Runs `newsdex index`.
pub fn run(index_path: &Path, args: IndexArgs) -> anyhow::Result<ExitStatus> {
    // First, so that a Ctrl-C while the entity model loads also ends in a summary.
    install_interrupt_handler();
    if args.max_file_mb == 0 {
        bail!("--max-file-mb must be at least 1");
    }
    let job = IndexJob {
        read: ReadOptions { max_file_bytes: args.max_file_mb * 1024 * 1024, field_map: field_map(&args)? },
        normaliser: Normaliser {
            rules: SourceRules::builtin(),
            folder_source: folder_source(&args),
            extractor: if args.no_entities { None } else { Some(Extractor::new(args.extractor.into())?) },
            boilerplate: Boilerplate::builtin()?,
        },
        roots: indexer::resolve_roots(&args.dirs)?,
        follow_links: args.follow,
        exclusions: crate::corpus::Exclusions::new(&args.exclude).map_err(anyhow::Error::msg)?,
        heap_mb: args.heap_mb,
        threads: args.threads,
        commit_every: args.commit_every,
        run_memory: args.run_memory,
        prune: args.prune,
    };
    // The entity model is loaded: what indexing allocates from here on gets small pages.
    super::pages::small_pages_from_here();
    let index = NewsIndex::open_or_create(index_path, args.rebuild)?;
    let extractor = job.normaliser.extractor.as_ref().map_or_else(|| "none".to_string(), Extractor::identity);
    index.claim_entity_extractor(&extractor)?;
    let reporter = TerminalReporter::new(args.quiet);
    let result = indexer::run(&job, &index, &reporter);
    reporter.finish();
    let summary = result?;
    eprint!("{summary}");
    eprintln!("index: {}", index_path.display());
    Ok(if summary.interrupted { ExitStatus::Interrupted } else { ExitStatus::Success })
}

fn folder_source(args: &IndexArgs) -> FolderSource {
    match (&args.source, args.source_from_folder) {
        (Some(name), _) => FolderSource::Named(name.clone()),
        (None, true) => FolderSource::FirstFolder,
        (None, false) => FolderSource::None,
    }
}

fn field_map(args: &IndexArgs) -> anyhow::Result<FieldMap> {
    let mut map = FieldMap::default();
    if let Some(config) = &args.config {
        let text =
            std::fs::read_to_string(config).with_context(|| format!("cannot read {}", config.display()))?;
        let table: toml::Table =
            toml::from_str(&text).with_context(|| format!("{}: invalid TOML", config.display()))?;
        if let Some(entries) = table.get("map") {
            let entries = entries
                .as_table()
                .with_context(|| format!("{}: [map] must be a table of FIELD = \"KEY\"", config.display()))?;
            for (field, key) in entries {
                let key = key
                    .as_str()
                    .with_context(|| format!("{}: map.{field} must be a string", config.display()))?;
                map.apply_assignment(&format!("{field}={key}"))
                    .map_err(|e| anyhow::anyhow!("{}: {e}", config.display()))?;
            }
        }
    }
    for assignment in &args.maps {
        map.apply_assignment(assignment).map_err(anyhow::Error::msg)?;
    }
    Ok(map)
}

/// Ctrl-C asks the run to stop: it commits what is done and prints the summary. A second
/// Ctrl-C quits at once, which is safe too: the index stays as at its last commit.
fn install_interrupt_handler() {
    let result = ctrlc::set_handler(|| {
        if indexer::INTERRUPTED.swap(true, std::sync::atomic::Ordering::SeqCst) {
            std::process::exit(i32::from(ExitStatus::Interrupted.code()));
        }
        eprintln!("\ninterrupted: committing what is done (Ctrl-C again to quit at once)");
    });
    if let Err(e) = result {
        eprintln!("warning: Ctrl-C will stop the run without committing: {e}");
    }
}
