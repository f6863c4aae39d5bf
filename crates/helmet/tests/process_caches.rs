//! What helmet keeps between loads in one process (parsed templates, values and chart files,
//! compiled schemas, loaded charts) must not change any result: every fixture chart renders the same with the
//! caches off, on the loads that fill them and on a later load that reuses them, and that is
//! Helm's engine output where a golden of it exists. (The CLI suite runs each case in a fresh
//! process, so it never sees a warm cache.)

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use helmet::render::RenderOptions;
use helmet::values::ValueOptions;

fn fixture_charts() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/charts");
    let mut charts: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("fixtures/charts exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("Chart.yaml").is_file())
        .collect();
    charts.sort();
    charts
}

fn render(chart: &Path) -> Result<BTreeMap<String, String>, String> {
    helmet::output::load_and_render(
        chart,
        &ValueOptions::default(),
        &RenderOptions::default(),
        false,
    )
    .map(|(_, rendered)| rendered)
    .map_err(|e| e.to_string())
}

#[test]
fn caches_change_no_render() {
    let charts = fixture_charts();
    assert!(charts.len() > 20, "only {} fixture charts", charts.len());
    let mut against_helm = 0;
    for chart in &charts {
        helmet::set_process_caches(false);
        let cold = render(chart);
        helmet::set_process_caches(true);
        // Some caches keep a text's result from its second reading on, and the load cache
        // keeps a chart read a third time: the fourth load is the first served from every
        // cache.
        let filling = [render(chart), render(chart), render(chart)];
        let warm = render(chart);
        // Emptied, as a new process starts.
        helmet::clear_process_caches();
        let fresh = render(chart);
        let name = chart.display();
        assert_eq!(cold, fresh, "{name}: after the caches were emptied");
        assert_eq!(
            [&cold, &cold, &cold],
            [&filling[0], &filling[1], &filling[2]],
            "{name}: filling"
        );
        assert_eq!(cold, warm, "{name}: served from the caches");
        let golden = chart.join("goldens/default.engine.json");
        if let (Ok(json), Ok(warm)) = (std::fs::read_to_string(&golden), &warm) {
            let helm: BTreeMap<String, String> =
                serde_json::from_str(&json).expect("engine golden is a map of strings");
            assert_eq!(&helm, warm, "{name}: Helm's engine output");
            against_helm += 1;
        }
    }
    assert!(against_helm > 10, "only {against_helm} engine goldens");
}
