//! New texts whose documents have not reached the index writer yet.
//!
//! A text met again (the same wire story under another address, often the next day) gets one
//! more publication: its document must be written anew. Once the writer has the document,
//! that means deleting it and adding it again, and a segment holding a deleted document makes
//! every merge of it decompress and recompress its whole store. So each written text waits here
//! for [`WINDOW`] more before its document goes to the writer: a publication that arrives
//! meanwhile only changes the article in memory. The articles themselves stay in the sink's
//! `live` map, which holds every article written since the last commit anyway.

use std::collections::{HashSet, VecDeque};

/// Texts that wait at once. On the Reuters slice every exact duplicate comes within 340 files
/// of its first publication, half of them within 45 (the walk is sorted, most repeats are the
/// next day's); a longer wait would only delay the writer's work to the commit.
pub(super) const WINDOW: usize = 1_024;

/// Content hashes in the order their texts were written, oldest first.
#[derive(Debug, Default)]
pub(super) struct Unwritten {
    order: VecDeque<String>,
    waiting: HashSet<String>,
}

impl Unwritten {
    /// Whether `content`'s document is still waiting (the writer has never seen it).
    pub(super) fn contains(&self, content: &str) -> bool {
        self.waiting.contains(content)
    }

    /// Puts `content` at the back of the queue, unless it is waiting already.
    pub(super) fn push(&mut self, content: &str) {
        if self.waiting.insert(content.to_string()) {
            self.order.push_back(content.to_string());
        }
    }

    /// Drops `content` from the queue (its article was deleted); says whether it was waiting.
    pub(super) fn forget(&mut self, content: &str) -> bool {
        // Its place in `order` is skipped when it comes to the front.
        self.waiting.remove(content)
    }

    /// The oldest waiting text, while more than `keep` wait.
    pub(super) fn pop_beyond(&mut self, keep: usize) -> Option<String> {
        while self.waiting.len() > keep {
            let content = self.order.pop_front()?;
            if self.waiting.remove(&content) {
                return Some(content);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain(unwritten: &mut Unwritten, keep: usize) -> Vec<String> {
        std::iter::from_fn(|| unwritten.pop_beyond(keep)).collect()
    }

    #[test]
    fn texts_leave_oldest_first_once_more_than_kept_wait() {
        let mut unwritten = Unwritten::default();
        for content in ["a", "b", "c", "a"] {
            unwritten.push(content);
        }
        assert_eq!(drain(&mut unwritten, 1), ["a", "b"]);
        assert!(unwritten.contains("c"));
        assert_eq!(drain(&mut unwritten, 0), ["c"]);
        assert!(!unwritten.contains("c"));
    }

    #[test]
    fn a_forgotten_text_never_leaves_and_may_come_back_at_the_back() {
        let mut unwritten = Unwritten::default();
        unwritten.push("a");
        unwritten.push("b");
        assert!(unwritten.forget("a"));
        assert!(!unwritten.forget("a"));
        assert_eq!(drain(&mut unwritten, 0), ["b"]);
        unwritten.push("c");
        unwritten.push("a");
        assert_eq!(drain(&mut unwritten, 0), ["c", "a"]);
    }
}
