//! The load cache (`load/watch.rs`): a chart loaded again and again is kept while inotify
//! reports no change under it. Each test first loads a chart until it is kept (so that the next
//! load would be served from memory), then changes something under it, and checks that the next
//! load reads what a load that bypasses the cache (`load_dir`, `load_archive_file`) reads, and
//! the change itself. A cache that served a stale chart fails them.
#![cfg(target_os = "linux")]

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use helmet::load::{kept_chart_paths, load_archive_file, load_chart, load_dir};
use helmet::Chart;

/// The tests share one process-wide cache; some empty it or change the current folder.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// A fresh folder per test, by its path without symbolic links (the cache keeps no chart
/// reached through one).
fn work_dir(tag: &str) -> PathBuf {
    let root = std::fs::canonicalize(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let dir = root.join(format!("load-cache-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A chart with files at the top, in a subfolder and in a folder of templates.
fn write_chart(dir: &Path, name: &str, marker: &str) {
    write(
        &dir.join("Chart.yaml"),
        &format!("apiVersion: v2\nname: {name}\nversion: 1.0.0\n"),
    );
    write(&dir.join("values.yaml"), &format!("marker: {marker}\n"));
    write(
        &dir.join("templates/a.yaml"),
        "kind: ConfigMap\ndata:\n  a: \"1\"\n",
    );
    write(&dir.join("templates/sub/b.yaml"), "kind: Secret\n");
    write(&dir.join("files/f.txt"), "file\n");
}

/// A file of a chart as read: name, bytes, modification time.
type FileRead = (String, Vec<u8>, Option<std::time::SystemTime>);

/// A fresh folder for test `tag`, and the chart written at `rel` in it (marker `one`).
fn chart_in(tag: &str, rel: &str) -> (PathBuf, PathBuf) {
    let work = work_dir(tag);
    let app = work.join(rel);
    write_chart(&app, "app", "one");
    (work, app)
}

/// What a load read: every file, and the values.
fn contents(chart: &Chart) -> (Vec<FileRead>, String) {
    let files = chart
        .raw
        .iter()
        .map(|f| (f.name.clone(), f.data.to_vec(), f.modified))
        .collect();
    (files, helmet_yaml::to_json(&chart.values).unwrap())
}

/// The chart at `path` as read without the cache.
fn read_fresh(path: &Path) -> Chart {
    if path.is_dir() {
        load_dir(path).unwrap()
    } else {
        load_archive_file(path).unwrap()
    }
}

/// Loads `path` through the cache, checking that it reads what a fresh read gives.
fn load_checked(path: &Path) -> Chart {
    let chart = load_chart(path).unwrap();
    assert_eq!(contents(&chart), contents(&read_fresh(path)), "{path:?}");
    chart
}

fn is_kept(key: &Path) -> bool {
    kept_chart_paths().iter().any(|kept| kept == key)
}

/// Loads `path` until the cache keeps it as `key`.
fn keep(path: &Path, key: &Path) {
    for _ in 0..4 {
        load_checked(path);
    }
    assert!(
        is_kept(key),
        "{key:?} is not kept: {:?}",
        kept_chart_paths()
    );
    // Served from memory, unchanged.
    load_checked(path);
    assert!(is_kept(key));
}

/// The chart's `marker` value (each test chart says which it is by it).
fn marker(chart: &Chart) -> String {
    let value = chart.values.map_get("marker").unwrap();
    value.as_str().unwrap().to_string()
}

fn template<'c>(chart: &'c Chart, name: &str) -> Option<&'c str> {
    chart
        .templates
        .iter()
        .find(|f| f.name == name)
        .map(|f| std::str::from_utf8(&f.data).unwrap())
}

#[test]
fn changes_inside_the_chart_are_seen() {
    let _serial = serial();
    let (work, app) = chart_in("inside", "app");

    // Same size, same second: only the event tells.
    keep(&app, &app);
    write(
        &app.join("templates/a.yaml"),
        "kind: ConfigMap\ndata:\n  a: \"2\"\n",
    );
    let chart = load_checked(&app);
    assert!(template(&chart, "templates/a.yaml")
        .unwrap()
        .contains("\"2\""));

    // In a subfolder.
    keep(&app, &app);
    write(&app.join("templates/sub/b.yaml"), "kind: Secreu\n");
    let chart = load_checked(&app);
    assert_eq!(
        template(&chart, "templates/sub/b.yaml"),
        Some("kind: Secreu\n")
    );

    // A file added.
    keep(&app, &app);
    write(&app.join("templates/sub/c.yaml"), "kind: Service\n");
    let chart = load_checked(&app);
    assert!(template(&chart, "templates/sub/c.yaml").is_some());

    // A file deleted.
    keep(&app, &app);
    std::fs::remove_file(app.join("templates/sub/c.yaml")).unwrap();
    let chart = load_checked(&app);
    assert!(template(&chart, "templates/sub/c.yaml").is_none());

    // A folder renamed.
    keep(&app, &app);
    std::fs::rename(app.join("templates/sub"), app.join("templates/other")).unwrap();
    let chart = load_checked(&app);
    assert!(template(&chart, "templates/other/b.yaml").is_some());
    assert!(template(&chart, "templates/sub/b.yaml").is_none());

    // A folder created, then a file written in it.
    keep(&app, &app);
    std::fs::create_dir(app.join("templates/new")).unwrap();
    load_checked(&app);
    keep(&app, &app);
    write(&app.join("templates/new/d.yaml"), "kind: Pod\n");
    let chart = load_checked(&app);
    assert!(template(&chart, "templates/new/d.yaml").is_some());

    // `.helmignore` written: a folder left out.
    keep(&app, &app);
    write(&app.join(".helmignore"), "files/\n");
    let chart = load_checked(&app);
    assert!(!chart.files.iter().any(|f| f.name == "files/f.txt"));

    // Only the modification time changed (the chart keeps it; `helm package` writes it).
    keep(&app, &app);
    let file = std::fs::File::options()
        .write(true)
        .open(app.join("values.yaml"))
        .unwrap();
    file.set_modified(std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000))
        .unwrap();
    drop(file);
    load_checked(&app);

    // Values read again.
    keep(&app, &app);
    write(&app.join("values.yaml"), "marker: two\n");
    let chart = load_checked(&app);
    assert_eq!(marker(&chart), "two");

    // A file's permissions changed: a load may now fail (root's does not).
    keep(&app, &app);
    use std::os::unix::fs::PermissionsExt;
    let unreadable = app.join("templates/a.yaml");
    std::fs::set_permissions(&unreadable, std::fs::Permissions::from_mode(0o000)).unwrap();
    assert!(!is_kept(&app));
    let fresh = load_dir(&app).map(|c| contents(&c));
    let cached = load_chart(&app).map(|c| contents(&c));
    assert_eq!(fresh, cached);
    std::fs::set_permissions(&unreadable, std::fs::Permissions::from_mode(0o644)).unwrap();
    load_checked(&app);

    let _ = std::fs::remove_dir_all(&work);
}

#[test]
fn replacing_the_chart_or_a_folder_above_it_is_seen() {
    let _serial = serial();
    let (work, app) = chart_in("replace", "outer/app");

    // The chart's folder replaced by a rename.
    keep(&app, &app);
    let next = work.join("outer/app.next");
    write_chart(&next, "app", "two");
    std::fs::rename(&app, work.join("outer/app.old")).unwrap();
    std::fs::rename(&next, &app).unwrap();
    let chart = load_checked(&app);
    assert_eq!(marker(&chart), "two");

    // A folder above it replaced by a rename.
    keep(&app, &app);
    std::fs::rename(work.join("outer"), work.join("outer.old")).unwrap();
    write_chart(&app, "app", "three");
    let chart = load_checked(&app);
    assert_eq!(marker(&chart), "three");

    // The chart's folder deleted: the load fails. Made again, it is kept again.
    keep(&app, &app);
    std::fs::remove_dir_all(&app).unwrap();
    assert!(load_chart(&app).is_err());
    write_chart(&app, "app", "four");
    keep(&app, &app);
    // A change next to the chart (another name in a folder above it) keeps it.
    write(&work.join("outer/unrelated.txt"), "x");
    write(&work.join("elsewhere.txt"), "x");
    assert!(is_kept(&app));
    load_checked(&app);

    let _ = std::fs::remove_dir_all(&work);
}

#[test]
fn replacing_an_archive_is_seen() {
    let _serial = serial();
    let work = work_dir("archive");
    let package = |marker: &str, into: &Path| -> PathBuf {
        let dir = work.join(format!("src-{marker}/app"));
        write_chart(&dir, "app", marker);
        let options = helmet::package::PackageOptions::new(into).unwrap();
        helmet::package::package_chart(&dir, &options).unwrap()
    };
    let one = package("one", &work.join("out"));
    let archive = work.join("app.tgz");
    std::fs::rename(&one, &archive).unwrap();
    keep(&archive, &archive);
    // A path ending in `/` names a folder only: it fails as without the cache.
    let slashed = PathBuf::from(format!("{}/", archive.display()));
    assert!(load_chart(&slashed).is_err());

    // Replaced by a rename.
    let two = package("two", &work.join("out"));
    std::fs::rename(&two, &archive).unwrap();
    let chart = load_checked(&archive);
    assert_eq!(marker(&chart), "two");

    // Written over in place.
    keep(&archive, &archive);
    let three = package("three", &work.join("out"));
    std::fs::write(&archive, std::fs::read(&three).unwrap()).unwrap();
    let chart = load_checked(&archive);
    assert_eq!(marker(&chart), "three");

    let _ = std::fs::remove_dir_all(&work);
}

#[test]
fn charts_reached_through_links_are_never_kept() {
    let _serial = serial();
    let work = work_dir("links");
    let loads = |path: &Path| {
        for _ in 0..6 {
            load_checked(path);
        }
    };

    // A template that is a symbolic link: its target could change unseen.
    let app = work.join("app");
    write_chart(&app, "app", "one");
    write(&work.join("target.yaml"), "kind: A\n");
    std::os::unix::fs::symlink(work.join("target.yaml"), app.join("templates/link.yaml")).unwrap();
    loads(&app);
    assert!(!is_kept(&app));
    write(&work.join("target.yaml"), "kind: B\n");
    let chart = load_checked(&app);
    assert_eq!(template(&chart, "templates/link.yaml"), Some("kind: B\n"));

    // The chart's path is a link.
    let plain = work.join("plain");
    write_chart(&plain, "plain", "one");
    let linked = work.join("linked");
    std::os::unix::fs::symlink(&plain, &linked).unwrap();
    loads(&linked);
    assert!(!is_kept(&linked));

    // A folder above the chart is a link.
    let above = work.join("above");
    std::os::unix::fs::symlink(&work, &above).unwrap();
    let through = above.join("plain");
    loads(&through);
    assert!(!is_kept(&through));

    // A file with a second name (a hard link) elsewhere: written through that name, only the
    // other folder's watch would hear of it.
    let hard = work.join("hard");
    write_chart(&hard, "hard", "one");
    std::fs::hard_link(hard.join("templates/a.yaml"), work.join("other-name.yaml")).unwrap();
    loads(&hard);
    assert!(!is_kept(&hard));
    write(&work.join("other-name.yaml"), "kind: Changed\n");
    let chart = load_checked(&hard);
    assert_eq!(
        template(&chart, "templates/a.yaml"),
        Some("kind: Changed\n")
    );

    let _ = std::fs::remove_dir_all(&work);
}

#[test]
fn relative_paths_follow_the_current_folder() {
    let _serial = serial();
    let work = work_dir("relative");
    write_chart(&work.join("a/app"), "app", "in-a");
    write_chart(&work.join("b/app"), "app", "in-b");
    let before = std::env::current_dir().unwrap();
    std::env::set_current_dir(work.join("a")).unwrap();
    keep(Path::new("app"), &work.join("a/app"));
    for path in ["./app", "app/", "app/.", "./app//"] {
        assert_eq!(
            marker(&load_chart(Path::new(path)).unwrap()),
            "in-a",
            "{path}"
        );
    }
    std::env::set_current_dir(work.join("b")).unwrap();
    assert_eq!(marker(&load_chart(Path::new("app")).unwrap()), "in-b");
    keep(Path::new("app"), &work.join("b/app"));
    // The current folder itself moved: the same relative path now names another chart.
    std::fs::rename(work.join("b"), work.join("b.old")).unwrap();
    std::fs::rename(work.join("a"), work.join("b")).unwrap();
    assert_eq!(marker(&load_chart(Path::new("app")).unwrap()), "in-b");
    std::env::set_current_dir(work.join("b")).unwrap();
    assert_eq!(marker(&load_chart(Path::new("app")).unwrap()), "in-a");
    std::env::set_current_dir(before).unwrap();
    let _ = std::fs::remove_dir_all(&work);
}

#[test]
fn every_caller_gets_maps_of_its_own() {
    let _serial = serial();
    let (work, app) = chart_in("maps", "app");
    keep(&app, &app);
    for _ in 0..3 {
        let chart = load_chart(&app).unwrap();
        assert_eq!(marker(&chart), "one");
        chart
            .values
            .as_typed_map()
            .unwrap()
            .update(|map| map.insert("marker".into(), helmet_value::Value::from("changed")));
    }
    let _ = std::fs::remove_dir_all(&work);
}

#[test]
fn many_threads_load_while_a_file_changes() {
    let _serial = serial();
    let work = work_dir("threads");
    let charts: Vec<PathBuf> = (0..3).map(|n| work.join(format!("app{n}"))).collect();
    for (n, chart) in charts.iter().enumerate() {
        write_chart(chart, &format!("app{n}"), "one");
    }
    let changed = charts[0].join("templates/a.yaml");
    std::thread::scope(|scope| {
        for thread in 0..6 {
            let charts = &charts;
            scope.spawn(move || {
                for round in 0..40 {
                    let chart = &charts[(thread + round) % charts.len()];
                    let loaded = load_chart(chart).unwrap();
                    assert_eq!(loaded.name(), chart.file_name().unwrap().to_str().unwrap());
                }
            });
        }
        scope.spawn(|| {
            for round in 0..50 {
                write(&changed, &format!("kind: ConfigMap\nround: {round}\n"));
            }
        });
    });
    // Every change was made before this load: it must see the last.
    let chart = load_checked(&charts[0]);
    assert_eq!(
        template(&chart, "templates/a.yaml"),
        Some("kind: ConfigMap\nround: 49\n")
    );
    for chart in &charts {
        keep(chart, chart);
    }
    let _ = std::fs::remove_dir_all(&work);
}

#[test]
fn the_switches_empty_and_stop_the_cache() {
    let _serial = serial();
    let (work, app) = chart_in("switches", "app");
    keep(&app, &app);
    helmet::clear_process_caches();
    assert!(kept_chart_paths().is_empty());
    helmet::set_process_caches(false);
    for _ in 0..5 {
        load_checked(&app);
    }
    assert!(kept_chart_paths().is_empty());
    helmet::set_process_caches(true);
    keep(&app, &app);
    let _ = std::fs::remove_dir_all(&work);
}
