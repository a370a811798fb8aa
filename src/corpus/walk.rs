//! Walking the corpus folders: every regular file under each root, hidden files and folders
//! skipped, symbolic links followed only on request, in a stable (sorted) order.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

/// A file found under a corpus root.
#[derive(Debug, Clone)]
pub struct CorpusFile {
    /// Full path as reached from the root given by the user.
    pub path: PathBuf,
    /// The root folder the file was found under.
    pub root: PathBuf,
    /// Size in bytes on disk.
    pub size: u64,
}

impl CorpusFile {
    /// The path relative to its root, with `/` separators, used for ids and path dates.
    pub fn relative(&self) -> String {
        let rel = self.path.strip_prefix(&self.root).unwrap_or(&self.path);
        let text = rel.to_string_lossy().replace('\\', "/");
        if text.is_empty() {
            // The root itself was a file.
            self.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
        } else {
            text
        }
    }

    /// The first folder under the root, for `--source-from-folder`.
    pub fn first_folder(&self) -> Option<String> {
        let rel = self.path.strip_prefix(&self.root).ok()?;
        let mut parts = rel.components();
        let first = parts.next()?;
        parts.next()?; // a file directly under the root has no folder
        Some(first.as_os_str().to_string_lossy().into_owned())
    }
}

/// Walks `root`, yielding files or the error met on the way (a folder that cannot be read).
pub fn walk(
    root: &Path,
    follow_links: bool,
) -> impl Iterator<Item = Result<CorpusFile, (PathBuf, String)>> + '_ {
    WalkDir::new(root)
        .follow_links(follow_links)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| entry.depth() == 0 || !is_hidden(entry.file_name()))
        .filter_map(move |entry| match entry {
            Ok(entry) if entry.file_type().is_file() => {
                let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
                Some(Ok(CorpusFile { path: entry.into_path(), root: root.to_path_buf(), size }))
            }
            Ok(_) => None,
            Err(err) => {
                let path = err.path().map(Path::to_path_buf).unwrap_or_else(|| root.to_path_buf());
                Some(Err((path, err.to_string())))
            }
        })
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_str().is_some_and(|n| n.starts_with('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_path_and_first_folder() {
        let file = CorpusFile {
            path: PathBuf::from("/data/news/bbc/2005/a.txt"),
            root: PathBuf::from("/data/news"),
            size: 1,
        };
        assert_eq!(file.relative(), "bbc/2005/a.txt");
        assert_eq!(file.first_folder().as_deref(), Some("bbc"));
        let top = CorpusFile { path: "/data/news/a.txt".into(), root: "/data/news".into(), size: 1 };
        assert_eq!(top.first_folder(), None);
    }
}
