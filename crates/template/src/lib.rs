//! Go text/template, exactly as Helm runs it.
//!
//! [`Templates`] is a set of named templates sharing `define`s, parsed once and executable from
//! several threads at once. Parse and execution errors carry Go's exact texts
//! (`template: NAME:LINE:COL: executing "NAME" at <NODE>: MSG`), because Helm shows them to users;
//! Helm's own rewording of them (`parse error at (...)`, the indented exec trace) belongs to the
//! chart core. The root template is named `gotpl` as in Helm: `tpl` texts run under that name and
//! lookup errors mention it.
//!
//! Parsed sources are kept per process (bounded; see [`set_parse_cache_limit`]): the same source
//! added again, to another set or by `tpl`, reuses the trees of its first parse.
//!
//! Known differences from Go, each failing with an error that names it rather than printing
//! something else:
//! - string constants whose escapes build invalid UTF-8 (`"\xff"`) are not supported;
//! - control structures nested more than 500000 deep are refused (Go has no limit of its own:
//!   Helm renders 400000 nested `if`s and dies of a stack overflow before 500000).
//!
//! Known differences without an error:
//! - function results are typed by their value, as helmet's functions declare no result type: a
//!   chained field on a non-nil `interface {}` result reports the value's type, not `interface {}`;
//! - slices have a capacity equal to their length (`slice` bounds are checked against it);
//! - `call` always fails, with Go's errors: no value Helm gives templates holds a function.
#![deny(missing_docs)]

pub mod ast;
mod builtins;
mod cache;
mod error;
mod exec;
pub mod lexer;
mod names;
mod output;
pub mod parser;
pub mod raw_bytes;
mod side_by_side;

use std::sync::Arc;

use helmet_value::{FuncMap, Value};

pub use cache::{
    clear_parse_cache, parse_cache_limit, set_parse_cache_limit, DEFAULT_PARSE_CACHE_LIMIT,
};
pub use error::{Error, ErrorKind};
pub use exec::MAX_EXEC_DEPTH;
pub use side_by_side::run_side_by_side;

/// Size of a stack segment execution continues on when the caller's stack runs short: with
/// the segments after it, deep enough for Go's template depth limit of 100000 nested
/// `{{template}}` calls.
const EXEC_STACK_SIZE: usize = 1 << 30;

/// The shared state of a set of templates. Cloning it is cheap (`tpl` clones it per call).
#[derive(Clone)]
pub(crate) struct Set {
    /// The templates by name.
    pub trees: Arc<names::TreeSet>,
    /// Templates a `tpl` text added on top of `trees` for its own run (Go's `tpl` parses into a
    /// clone of the set), newest last; searched before `trees`.
    pub local: Vec<Arc<ast::Tree>>,
    pub funcs: Arc<FuncMap>,
    pub missing_key_error: bool,
    pub left: Arc<str>,
    pub right: Arc<str>,
    /// Name of the set's root template (Helm's `gotpl`): lookup errors name it and `tpl` parses
    /// its text under it.
    pub root_name: Arc<str>,
}

impl Set {
    fn add(&mut self, name: &str, source: &str) -> Result<(), Error> {
        self.add_returning(name, source).map(|_| ())
    }

    /// The template `name`, as the set (with any `tpl` additions) defines it now.
    pub(crate) fn lookup(&self, name: &str) -> Option<&Arc<ast::Tree>> {
        self.local
            .iter()
            .rev()
            .find(|t| t.name == name)
            .or_else(|| self.trees.get(name).map(|t| &t.0))
    }

    /// Parses `source` as the template `name` (or takes the trees of an earlier parse of the
    /// same source from the process's cache).
    fn parse(&self, name: &str, source: &str) -> Result<cache::ParsedTrees, Error> {
        self.parse_marked(name, source, false)
    }

    /// [`Set::parse`] of a source that holds stand-ins for bytes when `raw_bytes`.
    fn parse_marked(
        &self,
        name: &str,
        source: &str,
        raw_bytes: bool,
    ) -> Result<cache::ParsedTrees, Error> {
        let key = cache::ParseKey {
            name,
            source,
            raw_bytes,
            left: &self.left,
            right: &self.right,
            funcs: &self.funcs,
        };
        cache::parsed(&key, || {
            let funcs = &self.funcs;
            let has_func = |n: &str| match funcs.get(n) {
                Some(f) => Some(ast::Function(ast::Callable::Own(f.clone()))),
                None => builtins::lookup(n).map(|b| ast::Function(ast::Callable::Builtin(b))),
            };
            let parsed =
                parser::parse_marked(name, source, raw_bytes, &self.left, &self.right, &has_func)
                    .map_err(|e| Error {
                    kind: ErrorKind::Parse,
                    message: e.message,
                    template: name.to_string(),
                    line: Some(e.line),
                    col: None,
                })?;
            Ok(parsed.trees.into_iter().map(Arc::new).collect())
        })
    }

    /// Parses `source` as the template `name` and adds its definitions; returns the body parsed
    /// under `name` itself. As Go's `New(name).Parse`, that body is what executes even when it
    /// is empty and so did not replace an existing template of that name in the set.
    fn add_returning(&mut self, name: &str, source: &str) -> Result<Option<Arc<ast::Tree>>, Error> {
        self.associate(name, source, false)
    }

    /// [`Set::add_returning`] for a `tpl` text: its templates join this (cloned) set only, on
    /// top of the shared ones, so the shared map is not copied per call.
    pub(crate) fn add_local(
        &mut self,
        name: &str,
        source: &str,
    ) -> Result<Option<Arc<ast::Tree>>, Error> {
        self.associate(name, source, true)
    }

    fn associate(
        &mut self,
        name: &str,
        source: &str,
        local: bool,
    ) -> Result<Option<Arc<ast::Tree>>, Error> {
        let parsed = self.parse(name, source)?;
        Ok(self.associate_parsed(name, &parsed, local))
    }

    /// Adds the trees parsed from the template `name` (see [`Set::associate`]).
    fn associate_parsed(
        &mut self,
        name: &str,
        parsed: &cache::ParsedTrees,
        local: bool,
    ) -> Option<Arc<ast::Tree>> {
        let mut main = None;
        for tree in parsed.iter() {
            if tree.name == name {
                main = Some(tree.clone());
            }
            // As Go's associate: an empty body never replaces an existing template.
            let keeps_old = self.lookup(&tree.name).is_some_and(|old| {
                ast::is_empty_list(&tree.root) && !ast::is_empty_list(&old.root)
            });
            if keeps_old {
                continue;
            }
            if local {
                self.local.push(tree.clone());
            } else {
                Arc::make_mut(&mut self.trees).replace(names::ByName(tree.clone()));
            }
        }
        main
    }
}

/// A set of named templates sharing definitions: parse once, execute many times.
#[derive(Clone)]
pub struct Templates {
    set: Set,
}

impl Templates {
    /// An empty set whose templates may call `funcs` (on top of Go's builtins).
    pub fn new(funcs: Arc<FuncMap>) -> Self {
        Templates {
            set: Set {
                trees: Arc::default(),
                local: Vec::new(),
                funcs,
                missing_key_error: false,
                left: "{{".into(),
                right: "}}".into(),
                root_name: "gotpl".into(),
            },
        }
    }

    /// Uses other action delimiters for templates added from now on (empty means the default).
    pub fn with_delims(mut self, left: &str, right: &str) -> Self {
        self.set.left = if left.is_empty() { "{{" } else { left }.into();
        self.set.right = if right.is_empty() { "}}" } else { right }.into();
        self
    }

    /// `missingkey=error` (Helm's `--strict` lint) instead of `missingkey=zero`.
    pub fn set_missing_key_error(&mut self, strict: bool) {
        self.set.missing_key_error = strict;
    }

    /// Renames the set's root template (default `gotpl`, as Helm names it): the name lookup
    /// errors mention and under which `tpl` (`execute_text`) parses and runs its text.
    pub fn set_root_name(&mut self, name: &str) {
        self.set.root_name = name.into();
    }

    /// Parses `source` as the template `name`; its `define`s and `block`s join the set, replacing
    /// earlier ones of the same name, as Go does.
    pub fn add(&mut self, name: &str, source: &str) -> Result<(), Error> {
        self.set.add(name, source)
    }

    /// [`Templates::add`] for each of `files` (name, source) in order, parsing them on up to
    /// `threads` threads first (parsing is most of the cost of loading a chart; the set is
    /// still built in order, so later definitions win as with `add`). On failure, the index of
    /// the first file that did not parse and its error; the files before it were added, as
    /// with `add` one after another.
    pub fn add_many(
        &mut self,
        files: &[(&str, &str)],
        threads: usize,
    ) -> Result<(), (usize, Error)> {
        let files: Vec<(&str, &str, bool)> = files.iter().map(|&(n, s)| (n, s, false)).collect();
        self.add_many_marked(&files, threads)
    }

    /// [`Templates::add_many`] of sources some of which (marked `true`) hold stand-ins for
    /// bytes that are not UTF-8, as [`raw_bytes::source_text`] gives them: Go's templates are
    /// strings of any bytes.
    pub fn add_many_marked(
        &mut self,
        files: &[(&str, &str, bool)],
        threads: usize,
    ) -> Result<(), (usize, Error)> {
        let set = &self.set;
        let parsed = run_side_by_side(files.len(), threads, |i| {
            let (name, source, raw) = files[i];
            (set.parse_marked(name, source, raw), false)
        });
        // A file whose thread panicked is parsed again here.
        for (i, (&(name, source, raw), result)) in files.iter().zip(parsed).enumerate() {
            let result = result.unwrap_or_else(|| self.set.parse_marked(name, source, raw));
            match result {
                Ok(trees) => {
                    self.set.associate_parsed(name, &trees, false);
                }
                Err(e) => return Err((i, e)),
            }
        }
        Ok(())
    }

    /// Whether any template of the set calls one of the functions `names` (e.g. the ones that
    /// change maps in place, which forbid running templates of one chart side by side).
    pub fn calls_any(&self, names: &[&str]) -> bool {
        self.set.trees.iter().any(|tree| {
            tree.0.called().iter().any(|f| {
                let f = f.as_str();
                // Lengths and first bytes tell most names apart without comparing texts.
                names.iter().any(|n| {
                    n.len() == f.len() && n.as_bytes().first() == f.as_bytes().first() && *n == f
                })
            })
        })
    }

    /// Whether a template of that name exists.
    pub fn has(&self, name: &str) -> bool {
        self.set.trees.contains(name)
    }

    /// [`Templates::execute`], but an output that is not UTF-8 (Go strings are bytes) comes
    /// back as its bytes (`Err`) instead of failing.
    pub fn execute_go(&self, name: &str, data: &Value) -> Result<Result<String, Vec<u8>>, Error> {
        let out = self
            .set
            .execute_with(name, data, exec::StackBudget::inline())?;
        Ok(out.into_text())
    }

    /// Executes the template `name` with `data` as dot and returns its output. `<no value>` is
    /// left in the output as Go prints it.
    pub fn execute(&self, name: &str, data: &Value) -> Result<String, Error> {
        let out = self
            .set
            .execute_with(name, data, exec::StackBudget::inline())?;
        out.into_text().map_err(|_| Error {
            kind: ErrorKind::Exec,
            message: format!("template: {name}: {}", output::NOT_TEXT),
            template: name.to_string(),
            line: None,
            col: None,
        })
    }
}

// Templates render in parallel: the set must be shareable across threads.
const _: fn() = || {
    fn shareable<T: Send + Sync>() {}
    shareable::<Templates>();
};

/// Bytes of stack one unit of [`exec::StackBudget`] may take: a template call, or one level of
/// `if`/`range`/`with` or parentheses in a tree (measured: under 10 KiB per level in a debug
/// build, much less optimized). What one call takes beyond its units comes out of
/// [`STACK_RED_ZONE`].
const STACK_UNIT: usize = 12 * 1024;

/// Stack kept free below the last unit, for what runs without counting units (functions, the
/// writers of `toYaml`/`toJson`, the parser's own calls).
const STACK_RED_ZONE: usize = 256 * 1024;

/// Units that fit in what is left of the current stack, or `None` where the platform does not
/// say how big the stack is.
pub(crate) fn units_left_on_stack() -> Option<usize> {
    stacker::remaining_stack().map(|bytes| bytes.saturating_sub(STACK_RED_ZONE) / STACK_UNIT)
}

/// Bytes of a new stack segment for walking a tree nested `levels` deep (as [`ast::Tree::nest`]
/// counts): [`EXEC_STACK_SIZE`], or more for the deepest trees the parser accepts.
fn segment_size(levels: usize) -> usize {
    let levels = levels.min(parser::MAX_NESTING + parser::MAX_PAREN_DEPTH);
    EXEC_STACK_SIZE.max(levels.saturating_mul(STACK_UNIT) + STACK_RED_ZONE)
}

/// Units a new segment made by [`on_stack_for_levels`] for `levels` allows.
pub(crate) fn units_on_new_segment(levels: usize) -> usize {
    (segment_size(levels) - STACK_RED_ZONE) / STACK_UNIT
}

/// Runs `work` on a new stack segment of this thread, deep enough for Go's limits (nested
/// templates, deeply nested source) and for walking a tree nested `levels` deep. The segment is
/// mapped on demand and unmapped after; thread-locals (kept buffers, watched map writes) are
/// the caller's own.
pub(crate) fn on_stack_for_levels<T>(levels: usize, work: impl FnOnce() -> T) -> T {
    #[cfg(test)]
    SEGMENTS_MADE.set(SEGMENTS_MADE.get() + 1);
    stacker::grow(segment_size(levels), work)
}

#[cfg(test)]
thread_local! {
    /// Stack segments [`on_stack_for_levels`] made on this thread.
    static SEGMENTS_MADE: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(src: &str, data: Value) -> Result<String, String> {
        let mut t = Templates::new(Arc::new(FuncMap::new()));
        t.add("t", src).map_err(|e| e.message)?;
        t.execute("t", &data).map_err(|e| e.message)
    }

    /// Files parsed side by side make the same set as files added one after another: later
    /// definitions win, empty bodies keep earlier ones, and the first file that does not parse
    /// (in the given order) is the one reported, with the files before it added.
    #[test]
    fn adding_many_is_adding_one_after_another() {
        let files: Vec<(String, String)> = (0..24)
            .map(|i| {
                let body = match i % 4 {
                    0 => format!("{{{{define \"shared\"}}}}from {i}{{{{end}}}}"),
                    1 => "{{define \"shared\"}}{{end}}".to_string(),
                    2 => format!(
                        "{{{{define \"own{i}\"}}}}{i}{{{{end}}}}{{{{template \"shared\"}}}}"
                    ),
                    _ => format!("{{{{block \"blk\" .}}}}block {i}{{{{end}}}}"),
                };
                (format!("f{i}"), body)
            })
            .collect();
        let pairs: Vec<(&str, &str)> = files
            .iter()
            .map(|(n, s)| (n.as_str(), s.as_str()))
            .collect();
        let outputs = |t: &Templates| -> Vec<String> {
            ["shared", "blk", "f2", "f22", "own6"]
                .iter()
                .map(|n| t.execute(n, &Value::Nil).unwrap_or_else(|e| e.message))
                .collect()
        };
        let mut one_by_one = Templates::new(Arc::new(FuncMap::new()));
        for (name, source) in &pairs {
            one_by_one.add(name, source).unwrap();
        }
        for threads in [1, 2, 7] {
            let mut many = Templates::new(Arc::new(FuncMap::new()));
            many.add_many(&pairs, threads).unwrap();
            assert_eq!(outputs(&many), outputs(&one_by_one), "{threads} threads");
        }
        let mut broken = pairs.clone();
        broken[9].1 = "{{ if }}";
        broken[15].1 = "{{ end }}";
        let mut many = Templates::new(Arc::new(FuncMap::new()));
        let (at, error) = many.add_many(&broken, 3).unwrap_err();
        assert_eq!(at, 9);
        assert_eq!(error.message, "template: f9:1: missing value for if");
        assert!(many.has("f8") && !many.has("f10"));
    }

    /// Execution starts on the caller's thread; a thread with Rust's default 2 MiB stack must
    /// survive long `template` chains of deeply nested bodies (the engine gives deep chains new
    /// stack segments). Debug builds use the most stack per frame, so this runs in `cargo test`.
    #[test]
    fn deep_chains_fit_a_small_thread_stack() {
        let mut src = String::new();
        let links = 300;
        let nest = 40;
        for i in 0..links {
            src.push_str(&format!("{{{{define \"t{i}\"}}}}"));
            for _ in 0..nest {
                src.push_str("{{if .}}{{with .}}");
            }
            if i + 1 < links {
                src.push_str(&format!("{{{{template \"t{}\" $}}}}", i + 1));
            } else {
                src.push_str("{{len $}}");
            }
            for _ in 0..nest {
                src.push_str("{{end}}{{end}}");
            }
            src.push_str("{{end}}");
        }
        src.push_str("{{template \"t0\" .}}");
        let out = std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn(move || {
                let mut t = Templates::new(Arc::new(FuncMap::new()));
                t.add("t", &src).map_err(|e| e.message)?;
                let data = Value::list(vec![Value::from("x")]);
                t.execute("t", &data).map_err(|e| e.message)
            })
            .unwrap()
            .join()
            .expect("no stack overflow");
        assert_eq!(out.unwrap(), "1");
    }

    #[test]
    fn basic() {
        let mut m = helmet_value::Map::new();
        m.insert("a".into(), Value::from("x"));
        let d = Value::map(m);
        assert_eq!(run("<{{.a}}>", d.clone()).unwrap(), "<x>");
        assert_eq!(run("{{.b}}", d.clone()).unwrap(), "<no value>");
        assert_eq!(
            run("{{.b.c}}", d.clone()).unwrap_err(),
            "template: t:1:4: executing \"t\" at <.b.c>: nil pointer evaluating interface {}.c"
        );
        assert_eq!(
            run("{{range $i, $v := 3}}{{end}}", d.clone()).unwrap_err(),
            "template: t:1:18: executing \"t\" at <3>: can't use 3 to iterate over more than one variable"
        );
    }

    /// A parse cached for one function map is not reused for another: which names exist
    /// decides whether a source parses at all.
    #[test]
    fn cached_parses_follow_the_function_map() {
        let src = "{{define \"cached-d\"}}D{{end}}{{cachedFn}}";
        let mut funcs = FuncMap::new();
        funcs.insert(
            "cachedFn".into(),
            helmet_value::Func::new(&[], |_, _| Ok(Value::from("f"))),
        );
        let with = Arc::new(funcs);
        for _ in 0..2 {
            let mut t = Templates::new(with.clone());
            t.add("cached", src).unwrap();
            assert_eq!(t.execute("cached", &Value::Nil).unwrap(), "f");
            assert!(t.has("cached-d") && t.calls_any(&["cachedFn"]));
            assert!(!t.calls_any(&["cached-d", "print"]));
            let mut without = Templates::new(Arc::new(FuncMap::new()));
            let e = without.add("cached", src).unwrap_err();
            assert!(
                e.message.contains("function \"cachedFn\" not defined"),
                "{e}"
            );
        }
        // Other delimiters make another parse of the same text.
        let mut t = Templates::new(with).with_delims("[[", "]]");
        t.add("cached", src).unwrap();
        assert_eq!(t.execute("cached", &Value::Nil).unwrap(), src);
    }

    #[test]
    fn deep_recursion_fails_cleanly() {
        let r = run(
            "{{define \"r\"}}{{template \"r\" .}}{{end}}{{template \"r\" .}}",
            Value::Nil,
        );
        let e = r.unwrap_err();
        assert!(
            e.contains("exceeded maximum template depth (100000)"),
            "{e}"
        );
    }

    #[test]
    fn garbage_never_panics() {
        let pieces = [
            "{{", "}}", "{{-", "-}}", "(", ")", "|", "$x", ":=", "=", ".a", "\"s", "`r`", "'c'",
            "if", "range", "end", "else", "define", "\"d\"", "template", "1e", "0x", "nil", "/*",
            "*/", " ", "\n", "len", "index", "and", "block", "break", "with", ",",
        ];
        let mut seed: u64 = 12345;
        for _ in 0..3000 {
            let mut s = String::new();
            for _ in 0..12 {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                s.push_str(pieces[(seed >> 33) as usize % pieces.len()]);
            }
            let _ = run(&s, Value::Nil);
        }
    }
}

#[cfg(test)]
mod depth_tests {
    use super::*;

    fn parse_and_run(src: &str) -> Result<String, String> {
        let mut t = Templates::new(Arc::new(FuncMap::new()));
        t.add("p", src).map_err(|e| e.message)?;
        t.execute("p", &Value::Nil).map_err(|e| e.message)
    }

    #[test]
    fn parenthesized_depth_as_go() {
        let nest = |n: usize| format!("{{{{ {}1{} }}}}", "(".repeat(n), ")".repeat(n));
        assert_eq!(parse_and_run(&nest(10_000)).unwrap(), "1");
        assert_eq!(
            parse_and_run(&nest(10_001)).unwrap_err(),
            "template: p:1: max expression depth exceeded"
        );
    }

    #[test]
    fn inline_limits_fit_a_small_stack() {
        // Parsed and executed on this (2 MiB) test thread's own stack.
        let parens = format!("{{{{ {}1{} }}}}", "(".repeat(63), ")".repeat(63));
        assert_eq!(parse_and_run(&parens).unwrap(), "1");
        let ifs = format!("{}x{}", "{{if true}}".repeat(63), "{{end}}".repeat(63));
        assert_eq!(parse_and_run(&ifs).unwrap(), "x");
        assert_eq!(parse_and_run(&call_chain(63)).unwrap(), "63");
        assert_eq!(SEGMENTS_MADE.get(), 0);
    }

    /// A chain of `template` calls, each one level deeper in `if`, ending in the depth reached.
    fn call_chain(calls: usize) -> String {
        format!(
            "{{{{define \"r\"}}}}{{{{if lt (len .) {calls}}}}}{{{{template \"r\" (print . \"x\")}}}}{{{{else}}}}{{{{len .}}}}{{{{end}}}}{{{{end}}}}{{{{template \"r\" \"\"}}}}"
        )
    }

    /// Runs `src` on a new thread with a stack of `bytes`, and tells its output and how many
    /// stack segments the run made.
    fn run_on_thread(src: String, bytes: usize) -> (Result<String, String>, usize) {
        std::thread::Builder::new()
            .stack_size(bytes)
            .spawn(move || (parse_and_run(&src), SEGMENTS_MADE.get()))
            .unwrap()
            .join()
            .expect("no stack overflow")
    }

    #[test]
    fn stack_segments_only_where_the_stack_runs_short() {
        // What is left of the stack is measured: a chain that fits stays on the caller's stack,
        // and a long one on a small stack goes on in new segments instead of overflowing.
        assert_eq!(run_on_thread(call_chain(40), 2 << 20), (Ok("40".into()), 0));
        let (out, segments) = run_on_thread(call_chain(3_000), 256 << 10);
        assert_eq!(out.unwrap(), "3000");
        assert!(segments >= 1, "{segments}");
    }

    #[test]
    fn control_nesting_is_limited_without_overflow() {
        // Helm renders these (checked with v4.2.3: 10001, 50000 and 100000 nested if/range/with
        // print "x"). 100000 levels need a stack above the default big one.
        let nest = |open: &str, n: usize| format!("{}x{}", open.repeat(n), "{{end}}".repeat(n));
        assert_eq!(parse_and_run(&nest("{{if true}}", 100_000)).unwrap(), "x");
        assert_eq!(parse_and_run(&nest("{{with 1}}", 20_000)).unwrap(), "x");
        let chain = format!(
            "{{{{if false}}}}{}{{{{else}}}}x{{{{end}}}}",
            "{{else if false}}".repeat(20_000)
        );
        assert_eq!(parse_and_run(&chain).unwrap(), "x");
    }

    #[test]
    #[ignore = "recurses half a million levels: about 4 GiB of stack in a debug build"]
    fn control_nesting_past_the_limit_fails_by_name() {
        // Helm's process dies of a stack overflow here; helmet refuses by name.
        let deeper = parser::MAX_NESTING + 1;
        assert!(parse_and_run(&format!("{}x", "{{if 1}}".repeat(deeper)))
            .unwrap_err()
            .contains("not supported by helmet"));
    }
}
