//! Reads the documentation comments of a `values.yaml`, line by line.
//!
//! The YAML reader drops comments, so this scanner walks the text itself. It understands as much
//! YAML as key paths need: block mappings by indentation, quoted and plain keys, block scalars
//! (`|`, `>`) whose lines it skips, and sequences, whose items it does not document.

use std::collections::BTreeMap;

/// What the comments above one key say.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeyDoc {
    /// The text after `# --`, with its continuation lines joined by spaces.
    pub description: String,
    /// The text after `# @default --`, which replaces the default shown for the key.
    pub default: Option<String>,
}

/// The comment block being collected above the next key.
#[derive(Default)]
struct Pending {
    /// Whether a `# --` line opened a description in this block.
    open: bool,
    doc: KeyDoc,
}

impl Pending {
    fn take(&mut self) -> Option<KeyDoc> {
        let pending = std::mem::take(self);
        pending.open.then_some(pending.doc)
    }

    /// Adds one comment line (the text after `#`, trimmed).
    fn add(&mut self, text: &str) {
        if let Some(rest) = marker(text, "--") {
            // A new `# --` restarts the description: only the block nearest the key counts.
            self.open = true;
            self.doc = KeyDoc {
                description: rest.to_string(),
                default: None,
            };
        } else if let Some(rest) = text.strip_prefix("@default").and_then(|r| marker(r, "--")) {
            self.doc.default = Some(rest.to_string());
        } else if self.open && self.doc.default.is_none() && !text.is_empty() {
            if !self.doc.description.is_empty() {
                self.doc.description.push(' ');
            }
            self.doc.description.push_str(text);
        }
    }
}

/// The rest of `text` after `mark` and at least one space (or nothing), trimmed.
fn marker<'a>(text: &'a str, mark: &str) -> Option<&'a str> {
    let rest = text.trim_start().strip_prefix(mark)?;
    if rest.is_empty() {
        Some("")
    } else if rest.starts_with([' ', '\t']) {
        Some(rest.trim())
    } else {
        None
    }
}

/// A key of a mapping line: the key text and the rest of the line after the `:`.
fn split_key(line: &str) -> Option<(String, &str)> {
    let (key, rest) = match line.chars().next()? {
        quote @ ('"' | '\'') => {
            let end = line[1..].find(quote)? + 1;
            (line[1..end].to_string(), line[end + 1..].strip_prefix(':')?)
        }
        '-' | '#' | '[' | '{' | '&' | '*' | '!' | '|' | '>' | '%' | '@' | '`' => return None,
        _ => {
            let colon = line
                .char_indices()
                .find(|&(i, c)| {
                    c == ':' && matches!(line[i + 1..].chars().next(), None | Some(' ' | '\t'))
                })?
                .0;
            (line[..colon].trim_end().to_string(), &line[colon + 1..])
        }
    };
    if !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
        return None;
    }
    Some((key, rest.trim()))
}

/// Whether a value text starts a block scalar (`|`, `>-`, `|2+` ...).
fn starts_block_scalar(value: &str) -> bool {
    let value = value.split(" #").next().unwrap_or("").trim_end();
    let mut chars = value.chars();
    matches!(chars.next(), Some('|' | '>')) && chars.all(|c| matches!(c, '+' | '-' | '1'..='9'))
}

/// Reads the `# --` documentation of every key of a values file, by key path.
pub fn scan(source: &str) -> BTreeMap<Vec<String>, KeyDoc> {
    let mut docs = BTreeMap::new();
    let mut pending = Pending::default();
    // The open mappings: indentation and key of each ancestor of the next line.
    let mut stack: Vec<(usize, String)> = Vec::new();
    // Lines indented deeper than this belong to a block scalar or a sequence: no keys there.
    let mut skip_deeper_than: Option<usize> = None;
    for raw in source.lines() {
        let line = raw.trim_end();
        let content = line.trim_start_matches(' ');
        let indent = line.len() - content.len();
        if let Some(limit) = skip_deeper_than {
            if content.is_empty() || indent > limit {
                continue;
            }
            skip_deeper_than = None;
        }
        if content.is_empty() || content == "---" {
            // A blank line detaches a comment block from the key below it.
            pending = Pending::default();
            continue;
        }
        if let Some(text) = content.strip_prefix('#') {
            pending.add(text.trim());
            continue;
        }
        while stack.last().is_some_and(|(i, _)| *i >= indent) {
            stack.pop();
        }
        if content.starts_with('-') {
            // A sequence item: its contents are part of the parent's value.
            pending = Pending::default();
            skip_deeper_than = Some(indent);
            continue;
        }
        let Some((key, value)) = split_key(content) else {
            pending = Pending::default();
            continue;
        };
        let mut path: Vec<String> = stack.iter().map(|(_, k)| k.clone()).collect();
        path.push(key.clone());
        if let Some(doc) = pending.take() {
            docs.insert(path, doc);
        }
        if starts_block_scalar(value) {
            skip_deeper_than = Some(indent);
        } else if value.is_empty() || value.starts_with('#') {
            stack.push((indent, key));
        }
    }
    docs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(p: &str) -> Vec<String> {
        p.split('.').map(str::to_string).collect()
    }

    #[test]
    fn nested_keys_follow_indentation() {
        let docs = scan(
            "# -- top\na: 1\nb:\n  # -- inner\n  c:\n    # -- deep\n    d: x\n  # -- sibling\n  e: y\n# -- back\nf: z\n",
        );
        let keys: Vec<String> = docs.keys().map(|k| k.join(".")).collect();
        assert_eq!(keys, ["a", "b.c", "b.c.d", "b.e", "f"]);
        assert_eq!(docs[&path("b.e")].description, "sibling");
    }

    #[test]
    fn continuation_lines_and_default_override() {
        let docs = scan("# -- first line\n# second line\n# @default -- `computed`\nkey: \"\"\n");
        assert_eq!(
            docs[&path("key")],
            KeyDoc {
                description: "first line second line".into(),
                default: Some("`computed`".into())
            }
        );
    }

    #[test]
    fn blank_lines_detach_and_plain_comments_do_not_document() {
        let docs = scan("# -- orphan\n\na: 1\n# just a note\nb: 2\n");
        assert!(docs.is_empty());
    }

    #[test]
    fn block_scalars_and_sequences_hide_their_lines() {
        let docs = scan(
            "script: |\n  # -- not a doc\n  k: v\nlist:\n  - name: x\n    # -- inside an item\n    y: 1\n# -- after\nafter: 1\n",
        );
        let keys: Vec<String> = docs.keys().map(|k| k.join(".")).collect();
        assert_eq!(keys, ["after"]);
    }

    #[test]
    fn any_cut_of_a_tricky_file_scans_without_panicking() {
        let text = "# -- é\n'q':\n  \"a.b\": |-\n    x: y\n  - : \n:\n\"unterminated: 1\n k\t: v\n# @default --\nz: ü # c\n";
        for (cut, _) in text.char_indices() {
            scan(&text[..cut]);
            scan(&text[cut..]);
        }
    }

    #[test]
    fn quoted_keys_keep_their_dots() {
        let docs = scan("annotations:\n  # -- scrape\n  \"prometheus.io/scrape\": \"true\"\n");
        assert!(docs.contains_key(&vec![
            "annotations".to_string(),
            "prometheus.io/scrape".to_string()
        ]));
    }
}
