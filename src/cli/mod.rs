//! The command line: argument definitions (clap derive, doc comments as help text) and the
//! dispatch to one module per subcommand. Arguments become plain library requests here;
//! nothing below this module knows clap.

mod batch;
mod entities;
mod exit;
mod index;
mod pages;
mod progress;
mod saved;
mod search;
mod train;

pub use exit::ExitStatus;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Search engine for folders of news articles: index them once, then search by text,
/// source and date.
#[derive(Debug, Parser)]
#[command(name = "newsdex", version, about, max_term_width = 100)]
pub struct Cli {
    /// Index folder (for every subcommand).
    #[arg(long, global = true, env = "NEWSDEX_INDEX", default_value = "newsdex-index")]
    pub index: PathBuf,

    /// Saved-queries file (for `queries` and `run`).
    #[arg(long, global = true, env = "NEWSDEX_QUERIES", default_value = "newsdex-queries.toml")]
    pub queries: PathBuf,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// The resident memory an indexing run is meant to stay within, in bytes: the writer heap
    /// plus 300 MiB (README, Performance: the targets). `None` for commands that do not index.
    pub fn indexing_memory_budget(&self) -> Option<u64> {
        match &self.command {
            Command::Index(args) => Some((args.heap_mb as u64 + 300) << 20),
            _ => None,
        }
    }
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read every article under the folders and add it to the index.
    Index(IndexArgs),
    /// Search the index by text, source, entities and date range.
    Search(SearchArgs),
    /// Count the top people, organisations, places, actors, sources or periods of a search.
    Facets(FacetsArgs),
    /// Report what the index holds: articles, files, sources, dates, size, last run.
    Stats(StatsArgs),
    /// List, show and save named queries (in the saved-queries file).
    Queries(saved::QueriesArgs),
    /// Run saved queries by name, all at once (--all), or only for what is new (--new).
    Run(saved::RunArgs),
    /// Run one search per line of FILE (or - for stdin); one output row per line.
    Batch(batch::BatchArgs),
    /// Print the people, organisations and places the extractor finds in one file.
    Entities(EntitiesArgs),
    /// Score the entity extractor on CoNLL-2003-format data (PER, ORG, LOC; exact spans).
    EvalNer(EvalArgs),
    /// Train the entity model on CoNLL-2003-format data and write it to a file.
    TrainNer(train::TrainArgs),
}

/// How the entity extractor finds names, as chosen on the command line.
#[derive(Debug, Clone, Copy, Default, ValueEnum)]
pub enum ExtractorChoice {
    /// The learned labeller shipped in index_schema/ner/ (best accuracy).
    #[default]
    Model,
    /// Rules over capitalised words and their cues.
    Rules,
}

impl From<ExtractorChoice> for crate::extract::entities::Method {
    fn from(choice: ExtractorChoice) -> Self {
        match choice {
            ExtractorChoice::Model => crate::extract::entities::Method::Model,
            ExtractorChoice::Rules => crate::extract::entities::Method::Rules,
        }
    }
}

/// Arguments of `newsdex stats`.
#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
}

/// Arguments of `newsdex entities`.
#[derive(Debug, Args)]
pub struct EntitiesArgs {
    /// An article file in any format newsdex reads.
    pub file: PathBuf,

    /// How names are found.
    #[arg(long, value_enum, default_value_t = ExtractorChoice::Model)]
    pub extractor: ExtractorChoice,

    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
}

/// Arguments of `newsdex eval-ner`.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// CoNLL-2003-format file: `word POS chunk TAG` per line, IOB tags.
    pub file: PathBuf,

    /// How names are found.
    #[arg(long, value_enum, default_value_t = ExtractorChoice::Model)]
    pub extractor: ExtractorChoice,

    /// Score this model file (written by `newsdex train-ner`) instead of the shipped one.
    #[arg(long, value_name = "PATH", conflicts_with = "extractor")]
    pub model: Option<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
}

/// Output formats of reports.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ReportFormat {
    /// Aligned columns for reading.
    Table,
    /// JSON for scripts.
    Json,
}

/// Arguments of `newsdex index`.
#[derive(Debug, Args)]
pub struct IndexArgs {
    /// Folders (or files) to read.
    #[arg(required = true, value_name = "DIR")]
    pub dirs: Vec<PathBuf>,

    /// Follow symbolic links.
    #[arg(long)]
    pub follow: bool,

    /// Leave out files and folders matching this glob (repeatable), matched against the path
    /// under DIR and the bare name: --exclude 'README*' --exclude 'drafts/**'.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,

    /// How entities are found: the learned model (default) or the rules. An index keeps the
    /// extractor of its first run; changing it needs --rebuild.
    #[arg(long, value_enum, default_value_t = ExtractorChoice::Model, conflicts_with = "no_entities")]
    pub extractor: ExtractorChoice,

    /// Outlet of articles whose source cannot be determined otherwise.
    #[arg(long, value_name = "NAME", conflicts_with = "source_from_folder")]
    pub source: Option<String>,

    /// Name undetermined sources after each file's first folder under DIR.
    #[arg(long)]
    pub source_from_folder: bool,

    /// Map an article field to a JSON/front-matter key: FIELD=KEY, e.g. body=article_text
    /// (fields: title, body, date, source, url, authors, language; KEY may be a.b.c).
    #[arg(long = "map", value_name = "FIELD=KEY")]
    pub maps: Vec<String>,

    /// TOML file with a [map] table of FIELD = "KEY" lines.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Skip files (and decompressed contents) larger than this.
    #[arg(long, default_value_t = 50, value_name = "MB")]
    pub max_file_mb: u64,

    /// Memory for the index writer.
    #[arg(long, default_value_t = 256, value_name = "MB")]
    pub heap_mb: usize,

    /// Parsing threads (0: one per core); the index writer gets a third as many besides (at
    /// least one), as many with --no-entities.
    #[arg(long, default_value_t = 0)]
    pub threads: usize,

    /// Empty the index first and build it anew.
    #[arg(long)]
    pub rebuild: bool,

    /// Skip entity extraction (no person, org, place or actor facets).
    #[arg(long)]
    pub no_entities: bool,

    /// Commit after at most this many articles: a killed run loses no more than that.
    #[arg(long, default_value_t = 10_000, value_name = "N")]
    pub commit_every: u64,

    /// Near-duplicate sketches the run remembers, the index's and its own, before it forgets
    /// the oldest half (bounds memory on huge corpora; small values are for tests).
    #[arg(long, default_value_t = crate::index::RUN_MEMORY_LIMIT, value_name = "N", hide = true)]
    pub run_memory: usize,

    /// Remove the articles of files that no longer exist under DIR.
    #[arg(long)]
    pub prune: bool,

    /// Print only the summary, not a warning per skipped file.
    #[arg(long, short)]
    pub quiet: bool,
}

/// The query and filters shared by `search` and `facets`.
#[derive(Debug, Args)]
pub struct FilterArgs {
    /// Query: words (all must match), "phrases", AND/OR/NOT, +word -word, title:word.
    /// Empty or * matches every article that passes the filters.
    #[arg(value_name = "QUERY")]
    pub query: Vec<String>,

    /// Only articles from this outlet (repeatable: any of them; case-insensitive).
    #[arg(long = "source", value_name = "NAME")]
    pub sources: Vec<String>,

    /// Only articles mentioning this person, organisation or country (repeatable: all).
    #[arg(long = "actor", value_name = "NAME")]
    pub actors: Vec<String>,

    /// Only articles mentioning this person (repeatable: all of them).
    #[arg(long = "person", value_name = "NAME")]
    pub persons: Vec<String>,

    /// Only articles mentioning this organisation (repeatable: all of them).
    #[arg(long = "org", value_name = "NAME")]
    pub orgs: Vec<String>,

    /// Only articles mentioning this place; a country includes its cities (repeatable: all).
    #[arg(long = "place", value_name = "NAME")]
    pub places: Vec<String>,

    /// First day: YYYY-MM-DD, YYYY-MM or YYYY (inclusive), or 7d, 4w, 6m, 1y before today.
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,

    /// Last day: YYYY-MM-DD, YYYY-MM or YYYY (inclusive), or 7d, 4w, 6m, 1y before today.
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,

    /// Count and show each story once: versions of one story (near duplicates) collapse into
    /// their earliest article, with the number of versions.
    #[arg(long)]
    pub collapse: bool,
}

/// Arguments of `newsdex search`.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Query and filters.
    #[command(flatten)]
    pub filters: FilterArgs,

    /// Hits to show.
    #[arg(long, default_value_t = 10)]
    pub limit: usize,

    /// Hits to skip first.
    #[arg(long, default_value_t = 0)]
    pub offset: usize,

    /// Order of hits.
    #[arg(long, value_enum, default_value_t = SortArg::Relevance)]
    pub sort: SortArg,

    /// Instead of hits, count matched articles per period.
    #[arg(long, value_enum, value_name = "PERIOD")]
    pub histogram: Option<PeriodArg>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatArg::Table)]
    pub format: FormatArg,

    /// Colour matched words in the table.
    #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
    pub color: ColorArg,

    /// Only these fields, comma-separated (csv and jsonl): id,title,published,source,...
    #[arg(long, value_name = "LIST")]
    pub fields: Option<String>,

    /// Print only the number of matches.
    #[arg(long)]
    pub count: bool,
}

/// Arguments of `newsdex facets`.
#[derive(Debug, Args)]
pub struct FacetsArgs {
    /// Query and filters.
    #[command(flatten)]
    pub filters: FilterArgs,

    /// What to count.
    #[arg(long, value_enum, default_value_t = ByArg::Actor)]
    pub by: ByArg,

    /// Values to show.
    #[arg(long, default_value_t = 20)]
    pub top: usize,

    /// Output format (jsonl prints one object per value).
    #[arg(long, value_enum, default_value_t = FormatArg::Table)]
    pub format: FormatArg,
}

/// `--histogram` values.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PeriodArg {
    /// Calendar days.
    Day,
    /// ISO weeks (Monday to Sunday).
    Week,
    /// Calendar months.
    Month,
    /// Calendar years.
    Year,
}

/// `--by` values.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ByArg {
    /// People, organisations and countries.
    Actor,
    /// People.
    Person,
    /// Organisations.
    Org,
    /// Places (a city counts for its country too).
    Place,
    /// Outlets.
    Source,
    /// Publication year.
    Year,
    /// Publication month.
    Month,
}

/// `--sort` values.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SortArg {
    /// Best match first.
    Relevance,
    /// Latest first.
    Newest,
    /// Earliest first.
    Oldest,
}

/// `--format` values.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FormatArg {
    /// Aligned rows for reading.
    Table,
    /// One JSON document.
    Json,
    /// One JSON object per line.
    Jsonl,
    /// CSV with a header.
    Csv,
}

/// `--color` values.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ColorArg {
    /// When stdout is a terminal.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// Runs a parsed command line and says how the process should exit.
pub fn run(cli: Cli) -> anyhow::Result<ExitStatus> {
    match cli.command {
        Command::Index(args) => index::run(&cli.index, args),
        Command::Search(args) => search::run(&cli.index, args),
        Command::Facets(args) => search::run_facets(&cli.index, args),
        Command::Stats(args) => search::run_stats(&cli.index, args),
        Command::Queries(args) => saved::run_queries(&cli.index, &cli.queries, args),
        Command::Run(args) => saved::run_saved(&cli.index, &cli.queries, args),
        Command::Batch(args) => batch::run(&cli.index, args),
        Command::Entities(args) => entities::run_entities(args),
        Command::EvalNer(args) => entities::run_eval(args),
        Command::TrainNer(args) => train::run(args),
    }
}
