//! `helmet package` against `helm package`: the decompressed tar stream of every chart under
//! `fixtures/package/` must equal Helm's (goldens from `scripts/refresh-package-goldens`), and
//! archives must be reproducible.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, UNIX_EPOCH};

use helmet::package::{chart_tar_stream, package_chart, package_chart_logged, PackageOptions};

/// Must match `pinned` in scripts/refresh-package-goldens.
const PINNED_MTIME: u64 = 1_600_000_000;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/package")
}

fn copy_tree(from: &Path, to: &Path, mtime: Option<u64>) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target, mtime);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
            if let Some(secs) = mtime {
                let file = std::fs::File::options().write(true).open(&target).unwrap();
                file.set_modified(UNIX_EPOCH + Duration::from_secs(secs))
                    .unwrap();
            }
        }
    }
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .unwrap();
    out
}

/// A fresh folder per call: tests run on several threads and package the same fixture at once.
fn temp_dir(tag: &str) -> PathBuf {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("helmet-package-{tag}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn package_fixture(name: &str, mtime: Option<u64>, options: &PackageOptions) -> Vec<u8> {
    let work = temp_dir(&format!("{name}-{}", mtime.unwrap_or(0)));
    copy_tree(&fixtures().join(name), &work.join(name), mtime);
    let mut options = options.clone();
    options.destination = work.join("out");
    let archive = package_chart(&work.join(name), &options).unwrap();
    let bytes = std::fs::read(archive).unwrap();
    std::fs::remove_dir_all(&work).unwrap();
    bytes
}

#[test]
fn tar_streams_match_helm_package() {
    let mut checked = 0;
    for entry in std::fs::read_dir(fixtures()).unwrap() {
        let path = entry.unwrap().path();
        if !path.join("Chart.yaml").exists() {
            continue;
        }
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let golden = std::fs::read(fixtures().join(format!("{name}.tar"))).unwrap();
        let archive = package_fixture(&name, Some(PINNED_MTIME), &PackageOptions::default());
        let ours = gunzip(&archive);
        if ours != golden {
            let at = ours.iter().zip(&golden).position(|(a, b)| a != b);
            panic!(
                "{name}: tar stream differs from Helm's at byte {at:?} (ours {} bytes, Helm's {})",
                ours.len(),
                golden.len()
            );
        }
        checked += 1;
    }
    assert!(
        checked >= 3,
        "expected the package fixtures, found {checked}"
    );
}

#[test]
fn archives_are_identical_across_runs_and_clones_with_source_date_epoch() {
    let options = PackageOptions {
        source_date_epoch: Some(1_700_000_000),
        ..PackageOptions::default()
    };
    // Two "clones" whose files carry different modification times.
    let a = package_fixture("full", Some(1_111_111_111), &options);
    let b = package_fixture("full", Some(1_222_222_222), &options);
    assert_eq!(a, b);
    // Without it, file times show through.
    let c = package_fixture("full", Some(1_111_111_111), &PackageOptions::default());
    let d = package_fixture("full", Some(1_222_222_222), &PackageOptions::default());
    assert_ne!(c, d);
    // The same input twice gives the same bytes, gzip layer included.
    assert_eq!(
        c,
        package_fixture("full", Some(1_111_111_111), &PackageOptions::default())
    );
}

#[test]
fn packaged_archive_loads_back_into_the_same_chart() {
    let archive = package_fixture("full", Some(PINNED_MTIME), &PackageOptions::default());
    let work = temp_dir("roundtrip");
    let tgz = work.join("full.tgz");
    std::fs::write(&tgz, &archive).unwrap();
    let from_archive = helmet::load_chart(&tgz).unwrap();
    let from_dir = helmet::load_chart(&fixtures().join("full")).unwrap();
    let names = |c: &helmet::Chart| -> Vec<(String, Vec<u8>)> {
        c.templates
            .iter()
            .chain(&c.files)
            .map(|f| (f.name.clone(), f.data.to_vec()))
            .collect()
    };
    assert_eq!(names(&from_archive), names(&from_dir));
    assert_eq!(from_archive.raw_values, from_dir.raw_values);
    assert_eq!(from_archive.schema, from_dir.schema);
    assert_eq!(from_archive.dependencies.len(), from_dir.dependencies.len());
    assert_eq!(from_archive.metadata.version, from_dir.metadata.version);
    // And writing it again gives the same stream.
    assert_eq!(
        chart_tar_stream(&from_archive, Some(PINNED_MTIME as i64)).unwrap(),
        chart_tar_stream(&from_dir, Some(PINNED_MTIME as i64)).unwrap()
    );
    std::fs::remove_dir_all(&work).unwrap();
}

#[test]
fn version_overrides_and_their_checks() {
    let options = PackageOptions {
        version: Some("9.9.9".into()),
        app_version: Some("next".into()),
        ..PackageOptions::default()
    };
    let work = temp_dir("override");
    copy_tree(&fixtures().join("v1"), &work.join("v1"), None);
    let opts = PackageOptions {
        destination: work.join("out"),
        ..options
    };
    let path = package_chart(&work.join("v1"), &opts).unwrap();
    assert!(path.ends_with("v1chart-9.9.9.tgz"));
    let tar = gunzip(&std::fs::read(&path).unwrap());
    let text = String::from_utf8_lossy(&tar);
    assert!(text.contains("appVersion: next\n"));
    assert!(text.contains("version: 9.9.9\n"));

    let bad = PackageOptions {
        destination: work.join("out"),
        version: Some("not-a-version".into()),
        ..PackageOptions::default()
    };
    let err = package_chart(&work.join("v1"), &bad).unwrap_err();
    assert_eq!(err.to_string(), "invalid semantic version");
    std::fs::remove_dir_all(&work).unwrap();
}

#[test]
fn missing_dependency_is_refused_and_nothing_is_written() {
    let work = temp_dir("missing-dep");
    copy_tree(&fixtures().join("full"), &work.join("full"), None);
    std::fs::remove_dir_all(work.join("full/charts/child")).unwrap();
    let options = PackageOptions {
        destination: work.join("out"),
        ..PackageOptions::default()
    };
    let err = package_chart(&work.join("full"), &options).unwrap_err();
    assert_eq!(
        err.to_string(),
        "found in Chart.yaml, but missing in charts/ directory: child"
    );
    assert!(!work.join("out").exists());
    std::fs::remove_dir_all(&work).unwrap();
}

#[test]
fn archive_whose_top_folder_is_not_the_chart_name_loads_as_in_helm() {
    // An archive made by hand: top folder "foo", chart named "full".
    let chart = helmet::load_chart(&fixtures().join("v1")).unwrap();
    let mut tar = chart_tar_stream(&chart, Some(0)).unwrap();
    // Rename the top folder in every header: "v1chart/" -> "foo/xxx/" would change lengths,
    // so use a same-length name and fix each header's checksum.
    let mut offset = 0;
    while offset + 512 <= tar.len() && tar[offset] != 0 {
        let header = &mut tar[offset..offset + 512];
        assert_eq!(&header[..8], b"v1chart/");
        header[..8].copy_from_slice(b"elsewhe/");
        header[148..156].copy_from_slice(b"        ");
        let sum: u32 = header.iter().map(|&b| u32::from(b)).sum();
        header[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
        let size = usize::from_str_radix(
            std::str::from_utf8(&header[124..135])
                .unwrap()
                .trim_matches('\0'),
            8,
        )
        .unwrap();
        offset += 512 + size.div_ceil(512) * 512;
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, &tar).unwrap();
    let work = temp_dir("top-folder");
    let path = work.join("elsewhere.tgz");
    std::fs::write(&path, gz.finish().unwrap()).unwrap();
    let loaded = helmet::load_chart(&path).unwrap();
    assert_eq!(loaded.name(), "v1chart");
    assert_eq!(loaded.templates.len(), chart.templates.len());
    std::fs::remove_dir_all(&work).unwrap();
}

/// The archive and the folder it came from render the same manifests.
#[test]
fn packaged_archive_templates_like_its_folder() {
    use helmet::output::{run_template, TemplateRequest};
    let archive = package_fixture("full", Some(PINNED_MTIME), &PackageOptions::default());
    let work = temp_dir("template-roundtrip");
    let tgz = work.join("full-1.2.3-rc.1+build.7.tgz");
    std::fs::write(&tgz, &archive).unwrap();
    let render = |path: &Path| {
        let mut request = TemplateRequest {
            chart_path: path.to_path_buf(),
            ..TemplateRequest::default()
        };
        request.output.include_crds = true;
        run_template(&request).unwrap().stdout
    };
    let from_archive = render(&tgz);
    assert!(from_archive.contains("kind: ConfigMap"), "{from_archive}");
    assert_eq!(from_archive, render(&fixtures().join("full")));
    std::fs::remove_dir_all(&work).unwrap();
}

/// Every folder under `fixtures/package/cases/`, packaged in place: Helm's loader log lines and
/// error (`cases/NAME.stderr`, with the repository as @ROOT@ and log times as @TIME@) and whether
/// it failed (`cases/NAME.code`).
#[test]
fn package_cases_log_and_fail_as_helm() {
    let cases = fixtures().join("cases");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .and_then(Path::parent)
        .unwrap()
        .to_path_buf();
    let mut names: Vec<String> = std::fs::read_dir(&cases)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(
        names.len() >= 9,
        "expected the package cases, found {names:?}"
    );
    for name in names {
        let golden = std::fs::read_to_string(cases.join(format!("{name}.stderr"))).unwrap();
        let code = std::fs::read_to_string(cases.join(format!("{name}.code"))).unwrap();
        let work = temp_dir(&format!("case-{name}"));
        let options = PackageOptions {
            destination: work.join("out"),
            ..PackageOptions::default()
        };
        let mut log = Vec::new();
        let result = package_chart_logged(
            &root.join("fixtures/package/cases").join(&name),
            &options,
            &mut log,
        );
        let mut stderr: String = log.iter().map(|line| format!("@TIME@ {line}\n")).collect();
        if let Err(e) = &result {
            stderr.push_str(&format!("Error: {e}\n"));
        }
        let stderr = stderr.replace(&root.display().to_string(), "@ROOT@");
        assert_eq!(stderr, golden, "{name}: standard error");
        assert_eq!(result.is_err(), code.trim() != "0", "{name}: exit code");
        std::fs::remove_dir_all(&work).unwrap();
    }
}
