//! Load + render of each benchmarked chart (`cargo bench -p helmet-benches`).

use std::path::PathBuf;

fn main() {
    divan::main();
}

fn chart_names() -> Vec<String> {
    helmet_benches::charts()
        .iter()
        .map(|p| p.display().to_string())
        .collect()
}

#[divan::bench(args = chart_names())]
fn load_and_render(chart: &str) -> usize {
    helmet_benches::load_and_render(&PathBuf::from(chart)).expect("benchmarked charts render")
}
