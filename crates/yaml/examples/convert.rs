//! Reads YAML values from a file and prints them as Helm would write them back:
//! `convert FILE` prints `toJson`, `toYaml` and `toYamlPretty`, or the reading error.

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: convert FILE");
        std::process::exit(2);
    };
    let src = match std::fs::read_to_string(&path) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    };
    match helmet_yaml::from_str(&src) {
        Ok(v) => {
            println!(
                "{}",
                helmet_yaml::to_json(&v).unwrap_or_else(|e| e.to_string())
            );
            print!(
                "{}",
                helmet_yaml::to_yaml(&v).unwrap_or_else(|e| e.to_string())
            );
            print!(
                "{}",
                helmet_yaml::to_yaml_v3(&v, 2).unwrap_or_else(|e| e.to_string())
            );
        }
        Err(e) => println!("Error: {e}"),
    }
}
