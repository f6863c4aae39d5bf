//! The gzip layer of a chart archive, framed as Helm frames it: Go's `compress/gzip` header with
//! Helm's extra field and the comment `Helm`, no file name and a zero modification time, so the
//! bytes depend only on the tar stream.

use std::io::Write;

use flate2::{Compression, GzBuilder};

/// The extra field Helm writes into every chart archive's gzip header.
const HELM_EXTRA: &[u8] = b"+aHR0cHM6Ly95b3V0dS5iZS96OVV6MWljandyTQo=";

/// Go's `compress/gzip` writes 255 ("unknown") as the operating system.
const OS_UNKNOWN: u8 = 255;

/// Compresses a tar stream into a chart archive.
pub fn compress(tar: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut encoder = GzBuilder::new()
        .extra(HELM_EXTRA)
        .comment("Helm")
        .mtime(0)
        .operating_system(OS_UNKNOWN)
        .write(Vec::with_capacity(tar.len() / 4), Compression::default());
    encoder.write_all(tar)?;
    encoder.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_is_gos_with_helms_extra_and_comment() {
        let gz = compress(b"hello").unwrap();
        // ID1 ID2 CM=deflate FLG=FEXTRA|FCOMMENT MTIME=0 XFL=0 OS=255
        assert_eq!(&gz[..10], &[0x1f, 0x8b, 8, 0x14, 0, 0, 0, 0, 0, 255]);
        assert_eq!(&gz[10..12], &(HELM_EXTRA.len() as u16).to_le_bytes());
        assert_eq!(&gz[12..12 + HELM_EXTRA.len()], HELM_EXTRA);
        assert_eq!(&gz[12 + HELM_EXTRA.len()..17 + HELM_EXTRA.len()], b"Helm\0");
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gz[..]), &mut out).unwrap();
        assert_eq!(out, b"hello");
    }
}
