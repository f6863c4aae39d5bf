//! Reading chart archives (`.tgz`): gzip, then tar, into the chart's files, in memory only.
//!
//! Helm's rules (`pkg/chart/loader/archive`): the first path element is the chart's folder and is
//! dropped; absolute paths, `..` and drive letters are refused; `Chart.yaml` must not sit at the
//! top; a file may hold at most 5 MiB and the whole chart at most 100 MiB once decompressed.
//! We are stricter than Helm where its behaviour is unsafe or surprising: links, devices and
//! other non-regular entries, duplicate paths and several top folders are refused.

use std::io::Read;

use crate::chart::{Error, File};

/// Helm's `MaxDecompressedChartSize`: the most file data a chart archive may hold.
pub const MAX_DECOMPRESSED_CHART_SIZE: u64 = 100 * 1024 * 1024;
/// Helm's `MaxDecompressedFileSize`: the largest file a chart may hold.
pub const MAX_DECOMPRESSED_FILE_SIZE: u64 = 5 * 1024 * 1024;

const BLOCK: usize = 512;
/// The most extension data (PAX records, GNU long names) we accept for one entry.
const MAX_EXTENSION_SIZE: u64 = 1024 * 1024;

/// Whether the bytes start with gzip's magic and the deflate method, as Helm checks first.
pub fn looks_gzipped(bytes: &[u8]) -> bool {
    bytes.starts_with(b"\x1F\x8B\x08")
}

/// Go's `http.DetectContentType` for the cases that matter in Helm's "not a gzipped archive"
/// message. Helm sniffs a zero-filled 512-byte buffer, so shorter files look binary unless a
/// signature matches first.
pub fn detect_content_type(bytes: &[u8]) -> &'static str {
    let mut head = [0u8; 512];
    let n = bytes.len().min(512);
    head[..n].copy_from_slice(&bytes[..n]);
    let ws = head
        .iter()
        .position(|b| !matches!(b, b'\t' | b'\n' | b'\x0c' | b'\r' | b' '))
        .unwrap_or(512);
    let trimmed = &head[ws..];
    let html_tags: [&[u8]; 17] = [
        b"<!DOCTYPE HTML",
        b"<HTML",
        b"<HEAD",
        b"<SCRIPT",
        b"<IFRAME",
        b"<H1",
        b"<DIV",
        b"<FONT",
        b"<TABLE",
        b"<A",
        b"<STYLE",
        b"<TITLE",
        b"<B",
        b"<BODY",
        b"<BR",
        b"<P",
        b"<!--",
    ];
    for tag in html_tags {
        if trimmed.len() > tag.len()
            && trimmed[..tag.len()].eq_ignore_ascii_case(tag)
            && matches!(trimmed[tag.len()], b' ' | b'>')
        {
            return "text/html; charset=utf-8";
        }
    }
    if trimmed.starts_with(b"<?xml") {
        return "text/xml; charset=utf-8";
    }
    let signatures: [(&[u8], &str); 9] = [
        (b"%PDF-", "application/pdf"),
        (b"%!PS-Adobe-", "application/postscript"),
        (b"\xFE\xFF", "text/plain; charset=utf-16be"),
        (b"\xFF\xFE", "text/plain; charset=utf-16le"),
        (b"\xEF\xBB\xBF", "text/plain; charset=utf-8"),
        (b"\x89PNG\r\n\x1A\n", "image/png"),
        (b"PK\x03\x04", "application/zip"),
        (b"\x1F\x8B\x08", "application/x-gzip"),
        (b"BZh", "application/x-bzip2"),
    ];
    for (magic, kind) in signatures {
        if head.starts_with(magic) {
            return kind;
        }
    }
    let binary = head.iter().any(|&b| {
        b <= 0x08 || b == 0x0B || (0x0E..=0x1A).contains(&b) || (0x1C..=0x1F).contains(&b)
    });
    if binary {
        "application/octet-stream"
    } else {
        "text/plain; charset=utf-8"
    }
}

/// Reads a chart archive into its files (names relative to the chart folder, `/`-separated,
/// leading UTF-8 byte order marks removed), in archive order.
///
/// As Helm's `LoadArchiveFiles`, each entry's first path element is dropped whatever it is:
/// an archive may hold several top folders, and a name twice (the loader then takes the later
/// one where Helm keeps one: values, templates, `.Files`).
pub fn read_chart_archive(bytes: &[u8]) -> Result<Vec<File>, Error> {
    // Go's gzip reader first reads the 10-byte header.
    if bytes.is_empty() {
        return Err(Error::new("EOF"));
    }
    if bytes.len() < 10 {
        return Err(Error::new("unexpected EOF"));
    }
    if !looks_gzipped(bytes) {
        return Err(Error::new("gzip: invalid header"));
    }
    let mut reader = TarReader {
        input: flate2::read::MultiGzDecoder::new(bytes),
    };
    let mut files: Vec<File> = Vec::new();
    let mut remaining = MAX_DECOMPRESSED_CHART_SIZE;
    while let Some(entry) = reader.next_header()? {
        match entry.kind {
            EntryKind::Directory | EntryKind::PaxGlobal => {
                reader.skip(entry.size)?;
                continue;
            }
            EntryKind::Regular => {}
            // Links, devices and FIFOs have no data: Go's tar reader hands Helm an empty file
            // of that name (a symbolic link is not followed).
            EntryKind::Other(b'1' | b'2' | b'3' | b'4' | b'6') => {}
            EntryKind::Other(flag) => {
                return Err(Error::new(format!(
                    "chart archive entry {:?} has tar type {:?}, which is not supported yet",
                    entry.name, flag as char
                )));
            }
        }
        let name = &entry.name;
        let delimiter = if name.contains('\\') { '\\' } else { '/' };
        let parts: Vec<&str> = name.split(delimiter).collect();
        let joined = parts[1..].join("/");
        if joined.starts_with('/') {
            return Err(Error::new("chart illegally contains absolute paths"));
        }
        let cleaned = clean_path(&joined);
        if cleaned == "." {
            return Err(Error::new(format!(
                "chart illegally contains content outside the base directory: {}",
                helmet_value::strconv::quote(name)
            )));
        }
        if cleaned.starts_with("..") {
            return Err(Error::new("chart illegally references parent directory"));
        }
        let bytes = cleaned.as_bytes();
        if bytes.len() >= 3
            && bytes[0].is_ascii_alphabetic()
            && bytes[1] == b':'
            && bytes[2] == b'/'
        {
            return Err(Error::new("chart contains illegally named files"));
        }
        if parts[0] == "Chart.yaml" {
            return Err(Error::new("chart yaml not in base directory"));
        }
        if entry.size > remaining {
            return Err(Error::new(format!(
                "decompressed chart is larger than the maximum size {MAX_DECOMPRESSED_CHART_SIZE}"
            )));
        }
        if entry.size > MAX_DECOMPRESSED_FILE_SIZE {
            return Err(Error::new(format!(
                "decompressed chart file {} is larger than the maximum file size {MAX_DECOMPRESSED_FILE_SIZE}",
                helmet_value::strconv::quote(name)
            )));
        }
        let header_only = matches!(entry.kind, EntryKind::Other(_));
        let data = if header_only {
            Vec::new()
        } else {
            reader.read_data(entry.size)?
        };
        remaining -= entry.size;
        if remaining == 0 {
            return Err(Error::new(format!(
                "decompressed chart is larger than the maximum size {MAX_DECOMPRESSED_CHART_SIZE}"
            )));
        }
        let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&data);
        let modified = std::time::UNIX_EPOCH
            .checked_add(std::time::Duration::from_secs(entry.mtime.max(0) as u64));
        files.push(File::new(cleaned, data.to_vec()).with_modified(modified));
    }
    if files.is_empty() {
        return Err(Error::new("no files in chart archive"));
    }
    Ok(files)
}

/// Go's `path.Clean` on a slash-separated path.
pub(crate) fn clean_path(path: &str) -> String {
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            p => parts.push(p),
        }
    }
    let body = parts.join("/");
    match (rooted, body.is_empty()) {
        (true, _) => format!("/{body}"),
        (false, true) => ".".to_string(),
        (false, false) => body,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EntryKind {
    Regular,
    Directory,
    PaxGlobal,
    Other(u8),
}

#[derive(Debug)]
struct Entry {
    name: String,
    size: u64,
    kind: EntryKind,
    /// Seconds since the Unix epoch (a PAX `mtime` record wins over the header field).
    mtime: i64,
}

/// A minimal streaming tar reader (USTAR, GNU long names, PAX `path`/`size` records).
struct TarReader<R: Read> {
    input: R,
}

fn io_error(err: std::io::Error) -> Error {
    match err.kind() {
        std::io::ErrorKind::UnexpectedEof => Error::new("unexpected EOF"),
        std::io::ErrorKind::InvalidInput | std::io::ErrorKind::InvalidData => {
            let text = err.to_string();
            if text.contains("header") {
                Error::new("gzip: invalid header")
            } else if text.contains("checksum") || text.contains("crc") {
                Error::new("gzip: invalid checksum")
            } else {
                Error::new(format!("flate: corrupt input ({text})"))
            }
        }
        _ => Error::new(err.to_string()),
    }
}

impl<R: Read> TarReader<R> {
    /// Reads exactly one block; `Ok(false)` at a clean end of input.
    fn read_block(&mut self, block: &mut [u8; BLOCK]) -> Result<bool, Error> {
        let mut filled = 0;
        while filled < BLOCK {
            match self.input.read(&mut block[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(io_error(e)),
            }
        }
        match filled {
            0 => Ok(false),
            BLOCK => Ok(true),
            _ => Err(Error::new("unexpected EOF")),
        }
    }

    /// Reads `size` bytes of entry data and the padding after them.
    fn read_data(&mut self, size: u64) -> Result<Vec<u8>, Error> {
        let mut data = Vec::new();
        (&mut self.input)
            .take(size)
            .read_to_end(&mut data)
            .map_err(io_error)?;
        if (data.len() as u64) < size {
            return Err(Error::new("unexpected EOF"));
        }
        self.skip_padding(size)?;
        Ok(data)
    }

    fn skip(&mut self, size: u64) -> Result<(), Error> {
        let copied = std::io::copy(&mut (&mut self.input).take(size), &mut std::io::sink())
            .map_err(io_error)?;
        if copied < size {
            return Err(Error::new("unexpected EOF"));
        }
        self.skip_padding(size)
    }

    fn skip_padding(&mut self, size: u64) -> Result<(), Error> {
        let pad = (BLOCK as u64 - size % BLOCK as u64) % BLOCK as u64;
        let copied = std::io::copy(&mut (&mut self.input).take(pad), &mut std::io::sink())
            .map_err(io_error)?;
        if copied < pad {
            return Err(Error::new("unexpected EOF"));
        }
        Ok(())
    }

    /// The next entry's header, with PAX and GNU long-name records applied; `None` at the end.
    fn next_header(&mut self) -> Result<Option<Entry>, Error> {
        let mut long_name: Option<String> = None;
        let mut pax_path: Option<String> = None;
        let mut pax_size: Option<u64> = None;
        let mut pax_mtime: Option<i64> = None;
        let mut block = [0u8; BLOCK];
        loop {
            if !self.read_block(&mut block)? {
                return Ok(None);
            }
            if block.iter().all(|&b| b == 0) {
                // One zero block, then (usually) another: the end of the archive.
                return Ok(None);
            }
            verify_checksum(&block)?;
            let flag = block[156];
            let size = parse_octal(&block[124..136])?;
            match flag {
                b'x' | b'L' => {
                    if size > MAX_EXTENSION_SIZE {
                        return Err(Error::new("archive/tar: invalid tar header"));
                    }
                    let data = self.read_data(size)?;
                    if flag == b'L' {
                        let end = data.iter().position(|&b| b == 0).unwrap_or(data.len());
                        long_name = Some(String::from_utf8_lossy(&data[..end]).into_owned());
                    } else {
                        for (key, value) in parse_pax(&data)? {
                            match key.as_str() {
                                "path" => pax_path = Some(value),
                                "mtime" => {
                                    // Whole seconds; a fraction, if any, is dropped.
                                    let secs = value.split('.').next().unwrap_or("");
                                    pax_mtime = secs.parse().ok();
                                }
                                "size" => {
                                    pax_size = Some(value.parse().map_err(|_| {
                                        Error::new("archive/tar: invalid tar header")
                                    })?)
                                }
                                _ => {}
                            }
                        }
                    }
                    continue;
                }
                _ => {}
            }
            let name = field_str(&block[0..100]);
            let magic = &block[257..263];
            let prefix = if magic == b"ustar\0" {
                field_str(&block[345..500])
            } else {
                String::new()
            };
            let header_name = if prefix.is_empty() {
                name
            } else {
                format!("{prefix}/{name}")
            };
            let name = pax_path.or(long_name).unwrap_or(header_name);
            let size = pax_size.unwrap_or(size);
            let mtime = match pax_mtime {
                Some(t) => t,
                None => parse_octal(&block[136..148])? as i64,
            };
            let kind = match flag {
                b'0' | 0 | b'7' if name.ends_with('/') => EntryKind::Directory,
                b'0' | 0 | b'7' => EntryKind::Regular,
                b'5' => EntryKind::Directory,
                b'g' => EntryKind::PaxGlobal,
                other => EntryKind::Other(other),
            };
            return Ok(Some(Entry {
                name,
                size,
                kind,
                mtime,
            }));
        }
    }
}

fn field_str(field: &[u8]) -> String {
    let end = field.iter().position(|&b| b == 0).unwrap_or(field.len());
    String::from_utf8_lossy(&field[..end]).into_owned()
}

fn parse_octal(field: &[u8]) -> Result<u64, Error> {
    let bad = || Error::new("archive/tar: invalid tar header");
    if field.first().is_some_and(|&b| b & 0x80 != 0) {
        // GNU base-256: only positive values that fit in 63 bits.
        if field[0] & 0x40 != 0 {
            return Err(bad());
        }
        let mut value: u64 = (field[0] & 0x3F) as u64;
        for &b in &field[1..] {
            value = value.checked_mul(256).ok_or_else(bad)? + b as u64;
        }
        return Ok(value);
    }
    let text = field_str(field);
    let text = text.trim_matches(|c| c == ' ' || c == '\0');
    if text.is_empty() {
        return Ok(0);
    }
    u64::from_str_radix(text, 8).map_err(|_| bad())
}

fn verify_checksum(block: &[u8; BLOCK]) -> Result<(), Error> {
    let stored = parse_octal(&block[148..156])?;
    let mut unsigned: u64 = 0;
    let mut signed: i64 = 0;
    for (i, &b) in block.iter().enumerate() {
        let b = if (148..156).contains(&i) { b' ' } else { b };
        unsigned += b as u64;
        signed += (b as i8) as i64;
    }
    if stored == unsigned || stored as i64 == signed {
        Ok(())
    } else {
        Err(Error::new("archive/tar: invalid tar header"))
    }
}

/// PAX records: `"%d %s=%s\n"` each, the length counting the whole record.
fn parse_pax(mut data: &[u8]) -> Result<Vec<(String, String)>, Error> {
    let bad = || Error::new("archive/tar: invalid tar header");
    let mut records = Vec::new();
    while !data.is_empty() && data[0] != 0 {
        let space = data.iter().position(|&b| b == b' ').ok_or_else(bad)?;
        let len: usize = std::str::from_utf8(&data[..space])
            .ok()
            .and_then(|s| s.parse().ok())
            .ok_or_else(bad)?;
        if len <= space + 1 || len > data.len() || data[len - 1] != b'\n' {
            return Err(bad());
        }
        let record = &data[space + 1..len - 1];
        let eq = record.iter().position(|&b| b == b'=').ok_or_else(bad)?;
        records.push((
            String::from_utf8_lossy(&record[..eq]).into_owned(),
            String::from_utf8_lossy(&record[eq + 1..]).into_owned(),
        ));
        data = &data[len..];
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A tar header block for `name` with the given type flag and size.
    fn header(name: &str, flag: u8, size: usize) -> Vec<u8> {
        let mut h = vec![0u8; BLOCK];
        h[..name.len()].copy_from_slice(name.as_bytes());
        h[100..107].copy_from_slice(b"0000644");
        h[124..135].copy_from_slice(format!("{size:011o}").as_bytes());
        h[136..147].copy_from_slice(b"00000000000");
        h[156] = flag;
        h[257..263].copy_from_slice(b"ustar\0");
        h[263..265].copy_from_slice(b"00");
        h[148..156].copy_from_slice(b"        ");
        let sum: u32 = h.iter().map(|&b| b as u32).sum();
        h[148..155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
        h
    }

    fn tar(entries: &[(&str, u8, &[u8])]) -> Vec<u8> {
        let mut out = Vec::new();
        for (name, flag, data) in entries {
            out.extend(header(name, *flag, data.len()));
            out.extend_from_slice(data);
            out.resize(out.len().div_ceil(BLOCK) * BLOCK, 0);
        }
        out.extend(vec![0u8; BLOCK * 2]);
        out
    }

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(data).unwrap();
        enc.finish().unwrap()
    }

    fn read(entries: &[(&str, u8, &[u8])]) -> Result<Vec<File>, Error> {
        read_chart_archive(&gzip(&tar(entries)))
    }

    #[test]
    fn reads_files_without_top_folder_and_bom() {
        let files = read(&[
            ("c/", b'5', b""),
            ("c/Chart.yaml", b'0', b"name: c\n"),
            ("c/templates/a.yaml", b'0', b"\xEF\xBB\xBFa: 1\n"),
        ])
        .unwrap();
        let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["Chart.yaml", "templates/a.yaml"]);
        assert_eq!(&*files[1].data, b"a: 1\n");
    }

    /// Links, devices and FIFOs come out of Go's tar reader as files without data.
    #[test]
    fn links_and_special_files_are_empty_files() {
        let files = read(&[
            ("c/Chart.yaml", b'0', b"name: c\n"),
            ("c/link", b'2', b""),
            ("c/hard", b'1', b""),
            ("c/null", b'3', b""),
            ("c/fifo", b'6', b""),
        ])
        .unwrap();
        let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["Chart.yaml", "link", "hard", "null", "fifo"]);
        assert!(files[1..].iter().all(|f| f.data.is_empty()));
    }

    #[test]
    fn refuses_hostile_archives() {
        let msg = |entries: &[(&str, u8, &[u8])]| read(entries).unwrap_err().to_string();
        assert_eq!(
            msg(&[("c/../../etc/passwd", b'0', b"x")]),
            "chart illegally references parent directory"
        );
        assert_eq!(
            msg(&[("c//etc/passwd", b'0', b"x")]),
            "chart illegally contains absolute paths"
        );
        // Helm checks for content outside the chart folder first, so a top-level Chart.yaml
        // is reported that way.
        assert_eq!(
            msg(&[("Chart.yaml", b'0', b"x")]),
            "chart illegally contains content outside the base directory: \"Chart.yaml\""
        );
        assert_eq!(
            msg(&[("README", b'0', b"x")]),
            "chart illegally contains content outside the base directory: \"README\""
        );
        assert_eq!(
            msg(&[("c/C:/x", b'0', b"x")]),
            "chart contains illegally named files"
        );
        // Tar types Go's reader does not turn into files are named.
        assert!(msg(&[("c/sparse", b'S', b"")]).contains("has tar type 'S'"));
        assert_eq!(msg(&[("c/", b'5', b"")]), "no files in chart archive");
        let big = vec![b'a'; MAX_DECOMPRESSED_FILE_SIZE as usize + 1];
        assert_eq!(
            msg(&[("c/big", b'0', &big)]),
            "decompressed chart file \"c/big\" is larger than the maximum file size 5242880"
        );
    }

    #[test]
    fn keeps_repeated_names_and_several_top_folders() {
        let files = read(&[
            ("c/a", b'0', b"1"),
            ("d/a", b'0', b"2"),
            ("c/./a", b'0', b"3"),
        ])
        .unwrap();
        let got: Vec<(&str, &[u8])> = files
            .iter()
            .map(|f| (f.name.as_str(), &f.data[..]))
            .collect();
        assert_eq!(got, [("a", &b"1"[..]), ("a", b"2"), ("a", b"3")]);
    }

    #[test]
    fn refuses_broken_streams() {
        assert_eq!(
            read_chart_archive(b"not gzip at all")
                .unwrap_err()
                .to_string(),
            "gzip: invalid header"
        );
        // Shorter than gzip's header: Go's reader runs out of input first.
        assert_eq!(
            read_chart_archive(b"junk\n").unwrap_err().to_string(),
            "unexpected EOF"
        );
        assert_eq!(read_chart_archive(b"").unwrap_err().to_string(), "EOF");
        let full = gzip(&tar(&[("c/Chart.yaml", b'0', b"name: c\n")]));
        let cut = &full[..full.len() / 2];
        assert!(read_chart_archive(cut).is_err());
        let mut bad_tar = tar(&[("c/Chart.yaml", b'0', b"name: c\n")]);
        bad_tar[150] ^= 0x01;
        assert_eq!(
            read_chart_archive(&gzip(&bad_tar)).unwrap_err().to_string(),
            "archive/tar: invalid tar header"
        );
        let truncated = tar(&[("c/Chart.yaml", b'0', &[b'x'; 2000])]);
        assert_eq!(
            read_chart_archive(&gzip(&truncated[..1024]))
                .unwrap_err()
                .to_string(),
            "unexpected EOF"
        );
    }
}
