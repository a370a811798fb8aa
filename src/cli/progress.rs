//! What an indexing run shows on stderr while it works: a spinner with counts when stderr is
//! a terminal, and a warning line per problem (unless quiet), printed above the spinner.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::indexer::{Reporter, Summary};

/// A [`Reporter`] for the terminal.
pub struct TerminalReporter {
    bar: ProgressBar,
    quiet: bool,
}

impl TerminalReporter {
    /// Draws on stderr when it is a terminal; otherwise shows only warnings.
    pub fn new(quiet: bool) -> Self {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{spinner} {elapsed} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.enable_steady_tick(std::time::Duration::from_millis(200));
        TerminalReporter { bar, quiet }
    }

    /// Removes the spinner before the summary is printed.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Reporter for TerminalReporter {
    fn warn(&self, message: &str) {
        if !self.quiet {
            self.bar.suspend(|| eprintln!("warning: {message}"));
        }
    }

    fn progress(&self, summary: &Summary) {
        if !self.bar.is_hidden() {
            self.bar.set_message(format!(
                "{} files, {} articles, {:.1} MB",
                summary.files,
                summary.articles,
                summary.bytes as f64 / 1_048_576.0
            ));
        }
    }
}
