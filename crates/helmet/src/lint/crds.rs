//! The CRD rules (Helm's `rules/crds.go`): every document under `crds/` (of the chart and its
//! subcharts) must be a `CustomResourceDefinition` of `apiextensions.k8s.io`.

use super::{manifest, Linter, Severity};

const DIR: &str = "crds/";

/// Runs the CRD rules.
pub fn lint(linter: &mut Linter) {
    let path = linter.chart_dir.join("crds");
    let stat = std::fs::metadata(&path);
    if matches!(&stat, Err(e) if e.kind() == std::io::ErrorKind::NotFound) {
        return;
    }
    let dir_ok = match &stat {
        Err(e) => Err(format!("stat {}: {}", path.display(), super::io_text(e))),
        Ok(m) if !m.is_dir() => Err("not a directory".into()),
        Ok(_) => Ok(()),
    };
    if !linter.check("crds-directory", Severity::Error, DIR, dir_ok) {
        return;
    }
    let chart = match crate::load::load_chart_logged(&linter.chart_dir, &mut linter.logs) {
        Ok(c) => {
            linter.logs.extend(c.all_load_warnings());
            c
        }
        Err(e) => {
            linter.check("chart-load", Severity::Error, DIR, Err(e.to_string()));
            return;
        }
    };
    for (_, file) in chart.crds() {
        let name = file.name.as_str();
        let text = String::from_utf8_lossy(&file.data);
        for decoded in manifest::decode_stream(&text) {
            let obj = match decoded {
                Ok(o) => o,
                Err(e) => {
                    linter.check(
                        "crd-yaml",
                        Severity::Error,
                        name,
                        Err(format!("unable to parse YAML: {e}")),
                    );
                    return;
                }
            };
            let Some(obj) = obj else { continue };
            linter.check(
                "crd-api-version",
                Severity::Error,
                name,
                if obj.api_version.starts_with("apiextensions.k8s.io") {
                    Ok(())
                } else {
                    Err("apiVersion is not in 'apiextensions.k8s.io'".into())
                },
            );
            linter.check(
                "crd-kind",
                Severity::Error,
                name,
                if obj.kind == "CustomResourceDefinition" {
                    Ok(())
                } else {
                    Err("object kind is not 'CustomResourceDefinition'".into())
                },
            );
        }
    }
}
