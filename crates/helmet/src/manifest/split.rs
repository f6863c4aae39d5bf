//! Splitting a rendered file into YAML documents exactly as Helm v4.2's `SplitManifests` does:
//! the separator is the regular expression `(?:^|\s*\n)---\s*`, so `---` must start the text or
//! a line, whitespace around it is swallowed (including blank lines after it), and text glued to
//! it (`---apiVersion: v1`) still splits.

/// Go regexp's `\s`: ASCII whitespace without `\v`.
fn is_re_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ')
}

/// The byte ranges of every separator match, leftmost first and not overlapping.
fn separator_matches(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let swallow_spaces = |mut i: usize| {
        while i < bytes.len() && is_re_space(bytes[i]) {
            i += 1;
        }
        i
    };
    let mut matches = Vec::new();
    let mut i = 0;
    if text.starts_with("---") {
        let end = swallow_spaces(3);
        matches.push((0, end));
        i = end;
    }
    while i < bytes.len() {
        if !is_re_space(bytes[i]) {
            i += 1;
            continue;
        }
        // Every match starting inside this run of spaces ends the run the same way, so the
        // leftmost one starts where the run starts.
        let run_end = swallow_spaces(i);
        if bytes[run_end - 1] == b'\n' && bytes[run_end..].starts_with(b"---") {
            let end = swallow_spaces(run_end + 3);
            matches.push((i, end));
            i = end;
        } else {
            i = run_end;
        }
    }
    matches
}

/// Go's `regexp.Split(s, -1)` with the separator above.
fn split_on_separators(text: &str) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut start = 0;
    for (match_start, match_end) in separator_matches(text) {
        pieces.push(&text[start..match_start]);
        start = match_end;
    }
    pieces.push(&text[start..]);
    pieces
}

/// The documents of a rendered file, in order: leading whitespace trimmed (Go's
/// `unicode.IsSpace`, which is Rust's `char::is_whitespace`), blank documents dropped, trailing
/// whitespace of the last document kept.
pub fn split_manifests(text: &str) -> Vec<String> {
    let text = text.trim_start();
    split_on_separators(text)
        .into_iter()
        .filter(|doc| !doc.trim().is_empty())
        .map(|doc| doc.trim_start().to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::split_manifests;

    #[test]
    fn splits_like_helm() {
        assert_eq!(
            split_manifests("kind: A\na: 1\n\n\n---\n\n# c\n---\nkind: B\nb: 2\n   \n"),
            vec!["kind: A\na: 1", "# c", "kind: B\nb: 2\n   \n"]
        );
        assert_eq!(
            split_manifests("---apiVersion: v1\n"),
            vec!["apiVersion: v1\n"]
        );
        assert_eq!(
            split_manifests("a: |\n  ---\nb: 1"),
            vec!["a: |\n  ---\nb: 1"]
        );
        // The first separator swallows the newline the second one would need.
        assert_eq!(split_manifests("  \n---\n---\n"), vec!["---\n"]);
        assert_eq!(split_manifests("  \n---\n \n"), Vec::<String>::new());
        assert_eq!(split_manifests("a: b---c"), vec!["a: b---c"]);
    }
}
