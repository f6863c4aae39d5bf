//! The parse tree. Every node carries the byte offset where it starts, from which errors compute
//! line and column as Go does; `Display` renders a node as Go's `Node.String` (error contexts
//! quote it).

use std::fmt;
use std::sync::Arc;

use helmet_value::Value;

/// A piece of a template's source text (a name, a field chain, a constant's source, plain
/// text): it shares the source's allocation, so parsing copies no strings.
#[derive(Clone)]
pub struct Span {
    source: Arc<str>,
    start: u32,
    end: u32,
}

impl Span {
    /// `source[start..end]`; `None` when the range is out of bounds, splits a character or
    /// does not fit the 32-bit offsets spans keep (the parser refuses sources that large).
    pub fn new(source: &Arc<str>, start: usize, end: usize) -> Option<Span> {
        source.get(start..end)?;
        Some(Span {
            source: source.clone(),
            start: u32::try_from(start).ok()?,
            end: u32::try_from(end).ok()?,
        })
    }

    /// Offset of the first byte in the source.
    pub fn start(&self) -> usize {
        self.start as usize
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        self.source
            .get(self.start as usize..self.end as usize)
            .unwrap_or("")
    }
}

impl std::ops::Deref for Span {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

/// A sequence that keeps a single element inline: most commands have one operand, which then
/// needs no allocation of its own. Reads as a slice.
#[derive(Clone, Default)]
pub enum Few<T> {
    /// No element.
    #[default]
    Empty,
    /// One element.
    One(T),
    /// Two or more.
    Many(Vec<T>),
}

impl<T> Few<T> {
    /// Appends an element.
    pub fn push(&mut self, item: T) {
        // Each element moves once: elements are large (arguments, commands).
        match self {
            Few::Many(items) => items.push(item),
            Few::Empty => *self = Few::One(item),
            Few::One(_) => {
                let mut items = Vec::with_capacity(4);
                if let Few::One(first) = std::mem::take(self) {
                    items.push(first);
                }
                items.push(item);
                *self = Few::Many(items);
            }
        }
    }

    /// The elements.
    pub fn as_slice(&self) -> &[T] {
        match self {
            Few::Empty => &[],
            Few::One(item) => std::slice::from_ref(item),
            Few::Many(items) => items,
        }
    }
}

/// Prints as the list it stands for.
impl<T: fmt::Debug> fmt::Debug for Few<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.as_slice()).finish()
    }
}

impl<T> std::ops::Deref for Few<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        self.as_slice()
    }
}

impl<'a, T> IntoIterator for &'a Few<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.as_slice().iter()
    }
}

/// A list of nodes (a template body or a branch).
#[derive(Clone, Debug, Default)]
pub struct ListNode {
    /// Offset of the list.
    pub pos: usize,
    /// The nodes in order.
    pub nodes: Vec<Node>,
}

/// A statement-level node.
#[derive(Clone, Debug)]
pub enum Node {
    /// Plain text.
    Text {
        /// Offset.
        pos: usize,
        /// The text.
        text: Span,
    },
    /// `{{pipeline}}`
    Action(ActionNode),
    /// `{{if}}`, `{{range}}`, `{{with}}`
    Branch(Box<BranchNode>),
    /// `{{template "name" pipeline}}` (rare: boxed, so lists of the other nodes stay compact)
    Template(Box<TemplateNode>),
    /// `{{break}}`
    Break {
        /// Offset.
        pos: usize,
    },
    /// `{{continue}}`
    Continue {
        /// Offset.
        pos: usize,
    },
}

/// Which control structure a branch is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BranchKind {
    /// `if`
    If,
    /// `range`
    Range,
    /// `with`
    With,
}

/// `{{if}}`, `{{range}}` or `{{with}}` with its lists.
#[derive(Clone, Debug)]
pub struct BranchNode {
    /// Which control.
    pub kind: BranchKind,
    /// Offset.
    pub pos: usize,
    /// The controlling pipeline.
    pub pipe: PipeNode,
    /// The body.
    pub list: ListNode,
    /// The else branch.
    pub else_list: Option<ListNode>,
}

/// `{{pipeline}}`
#[derive(Clone, Debug)]
pub struct ActionNode {
    /// Offset.
    pub pos: usize,
    /// The pipeline.
    pub pipe: PipeNode,
}

/// `{{template "name" pipeline}}`
#[derive(Clone, Debug)]
pub struct TemplateNode {
    /// Offset.
    pub pos: usize,
    /// The called template's name.
    pub name: String,
    /// The argument, if any.
    pub pipe: Option<PipeNode>,
}

/// A pipeline with optional declarations.
#[derive(Clone, Debug)]
pub struct PipeNode {
    /// Offset.
    pub pos: usize,
    /// `=` rather than `:=`.
    pub is_assign: bool,
    /// Declared or assigned variables.
    pub decl: Vec<VariableNode>,
    /// The commands, separated by `|`: most pipelines have one, which then needs no
    /// allocation of its own.
    pub cmds: Few<CommandNode>,
}

/// A command: a function or value with arguments.
#[derive(Clone, Debug)]
pub struct CommandNode {
    /// Offset.
    pub pos: usize,
    /// The words.
    pub args: Few<Arg>,
}

/// A variable with optional trailing fields: `$x.a.b`.
#[derive(Clone, Debug)]
pub struct VariableNode {
    /// Offset.
    pub pos: usize,
    /// The variable's name, `$x`.
    pub name: Span,
    /// The field names after it joined by dots (`a.b`), empty if none.
    pub fields: Option<Span>,
}

impl VariableNode {
    /// The field names after the variable joined by dots (`a.b`), empty if none.
    pub fn fields(&self) -> &str {
        self.fields.as_deref().unwrap_or("")
    }
}

/// A number constant with its interpretations, as Go's `NumberNode`.
#[derive(Clone, Debug)]
pub struct NumberNode {
    /// Offset.
    pub pos: usize,
    /// Source text.
    pub text: Span,
    /// Representable as int64.
    pub int: Option<i64>,
    /// Representable as uint64.
    pub uint: Option<u64>,
    /// Representable as float64.
    pub float: Option<f64>,
    /// Is complex (`1i`, `2+3i`): a `complex128` when used as a value.
    pub complex: bool,
    /// The real and imaginary parts of a complex constant.
    pub complex_parts: (f64, f64),
}

/// The function a name in a template stands for, found when the template was parsed: a tree
/// runs only with the function map it was parsed against (the set's own; the parse cache keeps
/// trees per map), so calls need no lookup by name.
#[derive(Clone)]
pub struct Function(pub(crate) Callable);

/// What a [`Function`] is.
#[derive(Clone)]
pub(crate) enum Callable {
    /// A function of the set's map.
    Own(helmet_value::Func),
    /// One of Go's builtins.
    Builtin(crate::builtins::Builtin),
}

impl fmt::Debug for Function {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Callable::Own(func) => fmt::Debug::fmt(func, f),
            Callable::Builtin(b) => fmt::Debug::fmt(b, f),
        }
    }
}

/// An operand.
#[derive(Clone, Debug)]
pub enum Arg {
    /// A function name.
    Identifier {
        /// Offset.
        pos: usize,
        /// The name.
        name: Span,
        /// The function it names.
        function: Function,
    },
    /// `.`
    Dot {
        /// Offset.
        pos: usize,
    },
    /// `nil`
    Nil {
        /// Offset.
        pos: usize,
    },
    /// `true`/`false`
    Bool {
        /// Offset.
        pos: usize,
        /// The value.
        value: bool,
    },
    /// A number.
    Number(Box<NumberNode>),
    /// A string constant.
    String {
        /// Offset.
        pos: usize,
        /// The quoted source.
        quoted: Span,
        /// The value: a `Value::String`, or a `Value::ByteString` when escapes make bytes that
        /// are not UTF-8.
        value: Value,
    },
    /// `.a.b`
    Field {
        /// Offset.
        pos: usize,
        /// The field names joined by dots (`a.b` for `.a.b`).
        fields: Span,
    },
    /// `$x.a`
    Variable(VariableNode),
    /// `(pipe)`
    Pipe(Box<PipeNode>),
    /// `(pipe).a.b` or `func.a`
    Chain {
        /// Offset.
        pos: usize,
        /// The operand whose fields are taken.
        node: Box<Arg>,
        /// The field names joined by dots (`a.b`).
        fields: Span,
    },
}

impl Arg {
    /// The node's offset.
    pub fn pos(&self) -> usize {
        match self {
            Arg::Identifier { pos, .. }
            | Arg::Dot { pos }
            | Arg::Nil { pos }
            | Arg::Bool { pos, .. }
            | Arg::String { pos, .. }
            | Arg::Field { pos, .. }
            | Arg::Chain { pos, .. } => *pos,
            Arg::Number(n) => n.pos,
            Arg::Variable(v) => v.pos,
            Arg::Pipe(p) => p.pos,
        }
    }
}

impl fmt::Display for Arg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Arg::Identifier { name, .. } => f.write_str(name),
            Arg::Dot { .. } => f.write_str("."),
            Arg::Nil { .. } => f.write_str("nil"),
            Arg::Bool { value, .. } => write!(f, "{value}"),
            Arg::Number(n) => f.write_str(&n.text),
            Arg::String { quoted, .. } => f.write_str(quoted),
            Arg::Field { fields, .. } => write!(f, ".{fields}"),
            Arg::Variable(v) => write!(f, "{v}"),
            Arg::Pipe(p) => write!(f, "{p}"),
            Arg::Chain { node, fields, .. } => {
                if let Arg::Pipe(_) = **node {
                    write!(f, "({node}).{fields}")
                } else {
                    write!(f, "{node}.{fields}")
                }
            }
        }
    }
}

impl fmt::Display for VariableNode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)?;
        if let Some(fields) = &self.fields {
            write!(f, ".{fields}")?;
        }
        Ok(())
    }
}

impl fmt::Display for CommandNode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, a) in self.args.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            if let Arg::Pipe(_) = a {
                write!(f, "({a})")?;
            } else {
                write!(f, "{a}")?;
            }
        }
        Ok(())
    }
}

impl fmt::Display for PipeNode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.decl.is_empty() {
            for (i, v) in self.decl.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{v}")?;
            }
            f.write_str(if self.is_assign { " = " } else { " := " })?;
        }
        for (i, c) in self.cmds.iter().enumerate() {
            if i > 0 {
                f.write_str(" | ")?;
            }
            write!(f, "{c}")?;
        }
        Ok(())
    }
}

impl fmt::Display for ListNode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for n in &self.nodes {
            write!(f, "{n}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Node::Text { text, .. } => write!(f, "{}", crate::lexer::go_quote(text)),
            Node::Action(a) => write!(f, "{{{{{}}}}}", a.pipe),
            Node::Branch(b) => {
                let name = match b.kind {
                    BranchKind::If => "if",
                    BranchKind::Range => "range",
                    BranchKind::With => "with",
                };
                write!(f, "{{{{{name} {}}}}}{}", b.pipe, b.list)?;
                if let Some(e) = &b.else_list {
                    write!(f, "{{{{else}}}}{e}")?;
                }
                f.write_str("{{end}}")
            }
            Node::Template(t) => {
                let q = crate::lexer::go_quote(&t.name);
                match &t.pipe {
                    None => write!(f, "{{{{template {q}}}}}"),
                    Some(p) => write!(f, "{{{{template {q} {p}}}}}"),
                }
            }
            Node::Break { .. } => f.write_str("{{break}}"),
            Node::Continue { .. } => f.write_str("{{continue}}"),
        }
    }
}

impl Node {
    /// The node's offset.
    pub fn pos(&self) -> usize {
        match self {
            Node::Text { pos, .. } | Node::Break { pos } | Node::Continue { pos } => *pos,
            Node::Action(a) => a.pos,
            Node::Branch(b) => b.pos,
            Node::Template(t) => t.pos,
        }
    }
}

/// A parsed template body with the source it came from (errors locate nodes in it).
#[derive(Debug)]
pub struct Tree {
    /// The template's name.
    pub name: String,
    /// The name of the top-level template whose source held this body (Go's `ParseName`).
    pub parse_name: Arc<str>,
    /// The whole source text of that parse.
    pub text: Arc<str>,
    /// `text` holds stand-ins for bytes that are not UTF-8 (see [`crate::raw_bytes`]): its
    /// text nodes write those bytes, and columns count each stand-in as one byte.
    pub raw_bytes: bool,
    /// The body.
    pub root: ListNode,
    /// Nested deeply enough that dropping it recursively could overflow a small stack.
    pub deep: bool,
    /// An upper bound of the nesting of parentheses and control structures in its source.
    pub nest: usize,
    /// [`called_functions`] of the body: noted by the parser as it meets them, or worked out
    /// on first use (trees outlive a render in the parse cache, so a later render asks again
    /// for free).
    pub called: std::sync::OnceLock<Box<[Span]>>,
}

impl Drop for Tree {
    fn drop(&mut self) {
        if self.deep {
            let root = std::mem::take(&mut self.root);
            crate::on_stack_for_levels(self.nest, move || drop(root));
        }
    }
}

impl Tree {
    /// The functions the body calls, sorted, each once.
    pub fn called(&self) -> &[Span] {
        self.called
            .get_or_init(|| called_functions(&self.root).into_boxed_slice())
    }

    /// Go's `ErrorContext`: `NAME:LINE:COL` of an offset.
    pub fn location(&self, pos: usize) -> String {
        let pos = pos.min(self.text.len());
        let before = &self.text.as_bytes()[..pos];
        let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let col = if self.raw_bytes {
            // Go counts the bytes of the source, where each stand-in was one byte.
            self.text
                .get(line_start..pos)
                .map_or(pos - line_start, crate::raw_bytes::byte_len)
        } else {
            pos - line_start
        };
        format!("{}:{}:{}", self.parse_name, line, col)
    }
}

/// Whether a list holds only whitespace text (Go's `IsEmptyTree`).
pub fn is_empty_list(list: &ListNode) -> bool {
    list.nodes.iter().all(|n| match n {
        // Go trims Unicode white space here (`bytes.TrimSpace`: also `\v`, `\f`, NEL, NBSP, ...),
        // which is what `str::trim` trims.
        Node::Text { text, .. } => text.trim().is_empty(),
        _ => false,
    })
}

/// The functions commands in `list` name, sorted, each once (a function used as a pipeline
/// stage or an argument counts; a field or variable of the same name does not). The walk keeps
/// its own stack, so deeply nested templates cannot overflow the thread's.
pub fn called_functions(list: &ListNode) -> Vec<Span> {
    let mut called: Vec<&Span> = Vec::new();
    enum Item<'a> {
        List(&'a ListNode),
        Pipe(&'a PipeNode),
        Arg(&'a Arg),
    }
    let mut stack = vec![Item::List(list)];
    while let Some(item) = stack.pop() {
        match item {
            Item::List(list) => {
                for node in &list.nodes {
                    match node {
                        Node::Action(a) => stack.push(Item::Pipe(&a.pipe)),
                        Node::Branch(b) => {
                            stack.push(Item::Pipe(&b.pipe));
                            stack.push(Item::List(&b.list));
                            if let Some(e) = &b.else_list {
                                stack.push(Item::List(e));
                            }
                        }
                        Node::Template(t) => {
                            if let Some(p) = &t.pipe {
                                stack.push(Item::Pipe(p));
                            }
                        }
                        Node::Text { .. } | Node::Break { .. } | Node::Continue { .. } => {}
                    }
                }
            }
            Item::Pipe(pipe) => {
                for cmd in &pipe.cmds {
                    stack.extend(cmd.args.iter().map(Item::Arg));
                }
            }
            Item::Arg(arg) => match arg {
                // Templates call few distinct functions, each many times: a linear check keeps
                // the list short instead of sorting every call.
                Arg::Identifier { name, .. }
                    if !called.iter().any(|c| c.as_str() == name.as_str()) =>
                {
                    called.push(name)
                }
                Arg::Pipe(p) => stack.push(Item::Pipe(p)),
                Arg::Chain { node, .. } => stack.push(Item::Arg(node)),
                _ => {}
            },
        }
    }
    called.sort_unstable_by(|a, b| a.as_str().cmp(b.as_str()));
    called.into_iter().cloned().collect()
}
