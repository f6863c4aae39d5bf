//! Execution: walks a tree with a dot and variables, as Go's `text/template` exec does,
//! reproducing its conversions, `interface {}` typing quirks and error texts.

use std::sync::Arc;

use helmet_value::{ArgType, CallContext, ElemType, Func, FuncError, Value};

use crate::ast::*;
use crate::builtins::{self, Builtin};
use crate::error::{Error, ErrorKind};
use crate::lexer::go_quote;
use crate::Set;

/// Go's `maxExecDepth`.
pub const MAX_EXEC_DEPTH: usize = 100_000;

/// A value during execution, with the bit of Go's static type that changes behaviour: whether
/// it is held in an `interface {}` (map and slice elements of `[]interface {}`). `Nil` outside
/// an interface is Go's invalid `reflect.Value` (what a pipeline yields for nil).
#[derive(Clone, Debug)]
pub struct Ev {
    /// The value.
    pub v: Value,
    /// Statically typed `interface {}`.
    pub iface: bool,
}

impl Ev {
    pub(crate) fn invalid() -> Ev {
        Ev {
            v: Value::Nil,
            iface: false,
        }
    }
    pub(crate) fn plain(v: Value) -> Ev {
        Ev { v, iface: false }
    }
    pub(crate) fn is_invalid(&self) -> bool {
        self.v.is_nil() && !self.iface
    }
    /// Go's `Type()` name of the reflect value.
    pub(crate) fn type_name(&self) -> String {
        if self.iface {
            "interface {}".to_string()
        } else {
            self.v.type_name()
        }
    }
    /// Strips the interface, as evalPipeline does (nil interface becomes invalid).
    pub(crate) fn strip(self) -> Ev {
        Ev {
            v: self.v,
            iface: false,
        }
    }
}

/// Where an error happened: the node Go's `state.at` last recorded.
#[derive(Clone, Copy)]
pub(crate) enum At<'a> {
    None,
    Arg(&'a Arg),
    Cmd(&'a CommandNode),
    Pipe(&'a PipeNode),
    Node(&'a Node),
}

impl At<'_> {
    fn pos_ctx(&self) -> Option<(usize, String)> {
        match self {
            At::None => None,
            At::Arg(a) => Some((a.pos(), a.to_string())),
            At::Cmd(c) => Some((c.pos, c.to_string())),
            At::Pipe(p) => Some((p.pos, p.to_string())),
            At::Node(n) => Some((n.pos(), n.to_string())),
        }
    }
}

pub(crate) enum Flow {
    Normal,
    Break,
    Continue,
}

/// A function found by name: the set's own (borrowed), a method's, or a builtin.
enum Callee<'f> {
    User(std::borrow::Cow<'f, Func>),
    Builtin(Builtin),
}

/// Where execution stands on the thread stack. Templates run on the caller's stack while it has
/// room; a call that would go deeper than what is left (or into a deeply nested tree) continues
/// on a new stack segment of the same thread, so thread-locals and the output stay where they
/// are and no thread is started.
#[derive(Clone, Copy, Debug)]
pub(crate) struct StackBudget {
    /// Stack units still allowed on the current stack: a template call costs one plus its
    /// tree's nesting.
    pub left: usize,
    /// This step moved to a new stack segment.
    pub hopped: bool,
    /// The nesting the new segment is sized for, when this step moved.
    pub levels: usize,
}

/// Stack units allowed on a caller's stack whose size cannot be found out (a 2 MiB thread must
/// do).
const UNKNOWN_STACK_UNITS: usize = 64;

impl StackBudget {
    /// The budget on a caller's stack.
    pub(crate) fn inline() -> StackBudget {
        StackBudget {
            left: UNKNOWN_STACK_UNITS,
            hopped: false,
            levels: 0,
        }
    }

    /// The budget for running `tree` one call deeper.
    pub(crate) fn enter(self, tree: &Tree) -> StackBudget {
        let cost = 1 + tree.nest;
        // Where the stack's size is known, what is left of it is measured at each call, so a
        // misjudged call does not add up over a deep recursion; elsewhere the units are counted.
        let left = crate::units_left_on_stack().unwrap_or(self.left);
        if cost > left {
            StackBudget {
                left: crate::units_on_new_segment(cost) - cost,
                hopped: true,
                levels: cost,
            }
        } else {
            StackBudget {
                left: left - cost,
                hopped: false,
                levels: 0,
            }
        }
    }
}

pub(crate) struct State<'a> {
    pub stack: StackBudget,
    pub set: &'a Set,
    pub tree: &'a Tree,
    pub vars: Vec<(&'a str, Ev)>,
    /// The evaluated arguments of the calls in progress, innermost last.
    pub call_args: Vec<Ev>,
    /// The arguments of the function call in progress, as the function receives them.
    pub call_values: Vec<Value>,
    pub at: At<'a>,
    pub depth: usize,
    pub out: crate::output::Output,
}

type R<T> = Result<T, Error>;

impl<'a> State<'a> {
    pub fn errorf(&self, msg: impl std::fmt::Display) -> Error {
        match self.at.pos_ctx() {
            None => Error {
                kind: ErrorKind::Exec,
                message: format!("template: {}: {}", self.tree.name, msg),
                template: self.tree.name.clone(),
                line: None,
                col: None,
            },
            Some((pos, ctx)) => {
                let loc = self.tree.location(pos);
                let mut parts = loc.rsplitn(3, ':');
                let col = parts.next().and_then(|c| c.parse().ok());
                let line = parts.next().and_then(|c| c.parse().ok());
                Error {
                    kind: ErrorKind::Exec,
                    message: format!(
                        "template: {}: executing {} at <{}>: {}",
                        loc,
                        go_quote(&self.tree.name),
                        ctx,
                        msg
                    ),
                    template: self.tree.parse_name.to_string(),
                    line,
                    col,
                }
            }
        }
    }

    fn var_value(&self, name: &str) -> R<Ev> {
        for (n, v) in self.vars.iter().rev() {
            if *n == name {
                return Ok(v.clone());
            }
        }
        Err(self.errorf(format!("undefined variable: {name}")))
    }

    fn set_var(&mut self, name: &str, value: Ev) -> R<()> {
        for (n, v) in self.vars.iter_mut().rev() {
            if *n == name {
                *v = value;
                return Ok(());
            }
        }
        Err(self.errorf(format!("undefined variable: {name}")))
    }

    fn set_top_var(&mut self, n: usize, value: Ev) {
        let len = self.vars.len();
        if n <= len {
            self.vars[len - n].1 = value;
        }
    }

    pub fn walk_list(&mut self, dot: &Ev, list: &'a ListNode) -> R<Flow> {
        for n in &list.nodes {
            match self.walk(dot, n)? {
                Flow::Normal => {}
                other => return Ok(other),
            }
        }
        Ok(Flow::Normal)
    }

    fn walk(&mut self, dot: &Ev, node: &'a Node) -> R<Flow> {
        self.at = At::Node(node);
        match node {
            Node::Text { text, .. } => {
                if self.tree.raw_bytes && crate::raw_bytes::holds_stand_in(text) {
                    self.out.push_bytes(&crate::raw_bytes::to_bytes(text));
                } else {
                    self.out.push_str(text);
                }
                Ok(Flow::Normal)
            }
            Node::Action(a) => {
                let val = self.eval_pipeline(dot, &a.pipe)?;
                if a.pipe.decl.is_empty() {
                    self.at = At::Node(node);
                    self.print_value(&val)?;
                }
                Ok(Flow::Normal)
            }
            Node::Break { .. } => Ok(Flow::Break),
            Node::Continue { .. } => Ok(Flow::Continue),
            Node::Branch(b) => match b.kind {
                BranchKind::If | BranchKind::With => self.walk_if_or_with(dot, b),
                BranchKind::Range => self.walk_range(dot, node, b),
            },
            Node::Template(t) => self.walk_template(dot, t),
        }
    }

    /// Prints an action's value as text/template does (pointers print what they point to,
    /// addressable values reach `String` methods on their pointer receiver), then Go's fmt.
    fn print_value(&mut self, v: &Ev) -> R<()> {
        if v.v.is_nil() && !v.iface {
            self.out.push_str("<no value>");
        } else if let Value::String(s) = &v.v {
            // Sprint of a lone string is the string.
            self.out.push_str(s);
        } else if let Value::ByteString(b) = &v.v {
            self.out.push_bytes(b);
        } else {
            match helmet_value::fmt::format_action_value(&v.v) {
                Ok(text) => self.out.push_str(&text),
                // A container that holds strings that are not UTF-8 prints their bytes.
                Err(why) if why == helmet_value::fmt::NOT_UTF8 => {
                    match helmet_value::fmt::try_sprint_go(std::slice::from_ref(&v.v)) {
                        Ok(printed) => self.out.push_bytes(printed.as_go_bytes().unwrap_or(&[])),
                        Err(why) => return Err(self.errorf(why)),
                    }
                }
                Err(why) => return Err(self.errorf(why)),
            }
        }
        Ok(())
    }

    fn walk_if_or_with(&mut self, dot: &Ev, b: &'a BranchNode) -> R<Flow> {
        let mark = self.vars.len();
        let r = (|| {
            let val = self.eval_pipeline(dot, &b.pipe)?;
            if val.v.is_true() {
                if b.kind == BranchKind::With {
                    self.walk_list(&val, &b.list)
                } else {
                    self.walk_list(dot, &b.list)
                }
            } else if let Some(e) = &b.else_list {
                self.walk_list(dot, e)
            } else {
                Ok(Flow::Normal)
            }
        })();
        self.vars.truncate(mark);
        r
    }

    fn walk_range(&mut self, dot: &Ev, node: &'a Node, r: &'a BranchNode) -> R<Flow> {
        self.at = At::Node(node);
        let outer = self.vars.len();
        let res = self.walk_range_inner(dot, r);
        self.vars.truncate(outer);
        res.map(|_| Flow::Normal)
    }

    fn one_iteration(&mut self, r: &'a BranchNode, index: Ev, elem: Ev, mark: usize) -> R<bool> {
        if !r.pipe.decl.is_empty() {
            if r.pipe.is_assign {
                if r.pipe.decl.len() > 1 {
                    self.set_var(&r.pipe.decl[0].name, index.clone())?;
                } else {
                    self.set_var(&r.pipe.decl[0].name, elem.clone())?;
                }
            } else {
                self.set_top_var(1, elem.clone());
            }
        }
        if r.pipe.decl.len() > 1 {
            if r.pipe.is_assign {
                self.set_var(&r.pipe.decl[1].name, elem.clone())?;
            } else {
                self.set_top_var(2, index);
            }
        }
        let res = self.walk_list(&elem, &r.list);
        self.vars.truncate(mark);
        match res? {
            Flow::Break => Ok(false),
            _ => Ok(true),
        }
    }

    fn walk_range_inner(&mut self, dot: &Ev, r: &'a BranchNode) -> R<()> {
        let val = self.eval_pipeline(dot, &r.pipe)?;
        let mark = self.vars.len();
        // Built-in objects that are Go maps or slices in Helm (`.Files.Glob`, a `VersionSet`)
        // range over their map or slice form.
        let iterable = match &val.v {
            Value::Object(o) => match o.to_data() {
                data @ (Value::List(_) | Value::Map(_)) => data,
                _ => val.v.clone(),
            },
            other => other.clone(),
        };
        match &iterable {
            Value::List(l) => {
                if !l.items.is_empty() {
                    let iface = l.elem == ElemType::Interface;
                    for (i, item) in l.items.iter().enumerate() {
                        let elem = Ev {
                            v: item.clone(),
                            iface,
                        };
                        if !self.one_iteration(r, Ev::plain(Value::Int(i as i64)), elem, mark)? {
                            break;
                        }
                    }
                    return Ok(());
                }
            }
            Value::Bytes(b) => {
                if !b.is_empty() {
                    for (i, byte) in b.iter().enumerate() {
                        let elem = Ev::plain(Value::Int(*byte as i64));
                        if !self.one_iteration(r, Ev::plain(Value::Int(i as i64)), elem, mark)? {
                            break;
                        }
                    }
                    return Ok(());
                }
            }
            Value::Map(m) => {
                if !m.is_empty() {
                    let iface = m.elem == ElemType::Interface;
                    for (k, item) in m.entries().iter() {
                        let elem = Ev {
                            v: item.clone(),
                            iface,
                        };
                        let key = Ev::plain(Value::String(k.as_str().into()));
                        if !self.one_iteration(r, key, elem, mark)? {
                            break;
                        }
                    }
                    return Ok(());
                }
            }
            Value::Int(_) | Value::Int64(_) | Value::Uint64(_) => {
                if r.pipe.decl.len() > 1 {
                    return Err(self.errorf(format!(
                        "can't use {} to iterate over more than one variable",
                        helmet_value::fmt::format_value(&val.v)
                    )));
                }
                let n: u64 = match val.v {
                    Value::Int(i) | Value::Int64(i) => i.max(0) as u64,
                    Value::Uint64(u) => u,
                    _ => 0,
                };
                if n > 0 {
                    for i in 0..n {
                        let v = match val.v {
                            Value::Int(_) => Value::Int(i as i64),
                            Value::Int64(_) => Value::Int64(i as i64),
                            _ => Value::Uint64(i),
                        };
                        if !self.one_iteration(r, Ev::plain(v.clone()), Ev::plain(v), mark)? {
                            break;
                        }
                    }
                    return Ok(());
                }
            }
            Value::Nil => {}
            other => {
                return Err(self.errorf(format!(
                    "range can't iterate over {}",
                    helmet_value::fmt::format_value(other)
                )))
            }
        }
        if let Some(e) = &r.else_list {
            self.walk_list(dot, e)?;
        }
        Ok(())
    }

    fn walk_template(&mut self, dot: &Ev, t: &'a TemplateNode) -> R<Flow> {
        let Some(tree) = self.set.lookup(&t.name) else {
            return Err(self.errorf(format!("template {} not defined", go_quote(&t.name))));
        };
        if self.depth >= MAX_EXEC_DEPTH {
            return Err(self.errorf(format!(
                "exceeded maximum template depth ({MAX_EXEC_DEPTH})"
            )));
        }
        let new_dot = match &t.pipe {
            Some(p) => self.eval_pipeline(dot, p)?,
            None => Ev::invalid(),
        };
        let stack = self.stack.enter(tree);
        // The called template writes to the same output and uses the same argument stacks.
        let mut spare = spare_stacks::take();
        let mut vars = std::mem::take(&mut spare.vars);
        vars.push(("$", new_dot.clone()));
        let mut inner = State {
            set: self.set,
            tree,
            vars,
            call_args: std::mem::take(&mut self.call_args),
            call_values: std::mem::take(&mut self.call_values),
            at: At::None,
            depth: self.depth + 1,
            out: std::mem::take(&mut self.out),
            stack,
        };
        let r = if stack.hopped {
            // Continue on a new stack segment.
            let (r, inner) = crate::on_stack_for_levels(stack.levels, move || {
                let r = inner.walk_list(&new_dot, &tree.root).map(|_| ());
                (r, inner)
            });
            self.take_buffers(inner, spare);
            r
        } else {
            let r = inner.walk_list(&new_dot, &tree.root).map(|_| ());
            self.take_buffers(inner, spare);
            r
        };
        r?;
        Ok(Flow::Normal)
    }

    /// Takes back the output and argument stacks lent to a called template's state, and keeps
    /// its variables' stack with the spare stacks it came with.
    fn take_buffers(&mut self, inner: State<'_>, spare: spare_stacks::Stacks<'_>) {
        self.out = inner.out;
        self.call_args = inner.call_args;
        self.call_values = inner.call_values;
        spare_stacks::give_back(spare_stacks::Stacks {
            vars: inner.vars,
            ..spare
        });
    }

    pub(crate) fn eval_pipeline(&mut self, dot: &Ev, pipe: &'a PipeNode) -> R<Ev> {
        self.at = At::Pipe(pipe);
        let value = match &pipe.cmds {
            // Most pipelines are one command.
            Few::One(cmd) => self.eval_command(dot, cmd, None)?.strip(),
            cmds => {
                let mut value: Option<Ev> = None;
                for cmd in cmds {
                    let v = self.eval_command(dot, cmd, value.take())?;
                    value = Some(v.strip());
                }
                value.unwrap_or_else(Ev::invalid)
            }
        };
        if pipe.decl.is_empty() {
            return Ok(value);
        }
        for var in &pipe.decl {
            if pipe.is_assign {
                self.set_var(&var.name, value.clone())?;
            } else {
                self.vars.push((&var.name, value.clone()));
            }
        }
        Ok(value)
    }

    fn not_a_function(&self, args: &[Arg], has_final: bool) -> R<()> {
        if args.len() > 1 || has_final {
            return Err(self.errorf(format!("can't give argument to non-function {}", args[0])));
        }
        Ok(())
    }

    fn eval_command(&mut self, dot: &Ev, cmd: &'a CommandNode, fin: Option<Ev>) -> R<Ev> {
        let first = &cmd.args[0];
        match first {
            Arg::Field { fields, .. } => {
                return self.eval_field_node(dot, first, fields, &cmd.args, fin)
            }
            Arg::Chain { .. } => return self.eval_chain_node(dot, first, &cmd.args, fin),
            Arg::Identifier { name, function, .. } => {
                return self.eval_function(dot, first, name, function, At::Cmd(cmd), &cmd.args, fin)
            }
            Arg::Pipe(p) => {
                self.not_a_function(&cmd.args, fin.is_some())?;
                return self.eval_pipeline(dot, p);
            }
            Arg::Variable(v) => return self.eval_variable_node(dot, first, v, &cmd.args, fin),
            _ => {}
        }
        self.at = At::Arg(first);
        self.not_a_function(&cmd.args, fin.is_some())?;
        match first {
            Arg::Bool { value, .. } => Ok(Ev::plain(Value::Bool(*value))),
            Arg::Dot { .. } => Ok(dot.clone()),
            Arg::Nil { .. } => Err(self.errorf("nil is not a command")),
            Arg::Number(n) => self.ideal_constant(n),
            Arg::String { value, .. } => Ok(Ev::plain(value.clone())),
            _ => Err(self.errorf(format!(
                "can't evaluate command {}",
                go_quote(&first.to_string())
            ))),
        }
    }

    fn ideal_constant(&self, n: &NumberNode) -> R<Ev> {
        let text = &n.text;
        if n.complex {
            let (re, im) = n.complex_parts;
            return Ok(Ev::plain(Value::Complex128(re, im)));
        }
        let is_hex_int = text.len() > 2
            && text.starts_with('0')
            && matches!(text.as_bytes()[1], b'x' | b'X')
            && !text.contains(['p', 'P']);
        let is_rune = text.starts_with('\'');
        if let Some(f) = n.float {
            if !is_hex_int && !is_rune && text.contains(['.', 'e', 'E', 'p', 'P']) {
                return Ok(Ev::plain(Value::Float64(f)));
            }
        }
        if let Some(i) = n.int {
            return Ok(Ev::plain(Value::Int(i)));
        }
        if n.uint.is_some() {
            return Err(self.errorf(format!("{text} overflows int")));
        }
        Ok(Ev::invalid())
    }

    fn eval_field_node(
        &mut self,
        dot: &Ev,
        node: &'a Arg,
        fields: &str,
        args: &'a [Arg],
        fin: Option<Ev>,
    ) -> R<Ev> {
        self.at = At::Arg(node);
        self.eval_field_chain(dot, dot, node, fields, args, fin)
    }

    fn eval_chain_node(
        &mut self,
        dot: &Ev,
        node: &'a Arg,
        args: &'a [Arg],
        fin: Option<Ev>,
    ) -> R<Ev> {
        self.at = At::Arg(node);
        let Arg::Chain {
            node: inner,
            fields,
            ..
        } = node
        else {
            return Err(self.errorf("internal error: not a chain"));
        };
        if let Arg::Nil { .. } = **inner {
            return Err(self.errorf(format!("indirection through explicit nil in {node}")));
        }
        let pipe = self.eval_arg_any_nil(dot, inner)?;
        self.eval_field_chain(dot, &pipe, node, fields, args, fin)
    }

    fn eval_variable_node(
        &mut self,
        dot: &Ev,
        node: &'a Arg,
        var: &'a VariableNode,
        args: &'a [Arg],
        fin: Option<Ev>,
    ) -> R<Ev> {
        self.at = At::Arg(node);
        let value = self.var_value(&var.name)?;
        let Some(fields) = &var.fields else {
            self.not_a_function(args, fin.is_some())?;
            return Ok(value);
        };
        self.eval_field_chain(dot, &value, node, fields, args, fin)
    }

    fn eval_field_chain(
        &mut self,
        dot: &Ev,
        receiver: &Ev,
        node: &'a Arg,
        fields: &str,
        args: &'a [Arg],
        fin: Option<Ev>,
    ) -> R<Ev> {
        // `fields` holds the names joined by dots (one pass over its bytes); all but the last
        // are plain lookups. The first receiver is borrowed (usually the dot): reading a field
        // needs no value of its own.
        let mut start = 0;
        let mut step: Option<Ev> = None;
        for (i, &b) in fields.as_bytes().iter().enumerate() {
            if b == b'.' {
                let name = fields.get(start..i).unwrap_or_default();
                let next = self.eval_field(
                    dot,
                    name,
                    node,
                    &[],
                    None,
                    step.as_ref().unwrap_or(receiver),
                )?;
                step = Some(next);
                start = i + 1;
            }
        }
        let last = fields.get(start..).unwrap_or_default();
        self.eval_field(
            dot,
            last,
            node,
            args,
            fin,
            step.as_ref().unwrap_or(receiver),
        )
    }

    fn eval_field(
        &mut self,
        dot: &Ev,
        name: &str,
        node: &'a Arg,
        args: &'a [Arg],
        fin: Option<Ev>,
        receiver: &Ev,
    ) -> R<Ev> {
        if receiver.is_invalid() {
            if self.set.missing_key_error {
                return Err(self.errorf(format!("nil data; no entry for key {}", go_quote(name))));
            }
            return Ok(Ev::invalid());
        }
        if receiver.v.is_nil() {
            let typ = receiver.type_name();
            return Err(self.errorf(format!("nil pointer evaluating {typ}.{name}")));
        }
        let has_args = args.len() > 1 || fin.is_some();
        // Methods come before fields and keys, as Go looks them up first (a named map type's:
        // `.Values.YAML`).
        let method = match &receiver.v {
            Value::Object(o) => o.method(name),
            Value::Map(m) => m.map_type().and_then(|t| (t.method)(&receiver.v, name)),
            _ => None,
        };
        if let Some(method) = method {
            let callee = Callee::User(std::borrow::Cow::Owned(method));
            return self.eval_call(dot, callee, At::Arg(node), name, args, fin);
        }
        match &receiver.v {
            Value::Object(o) => {
                if let Some(f) = o.field(name) {
                    if has_args {
                        return Err(self.errorf(format!(
                            "{name} has arguments but cannot be invoked as function"
                        )));
                    }
                    let iface = f.is_nil();
                    return Ok(Ev { v: f, iface });
                }
            }
            Value::Map(m) => {
                if has_args {
                    return Err(self.errorf(format!("{name} is not a method but has arguments")));
                }
                let iface = m.elem == ElemType::Interface;
                return match m.get(name) {
                    Some(v) => Ok(Ev { v, iface }),
                    None => {
                        if self.set.missing_key_error {
                            Err(self.errorf(format!("map has no entry for key {}", go_quote(name))))
                        } else {
                            Ok(Ev {
                                v: zero_of(m.elem),
                                iface,
                            })
                        }
                    }
                };
            }
            _ => {}
        }
        let typ = receiver.type_name();
        Err(self.errorf(format!("can't evaluate field {name} in type {typ}")))
    }

    #[allow(clippy::too_many_arguments)]
    fn eval_function(
        &mut self,
        dot: &Ev,
        node: &'a Arg,
        name: &str,
        function: &'a Function,
        cmd: At<'a>,
        args: &'a [Arg],
        fin: Option<Ev>,
    ) -> R<Ev> {
        self.at = At::Arg(node);
        let callee = match &function.0 {
            Callable::Own(f) => Callee::User(std::borrow::Cow::Borrowed(f)),
            Callable::Builtin(b) => Callee::Builtin(*b),
        };
        self.eval_call(dot, callee, cmd, name, args, fin)
    }

    /// Go's evalCall: checks the argument count, evaluates arguments against the parameter
    /// types, calls, and reports failures as `error calling NAME: MSG`.
    fn eval_call(
        &mut self,
        dot: &Ev,
        callee: Callee<'_>,
        node: At<'a>,
        name: &str,
        args: &'a [Arg],
        fin: Option<Ev>,
    ) -> R<Ev> {
        let args: &'a [Arg] = if args.is_empty() { args } else { &args[1..] };
        // The arguments go on the state's argument stacks (calls made while evaluating them push
        // and pop above their marks), so that a call allocates no vector of its own: a function's
        // straight onto the stack of values it receives, a builtin's (which sees whether a value
        // sits in an interface) onto the stack of evaluated arguments.
        match callee {
            Callee::User(f) => self.eval_own_call(dot, &f, node, name, args, fin),
            Callee::Builtin(b) => self.eval_builtin_call(dot, b, node, name, args, fin),
        }
    }

    /// How many arguments are fixed (not variadic), or text/template's error when `num_in`
    /// arguments (`given` of them written in the call) cannot fill `num_params` parameters.
    #[inline(always)]
    fn fixed_args(
        &self,
        name: &str,
        num_params: usize,
        variadic: bool,
        num_in: usize,
        given: usize,
    ) -> R<usize> {
        if variadic {
            if num_in < num_params {
                return Err(self.errorf(format!(
                    "wrong number of args for {name}: want at least {num_params} got {given}"
                )));
            }
            Ok(num_params)
        } else if num_in != num_params {
            Err(self.errorf(format!(
                "wrong number of args for {name}: want {num_params} got {num_in}"
            )))
        } else {
            Ok(given)
        }
    }

    /// The error for argument `i` of a call that is a string helmet cannot hold as text.
    #[cold]
    fn refused_not_utf8(&mut self, node: At<'a>, name: &str, i: usize) -> Error {
        self.at = node;
        self.errorf(format!(
            "error calling {name}: a string that is not valid UTF-8 as argument {} is not \
             supported by helmet in {name}",
            i + 1
        ))
    }

    /// [`State::eval_call`] of one of Go's builtins. `args` are the arguments after the name.
    fn eval_builtin_call(
        &mut self,
        dot: &Ev,
        b: Builtin,
        node: At<'a>,
        name: &str,
        args: &'a [Arg],
        fin: Option<Ev>,
    ) -> R<Ev> {
        let (params, variadic) = b.signature();
        let num_params = params.len();
        let num_in = args.len() + usize::from(fin.is_some());
        let num_fixed =
            self.fixed_args(name, num_params, variadic.is_some(), num_in, args.len())?;
        let param_at = |i: usize| -> Pt {
            match params.get(i) {
                Some(t) => *t,
                None => variadic.unwrap_or(Pt::Go(ArgType::Any)),
            }
        };
        if matches!(b, Builtin::And | Builtin::Or) {
            let is_or = b == Builtin::Or;
            let mut v = Ev::invalid();
            for arg in args {
                v = self.eval_arg(dot, Pt::Reflect, arg)?;
                if truth(&v) == is_or {
                    return Ok(v);
                }
            }
            if let Some(f) = fin {
                v = f;
            }
            return Ok(v);
        }
        let mark = self.call_args.len();
        let mut refused = None;
        for (i, arg) in args.iter().enumerate() {
            let t = param_at(i);
            match self.eval_arg(dot, t, arg) {
                Ok(arg) => self.take_arg(arg, i, t, false, &mut refused),
                Err(e) => {
                    self.call_args.truncate(mark);
                    return Err(e);
                }
            }
        }
        if let Some(last) = fin {
            let t = match variadic {
                Some(_) if num_in - 1 < num_fixed => param_at(num_in - 1),
                Some(rest) => rest,
                None => param_at(num_params - 1),
            };
            match self.validate_type(last, t) {
                Ok(arg) => self.take_arg(arg, num_in - 1, t, false, &mut refused),
                Err(e) => {
                    self.call_args.truncate(mark);
                    return Err(e);
                }
            }
        }
        if let Some(i) = refused {
            self.call_args.truncate(mark);
            return Err(self.refused_not_utf8(node, name, i));
        }
        let callee_name = if b == Builtin::Call {
            args.first().map(|a| a.to_string()).unwrap_or_default()
        } else {
            String::new()
        };
        let result = builtins::call(b, &self.call_args[mark..], &callee_name);
        self.call_args.truncate(mark);
        result.map_err(|e| {
            self.at = node;
            self.errorf(format!("error calling {name}: {}", e.0))
        })
    }

    /// [`State::eval_call`] of a function (not a builtin; most calls): its arguments go straight
    /// onto the stack of values it receives. `args` are the arguments after the name.
    fn eval_own_call(
        &mut self,
        dot: &Ev,
        f: &Func,
        node: At<'a>,
        name: &str,
        args: &'a [Arg],
        fin: Option<Ev>,
    ) -> R<Ev> {
        let num_params = f.params.len();
        let num_in = args.len() + usize::from(fin.is_some());
        let num_fixed =
            self.fixed_args(name, num_params, f.variadic.is_some(), num_in, args.len())?;
        let param_at = |i: usize| -> Pt {
            Pt::Go(match f.params.get(i) {
                Some(t) => *t,
                None => f.variadic.unwrap_or(ArgType::Any),
            })
        };
        let values_mark = self.call_values.len();
        let mut refused = None;
        for (i, arg) in args.iter().enumerate() {
            let t = param_at(i);
            match self.eval_arg(dot, t, arg) {
                Ok(arg) => self.take_arg(arg, i, t, true, &mut refused),
                Err(e) => {
                    self.call_values.truncate(values_mark);
                    return Err(e);
                }
            }
        }
        if let Some(last) = fin {
            let t = match f.variadic {
                Some(_) if num_in - 1 < num_fixed => param_at(num_in - 1),
                Some(rest) => Pt::Go(rest),
                None => param_at(num_params - 1),
            };
            match self.validate_type(last, t) {
                Ok(arg) => self.take_arg(arg, num_in - 1, t, true, &mut refused),
                Err(e) => {
                    self.call_values.truncate(values_mark);
                    return Err(e);
                }
            }
        }
        if let Some(i) = refused {
            self.call_values.truncate(values_mark);
            return Err(self.refused_not_utf8(node, name, i));
        }
        let ctx = ExecContext {
            set: self.set,
            stack: self.stack,
        };
        let result = (f.body)(&ctx, &self.call_values[values_mark..]);
        self.call_values.truncate(values_mark);
        match result {
            Ok(v) => {
                let iface = v.is_nil();
                Ok(Ev { v, iface })
            }
            Err(e) => {
                self.at = node;
                Err(self.errorf(format!("error calling {name}: {}", e.0)))
            }
        }
    }

    /// Puts the evaluated argument `i` (of parameter type `t`) on the stack a call reads: the
    /// function's values (`to_values`) or the builtin's arguments. Notes in `refused` the first
    /// argument the function cannot take.
    #[inline(always)]
    fn take_arg(
        &mut self,
        mut arg: Ev,
        i: usize,
        t: Pt,
        to_values: bool,
        refused: &mut Option<usize>,
    ) {
        // A function receives a copy: an addressable struct loses the methods of its pointer.
        if let Value::Object(o) = &arg.v {
            if let Some(copy) = o.unaddressed() {
                arg.v = copy;
            }
        }
        // Functions declared with `ArgType::String` handle only UTF-8 text.
        if refused.is_none()
            && matches!(arg.v, Value::ByteString(_))
            && t == Pt::Go(ArgType::String)
        {
            *refused = Some(i);
        }
        if to_values {
            self.call_values.push(arg.v);
        } else {
            self.call_args.push(arg);
        }
    }

    /// evalArg with a nil type (chain receivers): the value as it is.
    fn eval_arg_any_nil(&mut self, dot: &Ev, n: &'a Arg) -> R<Ev> {
        self.at = At::Arg(n);
        match n {
            Arg::Dot { .. } => Ok(dot.clone()),
            Arg::Field { fields, .. } => {
                self.eval_field_node(dot, n, fields, std::slice::from_ref(n), None)
            }
            Arg::Variable(v) => self.eval_variable_node(dot, n, v, &[], None),
            Arg::Pipe(p) => self.eval_pipeline(dot, p),
            Arg::Identifier { name, function, .. } => self.eval_function(
                dot,
                n,
                name,
                function,
                At::Arg(n),
                std::slice::from_ref(n),
                None,
            ),
            Arg::Chain { .. } => self.eval_chain_node(dot, n, &[], None),
            _ => Err(self.errorf(format!("can't handle {n} for arg of type <nil>"))),
        }
    }

    fn eval_arg(&mut self, dot: &Ev, typ: Pt, n: &'a Arg) -> R<Ev> {
        self.at = At::Arg(n);
        let v = match n {
            Arg::Dot { .. } => dot.clone(),
            Arg::Field { fields, .. } => {
                self.eval_field_node(dot, n, fields, std::slice::from_ref(n), None)?
            }
            Arg::Variable(var) => self.eval_variable_node(dot, n, var, &[], None)?,
            Arg::Pipe(p) => self.eval_pipeline(dot, p)?,
            Arg::Identifier { name, function, .. } => self.eval_function(
                dot,
                n,
                name,
                function,
                At::Arg(n),
                std::slice::from_ref(n),
                None,
            )?,
            Arg::Chain { .. } => self.eval_chain_node(dot, n, &[], None)?,
            _ => return self.eval_constant_arg(typ, n),
        };
        self.validate_type(v, typ)
    }

    /// [`State::eval_arg`] for `nil` and constants, which take the parameter's type.
    fn eval_constant_arg(&mut self, typ: Pt, n: &'a Arg) -> R<Ev> {
        if let Arg::Nil { .. } = n {
            if typ.can_be_nil() {
                return Ok(match typ {
                    Pt::Reflect => Ev::invalid(),
                    _ => Ev::plain(Value::Nil),
                });
            }
            return Err(self.errorf(format!("cannot assign nil to {}", typ.go_name())));
        }
        match typ {
            Pt::Go(ArgType::Bool) => match n {
                Arg::Bool { value, .. } => Ok(Ev::plain(Value::Bool(*value))),
                _ => Err(self.errorf(format!("expected bool; found {n}"))),
            },
            Pt::Go(ArgType::Float64) => match n {
                Arg::Number(num) if num.float.is_some() => {
                    Ok(Ev::plain(Value::Float64(num.float.unwrap_or(0.0))))
                }
                _ => Err(self.errorf(format!("expected float; found {n}"))),
            },
            Pt::Go(t @ (ArgType::Int | ArgType::Int64)) => match n {
                Arg::Number(num) if num.int.is_some() => {
                    let i = num.int.unwrap_or(0);
                    Ok(Ev::plain(if t == ArgType::Int {
                        Value::Int(i)
                    } else {
                        Value::Int64(i)
                    }))
                }
                _ => Err(self.errorf(format!("expected integer; found {n}"))),
            },
            Pt::Go(ArgType::String | ArgType::ByteString) => match n {
                Arg::String { value, .. } => self.validate_type(Ev::plain(value.clone()), typ),
                _ => Err(self.errorf(format!("expected string; found {n}"))),
            },
            Pt::Go(ArgType::Any) | Pt::Reflect => {
                let v = self.eval_empty_interface(n)?;
                Ok(v)
            }
            Pt::Go(t) => {
                Err(self.errorf(format!("can't handle {n} for arg of type {}", t.go_name())))
            }
        }
    }

    fn eval_empty_interface(&mut self, n: &'a Arg) -> R<Ev> {
        self.at = At::Arg(n);
        match n {
            Arg::Bool { value, .. } => Ok(Ev::plain(Value::Bool(*value))),
            Arg::Number(num) => self.ideal_constant(num),
            Arg::String { value, .. } => Ok(Ev::plain(value.clone())),
            _ => Err(self.errorf(format!(
                "can't handle assignment of {n} to empty interface argument"
            ))),
        }
    }

    /// Go's validateType: the value must be assignable to the parameter type. The common cases
    /// (anything to `interface {}` or `reflect.Value`, a string to a string) are decided where
    /// it is called.
    #[inline(always)]
    fn validate_type(&self, value: Ev, typ: Pt) -> R<Ev> {
        match (typ, &value.v) {
            (Pt::Reflect, _) => Ok(value),
            (Pt::Go(ArgType::Any), _) if !value.is_invalid() => Ok(value),
            (Pt::Go(ArgType::String | ArgType::ByteString), Value::String(_)) => {
                Ok(Ev::plain(value.v))
            }
            _ => self.validate_type_in_full(value, typ),
        }
    }

    /// [`State::validate_type`] for every case.
    fn validate_type_in_full(&self, value: Ev, typ: Pt) -> R<Ev> {
        let t = match typ {
            Pt::Reflect => return Ok(value),
            Pt::Go(t) => t,
        };
        if value.is_invalid() {
            if Pt::Go(t).can_be_nil() {
                return Ok(Ev::plain(Value::Nil));
            }
            return Err(self.errorf(format!("invalid value; expected {}", t.go_name())));
        }
        if t == ArgType::Any {
            return Ok(value);
        }
        if value.iface && value.v.is_nil() {
            return Err(self.errorf(format!(
                "wrong type for value; expected {}; got interface {{}}",
                t.go_name()
            )));
        }
        let ok = match (t, &value.v) {
            (ArgType::String | ArgType::ByteString, Value::String(_) | Value::ByteString(_))
            | (ArgType::Bool, Value::Bool(_))
            | (ArgType::Int, Value::Int(_))
            | (ArgType::Int64, Value::Int64(_))
            | (ArgType::Float64, Value::Float64(_))
            | (ArgType::Bytes, Value::Bytes(_)) => true,
            (ArgType::ListAny, Value::List(l)) => l.elem == ElemType::Interface,
            (ArgType::ListString, Value::List(l)) => l.elem == ElemType::String,
            (ArgType::MapAny, Value::Map(m)) => m.elem == ElemType::Interface,
            (ArgType::Object(name), Value::Object(o)) => o.type_name() == name,
            (ArgType::Object(name), Value::Nil) => name.starts_with('*'),
            (ArgType::Interface(_), Value::Nil) => true,
            _ => false,
        };
        if !ok {
            return Err(self.errorf(format!(
                "wrong type for value; expected {}; got {}",
                t.go_name(),
                value.v.type_name()
            )));
        }
        // A named map (common.Values) is assignable to its unnamed type; the function then holds
        // it as that type (`typeOf (set .Values "k" 1)` is map[string]interface {}).
        if let Value::Map(m) = &value.v {
            if m.type_name().is_some() {
                return Ok(Ev::plain(Value::Map(std::sync::Arc::new(
                    helmet_value::TypedMap::view(m, None),
                ))));
            }
        }
        Ok(Ev::plain(value.v))
    }
}

/// The zero value of a map's element type (what a missing key yields with `missingkey=zero`).
fn zero_of(elem: ElemType) -> Value {
    match elem {
        ElemType::Interface => Value::Nil,
        ElemType::String => Value::String("".into()),
        ElemType::Int => Value::Int(0),
        ElemType::Int64 => Value::Int64(0),
        ElemType::Float64 => Value::Float64(0.0),
        ElemType::Bool => Value::Bool(false),
        ElemType::MapAny => Value::Map(std::sync::Arc::new(helmet_value::TypedMap::nil(
            ElemType::Interface,
        ))),
        // A nil slice prints and counts as an empty one.
        ElemType::ListAny => Value::list(Vec::new()),
    }
}

/// Go's `truth`: template truth of a value seen through its interface.
pub(crate) fn truth(v: &Ev) -> bool {
    v.v.is_true()
}

/// A parameter type: a Go type or `reflect.Value` (builtins that take anything, nil included).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Pt {
    Go(ArgType),
    Reflect,
}

impl Pt {
    fn can_be_nil(self) -> bool {
        match self {
            Pt::Reflect => true,
            Pt::Go(t) => {
                matches!(
                    t,
                    ArgType::Any
                        | ArgType::ListAny
                        | ArgType::ListString
                        | ArgType::MapAny
                        | ArgType::Bytes
                ) || matches!(t, ArgType::Object(name) if name.starts_with('*'))
                    || matches!(t, ArgType::Interface(_))
            }
        }
    }
    fn go_name(self) -> &'static str {
        match self {
            Pt::Reflect => "reflect.Value",
            Pt::Go(t) => t.go_name(),
        }
    }
}

/// What a running function sees: the set of templates, to execute named templates (`include`)
/// or new text (`tpl`).
pub(crate) struct ExecContext<'a> {
    pub set: &'a Set,
    pub stack: StackBudget,
}

impl CallContext for ExecContext<'_> {
    fn execute_template(&self, name: &str, data: &Value) -> Result<String, FuncError> {
        self.run_template(name, data)?
            .into_text()
            .map_err(|_| FuncError::new(crate::output::NOT_TEXT))
    }

    fn execute_template_go(&self, name: &str, data: &Value) -> Result<Value, FuncError> {
        Ok(self.run_template(name, data)?.into_value())
    }

    fn execute_text(&self, text: &str, data: &Value) -> Result<String, FuncError> {
        self.run_text(text, data)?
            .into_text()
            .map_err(|_| FuncError::new(crate::output::NOT_TEXT))
    }

    fn execute_text_go(&self, text: &str, data: &Value) -> Result<Value, FuncError> {
        Ok(self.run_text(text, data)?.into_value())
    }
}

impl ExecContext<'_> {
    fn run_template(&self, name: &str, data: &Value) -> Result<crate::output::Output, FuncError> {
        self.set
            .execute_named(name, data, self.stack, true)
            .map_err(|e| FuncError::new(e.message))
    }

    fn run_text(&self, text: &str, data: &Value) -> Result<crate::output::Output, FuncError> {
        let mut set = self.set.clone();
        let name = set.root_name.clone();
        let main = set
            .add_local(&name, text)
            .map_err(|e| FuncError::new(e.message))?;
        // A text that is empty (blanks, comments, only defines) runs as itself, not as the
        // earlier template of the same name that it could not replace (as Helm's `tpl` does).
        let result = match main {
            Some(tree) => set.execute_tree(&tree, data, self.stack),
            None => set.execute_with(&name, data, self.stack),
        };
        result.map_err(|e| FuncError::new(e.message))
    }
}

impl Set {
    /// Executes `name`, starting on the current thread with the caller's stack budget.
    pub(crate) fn execute_with(
        &self,
        name: &str,
        data: &Value,
        stack: StackBudget,
    ) -> Result<crate::output::Output, Error> {
        self.execute_named(name, data, stack, false)
    }

    /// [`Set::execute_with`]. The output of a template run for a function (`include`) goes to
    /// one of the thread's spare buffers, as the function copies it into a Go string; a
    /// template whose output the caller keeps starts with a buffer sized from its source.
    fn execute_named(
        &self,
        name: &str,
        data: &Value,
        stack: StackBudget,
        for_function: bool,
    ) -> Result<crate::output::Output, Error> {
        let Some(tree) = self.lookup(name) else {
            return Err(Error {
                kind: ErrorKind::NotFound,
                message: format!(
                    "template: no template {} associated with template {}",
                    go_quote(name),
                    go_quote(&self.root_name)
                ),
                template: name.to_string(),
                line: None,
                col: None,
            });
        };
        let out = if for_function {
            crate::output::Output::reusing()
        } else {
            crate::output::Output::sized_for(&tree.text)
        };
        self.execute_tree_into(tree, data, stack, out)
    }

    /// Executes the body `tree` with the set's definitions.
    pub(crate) fn execute_tree(
        &self,
        tree: &Arc<Tree>,
        data: &Value,
        stack: StackBudget,
    ) -> Result<crate::output::Output, Error> {
        let out = crate::output::Output::sized_for(&tree.text);
        self.execute_tree_into(tree, data, stack, out)
    }

    /// [`Set::execute_tree`], writing to `out`.
    fn execute_tree_into(
        &self,
        tree: &Arc<Tree>,
        data: &Value,
        stack: StackBudget,
        out: crate::output::Output,
    ) -> Result<crate::output::Output, Error> {
        let stack = stack.enter(tree);
        let dot = Ev::plain(data.clone());
        let mut stacks = spare_stacks::take();
        stacks.vars.push(("$", dot.clone()));
        let mut st = State {
            set: self,
            tree,
            vars: stacks.vars,
            call_args: stacks.args,
            call_values: stacks.values,
            at: At::None,
            depth: 0,
            out,
            stack,
        };
        let run = move || -> Result<crate::output::Output, Error> {
            let r = st.walk_list(&dot, &tree.root);
            spare_stacks::give_back(spare_stacks::Stacks {
                vars: st.vars,
                args: st.call_args,
                values: st.call_values,
            });
            r?;
            Ok(st.out)
        };
        if stack.hopped {
            crate::on_stack_for_levels(stack.levels, run)
        } else {
            run()
        }
    }
}

/// Argument stacks of finished executions, kept for the next ones on the same thread: `include`
/// starts a new execution per call, and most of them call functions.
mod spare_stacks {
    use std::cell::RefCell;

    use helmet_value::Value;

    use super::Ev;

    /// How many spare sets of stacks a thread keeps.
    const MAX_SPARE: usize = 16;
    /// Stacks grown beyond this many entries are not kept.
    const MAX_KEPT_LEN: usize = 256;

    /// The variable, argument and argument value stacks of one execution.
    #[derive(Default)]
    pub(super) struct Stacks<'a> {
        pub vars: Vec<(&'a str, Ev)>,
        pub args: Vec<Ev>,
        pub values: Vec<Value>,
    }

    thread_local! {
        static SPARE: RefCell<Vec<Stacks<'static>>> = const { RefCell::new(Vec::new()) };
    }

    /// Empty stacks, reused when the thread has some.
    pub(super) fn take() -> Stacks<'static> {
        SPARE
            .try_with(|spare| spare.borrow_mut().pop())
            .ok()
            .flatten()
            .unwrap_or_default()
    }

    /// Keeps the stacks of a finished execution for the next one.
    pub(super) fn give_back(stacks: Stacks<'_>) {
        let Stacks {
            mut vars,
            mut args,
            mut values,
        } = stacks;
        if vars.capacity() > MAX_KEPT_LEN
            || args.capacity() > MAX_KEPT_LEN
            || values.capacity() > MAX_KEPT_LEN
        {
            return;
        }
        vars.clear();
        args.clear();
        values.clear();
        // The variable names borrow the finished template's text; the emptied vector is turned
        // into one of names that borrow nothing, which collects in place into the same buffer.
        let vars: Vec<(&'static str, Ev)> = vars.into_iter().map(|(_, ev)| ("", ev)).collect();
        let _ = SPARE.try_with(|spare| {
            let mut spare = spare.borrow_mut();
            if spare.len() < MAX_SPARE {
                spare.push(Stacks { vars, args, values });
            }
        });
    }
}
