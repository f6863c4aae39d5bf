//! A tar writer that produces the same bytes as Go's `archive/tar` does for the regular files
//! Helm puts in a chart archive.
//!
//! Helm leaves the header format to Go, which picks USTAR when a header fits it (splitting long
//! names into prefix and name), and PAX otherwise (names that are not ASCII or too long to split,
//! times before 1970). Go rounds modification times to the second, writes numbers as
//! zero-padded octal with a NUL terminator, and ends the archive with two zero blocks and no
//! record padding. Matching those choices is what makes our archives byte-identical to Helm's.

const BLOCK: usize = 512;
const NAME_LEN: usize = 100;
const PREFIX_LEN: usize = 155;

// Field offsets and widths of a USTAR header block.
const NAME: (usize, usize) = (0, 100);
const MODE: (usize, usize) = (100, 8);
const UID: (usize, usize) = (108, 8);
const GID: (usize, usize) = (116, 8);
const SIZE: (usize, usize) = (124, 12);
const MTIME: (usize, usize) = (136, 12);
const CHECKSUM: (usize, usize) = (148, 8);
const TYPEFLAG: usize = 156;
const MAGIC: (usize, usize) = (257, 6);
const VERSION: (usize, usize) = (263, 2);
const DEVMAJOR: (usize, usize) = (329, 8);
const DEVMINOR: (usize, usize) = (337, 8);
const PREFIX: (usize, usize) = (345, 155);

const TYPE_REGULAR: u8 = b'0';
const TYPE_PAX: u8 = b'x';

/// A tar stream being built in memory.
#[derive(Default)]
pub struct TarWriter {
    out: Vec<u8>,
}

impl TarWriter {
    /// An empty archive.
    pub fn new() -> TarWriter {
        TarWriter::default()
    }

    /// Appends a regular file with mode 0644, owner 0:0 and the given modification time in
    /// seconds since the Unix epoch (already rounded to the second, as Go rounds it).
    pub fn append_file(&mut self, name: &str, data: &[u8], mtime: i64) {
        let mut pax: Vec<(&str, String)> = Vec::new();
        let mut prefix = "";
        let mut short_name = name;
        let ascii = name.is_ascii();
        if !ascii || name.len() > NAME_LEN {
            match split_ustar_path(name) {
                Some((p, n)) if ascii => {
                    prefix = p;
                    short_name = n;
                }
                _ => pax.push(("path", name.to_string())),
            }
        }
        // USTAR's 12-byte octal field holds any time from 1970 to the year 33658.
        if !fits_in_octal(MTIME.1, mtime) {
            pax.push(("mtime", mtime.to_string()));
        }

        if !pax.is_empty() {
            pax.sort_by(|a, b| a.0.cmp(b.0));
            let records: String = pax.iter().map(|(k, v)| pax_record(k, v)).collect();
            let (dir, file) = split_dir(name);
            let pax_name = if dir.is_empty() {
                format!("PaxHeaders.0/{file}")
            } else {
                format!("{}/PaxHeaders.0/{file}", dir.trim_end_matches('/'))
            };
            self.append_raw_pax(&pax_name, records.as_bytes());
            // The main header of a PAX entry carries a best-effort ASCII name.
            let ascii_name = to_ascii(name);
            let block = header(&ascii_name, "", data.len() as u64, mtime, TYPE_REGULAR);
            self.push_entry(block, data);
        } else {
            let block = header(short_name, prefix, data.len() as u64, mtime, TYPE_REGULAR);
            self.push_entry(block, data);
        }
    }

    /// Finishes the archive: two zero blocks, as Go's `Writer.Close` writes.
    pub fn finish(mut self) -> Vec<u8> {
        self.out.extend_from_slice(&[0u8; 2 * BLOCK]);
        self.out
    }

    // A PAX extended header entry, written as Go's writeRawFile does: only name, mode, ids,
    // size and a zero time are set; device fields stay empty.
    fn append_raw_pax(&mut self, name: &str, data: &[u8]) {
        let mut name = to_ascii(name);
        name.truncate(NAME_LEN);
        let name = name.trim_end_matches('/');
        let mut block = [0u8; BLOCK];
        put_str(&mut block, NAME, name);
        put_octal(&mut block, MODE, 0);
        put_octal(&mut block, UID, 0);
        put_octal(&mut block, GID, 0);
        put_octal(&mut block, SIZE, data.len() as i64);
        put_octal(&mut block, MTIME, 0);
        block[TYPEFLAG] = TYPE_PAX;
        seal(&mut block);
        self.push_entry(block, data);
    }

    fn push_entry(&mut self, block: [u8; BLOCK], data: &[u8]) {
        self.out.extend_from_slice(&block);
        self.out.extend_from_slice(data);
        let pad = (BLOCK - data.len() % BLOCK) % BLOCK;
        self.out.resize(self.out.len() + pad, 0);
    }
}

fn header(name: &str, prefix: &str, size: u64, mtime: i64, typeflag: u8) -> [u8; BLOCK] {
    let mut block = [0u8; BLOCK];
    put_str(&mut block, NAME, name);
    put_octal(&mut block, MODE, 0o644);
    put_octal(&mut block, UID, 0);
    put_octal(&mut block, GID, 0);
    put_octal(&mut block, SIZE, size as i64);
    put_octal(
        &mut block,
        MTIME,
        if fits_in_octal(MTIME.1, mtime) {
            mtime
        } else {
            0
        },
    );
    block[TYPEFLAG] = typeflag;
    put_octal(&mut block, DEVMAJOR, 0);
    put_octal(&mut block, DEVMINOR, 0);
    put_str(&mut block, PREFIX, prefix);
    seal(&mut block);
    block
}

/// Writes the USTAR magic and version, then the checksum (computed with the checksum field read
/// as spaces, written as six octal digits, a NUL and a space).
fn seal(block: &mut [u8; BLOCK]) {
    put_bytes(block, MAGIC, b"ustar\0");
    put_bytes(block, VERSION, b"00");
    let field = CHECKSUM.0..CHECKSUM.0 + CHECKSUM.1;
    let sum: i64 = block
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            if field.contains(&i) {
                i64::from(b' ')
            } else {
                i64::from(b)
            }
        })
        .sum();
    put_octal(block, (CHECKSUM.0, 7), sum);
    block[CHECKSUM.0 + 7] = b' ';
}

fn put_bytes(block: &mut [u8; BLOCK], (at, len): (usize, usize), bytes: &[u8]) {
    let n = bytes.len().min(len);
    block[at..at + n].copy_from_slice(&bytes[..n]);
}

// A string field: copied (truncated to the field), NUL-terminated when shorter.
fn put_str(block: &mut [u8; BLOCK], field: (usize, usize), s: &str) {
    put_bytes(block, field, s.as_bytes());
}

// An octal field: zero-padded to the field's width less one, then NUL.
fn put_octal(block: &mut [u8; BLOCK], (at, len): (usize, usize), value: i64) {
    let value = if fits_in_octal(len, value) { value } else { 0 };
    let digits = format!("{value:0width$o}", width = len - 1);
    put_bytes(block, (at, len), digits.as_bytes());
}

fn fits_in_octal(len: usize, value: i64) -> bool {
    let octal_digits = (len - 1) as u32;
    value >= 0 && (octal_digits >= 21 || value < 1i64 << (3 * octal_digits))
}

/// Splits a long ASCII name at a slash into USTAR's prefix (at most 155 bytes) and name (at most
/// 100 bytes), the way Go does; `None` when no split fits.
fn split_ustar_path(name: &str) -> Option<(&str, &str)> {
    let mut length = name.len();
    if length <= NAME_LEN || !name.is_ascii() {
        return None;
    }
    if length > PREFIX_LEN + 1 {
        length = PREFIX_LEN + 1;
    } else if name.as_bytes()[length - 1] == b'/' {
        length -= 1;
    }
    let i = name[..length].rfind('/')?;
    let suffix_len = name.len() - i - 1;
    if i == 0 || suffix_len > NAME_LEN || suffix_len == 0 || i > PREFIX_LEN {
        return None;
    }
    Some((&name[..i], &name[i + 1..]))
}

fn split_dir(name: &str) -> (&str, &str) {
    match name.rfind('/') {
        Some(i) => (&name[..=i], &name[i + 1..]),
        None => ("", name),
    }
}

/// Go's toASCII: drops every character outside ASCII.
fn to_ascii(s: &str) -> String {
    s.chars().filter(char::is_ascii).collect()
}

/// A PAX record `"<len> <key>=<value>\n"`, where `<len>` counts the whole record, itself included.
fn pax_record(key: &str, value: &str) -> String {
    let body = format!(" {key}={value}\n");
    let mut len = body.len();
    loop {
        let total = len.to_string().len() + body.len();
        if total == len {
            return format!("{len}{body}");
        }
        len = total;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pax_record_length_counts_itself() {
        assert_eq!(pax_record("path", "a"), "9 path=a\n");
        assert_eq!(pax_record("path", &"a".repeat(90)).len(), 99);
        // 98 bytes of body: a two-digit count would make 100, so the count takes three digits.
        assert!(pax_record("path", &"a".repeat(91)).starts_with("101 "));
        let r = pax_record("path", &"x".repeat(95));
        assert_eq!(r.len().to_string(), r.split(' ').next().unwrap());
    }

    #[test]
    fn long_ascii_names_split_into_prefix() {
        let dir = "d".repeat(60);
        let name = format!("c/templates/{dir}/{}.yaml", "e".repeat(60));
        let (p, n) = split_ustar_path(&name).unwrap();
        assert_eq!(p, format!("c/templates/{dir}"));
        assert_eq!(n.len(), 65);
        assert!(split_ustar_path("short").is_none());
        assert!(split_ustar_path(&"z".repeat(120)).is_none());
    }

    #[test]
    fn header_checksum_reads_back() {
        let mut tar = TarWriter::new();
        tar.append_file("c/Chart.yaml", b"name: c\n", 1_795_387_740);
        let bytes = tar.finish();
        assert_eq!(bytes.len(), 4 * BLOCK);
        let block = &bytes[..BLOCK];
        assert_eq!(&block[100..108], b"0000644\0");
        assert_eq!(&block[136..148], b"15300670534\0");
        let stored = i64::from_str_radix(std::str::from_utf8(&block[148..154]).unwrap(), 8);
        let computed: i64 = block
            .iter()
            .enumerate()
            .map(|(i, &b)| {
                if (148..156).contains(&i) {
                    32
                } else {
                    i64::from(b)
                }
            })
            .sum();
        assert_eq!(stored.unwrap(), computed);
        assert_eq!(&block[154..156], b"\0 ");
    }

    #[test]
    fn non_ascii_names_get_a_pax_path_record() {
        let mut tar = TarWriter::new();
        tar.append_file("c/templates/\u{fc}n\u{ef}.yaml", b"k: 1\n", 0);
        let bytes = tar.finish();
        assert_eq!(&bytes[..31], b"c/templates/PaxHeaders.0/n.yaml");
        assert_eq!(bytes[156], b'x');
        assert_eq!(
            &bytes[512..543],
            "31 path=c/templates/\u{fc}n\u{ef}.yaml\n".as_bytes()
        );
        assert_eq!(&bytes[1024..1042], b"c/templates/n.yaml");
    }
}
