//! Test harness: runs the real `newsdex` binary hermetically (its environment variables
//! cleared) against an index in a temp folder, and parses what it prints.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

/// An index in a temp folder, and the corpus folder tests write into.
pub struct Env {
    pub dir: TempDir,
}

/// What one run printed and how it exited.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The stdout parsed as JSON Lines.
    pub fn jsonl(&self) -> Vec<Value> {
        self.stdout.lines().map(|l| serde_json::from_str(l).expect("a JSON line")).collect()
    }

    /// The `title` of each JSON Lines hit.
    pub fn titles(&self) -> Vec<String> {
        self.jsonl().iter().map(|h| h["title"].as_str().unwrap().to_string()).collect()
    }

    /// The ids of the JSON Lines hits, with the sample corpus prefix removed, sorted.
    pub fn short_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.jsonl().iter().map(|h| short(h["id"].as_str().unwrap())).collect();
        ids.sort();
        ids
    }
}

/// An id made readable: paths lose everything up to `sample_corpus/` or the temp corpus root.
pub fn short(id: &str) -> String {
    for marker in ["sample_corpus/", "corpus/"] {
        if let Some(i) = id.find(marker) {
            return id[i + marker.len()..].to_string();
        }
    }
    id.to_string()
}

impl Env {
    pub fn new() -> Self {
        Env { dir: TempDir::new().unwrap() }
    }

    pub fn index_path(&self) -> PathBuf {
        self.dir.path().join("index")
    }

    /// The folder where a test writes its own corpus.
    pub fn corpus(&self) -> PathBuf {
        let path = self.dir.path().join("corpus");
        std::fs::create_dir_all(&path).unwrap();
        path
    }

    /// Writes a file under the corpus folder, creating folders.
    pub fn write(&self, relative: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let path = self.corpus().join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, content).unwrap();
        path
    }

    /// Runs newsdex with `args` against this env's index.
    pub fn run(&self, args: &[&str]) -> Run {
        let output = Command::cargo_bin("newsdex")
            .unwrap()
            .env_remove("NEWSDEX_INDEX")
            .env_remove("NEWSDEX_QUERIES")
            .arg("--index")
            .arg(self.index_path())
            .args(args)
            .output()
            .unwrap();
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8(output.stdout).unwrap(),
            stderr: String::from_utf8(output.stderr).unwrap(),
        }
    }

    /// Indexes `dir` with extra arguments, asserting success.
    pub fn index(&self, dir: &Path, extra: &[&str]) -> Run {
        let mut args = vec!["index", dir.to_str().unwrap()];
        args.extend_from_slice(extra);
        let run = self.run(&args);
        assert_eq!(run.code, 0, "index failed: {}", run.stderr);
        run
    }

    /// Searches with JSON Lines output.
    pub fn search(&self, args: &[&str]) -> Run {
        let mut all = vec!["search", "--format", "jsonl", "--limit", "100"];
        all.extend_from_slice(args);
        self.run(&all)
    }
}

/// The sample corpus shipped in the repository.
pub fn sample_corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_corpus")
}

/// An env with the sample corpus indexed.
pub fn sample_env() -> (Env, Run) {
    let env = Env::new();
    let run = env.index(&sample_corpus(), &[]);
    (env, run)
}

/// The index's content: each article's id with the paths of its publications, all sorted, for
/// comparing two indexes article for article. Fails when the index does not open and search.
pub fn content(env: &Env) -> Vec<(String, Vec<String>)> {
    let run = env.run(&["search", "--format", "jsonl", "--limit", "1000000"]);
    assert!(run.code < 2, "the index must open and search: {}", run.stderr);
    let mut out: Vec<(String, Vec<String>)> = run
        .jsonl()
        .iter()
        .map(|h| {
            let publications = h["publications"].as_array().unwrap();
            let mut paths: Vec<String> =
                publications.iter().map(|p| short(p["path"].as_str().unwrap())).collect();
            paths.sort();
            (short(h["id"].as_str().unwrap()), paths)
        })
        .collect();
    out.sort();
    out
}
