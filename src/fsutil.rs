//! File-system helpers shared by every command that writes: atomic writes and
//! bounded reads. Nothing here ever leaves a half-written file behind.

use crate::error::{Error, Result};
use std::io::{Read, Write};
#[cfg(all(test, unix))]
use std::os::unix::fs::FileTypeExt;
use std::path::Path;

/// Writes `bytes` to `path` atomically: a temp file in the same directory, fsync, rename.
/// Parent directories are created. On any failure the destination is untouched.
/// Refuses to replace anything that is not a regular file: a symlink, a device
/// (`/dev/full`), a FIFO or a directory is left as it is, with an input error.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Ok(m) = std::fs::symlink_metadata(path) {
        let what = if m.file_type().is_symlink() {
            Some("a symbolic link")
        } else if m.is_dir() {
            Some("a directory")
        } else if !m.is_file() {
            Some("a device, FIFO or socket")
        } else {
            None
        };
        if let Some(what) = what {
            return Err(Error::input(
                path,
                format!("is {what}; skillforge only replaces regular files"),
            )
            .with_hint("name a new or regular file (or `-` for standard output where the option allows it)"));
        }
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".skillforge-tmp-")
        .tempfile_in(parent)
        .map_err(|e| Error::io(parent, e))?;
    tmp.write_all(bytes).map_err(|e| Error::io(path, e))?;
    tmp.as_file().sync_all().map_err(|e| Error::io(path, e))?;
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}

/// Why a bounded read failed.
#[derive(Debug)]
pub enum ReadError {
    Io(std::io::Error),
    TooLarge { size: u64, cap: u64 },
}

fn not_regular() -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidInput,
        "not a regular file (a FIFO, device, socket or directory): skillforge reads only regular files",
    )
}

/// Opens a regular file for reading without ever blocking on a FIFO: the type is
/// checked before opening, the open itself is non-blocking, and the opened file is
/// checked again (a file swapped for a FIFO in between is refused, not waited on).
pub fn open_regular(path: &Path) -> std::io::Result<std::fs::File> {
    if !std::fs::metadata(path)?.is_file() {
        return Err(not_regular());
    }
    open_checked(path).map(|(f, _)| f)
}

/// The non-blocking open and the check of the opened file (see [`open_regular`]),
/// returning the file's size from that check.
fn open_checked(path: &Path) -> std::io::Result<(std::fs::File, u64)> {
    let mut opts = std::fs::OpenOptions::new();
    opts.read(true);
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // O_NONBLOCK: no effect on regular files; opening a FIFO returns at once.
        opts.custom_flags(0o4000);
    }
    let file = opts.open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(not_regular());
    }
    Ok((file, meta.len()))
}

/// Reads a UTF-8 text file the user named (a suite, a config, a lock), at most `cap`
/// bytes, regular files only: an input error (exit 2) otherwise.
pub fn read_text_capped(path: &Path, cap: u64) -> Result<String> {
    let bytes = read_capped(path, cap).map_err(|e| match e {
        ReadError::Io(err) if err.kind() == std::io::ErrorKind::InvalidInput => {
            Error::input(path, err.to_string())
        }
        ReadError::Io(err) => Error::io(path, err),
        ReadError::TooLarge { size, cap } => Error::input(
            path,
            format!(
                "is {} (over the {} limit for this kind of file)",
                human_size(size),
                human_size(cap)
            ),
        ),
    })?;
    String::from_utf8(bytes).map_err(|e| {
        let good = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..good].iter().filter(|b| **b == b'\n').count() + 1;
        Error::input_at(path, line, "is not valid UTF-8 text", None)
    })
}

/// Reads at most `cap` bytes; a larger file is reported, never truncated silently.
/// Only regular files are read (a FIFO or device is an error, never a hang).
pub fn read_capped(path: &Path, cap: u64) -> std::result::Result<Vec<u8>, ReadError> {
    if !std::fs::metadata(path).map_err(ReadError::Io)?.is_file() {
        return Err(ReadError::Io(not_regular()));
    }
    read_listed_capped(path, cap)
}

/// [`read_capped`] for a file a directory listing just reported as a regular file
/// (a skill's files): the type is not asked for again before opening. The open is
/// still non-blocking and the opened file is still checked, so a file swapped for a
/// FIFO or device in between is refused, never waited on.
pub fn read_listed_capped(path: &Path, cap: u64) -> std::result::Result<Vec<u8>, ReadError> {
    let (mut file, size) = open_checked(path).map_err(ReadError::Io)?;
    if size > cap {
        return Err(ReadError::TooLarge { size, cap });
    }
    if size > 0 {
        // The file as it was when its size was taken (a file that grows meanwhile is
        // read as it was).
        return read_known_size(&mut file, size).map_err(ReadError::Io);
    }
    // Size 0 may be a file whose size is not known in advance: read to the end, capped.
    let mut buf = Vec::new();
    file.take(cap + 1)
        .read_to_end(&mut buf)
        .map_err(ReadError::Io)?;
    if buf.len() as u64 > cap {
        return Err(ReadError::TooLarge {
            size: buf.len() as u64,
            cap,
        });
    }
    Ok(buf)
}

/// [`read_listed_capped`] when the listing also gave the file's size: the file is read
/// as it was then (`size` bytes at most, so a file that grew is not read further) with
/// no second look at its size or type. The open is non-blocking and does not follow a
/// symlink put in the file's place since the listing, so a FIFO swapped in is never
/// waited on and a link out of the skill is never read. Size 0 takes the long way (a
/// file whose size is not known in advance).
pub fn read_listed_sized(
    path: &Path,
    size: u64,
    cap: u64,
) -> std::result::Result<Vec<u8>, ReadError> {
    if size > cap {
        return Err(ReadError::TooLarge { size, cap });
    }
    if size == 0 {
        return read_listed_capped(path, cap);
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.read(true);
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // O_NONBLOCK | O_NOFOLLOW.
        opts.custom_flags(0o4000 | 0o400000);
    }
    #[cfg(not(target_os = "linux"))]
    {
        if !std::fs::symlink_metadata(path)
            .map_err(ReadError::Io)?
            .is_file()
        {
            return Err(ReadError::Io(not_regular()));
        }
    }
    let mut file = opts.open(path).map_err(ReadError::Io)?;
    read_known_size(&mut file, size).map_err(ReadError::Io)
}

/// [`read_listed_sized`] for a file of an open folder: `rel` is opened relative to
/// `dir` (the same non-blocking, no-link open), so the kernel does not walk the whole
/// path again. `path` is the same file by path, used for size 0 (the long way).
#[cfg(unix)]
pub fn read_listed_sized_at(
    dir: impl rustix::fd::AsFd,
    rel: &std::ffi::CStr,
    path: &Path,
    size: u64,
    cap: u64,
) -> std::result::Result<Vec<u8>, ReadError> {
    use rustix::fs::{Mode, OFlags};
    if size > cap {
        return Err(ReadError::TooLarge { size, cap });
    }
    if size == 0 {
        return read_listed_capped(path, cap);
    }
    let flags = OFlags::RDONLY | OFlags::NONBLOCK | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    let fd = rustix::fs::openat(dir, rel, flags, Mode::empty())
        .map_err(|e| ReadError::Io(std::io::Error::from(e)))?;
    let mut file = std::fs::File::from(fd);
    read_known_size(&mut file, size).map_err(ReadError::Io)
}

/// Reads the first `size` bytes of `file` (fewer if it ends sooner): one read of
/// exactly that many bytes in the common case, without a further read to find the end
/// (`read_to_end` would read in 8 KB steps and then ask once more).
#[cfg(unix)]
fn read_known_size(file: &mut std::fs::File, size: u64) -> std::io::Result<Vec<u8>> {
    use std::os::fd::AsRawFd;
    // Read straight into the reserved capacity: no zeroing of a buffer the read
    // overwrites anyway.
    let want = usize::try_from(size).unwrap_or(usize::MAX);
    let mut buf: Vec<u8> = Vec::with_capacity(want);
    while buf.len() < want {
        let spare = buf.spare_capacity_mut();
        // SAFETY: `spare` is writable memory of `spare.len()` bytes owned by `buf`;
        // read(2) writes at most that many bytes into it and reports how many.
        let n = unsafe { libc::read(file.as_raw_fd(), spare.as_mut_ptr().cast(), spare.len()) };
        if n < 0 {
            let e = std::io::Error::last_os_error();
            if e.kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        if n == 0 {
            break;
        }
        // SAFETY: the kernel initialised the first `n` bytes of the spare capacity
        // (n <= spare.len(), so the new length stays within the capacity).
        unsafe { buf.set_len(buf.len() + n as usize) };
    }
    Ok(buf)
}

#[cfg(not(unix))]
fn read_known_size(file: &mut std::fs::File, size: u64) -> std::io::Result<Vec<u8>> {
    let mut buf = vec![0; size as usize];
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    buf.truncate(filled);
    Ok(buf)
}

/// Human size: `5.0 MB`, `312 KB`, `17 B`.
pub fn human_size(bytes: u64) -> String {
    if bytes >= 1_000_000 {
        format!("{:.1} MB", bytes as f64 / 1_000_000.0)
    } else if bytes >= 1_000 {
        format!("{} KB", bytes / 1_000)
    } else {
        format!("{bytes} B")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_creates_parents_and_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a/b/c.txt");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        let leftovers: Vec<_> = std::fs::read_dir(p.parent().unwrap())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with(".skillforge-tmp-")
            })
            .collect();
        assert!(leftovers.is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn fifos_and_devices_are_refused_not_waited_on() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let ok = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            let e = read_text_capped(&fifo, 1024).unwrap_err().render();
            assert!(e.contains("not a regular file"), "{e}");
        }
        assert!(read_capped(Path::new("/dev/zero"), 1024).is_err());
        assert!(read_text_capped(dir.path(), 1024).is_err());
    }

    #[test]
    fn text_reads_report_size_and_encoding() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.yaml");
        std::fs::write(&p, b"ok: 1\nbad: \xff\n").unwrap();
        let e = read_text_capped(&p, 1024).unwrap_err().render();
        assert!(e.contains(":2:") && e.contains("UTF-8"), "{e}");
        std::fs::write(&p, vec![b'x'; 2000]).unwrap();
        let e = read_text_capped(&p, 1000).unwrap_err().render();
        assert!(e.contains("over the"), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn atomic_write_never_replaces_links_or_devices() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target.txt");
        std::fs::write(&target, "keep").unwrap();
        let link = dir.path().join("link.txt");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert!(write_atomic(&link, b"new").is_err());
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep");
        assert!(write_atomic(Path::new("/dev/null"), b"x").is_err());
        assert!(
            std::fs::symlink_metadata("/dev/null")
                .unwrap()
                .file_type()
                .is_char_device()
                || cfg!(not(target_os = "linux"))
        );
        assert!(write_atomic(dir.path(), b"x").is_err());
    }

    #[test]
    fn capped_read_refuses_large_files() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("big");
        std::fs::write(&p, vec![b'x'; 100]).unwrap();
        assert!(matches!(
            read_capped(&p, 10),
            Err(ReadError::TooLarge { size: 100, cap: 10 })
        ));
        assert_eq!(read_capped(&p, 100).unwrap().len(), 100);
    }
}
