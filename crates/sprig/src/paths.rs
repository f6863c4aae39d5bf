//! Sprig's path functions: Go's `path` package (`base`, `dir`, `ext`, `clean`, `isAbs`) and
//! `path/filepath` on Linux (`osBase`, ...), which behave the same for `/`-separated paths.

use helmet_value::{ArgType, FuncMap, Value};

use crate::{arg_str, def};

/// Go's `path.Clean`.
pub(crate) fn clean(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let rooted = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|s| *s != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            s => parts.push(s),
        }
    }
    let body = parts.join("/");
    match (rooted, body.is_empty()) {
        (true, _) => format!("/{body}"),
        (false, true) => ".".into(),
        (false, false) => body,
    }
}

/// Go's `path.Base`.
fn base(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let t = p.trim_end_matches('/');
    if t.is_empty() {
        return "/".into();
    }
    t.rsplit('/').next().unwrap_or(t).to_string()
}

/// Go's `path.Dir`.
fn dir(p: &str) -> String {
    let cut = p.rfind('/').map_or(0, |i| i + 1);
    clean(&p[..cut])
}

/// Go's `path.Ext`.
fn ext(p: &str) -> String {
    for (i, c) in p.char_indices().rev() {
        if c == '/' {
            break;
        }
        if c == '.' {
            return p[i..].to_string();
        }
    }
    String::new()
}

pub(crate) fn register(map: &mut FuncMap) {
    let s = ArgType::String;
    for prefix in ["", "os"] {
        let name = |n: &str| {
            if prefix.is_empty() {
                n.to_string()
            } else {
                format!("{prefix}{}{}", n[..1].to_uppercase(), &n[1..])
            }
        };
        def(map, &name("base"), &[s], |_, a| {
            Ok(Value::from(base(arg_str(a, 0))))
        });
        def(map, &name("dir"), &[s], |_, a| {
            Ok(Value::from(dir(arg_str(a, 0))))
        });
        def(map, &name("ext"), &[s], |_, a| {
            Ok(Value::from(ext(arg_str(a, 0))))
        });
        def(map, &name("clean"), &[s], |_, a| {
            Ok(Value::from(clean(arg_str(a, 0))))
        });
        def(map, &name("isAbs"), &[s], |_, a| {
            Ok(Value::Bool(arg_str(a, 0).starts_with('/')))
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_paths() {
        assert_eq!(clean("a/../../b/./c//"), "../b/c");
        assert_eq!(clean("/../a"), "/a");
        assert_eq!(base("/a/b/"), "b");
        assert_eq!(dir("a/b/c"), "a/b");
        assert_eq!(dir("abc"), ".");
        assert_eq!(ext("a/b.tar.gz"), ".gz");
    }
}
