//! `newsdex queries` (list, show, save) and `newsdex run`: saved queries, run by name or all at
//! once, and alerts (`--new`) that print only what entered the index since the previous alert.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use serde::{Deserialize, Serialize};

use super::search::{Presentation, execute, output_format, print_stdout};
use super::{ByArg, ExitStatus, FormatArg, ReportFormat, SearchArgs, SortArg};
use crate::index::NewsIndex;
use crate::output::OutputFormat;
use crate::query::facets::{self, FacetBy};
use crate::query::{self, SearchRequest};
use crate::saved::{QueriesFile, SavedQuery, write_atomically};

/// Arguments of `newsdex queries`.
#[derive(Debug, Args)]
pub struct QueriesArgs {
    /// What to do with the saved queries.
    #[command(subcommand)]
    pub action: QueriesAction,
}

/// The actions of `newsdex queries`.
#[derive(Debug, Subcommand)]
pub enum QueriesAction {
    /// List the saved queries: name, description, last run.
    List {
        /// Output format.
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
    /// Print one saved query as the file holds it.
    Show {
        /// The query's name.
        name: String,
    },
    /// Save a query under NAME: anything `search` accepts (dates may be relative: 7d, 4w, 6m, 1y).
    Save {
        /// The query's name (letters, digits, '-', '_').
        name: String,
        /// One line saying what it is for.
        #[arg(long)]
        description: Option<String>,
        /// Facets `run --all --facets` shows for it (actor, person, org, place, source).
        #[arg(long = "facet", value_enum)]
        facets: Vec<ByArg>,
        /// The search, as for `newsdex search`.
        #[command(flatten)]
        search: Box<SearchArgs>,
    },
}

/// Arguments of `newsdex run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Saved queries to run, in order.
    #[arg(value_name = "NAME", required_unless_present = "all", conflicts_with = "all")]
    pub names: Vec<String>,

    /// Run every saved query and print one row per query with its number of matches.
    #[arg(long)]
    pub all: bool,

    /// With --all: also the top values of each query's facets.
    #[arg(long, requires = "all")]
    pub facets: bool,

    /// Only articles that entered the index since the previous `--new` run of the query; the
    /// run is recorded in the index folder (a failed run does not advance it).
    #[arg(long, conflicts_with = "all")]
    pub new: bool,

    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatArg::Table)]
    pub format: FormatArg,

    /// Only these fields, comma-separated (csv and jsonl).
    #[arg(long, value_name = "LIST")]
    pub fields: Option<String>,

    /// Print only the number of matches.
    #[arg(long)]
    pub count: bool,
}

/// Where the runs of saved queries are recorded, in the index folder.
const RUNS_FILE: &str = "query-runs.json";

#[derive(Debug, Default, Serialize, Deserialize)]
struct QueryRun {
    last_run: Option<String>,
    new_since_commit: Option<u64>,
}

fn load_runs(index: &Path) -> BTreeMap<String, QueryRun> {
    std::fs::read_to_string(index.join(RUNS_FILE))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}

fn save_runs(index: &Path, runs: &BTreeMap<String, QueryRun>) -> anyhow::Result<()> {
    let text = serde_json::to_string_pretty(runs).expect("runs serialise");
    Ok(write_atomically(&index.join(RUNS_FILE), &text)?)
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Runs `newsdex queries`.
pub fn run_queries(index_path: &Path, queries_path: &Path, args: QueriesArgs) -> anyhow::Result<ExitStatus> {
    let mut file = QueriesFile::load(queries_path)?;
    match args.action {
        QueriesAction::List { format } => {
            let runs = load_runs(index_path);
            let rows: Vec<serde_json::Value> = file
                .queries()
                .iter()
                .map(|(name, q)| {
                    let last = runs.get(name).and_then(|r| r.last_run.clone());
                    serde_json::json!({"name": name, "description": q.description, "last_run": last})
                })
                .collect();
            print_stdout(|out| match format {
                ReportFormat::Json => {
                    serde_json::to_writer_pretty(&mut *out, &rows)?;
                    writeln!(out)
                }
                ReportFormat::Table => {
                    for row in &rows {
                        let text = |k: &str| row[k].as_str().unwrap_or("-").to_string();
                        writeln!(
                            out,
                            "{:<20}  {:<20}  {}",
                            text("name"),
                            text("last_run"),
                            text("description")
                        )?;
                    }
                    Ok(())
                }
            })?;
            Ok(ExitStatus::for_matches(rows.len()))
        }
        QueriesAction::Show { name } => {
            let query = file.get(&name)?;
            let text = toml::to_string(query).expect("a saved query serialises");
            print_stdout(|out| write!(out, "[queries.{name}]\n{text}"))?;
            Ok(ExitStatus::Success)
        }
        QueriesAction::Save { name, description, facets, search } => {
            let query = saved_from_args(description, facets, &search);
            search.request()?; // dates and conflicts checked before anything is written
            file.save(&name, query)?;
            eprintln!("saved query {name:?} in {}", file.path().display());
            Ok(ExitStatus::Success)
        }
    }
}

fn saved_from_args(description: Option<String>, facets: Vec<ByArg>, search: &SearchArgs) -> SavedQuery {
    let f = &search.filters;
    let lower = |v: &dyn std::fmt::Debug| format!("{v:?}").to_lowercase();
    SavedQuery {
        description,
        query: Some(f.query.join(" ")).filter(|q| !q.trim().is_empty()),
        source: f.sources.clone(),
        actor: f.actors.clone(),
        person: f.persons.clone(),
        org: f.orgs.clone(),
        place: f.places.clone(),
        from: f.from.clone(),
        to: f.to.clone(),
        sort: (!matches!(search.sort, SortArg::Relevance)).then(|| lower(&search.sort)),
        limit: (search.limit != 10).then_some(search.limit),
        histogram: search.histogram.map(|h| lower(&h)),
        facets: facets.iter().map(|b| lower(b)).collect(),
        collapse: f.collapse,
    }
}

/// The `search` arguments a saved query stands for, checked by the same parser.
fn search_args(name: &str, query: &SavedQuery, run: &RunArgs) -> anyhow::Result<SearchArgs> {
    let mut words: Vec<String> = vec!["search".into()];
    words.extend(query.query.clone());
    let lists = [
        ("--source", &query.source),
        ("--actor", &query.actor),
        ("--person", &query.person),
        ("--org", &query.org),
        ("--place", &query.place),
    ];
    for (flag, values) in lists {
        for value in values {
            words.extend([flag.to_string(), value.clone()]);
        }
    }
    for (flag, value) in [
        ("--from", &query.from),
        ("--to", &query.to),
        ("--sort", &query.sort),
        ("--histogram", &query.histogram),
    ] {
        if let Some(value) = value {
            words.extend([flag.to_string(), value.clone()]);
        }
    }
    if let Some(limit) = query.limit {
        words.extend(["--limit".into(), limit.to_string()]);
    }
    if query.collapse {
        words.push("--collapse".into());
    }
    words.extend(["--format".into(), format!("{:?}", run.format).to_lowercase()]);
    if let Some(fields) = &run.fields {
        words.extend(["--fields".into(), fields.clone()]);
    }
    if run.count {
        words.push("--count".into());
    }
    #[derive(Parser)]
    struct Wrapper {
        #[command(flatten)]
        search: SearchArgs,
    }
    let parsed = Wrapper::try_parse_from(&words).map_err(|e| {
        let first = e.to_string().lines().next().unwrap_or("").to_string();
        anyhow::anyhow!("saved query {name:?}: {first}")
    })?;
    Ok(parsed.search)
}

/// Runs `newsdex run`.
pub fn run_saved(index_path: &Path, queries_path: &Path, args: RunArgs) -> anyhow::Result<ExitStatus> {
    let file = QueriesFile::load(queries_path)?;
    let index = NewsIndex::open(index_path)?;
    let mut runs = load_runs(index_path);
    if args.all {
        return run_all(&index, &file, &args, &mut runs);
    }
    let queries: Vec<(&String, &SavedQuery)> =
        args.names.iter().map(|n| file.get(n).map(|q| (n, q))).collect::<Result<_, _>>()?;
    let mut any = false;
    for (name, query) in queries {
        let search = search_args(name, query, &args)?;
        let mut request = search.request()?;
        let show = Presentation::from_args(&search)?;
        let commit = index.snapshot_commit()?;
        let run = runs.entry(name.clone()).or_default();
        if args.new {
            request.added_after = run.new_since_commit;
            request.limit = request.limit.max(100_000);
        }
        if args.names.len() > 1 {
            eprintln!("== {name}");
        }
        any |= execute(&index, &request, &show)? > 0;
        run.last_run = Some(now());
        if args.new {
            run.new_since_commit = Some(commit);
        }
        save_runs(index_path, &runs).context("recording the run")?;
    }
    Ok(if any { ExitStatus::Success } else { ExitStatus::NoResults })
}

/// One row per query: its number of matches, and with `--facets` its top facet values.
fn run_all(
    index: &NewsIndex,
    file: &QueriesFile,
    args: &RunArgs,
    runs: &mut BTreeMap<String, QueryRun>,
) -> anyhow::Result<ExitStatus> {
    if args.fields.is_some() || args.count {
        bail!("run --all prints one row per query: --fields and --count apply to runs by name");
    }
    let mut rows = Vec::new();
    for (name, query) in file.queries() {
        let search = search_args(name, query, args)?;
        let request: SearchRequest = search.request()?;
        let total = query::search(index, &SearchRequest { limit: 0, ..request.clone() })?.total;
        let mut row = serde_json::json!({"query": name, "matches": total, "description": query.description});
        if args.facets {
            let names =
                if query.facets.is_empty() { vec!["actor".to_string()] } else { query.facets.clone() };
            for facet in names {
                let by = facet_by(&facet)
                    .with_context(|| format!("saved query {name:?}: unknown facet {facet:?}"))?;
                let counts = facets::facet_counts(index, &request, by, 3)?;
                let top: Vec<String> =
                    counts.values.iter().map(|v| format!("{} ({})", v.value, v.count)).collect();
                row[format!("top_{facet}")] = serde_json::json!(top.join("; "));
            }
        }
        runs.entry(name.clone()).or_default().last_run = Some(now());
        rows.push(row);
    }
    let format = output_format(args.format);
    print_stdout(|out| print_rows(out, &rows, format))?;
    save_runs(&index.path, runs)?;
    let any = rows.iter().any(|r| r["matches"].as_u64().unwrap_or(0) > 0);
    Ok(if any { ExitStatus::Success } else { ExitStatus::NoResults })
}

fn facet_by(name: &str) -> Option<FacetBy> {
    Some(match name {
        "actor" => FacetBy::Actor,
        "person" => FacetBy::Person,
        "org" => FacetBy::Org,
        "place" => FacetBy::Place,
        "source" => FacetBy::Source,
        "year" => FacetBy::Year,
        "month" => FacetBy::Month,
        _ => return None,
    })
}

fn print_rows(out: &mut dyn Write, rows: &[serde_json::Value], format: OutputFormat) -> std::io::Result<()> {
    let mut columns: Vec<String> = vec!["query".into(), "matches".into()];
    for row in rows {
        for key in row.as_object().into_iter().flatten().map(|(k, _)| k) {
            if key.starts_with("top_") && !columns.contains(key) {
                columns.push(key.clone());
            }
        }
    }
    columns.push("description".into());
    let cell = |row: &serde_json::Value, c: &str| match &row[c] {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    };
    match format {
        OutputFormat::Table => {
            let width = rows.iter().map(|r| cell(r, "query").len()).max().unwrap_or(5).max(5);
            for row in rows {
                writeln!(
                    out,
                    "{:<width$}  {:>8}  {}",
                    cell(row, "query"),
                    cell(row, "matches"),
                    cell(row, "description")
                )?;
                for c in columns.iter().filter(|c| c.starts_with("top_") && !cell(row, c).is_empty()) {
                    writeln!(out, "{:<width$}  {:>8}  {}: {}", "", "", &c[4..], cell(row, c))?;
                }
            }
            Ok(())
        }
        OutputFormat::Csv => {
            let mut writer = csv::Writer::from_writer(out);
            writer.write_record(&columns)?;
            for row in rows {
                writer.write_record(columns.iter().map(|c| cell(row, c)))?;
            }
            writer.flush()
        }
        OutputFormat::Jsonl => crate::output::json_lines(out, rows),
        OutputFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, rows)?;
            writeln!(out)
        }
    }
}
