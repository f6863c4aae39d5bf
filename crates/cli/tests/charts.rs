//! Runs every case of every chart fixture (`fixtures/charts/*/cases.txt`) through the built
//! `helmet` binary and compares standard output (or standard error and exit code) byte for byte
//! with the goldens real Helm produced (`scripts/refresh-chart-goldens`).

use std::path::{Path, PathBuf};
use std::process::Command;

/// Splits a line into words as the shell does for the goldens script: blanks separate words,
/// single quotes keep everything, double quotes keep everything but `\"` and `\\`, and a
/// backslash outside quotes escapes the next character.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut in_word = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' => {
                if in_word {
                    words.push(std::mem::take(&mut current));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                for q in chars.by_ref() {
                    if q == '\'' {
                        break;
                    }
                    current.push(q);
                }
            }
            '"' => {
                in_word = true;
                while let Some(q) = chars.next() {
                    match q {
                        '"' => break,
                        '\\' if matches!(chars.peek(), Some('"' | '\\' | '$' | '`')) => {
                            current.extend(chars.next());
                        }
                        _ => current.push(q),
                    }
                }
            }
            '\\' => {
                in_word = true;
                current.extend(chars.next());
            }
            _ => {
                in_word = true;
                current.push(c);
            }
        }
    }
    if in_word {
        words.push(current);
    }
    words
}

struct Case {
    chart: PathBuf,
    name: String,
    args: Vec<String>,
}

fn cases() -> Vec<Case> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/charts");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("fixtures/charts exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("cases.txt").is_file())
        .collect();
    dirs.sort();
    let mut out = Vec::new();
    for dir in dirs {
        let text = std::fs::read_to_string(dir.join("cases.txt")).expect("cases.txt readable");
        for line in text.lines() {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let mut words = shell_words(line);
            let name = words.remove(0);
            let command = if words.first().map(String::as_str) == Some("render") {
                words.remove(0);
                "render"
            } else {
                "template"
            };
            let mut args = vec![command.to_string(), "release-name".into(), ".".into()];
            args.extend(words);
            out.push(Case {
                chart: dir.clone(),
                name,
                args,
            });
        }
    }
    out
}

/// Log lines as the goldens keep them: without Go's `2006/01/02 15:04:05 ` timestamps, and the
/// repository's absolute path written `<root>/`.
fn normalize_log(text: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut roots: Vec<String> = Vec::new();
    for path in [
        std::fs::canonicalize(&root).ok(),
        std::path::absolute(&root).ok(),
    ]
    .into_iter()
    .flatten()
    {
        roots.push(format!("{}/", path.display()));
    }
    let mut out = String::new();
    for line in text.split_inclusive('\n') {
        let bytes = line.as_bytes();
        let stamped = bytes.len() >= 20
            && bytes[..19].iter().enumerate().all(|(i, b)| match i {
                4 | 7 => *b == b'/',
                10 => *b == b' ',
                13 | 16 => *b == b':',
                _ => b.is_ascii_digit(),
            })
            && bytes[19] == b' ';
        let mut line = if stamped { &line[20..] } else { line }.to_string();
        for root in &roots {
            line = line.replace(root.as_str(), "<root>/");
        }
        out.push_str(&line);
    }
    out
}

/// Whether two logs hold the same lines in the same number and order, except that Helm logs
/// the coalescing warnings of one pass in Go's random map order: between two other lines
/// (symbolic links, loader and dependency warnings), those may come in any order.
fn same_log(want: &str, got: &str) -> bool {
    fn groups(text: &str) -> Vec<Vec<&str>> {
        let mut out: Vec<Vec<&str>> = vec![Vec::new()];
        for line in text.lines() {
            if line.starts_with("warning: ")
                || line.starts_with("Conflict: ")
                || line.starts_with("key ")
            {
                out.last_mut().expect("never empty").push(line);
            } else {
                out.push(vec![line]);
                out.push(Vec::new());
            }
        }
        for group in &mut out {
            group.sort_unstable();
        }
        out
    }
    groups(want) == groups(got)
}

/// Compares one case; returns a description of the difference, if any.
fn check(case: &Case) -> Option<String> {
    let goldens = case.chart.join("goldens");
    // No kubeconfig, namespace variable or pod decides the release namespace.
    let output = Command::new(env!("CARGO_BIN_EXE_helmet"))
        .args(&case.args)
        .current_dir(&case.chart)
        .env_remove("HELM_NAMESPACE")
        .env_remove("KUBERNETES_SERVICE_HOST")
        .env_remove("HELM_DEBUG")
        .env("KUBECONFIG", "/nonexistent/kubeconfig")
        .output()
        .expect("helmet runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = normalize_log(&String::from_utf8_lossy(&output.stderr));
    let code = output.status.code().unwrap_or(-1);
    let label = format!(
        "{}/{} (helmet {})",
        case.chart.file_name().unwrap_or_default().to_string_lossy(),
        case.name,
        case.args.join(" ")
    );
    let expected_out = goldens.join(format!("{}.out", case.name));
    if let Ok(want) = std::fs::read_to_string(&expected_out) {
        if code != 0 || stdout != want {
            return Some(format!(
                "{label}: exit {code}\n--- want stdout\n{want}\n--- got stdout\n{stdout}\n--- got stderr\n{stderr}"
            ));
        }
        // Only `helm template` cases keep Helm's log (the oracle's `render` is not the CLI's).
        if case.args.first().map(String::as_str) == Some("template") {
            let want_log = std::fs::read_to_string(goldens.join(format!("{}.log", case.name)))
                .unwrap_or_default();
            if !same_log(&want_log, &stderr) {
                return Some(format!(
                    "{label}: log differs\n--- want stderr\n{want_log}\n--- got stderr\n{stderr}"
                ));
            }
        }
        return None;
    }
    let want_err = std::fs::read_to_string(goldens.join(format!("{}.err", case.name)))
        .unwrap_or_else(|_| panic!("{label}: no golden; run scripts/refresh-chart-goldens"));
    let want_code: i32 = std::fs::read_to_string(goldens.join(format!("{}.exit", case.name)))
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(1);
    // The log lines before the error may come in Go's map order; the error itself is exact.
    let split = |t: &str| -> (String, String) {
        let at = t
            .match_indices("Error: ")
            .map(|(i, _)| i)
            .find(|&i| i == 0 || t.as_bytes()[i - 1] == b'\n')
            .unwrap_or(t.len());
        (t[..at].to_string(), t[at..].to_string())
    };
    let ((want_log, want_error), (got_log, got_error)) = (split(&want_err), split(&stderr));
    if code != want_code || want_error != got_error || !same_log(&want_log, &got_log) {
        return Some(format!(
            "{label}: exit {code}, want {want_code}\n--- want stderr\n{want_err}\n--- got stderr\n{stderr}\n--- got stdout\n{stdout}"
        ));
    }
    None
}

/// Cases that still differ from Helm, each for a known gap (none at the moment). The test
/// fails when one of these starts to match, so the list only shrinks.
const KNOWN_DIFFERENCES: &[&str] = &[];

fn is_known_difference(case: &Case) -> bool {
    let label = format!(
        "{}/{}",
        case.chart.file_name().unwrap_or_default().to_string_lossy(),
        case.name
    );
    KNOWN_DIFFERENCES.contains(&label.as_str())
}

#[test]
fn chart_fixtures_match_helm() {
    let cases = cases();
    assert!(!cases.is_empty(), "no chart cases found");
    let (known, expected): (Vec<&Case>, Vec<&Case>) =
        cases.iter().partition(|c| is_known_difference(c));
    let fixed: Vec<String> = known
        .iter()
        .filter(|c| check(c).is_none())
        .map(|c| format!("{}/{}", c.chart.display(), c.name))
        .collect();
    assert!(
        fixed.is_empty(),
        "these cases now match Helm; remove them from KNOWN_DIFFERENCES: {fixed:?}"
    );
    let failures: Vec<String> = expected.into_iter().filter_map(check).collect();
    if !failures.is_empty() {
        panic!(
            "{} of {} chart cases differ from Helm:\n\n{}",
            failures.len(),
            cases.len(),
            failures.join("\n========\n")
        );
    }
}

#[test]
fn shell_words_split_like_sh() {
    assert_eq!(
        shell_words(r#"a --set "x=1 2" 'y=$z' b\ c"#),
        vec!["a", "--set", "x=1 2", "y=$z", "b c"]
    );
}

/// Answers one HTTP/1.1 request with a file under `root` (200) or 404, then closes.
fn answer(mut stream: impl std::io::Read + std::io::Write, root: &Path) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 65536 {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let head = String::from_utf8_lossy(&head);
    let path = head.split_whitespace().nth(1).unwrap_or("/");
    let file = path.trim_start_matches('/');
    let body = match file.split('/').any(|s| s == "..") {
        true => None,
        false => std::fs::read(root.join(file)).ok(),
    };
    let (status, body) = match body {
        Some(body) => ("200 OK", body),
        None => ("404 Not Found", b"404 page not found\n".to_vec()),
    };
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(&body);
    let _ = stream.flush();
}

/// Serves the files under `root` on 127.0.0.1 (a free port), over HTTPS when `tls` names the
/// fixture's certificate folder (as `localhost`, with `server.pem` and `server.key`). Returns
/// the server's URL; the server lives as long as the test process.
fn serve(root: PathBuf, tls: Option<&Path>) -> String {
    use rustls::pki_types::pem::PemObject;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let port = listener.local_addr().expect("bound").port();
    let config = tls.map(|dir| {
        let certs = rustls::pki_types::CertificateDer::pem_file_iter(dir.join("server.pem"))
            .expect("server.pem")
            .collect::<Result<Vec<_>, _>>()
            .expect("certificates");
        let key = rustls::pki_types::PrivateKeyDer::from_pem_file(dir.join("server.key"))
            .expect("server.key");
        let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("TLS versions")
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .expect("the fixture's certificate");
        std::sync::Arc::new(config)
    });
    let url = match config {
        Some(_) => format!("https://localhost:{port}"),
        None => format!("http://127.0.0.1:{port}"),
    };
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (root, config) = (root.clone(), config.clone());
            std::thread::spawn(move || match config {
                Some(config) => {
                    let Ok(connection) = rustls::ServerConnection::new(config) else {
                        return;
                    };
                    answer(rustls::StreamOwned::new(connection, stream), &root);
                }
                None => answer(stream, &root),
            });
        }
    });
    url
}

/// A schema failure report with each run of sibling `- at ...` entries (an entry with the
/// more indented lines below it) sorted: equal for two reports that differ only in Helm's
/// random order of sibling failures.
fn failures_in_order(text: &str) -> Vec<String> {
    fn indent(line: &str) -> usize {
        line.len() - line.trim_start().len()
    }
    fn blocks(lines: &[&str]) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut run: Vec<String> = Vec::new();
        let mut i = 0;
        while i < lines.len() {
            let level = indent(lines[i]);
            let end = (i + 1..lines.len())
                .find(|&j| indent(lines[j]) <= level)
                .unwrap_or(lines.len());
            let block = std::iter::once(lines[i].to_string())
                .chain(blocks(&lines[i + 1..end]))
                .collect::<Vec<_>>()
                .join("\n");
            if lines[i].trim_start().starts_with("- ") {
                run.push(block);
            } else {
                run.sort();
                out.append(&mut run);
                out.push(block);
            }
            i = end;
        }
        run.sort();
        out.append(&mut run);
        out
    }
    blocks(&text.lines().collect::<Vec<_>>())
}

/// Copies the folder `from` to `to`, replacing the fixtures' placeholders in every file.
fn copy_placeholders(from: &Path, to: &Path, replace: &[(&str, &str)]) {
    std::fs::create_dir_all(to).expect("folder made");
    for entry in std::fs::read_dir(from).expect("fixture folder").flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_placeholders(&entry.path(), &target, replace);
        } else {
            let mut text = std::fs::read_to_string(entry.path()).expect("a text file");
            for (placeholder, value) in replace {
                text = text.replace(placeholder, value);
            }
            std::fs::write(target, text).expect("file written");
        }
    }
}

/// `fixtures/schema-remote`: values schemas that reference documents by http, https and file
/// URLs, against goldens Helm made with the same documents served
/// (`fixtures/schema-remote/refresh`). The servers' URLs are `@SERVER@` and `@TLS_SERVER@` in
/// the goldens, the served folder `@SERVED@`; `NAME=VALUE` words after a case's chart set
/// environment variables (`@TLS@` is the fixture's certificate folder).
#[test]
fn remote_schema_fixtures_match_helm() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/schema-remote");
    let work = std::env::temp_dir().join(format!("helmet-schema-remote-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    let served = work.join("served");
    let served_text = served.display().to_string();
    let tls = fixture.join("tls");
    let server = serve(served.clone(), None);
    let tls_server = serve(served.clone(), Some(&tls));
    let replace = [
        ("@SERVER@", server.as_str()),
        ("@TLS_SERVER@", tls_server.as_str()),
        ("@SERVED@", served_text.as_str()),
    ];
    copy_placeholders(&fixture.join("served"), &served, &replace);
    copy_placeholders(&fixture.join("charts"), &work.join("charts"), &replace);
    let cases = std::fs::read_to_string(fixture.join("cases.txt")).expect("cases.txt");
    let goldens = fixture.join("goldens");
    let masked = |bytes: &[u8]| {
        normalize_log(&String::from_utf8_lossy(bytes))
            .replace(&server, "@SERVER@")
            .replace(&tls_server, "@TLS_SERVER@")
            .replace(&served_text, "@SERVED@")
    };
    let mut failures = Vec::new();
    let mut count = 0;
    for line in cases
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
    {
        let words = shell_words(line);
        let (name, chart, mut flags) = (&words[0], &words[1], &words[2..]);
        let mut env = Vec::new();
        while let Some((key, value)) = flags.first().and_then(|w| w.split_once('=')) {
            if key.is_empty() || !key.bytes().all(|b| b.is_ascii_uppercase() || b == b'_') {
                break;
            }
            env.push((key, value.replace("@TLS@", &tls.display().to_string())));
            flags = &flags[1..];
        }
        count += 1;
        let output = Command::new(env!("CARGO_BIN_EXE_helmet"))
            .args(["template", "release-name", &format!("charts/{chart}")])
            .args(flags)
            .current_dir(&work)
            // The machine's own certificate authorities do not know the fixture's.
            .env_remove("SSL_CERT_FILE")
            .env_remove("SSL_CERT_DIR")
            .envs(env)
            .env_remove("HELM_NAMESPACE")
            .env_remove("HELM_DEBUG")
            // The server is local; a proxy of the machine must not be asked for it.
            .env_remove("HTTP_PROXY")
            .env_remove("http_proxy")
            .env_remove("HTTPS_PROXY")
            .env_remove("https_proxy")
            .output()
            .expect("helmet runs");
        let (stdout, stderr) = (masked(&output.stdout), masked(&output.stderr));
        let code = output.status.code().unwrap_or(-1);
        let read = |ext: &str| std::fs::read_to_string(goldens.join(format!("{name}.{ext}")));
        let (want_out, want_err, want_code) = match read("out") {
            Ok(out) => (out, read("log").unwrap_or_default(), 0),
            Err(_) => {
                let code = read("exit").ok().and_then(|c| c.trim().parse().ok());
                (
                    String::new(),
                    read("err").expect("a golden"),
                    code.unwrap_or(1),
                )
            }
        };
        // Helm lists the failures of sibling properties in Go's random map order.
        let same_err = stderr == want_err
            || (code != 0 && failures_in_order(&stderr) == failures_in_order(&want_err));
        if (stdout.as_str(), code) != (&want_out, want_code) || !same_err {
            failures.push(format!(
                "{name} (exit {code}, want {want_code})\n--- want stdout\n{want_out}\n--- got stdout\n{stdout}\n--- want stderr\n{want_err}\n--- got stderr\n{stderr}"
            ));
        }
    }
    let _ = std::fs::remove_dir_all(&work);
    assert!(count > 0, "no cases in fixtures/schema-remote/cases.txt");
    assert!(
        failures.is_empty(),
        "{} of {count} remote schema cases differ from Helm:\n\n{}",
        failures.len(),
        failures.join("\n========\n")
    );
}
