//! The directory the index writer works through: tantivy's own memory-mapped directory for
//! everything but reading, which goes through positioned reads into buffers.
//!
//! Why: tantivy's merges read every byte of the segments they merge. Through memory maps,
//! those pages count in the process's resident memory as long as anything still maps the
//! segment, which is also after the merge (the run's own searcher holds the segments of the
//! last commit): at 1M articles, about 500 MB over the writer heap. Read into buffers, a
//! merge holds only what it is working on; the kernel's page cache still keeps the files
//! for the next reader. Searches keep memory maps, which are faster for random access.

use std::fs::File;
use std::io;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use tantivy::HasLen;
use tantivy::directory::error::{DeleteError, LockError, OpenDirectoryError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    Directory, DirectoryLock, FileHandle, Lock, MmapDirectory, OwnedBytes, WatchCallback, WatchHandle,
    WritePtr,
};

/// Reads under a quarter of this are served from one buffer of this size read ahead (a merge
/// reads each term's postings in turn, a few bytes at a time, in file order); larger ones are
/// read as they are asked.
const READ_AHEAD: usize = 256 * 1024;

/// A folder whose files are read with `pread` and written as tantivy's [`MmapDirectory`] does.
#[derive(Clone, Debug)]
pub struct ReadDirectory {
    written: MmapDirectory,
    root: PathBuf,
}

impl ReadDirectory {
    /// The directory over an existing folder.
    pub fn open(root: &Path) -> Result<Self, OpenDirectoryError> {
        Ok(ReadDirectory { written: MmapDirectory::open(root)?, root: root.to_path_buf() })
    }
}

impl Directory for ReadDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        let file = File::open(self.root.join(path)).map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => OpenReadError::FileDoesNotExist(path.to_path_buf()),
            _ => OpenReadError::wrap_io_error(e, path.to_path_buf()),
        })?;
        let len = file.metadata().map_err(|e| OpenReadError::wrap_io_error(e, path.to_path_buf()))?.len();
        Ok(Arc::new(ReadFile { file, len: len as usize, ahead: Mutex::new(None) }))
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.written.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.written.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        self.written.open_write(path)
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.written.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        self.written.atomic_write(path, data)
    }

    fn sync_directory(&self) -> io::Result<()> {
        self.written.sync_directory()
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        self.written.acquire_lock(lock)
    }

    fn watch(&self, callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.written.watch(callback)
    }
}

/// One open file, with the last buffer read ahead.
#[derive(Debug)]
struct ReadFile {
    file: File,
    len: usize,
    ahead: Mutex<Option<(usize, OwnedBytes)>>,
}

impl ReadFile {
    fn read(&self, range: Range<usize>) -> io::Result<OwnedBytes> {
        let mut buffer = vec![0; range.len()];
        read_at(&self.file, &mut buffer, range.start as u64)?;
        Ok(OwnedBytes::new(buffer))
    }
}

#[cfg(unix)]
fn read_at(file: &File, buffer: &mut [u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buffer, offset)
}

#[cfg(windows)]
fn read_at(file: &File, mut buffer: &mut [u8], mut offset: u64) -> io::Result<()> {
    while !buffer.is_empty() {
        match std::os::windows::fs::FileExt::seek_read(file, buffer, offset)? {
            0 => return Err(io::ErrorKind::UnexpectedEof.into()),
            n => {
                buffer = &mut buffer[n..];
                offset += n as u64;
            }
        }
    }
    Ok(())
}

impl FileHandle for ReadFile {
    fn read_bytes(&self, range: Range<usize>) -> io::Result<OwnedBytes> {
        if range.end > self.len || range.start > range.end {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("bytes {range:?} of a file of {} bytes", self.len),
            ));
        }
        if range.is_empty() {
            return Ok(OwnedBytes::empty());
        }
        if range.len() >= READ_AHEAD / 4 {
            return self.read(range);
        }
        let mut ahead = self.ahead.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((start, bytes)) = ahead.as_ref()
            && range.start >= *start
            && range.end <= start + bytes.len()
        {
            return Ok(bytes.slice(range.start - start..range.end - start));
        }
        let end = (range.start + READ_AHEAD).min(self.len);
        let bytes = self.read(range.start..end)?;
        let wanted = bytes.slice(0..range.len());
        *ahead = Some((range.start, bytes));
        Ok(wanted)
    }
}

impl HasLen for ReadFile {
    fn len(&self) -> usize {
        self.len
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use tantivy::directory::TerminatingWrite;

    #[test]
    fn reads_what_was_written_at_any_offset_and_size() {
        let dir = tempfile::tempdir().unwrap();
        let directory = ReadDirectory::open(dir.path()).unwrap();
        let data: Vec<u8> = (0..READ_AHEAD * 3 + 17).map(|i| (i * 7 % 251) as u8).collect();
        let mut out = directory.open_write(Path::new("f")).unwrap();
        out.write_all(&data).unwrap();
        out.terminate().unwrap();
        let file = directory.open_read(Path::new("f")).unwrap();
        assert_eq!(file.len(), data.len());
        let ranges = [0..0, 0..1, 5..900, 900..2000, READ_AHEAD - 3..READ_AHEAD + 3, 10..READ_AHEAD * 2];
        for range in ranges.into_iter().chain([data.len() - 20..data.len(), 3..4]) {
            assert_eq!(
                file.read_bytes_slice(range.clone()).unwrap().as_slice(),
                &data[range.clone()],
                "{range:?}"
            );
        }
        let handle = directory.get_file_handle(Path::new("f")).unwrap();
        assert!(handle.read_bytes(data.len() - 2..data.len() + 1).is_err(), "past the end");
        assert!(matches!(directory.open_read(Path::new("missing")), Err(OpenReadError::FileDoesNotExist(_))));
    }
}
