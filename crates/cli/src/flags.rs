//! Flag parsing as Helm's (cobra/pflag) command line reads flags: `--name value`,
//! `--name=value`, `-x value`, `-xvalue`, `-x=value`, bundled boolean shorthands (`-gs x`),
//! flags anywhere among the arguments, `--` ending flags. Error texts are pflag's.

use std::collections::HashMap;

/// What kind of value a flag takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// A boolean (`--flag`, `--flag=false`).
    Switch,
    /// One string; the last occurrence wins.
    Value,
    /// Repeatable strings (`StringArray`), or comma-separated ones (`StringSlice`).
    List { comma: bool },
}

/// A flag's declaration.
#[derive(Clone, Debug)]
pub struct Flag {
    name: &'static str,
    short: Option<char>,
    kind: Kind,
}

impl Flag {
    /// A boolean flag.
    pub fn switch(name: &'static str, short: Option<char>) -> Flag {
        Flag {
            name,
            short,
            kind: Kind::Switch,
        }
    }

    /// A single-valued flag.
    pub fn value(name: &'static str, short: Option<char>) -> Flag {
        Flag {
            name,
            short,
            kind: Kind::Value,
        }
    }

    /// A repeatable flag.
    pub fn list(name: &'static str, short: Option<char>) -> Flag {
        Flag {
            name,
            short,
            kind: Kind::List { comma: false },
        }
    }

    /// Makes a list flag split each value on commas (pflag's `StringSlice`).
    pub fn comma_separated(mut self) -> Flag {
        if let Kind::List { .. } = self.kind {
            self.kind = Kind::List { comma: true };
        }
        self
    }
}

/// The declared flags of a command.
pub struct FlagSet {
    flags: Vec<Flag>,
}

/// Parsed arguments.
#[derive(Debug, Default)]
pub struct Parsed {
    /// Arguments that are not flags, in order.
    pub positional: Vec<String>,
    values: HashMap<&'static str, Vec<String>>,
}

impl Parsed {
    /// The values of a list flag.
    pub fn list(&self, name: &str) -> Vec<String> {
        self.values.get(name).cloned().unwrap_or_default()
    }

    /// The last value of a flag.
    pub fn value(&self, name: &str) -> Option<String> {
        self.values.get(name).and_then(|v| v.last().cloned())
    }

    /// Whether a boolean flag is on.
    pub fn switch(&self, name: &str) -> bool {
        self.value(name).is_some_and(|v| v == "true")
    }
}

/// Go's `strconv.ParseBool`.
fn parse_bool(text: &str) -> Option<bool> {
    match text {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

impl FlagSet {
    /// A set of flags.
    pub fn new(flags: Vec<Flag>) -> FlagSet {
        FlagSet { flags }
    }

    fn store(&self, parsed: &mut Parsed, flag: &Flag, value: String) -> Result<(), String> {
        let entry = parsed.values.entry(flag.name).or_default();
        match flag.kind {
            Kind::Switch => {
                let on = parse_bool(&value).ok_or_else(|| {
                    format!(
                        "invalid argument \"{value}\" for \"--{}\" flag: strconv.ParseBool: parsing \"{value}\": invalid syntax",
                        flag.name
                    )
                })?;
                entry.push(on.to_string());
            }
            Kind::Value | Kind::List { comma: false } => entry.push(value),
            Kind::List { comma: true } => {
                if !value.is_empty() {
                    entry.extend(value.split(',').map(|s| s.to_string()));
                }
            }
        }
        Ok(())
    }

    /// Parses `args` (without the command name).
    pub fn parse(&self, args: &[String]) -> Result<Parsed, String> {
        let mut parsed = Parsed::default();
        let mut i = 0;
        while i < args.len() {
            let arg = &args[i];
            i += 1;
            if arg == "--" {
                parsed.positional.extend(args[i..].iter().cloned());
                break;
            }
            if let Some(long) = arg.strip_prefix("--") {
                let (name, inline) = match long.split_once('=') {
                    Some((n, v)) => (n, Some(v.to_string())),
                    None => (long, None),
                };
                let flag = self
                    .flags
                    .iter()
                    .find(|f| f.name == name)
                    .ok_or_else(|| format!("unknown flag: --{name}"))?;
                let value = match (inline, flag.kind) {
                    (Some(v), _) => v,
                    (None, Kind::Switch) => "true".to_string(),
                    (None, _) => {
                        let v = args
                            .get(i)
                            .ok_or_else(|| format!("flag needs an argument: --{name}"))?;
                        i += 1;
                        v.clone()
                    }
                };
                self.store(&mut parsed, flag, value)?;
            } else if arg.len() > 1 && arg.starts_with('-') {
                let shorts: Vec<char> = arg[1..].chars().collect();
                let mut j = 0;
                while j < shorts.len() {
                    let c = shorts[j];
                    let flag = self
                        .flags
                        .iter()
                        .find(|f| f.short == Some(c))
                        .ok_or_else(|| format!("unknown shorthand flag: '{c}' in {arg}"))?;
                    let rest: String = shorts[j + 1..].iter().collect();
                    if flag.kind == Kind::Switch {
                        if let Some(v) = rest.strip_prefix('=') {
                            self.store(&mut parsed, flag, v.to_string())?;
                            break;
                        }
                        self.store(&mut parsed, flag, "true".to_string())?;
                        j += 1;
                        continue;
                    }
                    let value = if let Some(v) = rest.strip_prefix('=') {
                        v.to_string()
                    } else if !rest.is_empty() {
                        rest
                    } else {
                        let v = args
                            .get(i)
                            .ok_or_else(|| format!("flag needs an argument: '{c}' in {arg}"))?;
                        i += 1;
                        v.clone()
                    };
                    self.store(&mut parsed, flag, value)?;
                    break;
                }
            } else {
                parsed.positional.push(arg.clone());
            }
        }
        Ok(parsed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn parses_pflag_forms() {
        let set = FlagSet::new(vec![
            Flag::list("values", Some('f')).comma_separated(),
            Flag::list("set", None),
            Flag::switch("generate-name", Some('g')),
            Flag::value("namespace", Some('n')),
        ]);
        let p = set
            .parse(&args(&[
                "chart",
                "-f",
                "a.yaml,b.yaml",
                "--set=x=1",
                "--set",
                "y=2",
                "-gnns",
                "-fc.yaml",
            ]))
            .unwrap();
        assert_eq!(p.positional, vec!["chart"]);
        assert_eq!(p.list("values"), vec!["a.yaml", "b.yaml", "c.yaml"]);
        assert_eq!(p.list("set"), vec!["x=1", "y=2"]);
        assert!(p.switch("generate-name"));
        assert_eq!(p.value("namespace").as_deref(), Some("ns"));
        assert_eq!(
            set.parse(&args(&["--nope"])).unwrap_err(),
            "unknown flag: --nope"
        );
        assert_eq!(
            set.parse(&args(&["--set"])).unwrap_err(),
            "flag needs an argument: --set"
        );
    }
}
