//! `helmet docs`: a chart's `README.md` from `Chart.yaml` and the comments of `values.yaml`.
//!
//! The comments follow helm-docs' conventions: `# -- text` right above a key documents it (more
//! `#` lines continue the text), `# @default -- text` replaces the default shown, nested keys are
//! written `a.b.c`, the type is inferred from the value and the default is the value as compact
//! JSON. A documented map stands for its undocumented contents; undocumented leaves elsewhere
//! are listed with an empty description. The page comes from a built-in minijinja template, or
//! from the chart's own `README.md.j2`, which sees `chart` (the `Chart.yaml` fields) and `values`
//! (the table's rows: `key`, `type`, `default`, `description`).

mod comments;
mod rows;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use minijinja::Value as JinjaValue;

use crate::chart::Metadata;
use crate::Error;

/// The file a chart may provide to replace the built-in README template.
pub const CHART_TEMPLATE_FILE: &str = "README.md.j2";

/// The built-in README template.
pub const DEFAULT_TEMPLATE: &str = include_str!("README.md.j2");

/// One row of the values table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValueRow {
    /// The key path, e.g. `frontend.image.tag`.
    pub key: String,
    /// `string`, `int`, `float`, `bool`, `list` or `object`.
    pub type_name: String,
    /// The default: the value as compact JSON in backticks, or the `# @default --` text.
    pub default: String,
    /// The `# --` text (empty for an undocumented key).
    pub description: String,
}

/// The rows of the values table of a values file's text.
pub fn value_rows(values_yaml: &str) -> Result<Vec<ValueRow>, Error> {
    let values =
        helmet_yaml::from_str(values_yaml).map_err(|e| Error::new(format!("values.yaml: {e}")))?;
    rows::collect(&values, &comments::scan(values_yaml))
}

/// A generated README and where it belongs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Readme {
    /// `CHART/README.md`.
    pub path: PathBuf,
    /// The generated text.
    pub text: String,
}

impl Readme {
    /// Whether the file on disk already holds exactly this text (a missing file is stale).
    pub fn is_current(&self) -> bool {
        std::fs::read(&self.path).is_ok_and(|on_disk| on_disk == self.text.as_bytes())
    }

    /// Writes the text to `CHART/README.md`.
    pub fn write(&self) -> Result<(), Error> {
        std::fs::write(&self.path, &self.text)
            .map_err(|e| Error::new(format!("writing {}: {e}", self.path.display())))
    }
}

/// Generates the README of the chart in directory `chart_dir`.
pub fn generate(chart_dir: &Path) -> Result<Readme, Error> {
    if !chart_dir.is_dir() {
        return Err(Error::new(format!(
            "{} is not a chart directory",
            chart_dir.display()
        )));
    }
    let chart = crate::load::load_dir(chart_dir)?;
    let raw_values = chart
        .raw_values
        .as_deref()
        .map(String::from_utf8_lossy)
        .unwrap_or_default();
    let rows = rows::collect(&chart.values, &comments::scan(&raw_values))?;
    let custom = chart_dir.join(CHART_TEMPLATE_FILE);
    let template = match std::fs::read_to_string(&custom) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(Error::new(format!("reading {}: {e}", custom.display()))),
    };
    let text = render(
        &chart.metadata,
        &rows,
        template.as_deref().unwrap_or(DEFAULT_TEMPLATE),
    )?;
    Ok(Readme {
        path: chart_dir.join("README.md"),
        text,
    })
}

/// Renders a README template for a chart's metadata and values table.
pub fn render(metadata: &Metadata, rows: &[ValueRow], template: &str) -> Result<String, Error> {
    let mut env = minijinja::Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    let mut context = BTreeMap::new();
    context.insert("chart".to_string(), chart_context(metadata));
    context.insert(
        "values".to_string(),
        JinjaValue::from(rows.iter().map(row_context).collect::<Vec<_>>()),
    );
    let text = env
        .render_named_str(CHART_TEMPLATE_FILE, template, context)
        .map_err(|e| Error::new(format!("rendering the README template: {e:#}")))?;
    // Markdown files end with exactly one newline, whatever the template's last lines do.
    Ok(format!("{}\n", text.trim_end_matches('\n')))
}

fn row_context(row: &ValueRow) -> JinjaValue {
    let mut map = BTreeMap::new();
    map.insert("key", JinjaValue::from(row.key.as_str()));
    map.insert("type", JinjaValue::from(row.type_name.as_str()));
    map.insert("default", JinjaValue::from(row.default.as_str()));
    map.insert("description", JinjaValue::from(row.description.as_str()));
    JinjaValue::from(map)
}

fn chart_context(md: &Metadata) -> JinjaValue {
    let text = |s: &str| JinjaValue::from(s);
    let strings = |items: &[String]| JinjaValue::from(items.to_vec());
    let maintainers: Vec<JinjaValue> = md
        .maintainers
        .iter()
        .flatten()
        .map(|m| {
            let mut map = BTreeMap::new();
            map.insert("name", text(&m.name));
            map.insert("email", text(&m.email));
            map.insert("url", text(&m.url));
            JinjaValue::from(map)
        })
        .collect();
    let mut map = BTreeMap::new();
    map.insert("name", text(&md.name));
    map.insert("version", text(&md.version));
    map.insert("appVersion", text(&md.app_version));
    map.insert("description", text(&md.description));
    map.insert("type", text(&md.chart_type));
    map.insert("home", text(&md.home));
    map.insert("icon", text(&md.icon));
    map.insert("kubeVersion", text(&md.kube_version));
    map.insert("deprecated", JinjaValue::from(md.deprecated));
    map.insert("keywords", strings(&md.keywords));
    map.insert("sources", strings(&md.sources));
    map.insert("maintainers", JinjaValue::from(maintainers));
    JinjaValue::from(map)
}
