//! Exit statuses, as grep has them: 0 when there are results, 1 when there are none,
//! 2 when something went wrong.

/// How the process ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Results were found, or the job was done.
    Success,
    /// The search ran and found nothing.
    NoResults,
    /// An error: bad arguments, a broken index, a failed run.
    Error,
    /// Stopped by Ctrl-C after committing what was done (128 + SIGINT, as shells report it).
    Interrupted,
}

impl ExitStatus {
    /// The number the shell sees.
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::NoResults => 1,
            ExitStatus::Error => 2,
            ExitStatus::Interrupted => 130,
        }
    }

    /// The status of a search that matched `total` articles.
    pub fn for_matches(total: usize) -> Self {
        if total > 0 { ExitStatus::Success } else { ExitStatus::NoResults }
    }
}

impl From<ExitStatus> for std::process::ExitCode {
    fn from(status: ExitStatus) -> Self {
        std::process::ExitCode::from(status.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_follow_grep() {
        assert_eq!(ExitStatus::for_matches(3).code(), 0);
        assert_eq!(ExitStatus::for_matches(0).code(), 1);
        assert_eq!(ExitStatus::Error.code(), 2);
    }
}
