//! Recursive-descent parser producing trees as Go's `text/template/parse` does, with its error
//! texts (`template: NAME:LINE: MSG`).

use std::sync::Arc;

use helmet_value::Value;

use crate::ast::*;
use crate::lexer::{lex_into, line_at, Item, ItemKind, LexOptions};

/// A parse error's message, already in Go's `template: NAME:LINE: MSG` form, and its line.
#[derive(Debug)]
pub struct ParseError {
    /// The full message.
    pub message: String,
    /// The line.
    pub line: usize,
}

/// The outcome of parsing one source: the top-level tree and the defined ones, in order.
#[derive(Debug)]
pub struct Parsed {
    /// Every tree, top-level first then `define`/`block` bodies.
    pub trees: Vec<Tree>,
}

/// Nesting beyond which a tree is parsed and dropped on a new stack segment (see [`Tree::deep`]).
const DEEP_TREE: usize = 200;

/// Go's `maxStackDepth`: the deepest nesting of parenthesized pipelines.
pub(crate) const MAX_PAREN_DEPTH: usize = 10_000;

/// Maximum nesting of control structures (`if`, `range`, `with`, `block`), so hostile input cannot
/// overflow the stack. Go has no such limit, but its 1 GB goroutine stack ends Helm's process
/// between 400000 (rendered) and 500000 nested `if`s; a chart file (5 MiB at most) holds at most
/// about 350000. Deep trees run on stacks sized by their nesting.
pub(crate) const MAX_NESTING: usize = 500_000;

struct Parser<'a, 't, F: Fn(&str) -> Option<Function>> {
    items: &'a [Item],
    /// The message of the lexing error that ends `items`, if any.
    lex_error: Option<String>,
    /// The source `items` borrow from.
    source: &'t str,
    /// The source holds stand-ins for bytes that are not UTF-8 (see [`crate::raw_bytes`]).
    raw_bytes: bool,
    idx: usize,
    name: Arc<str>,
    text: Arc<str>,
    has_func: &'a F,
    /// The variables in scope, innermost last; a `define` or `block` body sees those from
    /// `vars_base` on (its `$` and its own).
    vars: Vec<&'t str>,
    vars_base: usize,
    /// The functions the body being parsed calls, each once, in the order first met (see
    /// [`Tree::called`]); `define` and `block` bodies keep their own.
    called: Vec<(&'t str, Item, Function)>,
    /// Where the body being parsed starts its part of `called`.
    called_base: usize,
    range_depth: usize,
    /// Offset of the action being parsed (its left delimiter), if any.
    action_pos: Option<usize>,
    trees: Vec<Tree>,
    tree_names: crate::names::NameMap<usize>,
    depth: usize,
    furthest: std::cell::Cell<usize>,
    paren_depth: usize,
    deep: bool,
    nest: usize,
}

type PResult<T> = Result<T, ParseError>;

/// Parses `text` as template `name`; `has_func` gives the function a name stands for, or `None`
/// when no function has that name.
pub fn parse(
    name: &str,
    text: &str,
    left: &str,
    right: &str,
    has_func: &(impl Fn(&str) -> Option<Function> + Sync),
) -> Result<Parsed, ParseError> {
    parse_marked(name, text, false, left, right, has_func)
}

/// [`parse`] of a source that, when `raw_bytes`, holds stand-ins for bytes that are not UTF-8
/// ([`crate::raw_bytes::source_text`]).
pub fn parse_marked(
    name: &str,
    text: &str,
    raw_bytes: bool,
    left: &str,
    right: &str,
    has_func: &(impl Fn(&str) -> Option<Function> + Sync),
) -> Result<Parsed, ParseError> {
    if u32::try_from(text.len()).is_err() {
        // Nodes keep 32-bit offsets into their source.
        return Err(ParseError {
            message: format!(
                "template: {name}: templates of 4 GiB or more are not supported by helmet"
            ),
            line: 0,
        });
    }
    let mut items = ITEMS.take();
    let lexed = lex_into(
        text,
        left,
        right,
        LexOptions {
            break_ok: has_func("break").is_none(),
            continue_ok: has_func("continue").is_none(),
            raw_bytes,
        },
        &mut items,
    );
    let nest = lexed.nest;
    let tokens = &items[..];
    let run = move || parse_items(name, text, raw_bytes, tokens, lexed.error, has_func, nest);
    let parsed = if nest <= DEEP_TREE {
        run()
    } else {
        // Deep nesting recurses deeply: parse on a new stack segment.
        crate::on_stack_for_levels(nest, run)
    };
    if items.capacity() <= KEPT_ITEMS {
        ITEMS.set(items);
    }
    parsed
}

thread_local! {
    /// The item buffer of the thread's last parse, kept for its next one: a chart's templates
    /// are parsed one after another, and a fresh buffer per template cost more than lexing
    /// small ones (large blocks come from the allocator's slow paths).
    static ITEMS: std::cell::Cell<Vec<Item>> = const { std::cell::Cell::new(Vec::new()) };
}

/// The largest item buffer a thread keeps between parses (16 bytes per item).
const KEPT_ITEMS: usize = 1 << 18;

fn parse_items<F: Fn(&str) -> Option<Function>>(
    name: &str,
    text: &str,
    raw_bytes: bool,
    items: &[Item],
    lex_error: Option<String>,
    has_func: &F,
    nest: usize,
) -> Result<Parsed, ParseError> {
    let mut p = Parser {
        items,
        lex_error,
        source: text,
        raw_bytes,
        idx: 0,
        name: name.into(),
        text: text.into(),
        has_func,
        vars: vec!["$"],
        vars_base: 0,
        called: Vec::new(),
        called_base: 0,
        range_depth: 0,
        action_pos: None,
        trees: Vec::new(),
        tree_names: crate::names::NameMap::default(),
        depth: 0,
        furthest: std::cell::Cell::new(0),
        paren_depth: 0,
        deep: nest > DEEP_TREE,
        nest,
    };
    let root = p.parse_top()?;
    let called = p.called_list()?;
    let top = Tree {
        deep: p.deep,
        nest: p.nest,
        name: name.to_string(),
        parse_name: p.name.clone(),
        text: p.text.clone(),
        raw_bytes: p.raw_bytes,
        root,
        called,
    };
    p.add_tree(top, true)?;
    Ok(Parsed { trees: p.trees })
}

impl<'t, F: Fn(&str) -> Option<Function>> Parser<'_, 't, F> {
    fn errorf(&self, msg: impl std::fmt::Display) -> ParseError {
        let line = self.current_line();
        ParseError {
            message: format!("template: {}:{}: {}", self.name, line, msg),
            line,
        }
    }

    /// The source from `start` to `end`, sharing the parse's copy of it.
    fn span(&self, start: usize, end: usize) -> PResult<Span> {
        Span::new(&self.text, start, end).ok_or_else(|| ParseError {
            message: format!(
                "template: {}: internal error: no source text at {start}..{end}",
                self.name
            ),
            line: 0,
        })
    }

    /// The called functions of the body being parsed (identifier items, each name once) as
    /// [`Tree::called`] keeps them: sorted. They leave `called`.
    fn called_list(&mut self) -> PResult<std::sync::OnceLock<Box<[Span]>>> {
        let mut called = std::mem::take(&mut self.called);
        let body = called.get_mut(self.called_base..).unwrap_or_default();
        body.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let spans = body
            .iter()
            .map(|(_, item, _)| self.span_of(item))
            .collect::<PResult<Box<[Span]>>>();
        called.truncate(self.called_base);
        self.called = called;
        Ok(std::sync::OnceLock::from(spans?))
    }

    /// Starts a `define` or `block` body, which has its own variables (`$` first) and called
    /// functions; gives what [`Parser::end_body`] restores.
    fn begin_body(&mut self) -> (usize, usize) {
        let outer = (self.vars_base, self.called_base);
        self.vars_base = self.vars.len();
        self.vars.push("$");
        self.called_base = self.called.len();
        outer
    }

    /// Ends the body [`Parser::begin_body`] started: gives its called functions.
    fn end_body(&mut self, outer: (usize, usize)) -> PResult<std::sync::OnceLock<Box<[Span]>>> {
        self.vars.truncate(self.vars_base);
        let called = self.called_list();
        (self.vars_base, self.called_base) = outer;
        called
    }

    /// An item's text.
    fn val(&self, item: &Item) -> &'t str {
        item.text(self.source)
    }

    /// A quoted constant's value. In a source holding stand-ins for bytes, Go's `Unquote`
    /// decodes each such byte of an interpreted string or character constant as U+FFFD, and
    /// keeps the bytes of a raw string.
    fn unquote_constant(&self, quoted: &str, kind: ItemKind) -> Result<Value, String> {
        if !self.raw_bytes || !crate::raw_bytes::holds_stand_in(quoted) {
            return unquote_go(quoted);
        }
        if kind == ItemKind::RawString {
            return Ok(match unquote_go(quoted)? {
                Value::String(text) => Value::from_go_bytes(crate::raw_bytes::to_bytes(&text)),
                other => other,
            });
        }
        unquote_go(&crate::raw_bytes::as_runes(quoted))
    }

    /// A template name given as a quoted constant ([`unquote`] of a marked source's text).
    fn unquote_name(&self, token: &Item) -> Result<String, String> {
        match self.unquote_constant(self.val(token), token.kind)? {
            Value::String(text) => Ok(text.to_string()),
            _ => {
                Err("template name with invalid UTF-8 bytes is not supported by helmet".to_string())
            }
        }
    }

    /// An item's text as a [`Span`] of the source.
    fn span_of(&self, item: &Item) -> PResult<Span> {
        self.span(item.pos, item.end())
    }

    fn current_line(&self) -> usize {
        // Go reports the line of the most recently lexed token, peeked ones included.
        let i = self.furthest.get().min(self.items.len().saturating_sub(1));
        self.items
            .get(i)
            .map(|t| line_at(self.source, t.pos))
            .unwrap_or(1)
    }

    fn item(&self, i: usize) -> Item {
        match self.items.get(i) {
            Some(it) => *it,
            None => Item {
                kind: ItemKind::Eof,
                pos: self.text.len(),
                len: 0,
            },
        }
    }

    fn next(&mut self) -> Item {
        let it = self.item(self.idx);
        self.furthest.set(self.furthest.get().max(self.idx));
        if self.idx < self.items.len() {
            self.idx += 1;
        } else {
            // Past the end: keep pointing after the last item, EOF forever.
            self.idx = self.items.len() + 1;
        }
        it
    }

    fn backup(&mut self) {
        self.idx = self.idx.saturating_sub(1);
    }

    fn peek(&self) -> Item {
        self.furthest.set(self.furthest.get().max(self.idx));
        self.item(self.idx)
    }

    fn next_non_space(&mut self) -> Item {
        // Skipped spaces come before the item returned, which moves `furthest` past them.
        while self
            .items
            .get(self.idx)
            .is_some_and(|t| t.kind == ItemKind::Space)
        {
            self.idx += 1;
        }
        self.next()
    }

    fn peek_non_space(&mut self) -> Item {
        let t = self.next_non_space();
        self.backup();
        t
    }

    fn expect(&mut self, kind: ItemKind, context: &str) -> PResult<Item> {
        let t = self.next_non_space();
        if t.kind != kind {
            return Err(self.unexpected(&t, context));
        }
        Ok(t)
    }

    fn unexpected(&self, token: &Item, context: &str) -> ParseError {
        if token.kind == ItemKind::Error {
            let message = self.lex_error.as_deref().unwrap_or("");
            let mut extra = String::new();
            if let Some(action_pos) = self.action_pos {
                let action_line = line_at(self.source, action_pos);
                if action_line != line_at(self.source, token.pos) {
                    extra = format!(" in action started at {}:{}", self.name, action_line);
                    if message.ends_with(" action") {
                        extra = extra[" in action".len()..].to_string();
                    }
                }
            }
            return self.errorf(format!("{message}{extra}"));
        }
        self.errorf(format!(
            "unexpected {} in {context}",
            token.describe_marked(self.source, self.raw_bytes)
        ))
    }

    fn enter(&mut self) -> PResult<()> {
        self.depth += 1;
        self.deep |= self.depth > DEEP_TREE;
        if self.depth > MAX_NESTING {
            return Err(self.errorf(format!(
                "control structures nested more than {MAX_NESTING} deep are not supported by helmet"
            )));
        }
        Ok(())
    }

    fn add_tree(&mut self, tree: Tree, top: bool) -> PResult<()> {
        if let Some(&i) = self.tree_names.get(&tree.name) {
            if is_empty_list(&self.trees[i].root) {
                self.trees[i] = tree;
                return Ok(());
            }
            if !is_empty_list(&tree.root) {
                let msg = format!(
                    "template: multiple definition of template {}",
                    crate::lexer::go_quote(&tree.name)
                );
                return Err(self.errorf(msg));
            }
            return Ok(());
        }
        self.tree_names.insert(tree.name.clone(), self.trees.len());
        if top {
            self.trees.insert(0, tree);
            for v in self.tree_names.values_mut() {
                *v += 1;
            }
            self.tree_names.insert(self.trees[0].name.clone(), 0);
        } else {
            self.trees.push(tree);
        }
        Ok(())
    }

    fn parse_top(&mut self) -> PResult<ListNode> {
        let mut root = ListNode {
            pos: self.peek().pos,
            nodes: Vec::new(),
        };
        while self.peek().kind != ItemKind::Eof {
            if self.peek().kind == ItemKind::LeftDelim {
                let save = self.idx;
                self.next();
                if self.next_non_space().kind == ItemKind::Define {
                    self.parse_definition()?;
                    continue;
                }
                self.idx = save;
            }
            match self.text_or_action()? {
                Parsedish::End(_) => return Err(self.errorf("unexpected {{end}}")),
                Parsedish::Else(_) => return Err(self.errorf("unexpected {{else}}")),
                Parsedish::Node(n) => root.nodes.push(n),
            }
        }
        Ok(root)
    }

    fn parse_definition(&mut self) -> PResult<()> {
        let context = "define clause";
        let t = self.next_non_space();
        if t.kind != ItemKind::String && t.kind != ItemKind::RawString {
            return Err(self.unexpected(&t, context));
        }
        let name = match self.unquote_name(&t) {
            Ok(s) => s,
            Err(e) => return Err(self.errorf(e)),
        };
        self.expect(ItemKind::RightDelim, context)?;
        let outer = self.begin_body();
        let (root, end) = self.item_list()?;
        let called = self.end_body(outer)?;
        if let Parsedish::Else(_) = end {
            return Err(self.errorf(format!("unexpected {{{{else}}}} in {context}")));
        }
        let tree = Tree {
            deep: self.deep,
            nest: self.nest,
            name,
            parse_name: self.name.clone(),
            text: self.text.clone(),
            raw_bytes: self.raw_bytes,
            root,
            called,
        };
        self.add_tree(tree, false)
    }

    fn item_list(&mut self) -> PResult<(ListNode, Parsedish)> {
        let mut list = ListNode {
            pos: self.peek_non_space().pos,
            nodes: Vec::new(),
        };
        while self.peek_non_space().kind != ItemKind::Eof {
            match self.text_or_action()? {
                Parsedish::Node(n) => list.nodes.push(n),
                other => return Ok((list, other)),
            }
        }
        Err(self.errorf("unexpected EOF"))
    }

    fn text_or_action(&mut self) -> PResult<Parsedish> {
        let token = self.next_non_space();
        match token.kind {
            ItemKind::Text => Ok(Parsedish::Node(Node::Text {
                pos: token.pos,
                text: self.span_of(&token)?,
            })),
            ItemKind::LeftDelim => {
                self.action_pos = Some(token.pos);
                let r = self.action();
                // Go clears the action line once the action is parsed.
                self.action_pos = None;
                r
            }
            _ => Err(self.unexpected(&token, "input")),
        }
    }

    fn action(&mut self) -> PResult<Parsedish> {
        let token = self.next_non_space();
        match token.kind {
            ItemKind::Block => return self.block_control().map(Parsedish::Node),
            ItemKind::Break | ItemKind::Continue => {
                let is_break = token.kind == ItemKind::Break;
                let word = if is_break {
                    "{{break}}"
                } else {
                    "{{continue}}"
                };
                let t = self.next_non_space();
                if t.kind != ItemKind::RightDelim {
                    return Err(self.unexpected(&t, word));
                }
                if self.range_depth == 0 {
                    return Err(self.errorf(format!("{word} outside {{{{range}}}}")));
                }
                return Ok(Parsedish::Node(if is_break {
                    Node::Break { pos: token.pos }
                } else {
                    Node::Continue { pos: token.pos }
                }));
            }
            ItemKind::Else => {
                let peek = self.peek_non_space();
                if peek.kind == ItemKind::If || peek.kind == ItemKind::With {
                    return Ok(Parsedish::Else(peek.pos));
                }
                let t = self.expect(ItemKind::RightDelim, "else")?;
                return Ok(Parsedish::Else(t.pos));
            }
            ItemKind::End => {
                let t = self.expect(ItemKind::RightDelim, "end")?;
                return Ok(Parsedish::End(t.pos));
            }
            ItemKind::If => return self.control(BranchKind::If).map(Parsedish::Node),
            ItemKind::Range => return self.control(BranchKind::Range).map(Parsedish::Node),
            ItemKind::With => return self.control(BranchKind::With).map(Parsedish::Node),
            ItemKind::Template => return self.template_control().map(Parsedish::Node),
            _ => {}
        }
        self.backup();
        let token = self.peek();
        let pipe = self.pipeline("command", ItemKind::RightDelim)?;
        Ok(Parsedish::Node(Node::Action(ActionNode {
            pos: token.pos,
            pipe,
        })))
    }

    fn control(&mut self, kind: BranchKind) -> PResult<Node> {
        self.enter()?;
        let context = match kind {
            BranchKind::If => "if",
            BranchKind::Range => "range",
            BranchKind::With => "with",
        };
        let nvars = self.vars.len();
        let r = self.control_inner(kind, context);
        self.vars.truncate(nvars);
        self.depth -= 1;
        r
    }

    fn control_inner(&mut self, kind: BranchKind, context: &str) -> PResult<Node> {
        let pipe = self.pipeline(context, ItemKind::RightDelim)?;
        if kind == BranchKind::Range {
            self.range_depth += 1;
        }
        let r = self.item_list();
        if kind == BranchKind::Range {
            self.range_depth -= 1;
        }
        let (list, next) = r?;
        let mut else_list = None;
        if let Parsedish::Else(epos) = next {
            let peek = self.peek();
            if kind == BranchKind::If && peek.kind == ItemKind::If {
                self.next();
                let inner = self.control(BranchKind::If)?;
                else_list = Some(ListNode {
                    pos: epos,
                    nodes: vec![inner],
                });
            } else if kind == BranchKind::With && peek.kind == ItemKind::With {
                self.next();
                let inner = self.control(BranchKind::With)?;
                else_list = Some(ListNode {
                    pos: epos,
                    nodes: vec![inner],
                });
            } else {
                let (el, next) = self.item_list()?;
                if let Parsedish::Else(_) = next {
                    return Err(self.errorf("expected end; found {{else}}"));
                }
                else_list = Some(el);
            }
        }
        Ok(Node::Branch(Box::new(BranchNode {
            kind,
            pos: pipe.pos,
            pipe,
            list,
            else_list,
        })))
    }

    fn template_name(&mut self, token: &Item, context: &str) -> PResult<String> {
        match token.kind {
            ItemKind::String | ItemKind::RawString => {
                self.unquote_name(token).map_err(|e| self.errorf(e))
            }
            _ => Err(self.unexpected(token, context)),
        }
    }

    fn template_control(&mut self) -> PResult<Node> {
        let context = "template clause";
        let token = self.next_non_space();
        let name = self.template_name(&token, context)?;
        let mut pipe = None;
        if self.next_non_space().kind != ItemKind::RightDelim {
            self.backup();
            pipe = Some(self.pipeline(context, ItemKind::RightDelim)?);
        }
        Ok(Node::Template(Box::new(TemplateNode {
            pos: token.pos,
            name,
            pipe,
        })))
    }

    fn block_control(&mut self) -> PResult<Node> {
        let context = "block clause";
        self.enter()?;
        let token = self.next_non_space();
        let name = self.template_name(&token, context)?;
        let pipe = self.pipeline(context, ItemKind::RightDelim)?;
        let outer = self.begin_body();
        let saved_range = std::mem::replace(&mut self.range_depth, 0);
        let r = self.item_list();
        self.range_depth = saved_range;
        let called = self.end_body(outer)?;
        let (root, end) = r?;
        if let Parsedish::Else(_) = end {
            return Err(self.errorf(format!("unexpected {{{{else}}}} in {context}")));
        }
        let tree = Tree {
            deep: self.deep,
            nest: self.nest,
            name: name.clone(),
            parse_name: self.name.clone(),
            text: self.text.clone(),
            raw_bytes: self.raw_bytes,
            root,
            called,
        };
        self.add_tree(tree, false)?;
        self.depth -= 1;
        Ok(Node::Template(Box::new(TemplateNode {
            pos: token.pos,
            name,
            pipe: Some(pipe),
        })))
    }

    fn pipeline(&mut self, context: &str, end: ItemKind) -> PResult<PipeNode> {
        let token = self.peek_non_space();
        let mut pipe = PipeNode {
            pos: token.pos,
            is_assign: false,
            decl: Vec::new(),
            cmds: Few::Empty,
        };
        // Looking again at the item just looked at would find the same one.
        let mut v = token;
        loop {
            if v.kind != ItemKind::Variable {
                break;
            }
            let save = self.idx;
            self.next_non_space();
            let after_var = self.peek();
            let next = self.peek_non_space();
            if next.kind == ItemKind::Assign || next.kind == ItemKind::Declare {
                pipe.is_assign = next.kind == ItemKind::Assign;
                self.next_non_space();
                pipe.decl.push(VariableNode {
                    pos: v.pos,
                    name: self.span_of(&v)?,
                    fields: None,
                });
                self.vars.push(self.val(&v));
                break;
            } else if next.kind == ItemKind::Char && self.val(&next) == "," {
                self.next_non_space();
                pipe.decl.push(VariableNode {
                    pos: v.pos,
                    name: self.span_of(&v)?,
                    fields: None,
                });
                self.vars.push(self.val(&v));
                if context == "range" && pipe.decl.len() < 2 {
                    v = self.peek_non_space();
                    match v.kind {
                        ItemKind::Variable | ItemKind::RightDelim | ItemKind::RightParen => {
                            continue
                        }
                        _ => return Err(self.errorf("range can only initialize variables")),
                    }
                }
                return Err(self.errorf(format!("too many declarations in {context}")));
            } else {
                // Not a declaration: put the variable back.
                let _ = after_var;
                self.idx = save;
                break;
            }
        }
        loop {
            let token = self.next_non_space();
            if token.kind == end {
                self.check_pipeline(&pipe, context)?;
                return Ok(pipe);
            }
            match token.kind {
                ItemKind::Bool
                | ItemKind::CharConstant
                | ItemKind::Complex
                | ItemKind::Dot
                | ItemKind::Field
                | ItemKind::Identifier
                | ItemKind::Number
                | ItemKind::Nil
                | ItemKind::RawString
                | ItemKind::String
                | ItemKind::Variable
                | ItemKind::LeftParen => {
                    self.backup();
                    let c = self.command(token.pos)?;
                    pipe.cmds.push(c);
                }
                _ => return Err(self.unexpected(&token, context)),
            }
        }
    }

    fn check_pipeline(&self, pipe: &PipeNode, context: &str) -> PResult<()> {
        if pipe.cmds.is_empty() {
            return Err(self.errorf(format!("missing value for {context}")));
        }
        for (i, c) in pipe.cmds.iter().enumerate().skip(1) {
            if matches!(
                c.args.first(),
                Some(
                    Arg::Bool { .. }
                        | Arg::Dot { .. }
                        | Arg::Nil { .. }
                        | Arg::Number(_)
                        | Arg::String { .. }
                )
            ) {
                return Err(self.errorf(format!(
                    "non executable command in pipeline stage {}",
                    i + 1
                )));
            }
        }
        Ok(())
    }

    /// The command whose first item, at `pos`, is the next one.
    fn command(&mut self, pos: usize) -> PResult<CommandNode> {
        let mut cmd = CommandNode {
            pos,
            args: Few::Empty,
        };
        loop {
            // The operand's look-ahead skips the spaces before it.
            if let Some(op) = self.operand()? {
                cmd.args.push(op);
            }
            let token = self.next();
            match token.kind {
                ItemKind::Space => continue,
                ItemKind::RightDelim | ItemKind::RightParen => self.backup(),
                ItemKind::Pipe => {}
                _ => return Err(self.unexpected(&token, "operand")),
            }
            break;
        }
        if cmd.args.is_empty() {
            return Err(self.errorf("empty command"));
        }
        Ok(cmd)
    }

    fn operand(&mut self) -> PResult<Option<Arg>> {
        let Some(node) = self.term()? else {
            return Ok(None);
        };
        if self.peek().kind == ItemKind::Field {
            let pos = self.peek().pos;
            // The fields' items sit side by side in the source: `.a.b` is one piece of it.
            let mut end = pos;
            while self.peek().kind == ItemKind::Field {
                let t = self.next();
                end = t.end();
            }
            return match node {
                Arg::Field { fields, .. } => {
                    let fields = self.span(fields.start(), end)?;
                    Ok(Some(Arg::Field { pos, fields }))
                }
                Arg::Variable(mut v) => {
                    v.fields = Some(self.span(pos + 1, end)?);
                    v.pos = pos;
                    Ok(Some(Arg::Variable(v)))
                }
                Arg::Bool { .. }
                | Arg::String { .. }
                | Arg::Number(_)
                | Arg::Nil { .. }
                | Arg::Dot { .. } => Err(self.errorf(format!(
                    "unexpected . after term {}",
                    crate::lexer::go_quote(&node.to_string())
                ))),
                other => Ok(Some(Arg::Chain {
                    pos,
                    node: Box::new(other),
                    fields: self.span(pos + 1, end)?,
                })),
            };
        }
        Ok(Some(node))
    }

    fn term(&mut self) -> PResult<Option<Arg>> {
        let token = self.next_non_space();
        let arg = match token.kind {
            ItemKind::Identifier => {
                // A name the body already called was found then: the function map's lookup
                // (hashing the name) is done once per name and body.
                let name = self.val(&token);
                let body_called = self.called.get(self.called_base..).unwrap_or_default();
                let function = match body_called.iter().find(|c| c.0 == name) {
                    Some(called) => called.2.clone(),
                    None => {
                        let Some(function) = (self.has_func)(name) else {
                            return Err(self.errorf(format!(
                                "function {} not defined",
                                crate::lexer::go_quote(name)
                            )));
                        };
                        self.called.push((name, token, function.clone()));
                        function
                    }
                };
                Arg::Identifier {
                    pos: token.pos,
                    name: self.span_of(&token)?,
                    function,
                }
            }
            ItemKind::Dot => Arg::Dot { pos: token.pos },
            ItemKind::Nil => Arg::Nil { pos: token.pos },
            ItemKind::Variable => {
                // The lexer ends a variable's item at its first dot; fields come as items.
                let name = self.val(&token);
                let in_scope = self.vars.get(self.vars_base..).unwrap_or_default();
                if !in_scope.contains(&name) {
                    return Err(self.errorf(format!(
                        "undefined variable {}",
                        crate::lexer::go_quote(name)
                    )));
                }
                Arg::Variable(VariableNode {
                    pos: token.pos,
                    name: self.span_of(&token)?,
                    fields: None,
                })
            }
            ItemKind::Field => Arg::Field {
                pos: token.pos,
                fields: self.span(token.pos + 1, token.end())?,
            },
            ItemKind::Bool => Arg::Bool {
                pos: token.pos,
                value: self.val(&token) == "true",
            },
            ItemKind::CharConstant | ItemKind::Complex | ItemKind::Number => {
                let text = self.span_of(&token)?;
                let n = if self.raw_bytes && crate::raw_bytes::holds_stand_in(&text) {
                    // Its value is the rune Go decodes (U+FFFD); its text stays the source's.
                    let runes: Arc<str> = crate::raw_bytes::as_runes(&text).into();
                    let decoded = Span::new(&runes, 0, runes.len()).ok_or_else(|| {
                        self.errorf("internal error: character constant out of range")
                    })?;
                    let mut n =
                        new_number(token.pos, decoded, token.kind).map_err(|e| self.errorf(e))?;
                    n.text = text;
                    n
                } else {
                    new_number(token.pos, text, token.kind).map_err(|e| self.errorf(e))?
                };
                Arg::Number(Box::new(n))
            }
            ItemKind::LeftParen => {
                if self.paren_depth >= MAX_PAREN_DEPTH {
                    return Err(self.errorf("max expression depth exceeded"));
                }
                self.paren_depth += 1;
                self.deep |= self.paren_depth > DEEP_TREE;
                let p = self.pipeline("parenthesized pipeline", ItemKind::RightParen);
                self.paren_depth -= 1;
                Arg::Pipe(Box::new(p?))
            }
            ItemKind::String | ItemKind::RawString => {
                let quoted = self.val(&token);
                let body = quoted.get(1..quoted.len().saturating_sub(1));
                let value = match body {
                    // The lexer ends a quoted string at its first unescaped quote and refuses a
                    // line break in it: without a backslash its text is its body as it is.
                    Some(body)
                        if token.kind == ItemKind::String
                            && !body.contains('\\')
                            && !self.raw_bytes =>
                    {
                        Value::from(body)
                    }
                    _ => self
                        .unquote_constant(quoted, token.kind)
                        .map_err(|e| self.errorf(e))?,
                };
                Arg::String {
                    pos: token.pos,
                    quoted: self.span_of(&token)?,
                    value,
                }
            }
            _ => {
                self.backup();
                return Ok(None);
            }
        };
        Ok(Some(arg))
    }
}

enum Parsedish {
    Node(Node),
    End(#[allow(dead_code)] usize),
    Else(usize),
}

fn new_number(pos: usize, source: Span, kind: ItemKind) -> Result<NumberNode, String> {
    let text = source.as_str();
    let mut n = NumberNode {
        pos,
        text: source.clone(),
        int: None,
        uint: None,
        float: None,
        complex: false,
        complex_parts: (0.0, 0.0),
    };
    match kind {
        ItemKind::CharConstant => {
            let (c, tail) = unquote_char(&text[1..], '\'')?;
            if tail != "'" {
                return Err(format!("malformed character constant: {text}"));
            }
            n.int = Some(c as i64);
            n.uint = Some(c as u64);
            n.float = Some(c as u32 as f64);
            return Ok(n);
        }
        ItemKind::Complex => {
            let (re, im) = parse_complex(text).ok_or_else(|| {
                format!("illegal number syntax: {}", crate::lexer::go_quote(text))
            })?;
            set_complex(&mut n, re, im);
            return Ok(n);
        }
        _ => {}
    }
    if let Some(stripped) = text.strip_suffix('i') {
        if let Some(im) = parse_float(stripped) {
            set_complex(&mut n, 0.0, im);
            return Ok(n);
        }
    }
    let u = parse_uint(text);
    if let Some(u) = u {
        n.uint = Some(u);
    }
    if let Some(i) = parse_int(text) {
        n.int = Some(i);
        if i == 0 {
            n.uint = Some(0);
        }
    }
    if let Some(i) = n.int {
        n.float = Some(i as f64);
    } else if let Some(u) = n.uint {
        n.float = Some(u as f64);
    } else if let Some(f) = parse_float(text) {
        if !text.contains(['.', 'e', 'E', 'p', 'P']) {
            return Err(format!(
                "integer overflow: {}",
                crate::lexer::go_quote(text)
            ));
        }
        n.float = Some(f);
        if f.fract() == 0.0 && (-(2f64.powi(63))..2f64.powi(63)).contains(&f) {
            n.int = Some(f as i64);
        }
        if f.fract() == 0.0 && (0.0..2f64.powi(64)).contains(&f) {
            n.uint = Some(f as u64);
        }
    }
    if n.int.is_none() && n.uint.is_none() && n.float.is_none() {
        return Err(format!(
            "illegal number syntax: {}",
            crate::lexer::go_quote(text)
        ));
    }
    Ok(n)
}

/// A complex constant; as Go's `simplifyComplex`, one without an imaginary part is also a float
/// (and an integer when whole), so it can stand where those are expected.
fn set_complex(n: &mut NumberNode, re: f64, im: f64) {
    n.complex = true;
    n.complex_parts = (re, im);
    if im == 0.0 {
        n.float = Some(re);
        if re.fract() == 0.0 && (-(2f64.powi(63))..2f64.powi(63)).contains(&re) {
            n.int = Some(re as i64);
        }
        if re.fract() == 0.0 && (0.0..2f64.powi(64)).contains(&re) {
            n.uint = Some(re as u64);
        }
    }
}

/// `REAL±IMAGi` as Go's fmt scans a complex number: the sign that splits the parts is the last
/// one that does not start an exponent.
fn parse_complex(text: &str) -> Option<(f64, f64)> {
    let body = text.strip_suffix('i')?;
    let bytes = body.as_bytes();
    let split = (1..bytes.len()).rev().find(|&i| {
        matches!(bytes[i], b'+' | b'-') && !matches!(bytes[i - 1], b'e' | b'E' | b'p' | b'P')
    })?;
    let re = parse_float(&body[..split])?;
    let im = parse_float(&body[split..])?;
    Some((re, im))
}

/// Removes Go's digit-separating underscores, checking they sit between digits (or after a base
/// prefix) as strconv's base-0 parsing requires.
fn strip_underscores(body: &str, prefixed: bool) -> Option<std::borrow::Cow<'_, str>> {
    if !body.contains('_') {
        return Some(body.into());
    }
    let b = body.as_bytes();
    let mut prev_digit = prefixed;
    for (i, &c) in b.iter().enumerate() {
        if c == b'_' {
            if !prev_digit || i + 1 >= b.len() || b[i + 1] == b'_' {
                return None;
            }
            prev_digit = false;
        } else {
            prev_digit = c.is_ascii_hexdigit();
        }
    }
    Some(body.replace('_', "").into())
}

fn split_base(s: &str) -> (u32, &str, bool) {
    match s.as_bytes() {
        [b'0', b'x' | b'X', ..] => (16, &s[2..], true),
        [b'0', b'o' | b'O', ..] => (8, &s[2..], true),
        [b'0', b'b' | b'B', ..] => (2, &s[2..], true),
        [b'0', _, ..] => (8, &s[1..], true),
        _ => (10, s, false),
    }
}

fn parse_uint(s: &str) -> Option<u64> {
    let s = s.strip_prefix('+').unwrap_or(s);
    if s.is_empty() || s.starts_with('-') {
        return None;
    }
    let (base, body, prefixed) = split_base(s);
    let body = strip_underscores(body, prefixed)?;
    if body.is_empty() {
        return None;
    }
    u64::from_str_radix(&body, base).ok()
}

fn parse_int(s: &str) -> Option<i64> {
    let (neg, rest) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let u = parse_uint(rest)?;
    if neg {
        if u <= 1u64 << 63 {
            Some((u as i128).wrapping_neg() as i64)
        } else {
            None
        }
    } else if u <= i64::MAX as u64 {
        Some(u as i64)
    } else {
        None
    }
}

/// Go's `strconv.ParseFloat` for the forms the lexer produces (decimal, hex with `p`).
fn parse_float(s: &str) -> Option<f64> {
    let (neg, rest) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let v = if rest.len() > 2 && (rest.starts_with("0x") || rest.starts_with("0X")) {
        let body = strip_underscores(&rest[2..], true)?;
        parse_hex_float(&body)?
    } else {
        let body = strip_underscores(rest, false)?;
        if body.is_empty()
            || !body
                .bytes()
                .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-'))
        {
            return None;
        }
        body.parse::<f64>().ok()?
    };
    if v.is_infinite() {
        // strconv reports a range error; the template parser treats it as not a float.
        return None;
    }
    Some(if neg { -v } else { v })
}

fn parse_hex_float(body: &str) -> Option<f64> {
    let (mant, exp) = match body.find(['p', 'P']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let exp: i32 = match exp {
        Some(e) => e.parse().ok()?,
        // A hex float needs its exponent.
        None => return None,
    };
    let (ip, fp) = match mant.find('.') {
        Some(i) => (&mant[..i], &mant[i + 1..]),
        None => (mant, ""),
    };
    if ip.is_empty() && fp.is_empty() {
        return None;
    }
    let mut v = 0f64;
    for c in ip.chars() {
        v = v * 16.0 + c.to_digit(16)? as f64;
    }
    let mut scale = 1.0 / 16.0;
    for c in fp.chars() {
        v += c.to_digit(16)? as f64 * scale;
        scale /= 16.0;
    }
    Some(v * 2f64.powi(exp))
}

/// Go's `strconv.Unquote` for `"..."`, `` `...` `` and `'...'`; errors read `invalid syntax`.
/// Names (of templates) must be UTF-8 text here.
pub fn unquote(s: &str) -> Result<String, String> {
    match unquote_go(s)? {
        Value::String(text) => Ok(text.to_string()),
        _ => Err("template name with invalid UTF-8 bytes is not supported by helmet".to_string()),
    }
}

/// Go's `strconv.Unquote` as a Go string: escapes such as `\xff` may give bytes that are not
/// UTF-8 (a [`Value::ByteString`]).
pub fn unquote_go(s: &str) -> Result<Value, String> {
    let bad = || "invalid syntax".to_string();
    if s.len() < 2 {
        return Err(bad());
    }
    let q = s.as_bytes()[0];
    if q != s.as_bytes()[s.len() - 1] {
        return Err(bad());
    }
    let body = &s[1..s.len() - 1];
    match q {
        b'`' => {
            if body.contains('`') {
                return Err(bad());
            }
            Ok(Value::from(body.replace('\r', "")))
        }
        // Most strings hold no escape, quote or newline: their text is the body as it is.
        b'"' if !body.bytes().any(|b| matches!(b, b'\\' | b'"' | b'\n')) => Ok(Value::from(body)),
        b'"' | b'\'' => {
            let quote = q as char;
            let mut out: Vec<u8> = Vec::new();
            let mut rest = body;
            let mut count = 0;
            while !rest.is_empty() {
                if rest.starts_with(quote) && quote == '\'' {
                    return Err(bad());
                }
                if rest.starts_with('\n') {
                    return Err(bad());
                }
                let (c, tail) = unquote_char_raw(rest, quote).map_err(|_| bad())?;
                match c {
                    Decoded::Char(c) => {
                        out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes())
                    }
                    // \x and octal escapes give raw bytes, which may build any UTF-8 sequence.
                    Decoded::Byte(b) => out.push(b),
                }
                rest = tail;
                count += 1;
            }
            if quote == '\'' && count != 1 {
                return Err(bad());
            }
            // Go strings may hold any bytes.
            Ok(Value::from_go_bytes(out))
        }
        _ => Err(bad()),
    }
}

enum Decoded {
    Char(char),
    Byte(u8),
}

fn unquote_char(s: &str, quote: char) -> Result<(char, &str), String> {
    match unquote_char_raw(s, quote)? {
        (Decoded::Char(c), t) => Ok((c, t)),
        (Decoded::Byte(b), t) => Ok((char::from(b), t)),
    }
}

fn unquote_char_raw(s: &str, quote: char) -> Result<(Decoded, &str), String> {
    let bad = || "invalid syntax".to_string();
    let mut chars = s.chars();
    let c = chars.next().ok_or_else(bad)?;
    if c == quote && (quote == '\'' || quote == '"') {
        return Err(bad());
    }
    if c != '\\' {
        return Ok((Decoded::Char(c), chars.as_str()));
    }
    let e = chars.next().ok_or_else(bad)?;
    let rest = chars.as_str();
    let simple = match e {
        'a' => Some('\x07'),
        'b' => Some('\x08'),
        'f' => Some('\x0c'),
        'n' => Some('\n'),
        'r' => Some('\r'),
        't' => Some('\t'),
        'v' => Some('\x0b'),
        '\\' => Some('\\'),
        '\'' | '"' => {
            if e != quote {
                return Err(bad());
            }
            Some(e)
        }
        _ => None,
    };
    if let Some(c) = simple {
        return Ok((Decoded::Char(c), rest));
    }
    let hex = |n: usize, rest: &str| -> Result<(u32, usize), String> {
        if rest.len() < n || !rest.is_char_boundary(n) {
            return Err(bad());
        }
        let v = u32::from_str_radix(&rest[..n], 16).map_err(|_| bad())?;
        if !rest[..n].bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad());
        }
        Ok((v, n))
    };
    match e {
        'x' => {
            let (v, n) = hex(2, rest)?;
            if quote == '\'' {
                return Ok((Decoded::Char(char::from(v as u8)), &rest[n..]));
            }
            Ok((Decoded::Byte(v as u8), &rest[n..]))
        }
        'u' | 'U' => {
            let len = if e == 'u' { 4 } else { 8 };
            let (v, n) = hex(len, rest)?;
            let c = char::from_u32(v).ok_or_else(bad)?;
            Ok((Decoded::Char(c), &rest[n..]))
        }
        '0'..='7' => {
            if rest.len() < 2 || !rest.is_char_boundary(2) {
                return Err(bad());
            }
            let digits = format!("{e}{}", &rest[..2]);
            if !digits.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
                return Err(bad());
            }
            let v = u32::from_str_radix(&digits, 8).map_err(|_| bad())?;
            if v > 255 {
                return Err(bad());
            }
            if quote == '\'' {
                return Ok((Decoded::Char(char::from(v as u8)), &rest[2..]));
            }
            Ok((Decoded::Byte(v as u8), &rest[2..]))
        }
        _ => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(src: &str) -> Result<Parsed, String> {
        parse("t", src, "{{", "}}", &|n: &str| {
            let builtin =
                crate::builtins::lookup(n).filter(|_| matches!(n, "printf" | "len" | "eq"));
            builtin.map(|b| Function(Callable::Builtin(b)))
        })
        .map_err(|e| e.message)
    }

    #[test]
    fn parses_structures() {
        let t = p("{{if .a}}x{{else if .b}}y{{else}}z{{end}}{{range $i, $v := .l}}{{$v}}{{end}}")
            .unwrap();
        assert_eq!(t.trees.len(), 1);
        assert_eq!(
            t.trees[0].root.to_string(),
            "{{if .a}}\"x\"{{else}}{{if .b}}\"y\"{{else}}\"z\"{{end}}{{end}}{{range $i, $v := .l}}{{$v}}{{end}}"
        );
    }

    #[test]
    fn defines_go_to_set() {
        let t = p("{{define \"a\"}}A{{end}}b{{block \"c\" .}}C{{end}}").unwrap();
        let names: Vec<&str> = t.trees.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, vec!["t", "a", "c"]);
    }

    /// Sources nested up to [`DEEP_TREE`] levels are parsed on the caller's stack: a thread
    /// with Rust's default 2 MiB must do, in a debug build too.
    #[test]
    fn inline_nesting_fits_a_small_stack() {
        let ifs = format!(
            "{}{{{{len .}}}}{}",
            "{{if 1}}{{with 2}}".repeat(DEEP_TREE / 2),
            "{{end}}{{end}}".repeat(DEEP_TREE / 2)
        );
        let parens = format!(
            "{{{{printf \"%v\" {}1{}}}}}",
            "(len ".repeat(DEEP_TREE - 1),
            ")".repeat(DEEP_TREE - 1)
        );
        for src in [ifs, parens] {
            let parsed = std::thread::Builder::new()
                .stack_size(2 * 1024 * 1024)
                .spawn(move || p(&src).map(|t| !t.trees[0].deep))
                .unwrap()
                .join()
                .expect("no stack overflow");
            assert_eq!(parsed, Ok(true));
        }
    }

    #[test]
    fn called_functions_noted_while_parsing() {
        let src = "{{define \"a\"}}{{len .}}{{end}}{{printf \"%d\" (len .) | printf}}\
                   {{block \"b\" (eq 1 1)}}{{printf .}}{{(len .).x}}{{end}}";
        let parsed = p(src).unwrap();
        let names = |list: &[Span]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let mut seen = Vec::new();
        for tree in &parsed.trees {
            let noted = names(tree.called());
            assert_eq!(noted, names(&called_functions(&tree.root)), "{}", tree.name);
            seen.push((tree.name.clone(), noted));
        }
        assert_eq!(
            seen,
            vec![
                ("t".into(), vec!["eq".into(), "len".into(), "printf".into()]),
                ("a".into(), vec!["len".into()]),
                ("b".into(), vec!["len".into(), "printf".into()]),
            ]
        );
    }

    #[test]
    fn errors() {
        assert_eq!(
            p("{{end}}").unwrap_err(),
            "template: t:1: unexpected {{end}}"
        );
        assert_eq!(
            p("{{nope 1}}").unwrap_err(),
            "template: t:1: function \"nope\" not defined"
        );
        assert_eq!(p("{{if .a}}").unwrap_err(), "template: t:1: unexpected EOF");
        assert_eq!(
            p("{{$x}}").unwrap_err(),
            "template: t:1: undefined variable \"$x\""
        );
        assert_eq!(
            p("{{break}}").unwrap_err(),
            "template: t:1: {{break}} outside {{range}}"
        );
        assert_eq!(
            p("{{.a | 3}}").unwrap_err(),
            "template: t:1: non executable command in pipeline stage 2"
        );
    }

    fn num(text: &str) -> Span {
        Span::new(&Arc::from(text), 0, text.len()).unwrap()
    }

    #[test]
    fn numbers() {
        let n = new_number(0, num("0x1F"), ItemKind::Number).unwrap();
        assert_eq!(n.int, Some(31));
        let n = new_number(0, num("1_000"), ItemKind::Number).unwrap();
        assert_eq!(n.int, Some(1000));
        let n = new_number(0, num("1e3"), ItemKind::Number).unwrap();
        assert_eq!(n.float, Some(1000.0));
        assert!(new_number(0, num("99999999999999999999"), ItemKind::Number).is_err());
        let n = new_number(0, num("0x1p-2"), ItemKind::Number).unwrap();
        assert_eq!(n.float, Some(0.25));
    }

    #[test]
    fn unquotes() {
        assert_eq!(unquote("\"a\\tb\\u00e9\"").unwrap(), "a\tb\u{e9}");
        assert_eq!(unquote("`a\\n`").unwrap(), "a\\n");
        assert!(unquote("\"\\q\"").is_err());
    }
}
