//! The folders of a chart directory, listed and read relative to the opened folder.
//!
//! On a small chart the kernel's work dominates a load: opening, `statx`, reading and closing
//! each file and listing each folder. A path handed to the kernel is walked component by
//! component on every call (`/home/user/charts/app/templates/x.yaml` is six lookups and as many
//! permission checks), so each file is opened by its name relative to its opened folder
//! (`openat`), and a folder is listed with `getdents64` into a buffer on the stack (glibc's
//! `opendir` adds an `fstat` and a 32 KiB allocation per folder).
//!
//! Whatever these could answer differently from the path-based calls Helm (and helmet before)
//! made is done by path, as before: everything beneath a symbolic link (the kernel counts links
//! along a whole path, at most 40, so a link loop fails by path where a relative open would go
//! on) and paths too long for the kernel (they fail by path).

use std::io;
use std::path::Path;

/// What an entry of a folder is, from its listing (or a `stat` when the listing does not say).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A regular file.
    File,
    /// A folder.
    Dir,
    /// A symbolic link (not followed yet).
    Symlink,
    /// Anything else: a FIFO, a socket, a device.
    Other,
}

impl Kind {
    /// The kind of a file type as the kernel gives it (`None` when the listing does not say).
    #[cfg(target_os = "linux")]
    fn of_raw(kind: rustix::fs::FileType) -> Option<Kind> {
        use rustix::fs::FileType;
        match kind {
            FileType::RegularFile => Some(Kind::File),
            FileType::Directory => Some(Kind::Dir),
            FileType::Symlink => Some(Kind::Symlink),
            FileType::Unknown => None,
            _ => Some(Kind::Other),
        }
    }

    /// The kind of a `std::fs` file type.
    pub(crate) fn of(kind: std::fs::FileType) -> Kind {
        if kind.is_symlink() {
            Kind::Symlink
        } else if kind.is_dir() {
            Kind::Dir
        } else if kind.is_file() {
            Kind::File
        } else {
            Kind::Other
        }
    }
}

/// Paths at least this long are handed to the kernel as they are, so that those it refuses
/// (`PATH_MAX` is 4096 bytes with the final NUL) fail as they did when every call took the
/// whole path.
const LONG_PATH: usize = 4000;

/// A folder being walked: opened, so that its entries are listed and opened relative to it,
/// or known by its path only.
pub(crate) enum Folder {
    /// Opened (`O_DIRECTORY`).
    #[cfg(target_os = "linux")]
    Open(rustix::fd::OwnedFd),
    /// Its path is used for every call, as `std::fs` does.
    ByPath,
}

impl Folder {
    /// Whether the folder is open (its entries are read relative to it).
    pub(crate) fn is_open(&self) -> bool {
        !matches!(self, Folder::ByPath)
    }

    /// Opens the folder at `path` (a path the walk could list by path, see the module's
    /// documentation). Fails when it is no folder or cannot be opened, as listing it by path
    /// would.
    #[cfg(target_os = "linux")]
    pub(crate) fn open(path: &Path) -> io::Result<Folder> {
        if path.as_os_str().len() >= LONG_PATH {
            return Ok(Folder::ByPath);
        }
        open_dir_at(rustix::fs::CWD, path)
    }

    /// Opens the folder at `path` (a path the walk could list by path, see the module's
    /// documentation).
    #[cfg(not(target_os = "linux"))]
    pub(crate) fn open(_path: &Path) -> io::Result<Folder> {
        Ok(Folder::ByPath)
    }

    /// The subfolder `name` of this folder (`full` is its path), opened relative to this one
    /// unless it was reached through a symbolic link (`linked`).
    pub(crate) fn sub(&self, name: &str, full: &Path, linked: bool) -> io::Result<Folder> {
        match self {
            #[cfg(target_os = "linux")]
            Folder::Open(fd) if !linked && full.as_os_str().len() < LONG_PATH => {
                open_dir_at(fd, name)
            }
            _ => {
                let _ = (name, full, linked);
                Ok(Folder::ByPath)
            }
        }
    }

    /// The folder's entries (without `.` and `..`), each with its kind when the listing (or,
    /// when it does not tell, an `lstat`) gives it; `dir` is the folder's path. Names that are
    /// not UTF-8 are read lossily. Entries after a failed read of the listing are left out, as
    /// `std::fs::read_dir` leaves them out.
    pub(crate) fn entries(&self, dir: &Path) -> io::Result<Vec<(String, Option<Kind>)>> {
        match self {
            #[cfg(target_os = "linux")]
            Folder::Open(fd) => {
                use rustix::fs::{statat, AtFlags, FileType, RawDir};
                use std::mem::MaybeUninit;
                // Enough for about 200 entries of short names per system call; larger
                // folders take more calls.
                let mut buf = [MaybeUninit::<u8>::uninit(); 8192];
                let mut listing = RawDir::new(fd, &mut buf);
                let mut entries = Vec::new();
                while let Some(Ok(entry)) = listing.next() {
                    let name = entry.file_name().to_bytes();
                    if name == b"." || name == b".." {
                        continue;
                    }
                    let name = match std::str::from_utf8(name) {
                        Ok(name) => name.to_string(),
                        Err(_) => String::from_utf8_lossy(name).into_owned(),
                    };
                    // When the file system does not say, it is asked, as std's
                    // `DirEntry::file_type` asks.
                    let kind = Kind::of_raw(entry.file_type()).or_else(|| {
                        let stat = statat(fd, name.as_str(), AtFlags::SYMLINK_NOFOLLOW).ok()?;
                        Some(
                            Kind::of_raw(FileType::from_raw_mode(stat.st_mode))
                                .unwrap_or(Kind::Other),
                        )
                    });
                    entries.push((name, kind));
                }
                Ok(entries)
            }
            Folder::ByPath => Ok(std::fs::read_dir(dir)?
                .filter_map(|entry| entry.ok())
                .map(|entry| {
                    // The listing's own string when it is UTF-8 (no second copy).
                    let name = entry
                        .file_name()
                        .into_string()
                        .unwrap_or_else(|name| name.to_string_lossy().into_owned());
                    (name, entry.file_type().ok().map(Kind::of))
                })
                .collect()),
        }
    }

    /// Opens the file `name` of this folder (whose path is `dir`) for reading, relative to
    /// this folder unless it is a symbolic link (`linked`).
    pub(crate) fn open_file(
        &self,
        name: &str,
        dir: &Path,
        linked: bool,
    ) -> io::Result<std::fs::File> {
        match self {
            #[cfg(target_os = "linux")]
            Folder::Open(fd) if !linked && dir.as_os_str().len() + 1 + name.len() < LONG_PATH => {
                use rustix::fs::{openat, Mode, OFlags};
                let flags = OFlags::RDONLY | OFlags::CLOEXEC;
                Ok(std::fs::File::from(openat(fd, name, flags, Mode::empty())?))
            }
            _ => {
                let _ = linked;
                std::fs::File::open(join(dir, name))
            }
        }
    }
}

/// Opens the folder `path` (relative to the folder `at`) for listing.
#[cfg(target_os = "linux")]
fn open_dir_at<P: rustix::path::Arg>(at: impl rustix::fd::AsFd, path: P) -> io::Result<Folder> {
    use rustix::fs::{openat, Mode, OFlags};
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
    Ok(Folder::Open(openat(at, path, flags, Mode::empty())?))
}

/// `dir` joined with an entry's `name`, built in a buffer of its final size (`Path::join`
/// grows its buffer on the way).
pub(crate) fn join(dir: &Path, name: &str) -> std::path::PathBuf {
    let mut full = std::path::PathBuf::with_capacity(dir.as_os_str().len() + 1 + name.len());
    full.push(dir);
    full.push(name);
    full
}
