//! Source (outlet) resolution from the rules in `index_schema/sources.toml`: outlet names and
//! aliases, the hosts they publish on, the agency tags of their datelines, and the signature
//! lines their pages end with. The rules are data, so a user adds an outlet without code.

use std::collections::HashMap;

use serde::Deserialize;

use crate::error::{Error, Result};

/// The rules file shipped in the binary.
pub const BUILTIN_SOURCES: &str = include_str!("../../index_schema/sources.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    #[serde(default)]
    outlet: Vec<Outlet>,
}

/// One outlet as `sources.toml` describes it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Outlet {
    name: String,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    hosts: Vec<String>,
    #[serde(default)]
    agency_tags: Vec<String>,
    #[serde(default)]
    signatures: Vec<String>,
}

/// The compiled source rules, ready for lookups per article.
#[derive(Debug)]
pub struct SourceRules {
    by_name: HashMap<String, String>,
    by_host: HashMap<String, String>,
    by_tag: HashMap<String, String>,
    signatures: Vec<(String, String)>,
}

/// How far from the end of the text signature lines are looked for: footers live there.
const SIGNATURE_TAIL_BYTES: usize = 4096;
/// How far into the text a dateline's agency tag may be.
const DATELINE_BYTES: usize = 300;

impl SourceRules {
    /// The rules shipped with newsdex.
    pub fn builtin() -> Self {
        Self::parse(BUILTIN_SOURCES, "index_schema/sources.toml").expect("shipped sources.toml is valid")
    }

    /// The shipped rules, parsed once per process.
    pub fn shared() -> &'static SourceRules {
        static SHARED: std::sync::OnceLock<SourceRules> = std::sync::OnceLock::new();
        SHARED.get_or_init(Self::builtin)
    }

    /// Parses a rules file; `file` names it in error messages.
    pub fn parse(text: &str, file: &str) -> Result<Self> {
        let rules: RulesFile = toml::from_str(text)
            .map_err(|e| Error::Config { file: file.to_string(), reason: e.to_string() })?;
        let mut compiled = SourceRules {
            by_name: HashMap::new(),
            by_host: HashMap::new(),
            by_tag: HashMap::new(),
            signatures: Vec::new(),
        };
        for outlet in rules.outlet {
            let name = outlet.name.trim().to_string();
            for alias in outlet.aliases.iter().chain(std::iter::once(&name)) {
                compiled.by_name.insert(alias.to_lowercase(), name.clone());
            }
            for host in &outlet.hosts {
                compiled.by_host.insert(bare_host(host), name.clone());
            }
            for tag in &outlet.agency_tags {
                compiled.by_tag.insert(tag.clone(), name.clone());
            }
            for line in outlet.signatures {
                compiled.signatures.push((line, name.clone()));
            }
        }
        Ok(compiled)
    }

    /// Normalises a source named by metadata: a known name or alias gives the canonical
    /// name, a domain (`www.middleeasteye.net`) goes through the host table, anything else
    /// is kept as written.
    pub fn canonical(&self, written: &str) -> Option<String> {
        let written = written.split_whitespace().collect::<Vec<_>>().join(" ");
        if written.is_empty() {
            return None;
        }
        if let Some(name) = self.by_name.get(&written.to_lowercase()) {
            return Some(name.clone());
        }
        if !written.contains(' ') && written.contains('.') {
            let host = bare_host(&written);
            return Some(self.lookup_host(&host).map(str::to_string).unwrap_or(host));
        }
        Some(written)
    }

    /// The outlet publishing at `url`'s host (or a parent domain of it).
    pub fn from_url(&self, url: &str) -> Option<&str> {
        let parsed = url::Url::parse(url).ok()?;
        self.lookup_host(&bare_host(parsed.host_str()?))
    }

    fn lookup_host(&self, host: &str) -> Option<&str> {
        let mut candidate = host;
        loop {
            if let Some(name) = self.by_host.get(candidate) {
                return Some(name);
            }
            candidate = candidate.split_once('.')?.1;
            if !candidate.contains('.') {
                return None;
            }
        }
    }

    /// The agency named by a dateline tag such as `(Reuters) -` near the start of the text.
    pub fn from_dateline(&self, body: &str) -> Option<&str> {
        self.dateline_tag(body).map(|(_, name)| name)
    }

    /// Where the dateline's agency tag stands (`(Reuters)`, parentheses included), and the
    /// agency it names.
    pub fn dateline_tag(&self, body: &str) -> Option<(std::ops::Range<usize>, &str)> {
        let head = &body[..floor_boundary(body, DATELINE_BYTES)];
        let mut offset = 0;
        while let Some(open) = head[offset..].find('(').map(|i| offset + i) {
            let close = open + 1 + head[open + 1..].find(')')?;
            let tag = head[open + 1..close].trim();
            let follows = head[close + 1..].trim_start();
            if follows.starts_with(['-', '–', '—'])
                && let Some(name) = self.by_tag.get(tag)
            {
                return Some((open..close + 1, name));
            }
            offset = close + 1;
        }
        None
    }

    /// The outlet whose signature line appears near the end of the text.
    pub fn from_signature(&self, body: &str) -> Option<&str> {
        let start = floor_boundary(body, body.len().saturating_sub(SIGNATURE_TAIL_BYTES));
        let tail = &body[start..];
        self.signatures.iter().find(|(line, _)| tail.contains(line.as_str())).map(|(_, n)| n.as_str())
    }
}

/// The largest char boundary at or below `index`.
fn floor_boundary(text: &str, index: usize) -> usize {
    let mut i = index.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn bare_host(host: &str) -> String {
    let host = host.trim().trim_end_matches('.').to_lowercase();
    host.strip_prefix("www.").map(str::to_string).unwrap_or(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_rules_resolve_the_seed_outlet_and_wires() {
        let rules = SourceRules::builtin();
        assert_eq!(rules.canonical("www.middleeasteye.net").as_deref(), Some("Middle East Eye"));
        assert_eq!(rules.canonical("MEE").as_deref(), Some("Middle East Eye"));
        assert_eq!(rules.canonical("example.org").as_deref(), Some("example.org"));
        assert_eq!(rules.canonical("  Some   Paper ").as_deref(), Some("Some Paper"));
        assert_eq!(rules.from_url("http://uk.reuters.com/article/x"), Some("Reuters"));
        assert_eq!(rules.from_url("https://example.com/x"), None);
        assert_eq!(rules.from_dateline(" AMSTERDAM/LONDON  (Reuters) - Britain's ICI"), Some("Reuters"));
        assert_eq!(rules.from_dateline("BEIRUT (AP) — Syrian"), Some("Associated Press"));
        assert_eq!(rules.from_dateline("He said (Reuters) was wrong"), None);
        let body = "LONDON (Reuters) - Shares rose, Reuters data showed.";
        assert_eq!(rules.dateline_tag(body), Some((7..16, "Reuters")));
        let seed = include_str!("../../sample_corpus/000_afe821fb16f557c1.txt");
        assert_eq!(rules.from_signature(seed), Some("Middle East Eye"));
    }

    #[test]
    fn bad_rules_name_the_file() {
        let err = SourceRules::parse("[[outlet]]\nnam = 1", "my.toml").unwrap_err();
        assert!(err.to_string().starts_with("my.toml:"), "{err}");
    }
}
