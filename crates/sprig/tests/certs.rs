//! Keys and certificates made through the template engine, checked by `openssl`: chains
//! verify, extensions are what Sprig asks Go's x509 for, keys pass `-check` and match their
//! certificates. Skipped (with a message) when `openssl` is not installed.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use helmet_template::Templates;
use helmet_value::{Map, Value};

/// Renders `template` with the full function library and empty values.
fn render(template: &str) -> String {
    let mut t = Templates::new(Arc::new(helmet_sprig::functions()));
    t.add("t", template).expect("parses");
    let mut top = Map::new();
    top.insert("Values".into(), Value::map(Map::new()));
    t.execute("t", &Value::map(top))
        .unwrap_or_else(|e| panic!("render failed: {}", e.message))
}

/// Runs openssl, returning (success, stdout + stderr).
fn openssl(args: &[&str], dir: &Path) -> (bool, String) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn openssl_ok(args: &[&str], dir: &Path) -> String {
    let (ok, text) = openssl(args, dir);
    assert!(ok, "openssl {args:?} failed:\n{text}");
    text
}

fn have_openssl() -> bool {
    Command::new("openssl")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Removes a test's directory unless `HELMET_CERTS_KEEP` is set (to inspect the PEMs).
fn clean_up(dir: &Path) {
    if std::env::var_os("HELMET_CERTS_KEEP").is_some() {
        println!("kept {}", dir.display());
    } else {
        let _ = std::fs::remove_dir_all(dir);
    }
}

fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("helmet-certs-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Renders a template that prints `@@NAME@@` markers before each PEM, and writes each PEM to
/// `NAME` in `dir`.
fn write_pems(template: &str, dir: &Path) {
    let out = render(template);
    let mut count = 0;
    // Before the first marker is only the template's leading text.
    let parts: Vec<&str> = out.split("@@").skip(1).collect();
    for chunk in parts.chunks(2) {
        if let [name, body] = chunk {
            std::fs::write(dir.join(name), body.trim_start()).expect("write pem");
            count += 1;
        }
    }
    assert!(count > 0, "no PEMs in output:\n{out}");
}

const CHAIN: &str = r#"
{{- $ca := genCA "rsa-ca" 365 }}
{{- $ek := genPrivateKey "ecdsa" }}
{{- $edk := genPrivateKey "ed25519" }}
{{- $eca := genCAWithKey "ec-ca" 30 $ek }}
{{- $edca := genCAWithKey "ed-ca" 30 $edk }}
{{- $ss := genSelfSignedCert "self" (list "10.0.0.1" "::1") (list "a.example") 10 }}
{{- $s := genSignedCert "leaf" (list "10.0.0.2") (list "b.example") 10 $ca }}
{{- $s2 := genSignedCertWithKey "leaf2" nil (list "c.example") 10 $eca (genPrivateKey "ed25519") }}
{{- $s3 := genSignedCertWithKey "leaf3" nil nil 10 $edca (genPrivateKey "ecdsa") }}
{{- $s4 := genSelfSignedCertWithKey "self4" nil (list "x.example") 10 $ca.Key }}
{{- $custom := buildCustomCert ($eca.Cert | b64enc) ($eca.Key | b64enc) }}
{{- $s5 := genSignedCertWithKey "leaf5" nil nil 5 $custom $s.Key }}
{{- range $name, $c := dict "ca" $ca "eca" $eca "edca" $edca "ss" $ss "s" $s "s2" $s2 "s3" $s3 "s4" $s4 "s5" $s5 }}
@@{{ $name }}.crt@@{{ $c.Cert }}@@{{ $name }}.key@@{{ $c.Key }}
{{- end }}
@@ek.pem@@{{ $ek }}@@edk.pem@@{{ $edk }}
"#;

#[test]
fn chains_verify_and_extensions_match_sprig() {
    if !have_openssl() {
        println!("skipped: openssl not found");
        return;
    }
    let dir = temp_dir("chain");
    write_pems(CHAIN, &dir);
    for (ca, leaf) in [("ca", "s"), ("eca", "s2"), ("edca", "s3"), ("eca", "s5")] {
        let out = openssl_ok(
            &[
                "verify",
                "-CAfile",
                &format!("{ca}.crt"),
                &format!("{leaf}.crt"),
            ],
            &dir,
        );
        assert!(out.contains(": OK"), "{out}");
    }
    // Self-signed leaves verify as their own trust anchors (their signatures are good).
    for name in ["ss.crt", "s4.crt"] {
        let out = openssl_ok(&["verify", "-CAfile", name, name], &dir);
        assert!(out.contains(": OK"), "{out}");
    }

    let text = |name: &str| openssl_ok(&["x509", "-noout", "-text", "-in", name], &dir);
    for (ca, algorithm) in [
        ("ca", "sha256WithRSAEncryption"),
        ("eca", "ecdsa-with-SHA256"),
        ("edca", "ED25519"),
    ] {
        let t = text(&format!("{ca}.crt"));
        assert!(t.contains("CA:TRUE"), "{t}");
        assert!(
            t.contains("Digital Signature, Key Encipherment, Certificate Sign"),
            "{t}"
        );
        assert!(t.contains("Subject Key Identifier"), "{t}");
        assert!(!t.contains("Authority Key Identifier"), "{t}");
        assert!(
            t.contains(&format!("Signature Algorithm: {algorithm}")),
            "{t}"
        );
    }
    let ss = text("ss.crt");
    assert!(ss.contains("CA:FALSE"), "{ss}");
    assert!(ss.contains("Digital Signature, Key Encipherment\n"), "{ss}");
    assert!(
        ss.contains("TLS Web Server Authentication, TLS Web Client Authentication"),
        "{ss}"
    );
    assert!(
        ss.contains("DNS:a.example, IP Address:10.0.0.1, IP Address:0:0:0:0:0:0:0:1"),
        "{ss}"
    );
    // Go adds an authority key id only when issuer and subject differ.
    assert!(!ss.contains("Authority Key Identifier"), "{ss}");
    let s = text("s.crt");
    assert!(
        s.contains("Issuer: CN = rsa-ca") && s.contains("Subject: CN = leaf"),
        "{s}"
    );
    assert!(s.contains("DNS:b.example, IP Address:10.0.0.2"), "{s}");
    let s2 = text("s2.crt");
    assert!(s2.contains("ED25519 Public-Key"), "{s2}");
    assert!(
        s2.contains("Signature Algorithm: ecdsa-with-SHA256"),
        "{s2}"
    );
    let s3 = text("s3.crt");
    assert!(s3.contains("NIST CURVE: P-256"), "{s3}");
    assert!(s3.contains("Signature Algorithm: ED25519"), "{s3}");
    let s4 = text("s4.crt");
    assert!(
        s4.contains("Subject: CN = self4") && s4.contains("DNS:x.example"),
        "{s4}"
    );

    // The authority key id of a signed certificate is its CA's subject key id.
    let key_id = |t: &str, label: &str| {
        let at = t.find(label).unwrap_or_else(|| panic!("no {label} in {t}"));
        t[at..].lines().nth(1).unwrap_or("").trim().to_string()
    };
    assert_eq!(
        key_id(&text("ca.crt"), "Subject Key Identifier"),
        key_id(&s, "Authority Key Identifier")
    );
    assert_eq!(
        key_id(&text("edca.crt"), "Subject Key Identifier"),
        key_id(&s3, "Authority Key Identifier")
    );

    // Each key matches its certificate and passes openssl's consistency checks.
    for name in ["ca", "eca", "edca", "ss", "s", "s2", "s3", "s4", "s5"] {
        let (crt, key) = (format!("{name}.crt"), format!("{name}.key"));
        openssl_ok(&["pkey", "-check", "-noout", "-in", &key], &dir);
        let from_key = openssl_ok(&["pkey", "-pubout", "-in", &key], &dir);
        let from_cert = openssl_ok(&["x509", "-noout", "-pubkey", "-in", &crt], &dir);
        assert_eq!(
            from_key, from_cert,
            "{name}: key does not match certificate"
        );
    }
    openssl_ok(&["ec", "-check", "-noout", "-in", "ek.pem"], &dir);
    openssl_ok(&["rsa", "-check", "-noout", "-in", "ca.key"], &dir);
    clean_up(&dir);
}

#[test]
fn generated_keys_have_sprig_formats_and_pass_openssl_checks() {
    let out = render(
        r#"{{ range list "rsa" "ecdsa" "ed25519" "dsa" }}@@{{ . }}.pem@@{{ genPrivateKey . }}{{ end }}"#,
    );
    for (kind, header) in [
        ("rsa", "RSA PRIVATE KEY"),
        ("ecdsa", "EC PRIVATE KEY"),
        ("ed25519", "PRIVATE KEY"),
        ("dsa", "DSA PRIVATE KEY"),
    ] {
        assert!(
            out.contains(&format!("@@{kind}.pem@@-----BEGIN {header}-----\n")),
            "{out}"
        );
    }
    if !have_openssl() {
        println!("skipped: openssl not found");
        return;
    }
    let dir = temp_dir("keys");
    write_pems(&out, &dir);
    let rsa = openssl_ok(
        &["rsa", "-check", "-noout", "-text", "-in", "rsa.pem"],
        &dir,
    );
    assert!(rsa.contains("Private-Key: (4096 bit, 2 primes)"), "{rsa}");
    let ec = openssl_ok(
        &["ec", "-check", "-noout", "-text", "-in", "ecdsa.pem"],
        &dir,
    );
    assert!(ec.contains("NIST CURVE: P-256"), "{ec}");
    let ed = openssl_ok(
        &["pkey", "-check", "-noout", "-text", "-in", "ed25519.pem"],
        &dir,
    );
    assert!(ed.contains("ED25519 Private-Key"), "{ed}");
    let dsa = openssl_ok(
        &["pkey", "-check", "-noout", "-text", "-in", "dsa.pem"],
        &dir,
    );
    assert!(dsa.contains("Private-Key: (2048 bit)"), "{dsa}");
    clean_up(&dir);
}

#[test]
fn keys_openssl_made_sign_certificates_with_the_algorithm_go_picks() {
    if !have_openssl() {
        println!("skipped: openssl not found");
        return;
    }
    let dir = temp_dir("foreign");
    let made = [
        (
            "p224",
            vec!["ecparam", "-genkey", "-noout", "-name", "secp224r1"],
            "ecdsa-with-SHA256",
        ),
        (
            "p384",
            vec!["ecparam", "-genkey", "-noout", "-name", "secp384r1"],
            "ecdsa-with-SHA384",
        ),
        (
            "p521",
            vec!["ecparam", "-genkey", "-noout", "-name", "secp521r1"],
            "ecdsa-with-SHA512",
        ),
        (
            "ec8",
            vec![
                "genpkey",
                "-algorithm",
                "EC",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
            ],
            "ecdsa-with-SHA256",
        ),
        (
            "rsa8",
            vec![
                "genpkey",
                "-algorithm",
                "RSA",
                "-pkeyopt",
                "rsa_keygen_bits:1024",
            ],
            "sha256WithRSAEncryption",
        ),
        ("ed", vec!["genpkey", "-algorithm", "ed25519"], "ED25519"),
    ];
    for (name, args, algorithm) in made {
        let key = openssl_ok(&args, &dir);
        let key = &key[key.find("-----BEGIN").expect("a PEM key")..];
        let out = render(&format!(
            "@@ca.crt@@{{{{ $ca := genCAWithKey \"{name}\" 3 `{key}` }}}}{{{{ $ca.Cert }}}}\
             @@leaf.crt@@{{{{ (genSignedCert \"leaf\" nil nil 1 $ca).Cert }}}}"
        ));
        write_pems(&out, &dir);
        let t = openssl_ok(&["x509", "-noout", "-text", "-in", "ca.crt"], &dir);
        assert!(
            t.contains(&format!("Signature Algorithm: {algorithm}")),
            "{name}: {t}"
        );
        let verified = openssl_ok(&["verify", "-CAfile", "ca.crt", "leaf.crt"], &dir);
        assert!(verified.contains(": OK"), "{name}: {verified}");
        std::fs::write(dir.join("key.pem"), key).expect("write key");
        let from_key = openssl_ok(&["pkey", "-pubout", "-in", "key.pem"], &dir);
        let from_cert = openssl_ok(&["x509", "-noout", "-pubkey", "-in", "ca.crt"], &dir);
        assert_eq!(
            from_key, from_cert,
            "{name}: certificate is not for the key"
        );
    }
    clean_up(&dir);
}
