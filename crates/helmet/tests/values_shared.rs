//! Values are kept between loads in one process (the parsed `values.yaml`, see
//! `helmet::set_process_caches`) and a render does not copy them when no template can change a
//! map. Templates that do change maps in place (`set`, `unset`, `merge`) must still see only
//! their own load's values: nothing they change shows in a later load of the same chart.

use std::path::{Path, PathBuf};

use helmet::render::RenderOptions;
use helmet::values::ValueOptions;

/// A chart in a fresh directory under the system's temporary directory.
fn write_chart(name: &str, values: &str, templates: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("helmet-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("templates")).unwrap();
    std::fs::write(
        dir.join("Chart.yaml"),
        format!("apiVersion: v2\nname: {name}\nversion: 0.1.0\n"),
    )
    .unwrap();
    std::fs::write(dir.join("values.yaml"), values).unwrap();
    for (file, text) in templates {
        std::fs::write(dir.join("templates").join(file), text).unwrap();
    }
    dir
}

fn render(chart: &Path, set: &[&str]) -> String {
    let values = ValueOptions {
        set: set.iter().map(|s| s.to_string()).collect(),
        ..ValueOptions::default()
    };
    let (_, rendered) =
        helmet::output::load_and_render(chart, &values, &RenderOptions::default(), false).unwrap();
    rendered.into_values().collect()
}

const VALUES: &str = "\
top: kept
nested:
  inner: kept
  deeper:
    leaf: kept
items:
- name: kept
- plain
";

/// Each template prints what it sees first, then changes it in place: every load starts from
/// the chart's values again, whether they come from the cache or not.
#[test]
fn changes_made_by_templates_do_not_leak_into_later_loads() {
    let template = "\
top={{ .Values.top }} inner={{ .Values.nested.inner }} leaf={{ .Values.nested.deeper.leaf }} \
item={{ (index .Values.items 0).name }} gone={{ .Values.nested.gone }}
{{- $_ := set .Values \"top\" \"changed\" }}
{{- $_ := set .Values.nested \"inner\" \"changed\" }}
{{- $_ := set .Values.nested.deeper \"leaf\" \"changed\" }}
{{- $_ := set (index .Values.items 0) \"name\" \"changed\" }}
{{- $_ := merge .Values.nested (dict \"gone\" \"added\") }}
{{- $_ := unset .Values.nested \"deeper\" }}
";
    let chart = write_chart("values-shared-set", VALUES, &[("a.yaml", template)]);
    let expected = "top=kept inner=kept leaf=kept item=kept gone=\n";
    for cached in [false, true, true, true, true] {
        helmet::set_process_caches(cached);
        assert_eq!(render(&chart, &[]), expected, "caches on: {cached}");
    }
    // User values over the same defaults: the changes stay out of the defaults as well.
    assert_eq!(
        render(&chart, &["nested.inner=user"]),
        "top=kept inner=user leaf=kept item=kept gone=\n"
    );
    assert_eq!(render(&chart, &[]), expected);
    let _ = std::fs::remove_dir_all(&chart);
}

/// `tpl` can change maps too, when a value holds the template text that does.
#[test]
fn changes_made_through_tpl_do_not_leak_into_later_loads() {
    let values =
        format!("{VALUES}code: '{{{{ $_ := set .Values.nested \"inner\" \"changed\" }}}}'\n");
    let template = "inner={{ .Values.nested.inner }}{{ tpl .Values.code . }}\n";
    let chart = write_chart("values-shared-tpl", &values, &[("a.yaml", template)]);
    for _ in 0..4 {
        assert_eq!(render(&chart, &[]), "inner=kept\n");
    }
    let _ = std::fs::remove_dir_all(&chart);
}

/// Templates that only read the values render the same on every load.
#[test]
fn reading_templates_render_the_same_on_every_load() {
    let template = "{{ toYaml .Values }}\n";
    let chart = write_chart("values-shared-read", VALUES, &[("a.yaml", template)]);
    let first = render(&chart, &[]);
    assert!(first.contains("leaf: kept"), "{first}");
    for _ in 0..4 {
        assert_eq!(render(&chart, &[]), first);
    }
    let _ = std::fs::remove_dir_all(&chart);
}

/// A render changes neither the values it is given nor the chart's own values, with or without
/// a template that changes maps, and with the caller's own functions.
#[test]
fn a_render_leaves_the_callers_values_alone() {
    let setter = "{{- $_ := set .Values.nested.deeper \"leaf\" \"changed\" }}\
{{- $_ := set (index .Values.items 0) \"name\" \"changed\" }}\n";
    let chart_dir = write_chart("values-shared-caller", VALUES, &[("a.yaml", setter)]);
    let chart = helmet::load_chart(&chart_dir).unwrap();
    let values = helmet::coalesce_values(&chart, &helmet_value::Value::empty_map()).unwrap();
    let json = |v: &helmet_value::Value| helmet_yaml::to_json(v).unwrap();
    let (before, chart_before) = (json(&values), json(&chart.values));
    assert!(before.contains(r#""leaf":"kept""#), "{before}");
    let options = RenderOptions::default();
    helmet::render::render_chart(&chart, &values, &options).unwrap();
    let own = helmet_sprig::functions();
    helmet::render::render_chart_with(&chart, &values, &options, own).unwrap();
    assert_eq!(json(&values), before);
    assert_eq!(json(&chart.values), chart_before);
    let _ = std::fs::remove_dir_all(&chart_dir);
}
