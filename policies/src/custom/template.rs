//! A subset of Go's `text/template`, enough for Polaris's schema templates:
//! field chains (`.a.b`, `$.a`, `$v.a`), variables (`$x := …`, `$x = …`),
//! `if`/`else if`/`else`, `range` (with `$k, $v :=`), `with`, pipelines
//! (`a | f b`), parenthesised sub-pipelines, comments, `{{-`/`-}}` trimming,
//! and the functions `and or not len index eq ne lt le gt ge print printf
//! println hasPrefix hasSuffix`.
//!
//! Values print as Go's `fmt` prints them: a missing field is `<no value>`,
//! floats use the shortest `%v` form (`1e+06`), maps print as `map[k:v]`.
//! Maps are ranged over in sorted key order, as Go does.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{Map, Value};

/// A template syntax error, with the byte offset in the template text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("template error at byte {offset}: {message}")]
pub struct TemplateError {
    /// Byte offset into the template text.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

/// An error while rendering (a value of the wrong type).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct RenderError(pub String);

/// The data a template is rendered against: the object, plus the
/// `.Polaris` view (pod spec, pod template and container of the target).
#[derive(Clone, Copy, Debug)]
pub struct Data<'a> {
    /// The whole object (`.`).
    pub object: &'a Value,
    /// `.Polaris.PodSpec`.
    pub pod_spec: Option<&'a Value>,
    /// `.Polaris.PodTemplate`.
    pub pod_template: Option<&'a Value>,
    /// `.Polaris.Container`.
    pub container: Option<&'a Value>,
}

/// True when `text` contains template actions.
pub fn is_template(text: &str) -> bool {
    text.contains("{{")
}

/// A parsed template.
#[derive(Clone, Debug)]
pub struct Template {
    nodes: Vec<Node>,
}

#[derive(Clone, Debug)]
enum Node {
    Text(String),
    Action(Pipeline),
    If {
        branches: Vec<(Pipeline, Vec<Node>)>,
        otherwise: Vec<Node>,
    },
    Range {
        pipe: Pipeline,
        body: Vec<Node>,
        otherwise: Vec<Node>,
    },
    With {
        branches: Vec<(Pipeline, Vec<Node>)>,
        otherwise: Vec<Node>,
    },
}

#[derive(Clone, Debug)]
struct Pipeline {
    decl: Vec<String>,
    assign: bool,
    cmds: Vec<Vec<Arg>>,
}

#[derive(Clone, Debug)]
enum Arg {
    /// `.a.b` (empty: `.`).
    Field(Vec<String>),
    /// `$x.a.b` (`$` alone is the root).
    Var(String, Vec<String>),
    /// `(pipeline).a.b`.
    Paren(Box<Pipeline>, Vec<String>),
    Func(String),
    Lit(Value),
}

// ---------------------------------------------------------------- lexing

enum Piece {
    Text(String),
    Action { body: String, offset: usize },
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

fn split(text: &str) -> Result<Vec<Piece>, TemplateError> {
    let mut pieces = Vec::new();
    let mut rest = text;
    let mut base = 0;
    let mut trim_next = false;
    loop {
        let Some(open) = rest.find("{{") else {
            let mut t = rest;
            if trim_next {
                t = t.trim_start_matches(is_space);
            }
            pieces.push(Piece::Text(t.to_string()));
            break;
        };
        let mut t = &rest[..open];
        if trim_next {
            t = t.trim_start_matches(is_space);
        }
        let after = &rest[open + 2..];
        let trim_left = after.starts_with('-') && after[1..].starts_with(is_space);
        if trim_left {
            t = t.trim_end_matches(is_space);
        }
        pieces.push(Piece::Text(t.to_string()));
        let inner_start = open + 2 + usize::from(trim_left);
        let inner = &rest[inner_start..];
        // Find the closing `}}`, skipping quoted strings and comments.
        let close = find_close(inner).ok_or_else(|| TemplateError {
            offset: base + open,
            message: "unclosed action: missing `}}`".to_string(),
        })?;
        let mut body = &inner[..close];
        let trim_right = body.ends_with('-') && body[..body.len() - 1].ends_with(is_space);
        if trim_right {
            body = &body[..body.len() - 1];
        }
        pieces.push(Piece::Action {
            body: body.to_string(),
            offset: base + inner_start,
        });
        trim_next = trim_right;
        let consumed = inner_start + close + 2;
        base += consumed;
        rest = &rest[consumed..];
    }
    Ok(pieces)
}

fn find_close(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut i = 0;
    let trimmed = s.trim_start_matches(is_space);
    if trimmed.starts_with("/*") {
        let start = s.len() - trimmed.len();
        let end = s[start..].find("*/")? + start + 2;
        return s[end..].find("}}").map(|p| p + end);
    }
    while i < b.len() {
        match b[i] {
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                i += 1;
            }
            b'`' => {
                i += 1;
                while i < b.len() && b[i] != b'`' {
                    i += 1;
                }
                i += 1;
            }
            b'}' if b.get(i + 1) == Some(&b'}') => return Some(i),
            _ => i += 1,
        }
    }
    None
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Field(Vec<String>),
    Var(String, Vec<String>),
    Ident(String),
    Lit(Value),
    Pipe,
    Open,
    Close(Vec<String>),
    Declare,
    Assign,
    Comma,
}

fn lex_action(body: &str, offset: usize) -> Result<Vec<Tok>, TemplateError> {
    let err = |at: usize, m: &str| TemplateError {
        offset: offset + at,
        message: m.to_string(),
    };
    let b = body.as_bytes();
    let mut toks = Vec::new();
    let mut i = 0;
    let ident_char = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let read_fields = |i: &mut usize| -> Vec<String> {
        let mut fields = Vec::new();
        while *i < b.len() && b[*i] == b'.' && b.get(*i + 1).is_some_and(|c| ident_char(*c)) {
            let start = *i + 1;
            *i = start;
            while *i < b.len() && ident_char(b[*i]) {
                *i += 1;
            }
            fields.push(body[start..*i].to_string());
        }
        fields
    };
    while i < b.len() {
        let c = b[i];
        match c {
            b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            b'|' => {
                toks.push(Tok::Pipe);
                i += 1;
            }
            b'(' => {
                toks.push(Tok::Open);
                i += 1;
            }
            b')' => {
                i += 1;
                let fields = read_fields(&mut i);
                toks.push(Tok::Close(fields));
            }
            b',' => {
                toks.push(Tok::Comma);
                i += 1;
            }
            b':' if b.get(i + 1) == Some(&b'=') => {
                toks.push(Tok::Declare);
                i += 2;
            }
            b'=' => {
                toks.push(Tok::Assign);
                i += 1;
            }
            b'.' => {
                if b.get(i + 1).is_some_and(|c| ident_char(*c)) {
                    let fields = read_fields(&mut i);
                    toks.push(Tok::Field(fields));
                } else {
                    toks.push(Tok::Field(Vec::new()));
                    i += 1;
                }
            }
            b'$' => {
                let start = i + 1;
                i = start;
                while i < b.len() && ident_char(b[i]) {
                    i += 1;
                }
                let name = body[start..i].to_string();
                let fields = read_fields(&mut i);
                toks.push(Tok::Var(name, fields));
            }
            b'"' => {
                let start = i;
                i += 1;
                let mut s = String::new();
                loop {
                    let Some(&ch) = b.get(i) else {
                        return Err(err(start, "unterminated quoted string"));
                    };
                    match ch {
                        b'"' => {
                            i += 1;
                            break;
                        }
                        b'\\' => {
                            let e = b.get(i + 1).copied();
                            s.push(match e {
                                Some(b'n') => '\n',
                                Some(b't') => '\t',
                                Some(b'r') => '\r',
                                Some(b'\\') => '\\',
                                Some(b'"') => '"',
                                _ => return Err(err(i, "unsupported escape in quoted string")),
                            });
                            i += 2;
                        }
                        _ => {
                            let ch_str = body[i..].chars().next().unwrap_or(' ');
                            s.push(ch_str);
                            i += ch_str.len_utf8();
                        }
                    }
                }
                toks.push(Tok::Lit(Value::String(s)));
            }
            b'`' => {
                let start = i + 1;
                let end = body[start..]
                    .find('`')
                    .ok_or_else(|| err(i, "unterminated raw string"))?;
                toks.push(Tok::Lit(Value::String(
                    body[start..start + end].to_string(),
                )));
                i = start + end + 1;
            }
            b'-' | b'+' | b'0'..=b'9' => {
                let start = i;
                i += 1;
                while i < b.len()
                    && (b[i].is_ascii_alphanumeric() || matches!(b[i], b'.' | b'_' | b'+' | b'-'))
                {
                    // A sign only follows an exponent marker.
                    if matches!(b[i], b'+' | b'-') && !matches!(b[i - 1], b'e' | b'E') {
                        break;
                    }
                    i += 1;
                }
                let text = body[start..i].replace('_', "");
                let v = if let Ok(n) = text.parse::<i64>() {
                    Value::from(n)
                } else if let Some(f) = text
                    .parse::<f64>()
                    .ok()
                    .and_then(serde_json::Number::from_f64)
                {
                    Value::Number(f)
                } else {
                    return Err(err(start, &format!("bad number `{text}`")));
                };
                toks.push(Tok::Lit(v));
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let start = i;
                while i < b.len() && ident_char(b[i]) {
                    i += 1;
                }
                let word = &body[start..i];
                toks.push(match word {
                    "true" => Tok::Lit(Value::Bool(true)),
                    "false" => Tok::Lit(Value::Bool(false)),
                    "nil" => Tok::Lit(Value::Null),
                    _ => Tok::Ident(word.to_string()),
                });
            }
            _ => {
                return Err(err(
                    i,
                    &format!(
                        "unexpected character `{}`",
                        body[i..].chars().next().unwrap_or('?')
                    ),
                ))
            }
        }
    }
    Ok(toks)
}

// ---------------------------------------------------------------- parsing

const FUNCS: &[&str] = &[
    "and",
    "or",
    "not",
    "len",
    "index",
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
    "print",
    "printf",
    "println",
    "hasPrefix",
    "hasSuffix",
];

struct PipeParser<'t> {
    toks: &'t [Tok],
    pos: usize,
    offset: usize,
    depth: usize,
}

/// Deepest nesting of blocks and parentheses accepted (keeps the recursive
/// parser and renderer far from the stack limit).
const MAX_NESTING: usize = 64;

impl PipeParser<'_> {
    fn err(&self, m: impl Into<String>) -> TemplateError {
        TemplateError {
            offset: self.offset,
            message: m.into(),
        }
    }

    fn pipeline(&mut self, allow_decl: bool) -> Result<Pipeline, TemplateError> {
        let mut decl = Vec::new();
        let mut assign = false;
        if allow_decl {
            // `$x :=`, `$x =`, `$k, $v :=`
            let save = self.pos;
            let mut names = Vec::new();
            while let Some(Tok::Var(n, f)) = self.toks.get(self.pos) {
                if !f.is_empty() {
                    break;
                }
                names.push(n.clone());
                self.pos += 1;
                if self.toks.get(self.pos) == Some(&Tok::Comma) {
                    self.pos += 1;
                    continue;
                }
                break;
            }
            match self.toks.get(self.pos) {
                Some(Tok::Declare) if !names.is_empty() && names.len() <= 2 => {
                    self.pos += 1;
                    decl = names;
                }
                Some(Tok::Assign) if names.len() == 1 => {
                    self.pos += 1;
                    decl = names;
                    assign = true;
                }
                _ => self.pos = save,
            }
        }
        let mut cmds = Vec::new();
        loop {
            let mut cmd = Vec::new();
            while let Some(t) = self.toks.get(self.pos) {
                match t {
                    Tok::Pipe | Tok::Close(_) => break,
                    Tok::Open => {
                        self.pos += 1;
                        self.depth += 1;
                        if self.depth > MAX_NESTING {
                            return Err(self.err("parentheses nested too deeply"));
                        }
                        let inner = self.pipeline(false)?;
                        self.depth -= 1;
                        match self.toks.get(self.pos) {
                            Some(Tok::Close(fields)) => {
                                cmd.push(Arg::Paren(Box::new(inner), fields.clone()));
                                self.pos += 1;
                            }
                            _ => return Err(self.err("missing `)`")),
                        }
                    }
                    Tok::Field(f) => {
                        cmd.push(Arg::Field(f.clone()));
                        self.pos += 1;
                    }
                    Tok::Var(n, f) => {
                        cmd.push(Arg::Var(n.clone(), f.clone()));
                        self.pos += 1;
                    }
                    Tok::Lit(v) => {
                        cmd.push(Arg::Lit(v.clone()));
                        self.pos += 1;
                    }
                    Tok::Ident(name) => {
                        if !FUNCS.contains(&name.as_str()) {
                            return Err(self.err(format!("function `{name}` not defined")));
                        }
                        cmd.push(Arg::Func(name.clone()));
                        self.pos += 1;
                    }
                    Tok::Declare | Tok::Assign | Tok::Comma => {
                        return Err(self.err("unexpected `:=`, `=` or `,`"))
                    }
                }
            }
            if cmd.is_empty() {
                return Err(self.err("missing value in pipeline"));
            }
            if cmd.len() > 1 && !matches!(cmd[0], Arg::Func(_)) {
                return Err(self.err("a value cannot take arguments"));
            }
            cmds.push(cmd);
            if self.toks.get(self.pos) == Some(&Tok::Pipe) {
                self.pos += 1;
                continue;
            }
            break;
        }
        Ok(Pipeline { decl, assign, cmds })
    }
}

fn parse_pipeline(body: &str, offset: usize, allow_decl: bool) -> Result<Pipeline, TemplateError> {
    let toks = lex_action(body, offset)?;
    let mut p = PipeParser {
        toks: &toks,
        pos: 0,
        offset,
        depth: 0,
    };
    let pipe = p.pipeline(allow_decl)?;
    if p.pos != toks.len() {
        return Err(p.err("unexpected `)` or trailing tokens"));
    }
    Ok(pipe)
}

enum Stop {
    End,
    Else(Option<(String, String, usize)>),
    Eof,
}

struct Parser {
    pieces: std::vec::IntoIter<Piece>,
    depth: usize,
}

impl Parser {
    /// Parses nodes until `{{ end }}`, `{{ else … }}` or the end of input.
    fn list(&mut self) -> Result<(Vec<Node>, Stop, usize), TemplateError> {
        self.depth += 1;
        let r = self.list_inner();
        self.depth -= 1;
        r
    }

    fn list_inner(&mut self) -> Result<(Vec<Node>, Stop, usize), TemplateError> {
        if self.depth > MAX_NESTING {
            return Err(TemplateError {
                offset: 0,
                message: "blocks nested too deeply".into(),
            });
        }
        let mut nodes = Vec::new();
        while let Some(piece) = self.pieces.next() {
            let (body, offset) = match piece {
                Piece::Text(t) => {
                    if !t.is_empty() {
                        nodes.push(Node::Text(t));
                    }
                    continue;
                }
                Piece::Action { body, offset } => (body, offset),
            };
            let trimmed = body.trim_matches(is_space);
            if trimmed.starts_with("/*") {
                if !trimmed.ends_with("*/") {
                    return Err(TemplateError {
                        offset,
                        message: "unclosed comment".into(),
                    });
                }
                continue;
            }
            let (word, rest) = match trimmed.find(is_space) {
                Some(p) => (&trimmed[..p], &trimmed[p..]),
                None => (trimmed, ""),
            };
            match word {
                "end" if rest.trim().is_empty() => return Ok((nodes, Stop::End, offset)),
                "else" => {
                    let rest = rest.trim_matches(is_space);
                    if rest.is_empty() {
                        return Ok((nodes, Stop::Else(None), offset));
                    }
                    let (w2, r2) = match rest.find(is_space) {
                        Some(p) => (&rest[..p], &rest[p..]),
                        None => (rest, ""),
                    };
                    return Ok((
                        nodes,
                        Stop::Else(Some((w2.to_string(), r2.to_string(), offset))),
                        offset,
                    ));
                }
                "if" | "with" => nodes.push(self.branches(word, rest, offset)?),
                "range" => {
                    let pipe = parse_pipeline(rest, offset, true)?;
                    if pipe.assign {
                        return Err(TemplateError {
                            offset,
                            message: "range needs `:=`, not `=`".into(),
                        });
                    }
                    let (body, stop, at) = self.list()?;
                    let otherwise = match stop {
                        Stop::End => Vec::new(),
                        Stop::Else(None) => {
                            let (e, stop2, at2) = self.list()?;
                            expect_end(stop2, at2)?;
                            e
                        }
                        Stop::Else(Some(_)) => {
                            return Err(TemplateError {
                                offset: at,
                                message: "`else if` inside range is not supported".into(),
                            })
                        }
                        Stop::Eof => return Err(unexpected_eof(offset, "range")),
                    };
                    nodes.push(Node::Range {
                        pipe,
                        body,
                        otherwise,
                    });
                }
                "define" | "template" | "block" | "break" | "continue" => {
                    return Err(TemplateError {
                        offset,
                        message: format!("`{word}` is not supported in schema templates"),
                    })
                }
                _ => nodes.push(Node::Action(parse_pipeline(trimmed, offset, true)?)),
            }
        }
        Ok((nodes, Stop::Eof, 0))
    }

    fn branches(&mut self, word: &str, rest: &str, offset: usize) -> Result<Node, TemplateError> {
        let mut branches = Vec::new();
        let mut cond = parse_pipeline(rest, offset, word == "with")?;
        let otherwise;
        loop {
            let (body, stop, at) = self.list()?;
            branches.push((cond, body));
            match stop {
                Stop::End => {
                    otherwise = Vec::new();
                    break;
                }
                Stop::Else(None) => {
                    let (e, stop2, at2) = self.list()?;
                    expect_end(stop2, at2)?;
                    otherwise = e;
                    break;
                }
                Stop::Else(Some((w2, r2, at3))) if w2 == word => {
                    cond = parse_pipeline(&r2, at3, word == "with")?;
                }
                Stop::Else(Some(_)) => {
                    return Err(TemplateError {
                        offset: at,
                        message: format!("`else` must be followed by `{word}` or `}}}}`"),
                    })
                }
                Stop::Eof => return Err(unexpected_eof(offset, word)),
            }
        }
        Ok(if word == "if" {
            Node::If {
                branches,
                otherwise,
            }
        } else {
            Node::With {
                branches,
                otherwise,
            }
        })
    }
}

fn expect_end(stop: Stop, at: usize) -> Result<(), TemplateError> {
    match stop {
        Stop::End => Ok(()),
        Stop::Else(_) => Err(TemplateError {
            offset: at,
            message: "unexpected second `else`".into(),
        }),
        Stop::Eof => Err(unexpected_eof(at, "else")),
    }
}

fn unexpected_eof(offset: usize, what: &str) -> TemplateError {
    TemplateError {
        offset,
        message: format!("`{what}` has no matching `{{{{ end }}}}`"),
    }
}

impl Template {
    /// Parses template text.
    pub fn parse(text: &str) -> Result<Template, TemplateError> {
        let pieces = split(text)?;
        let mut p = Parser {
            pieces: pieces.into_iter(),
            depth: 0,
        };
        let (nodes, stop, at) = p.list()?;
        match stop {
            Stop::Eof => Ok(Template { nodes }),
            Stop::End => Err(TemplateError {
                offset: at,
                message: "unexpected `{{ end }}`".into(),
            }),
            Stop::Else(_) => Err(TemplateError {
                offset: at,
                message: "unexpected `{{ else }}`".into(),
            }),
        }
    }

    /// Renders the template against `data`.
    pub fn render(&self, data: &Data<'_>) -> Result<String, RenderError> {
        let mut st = State {
            data,
            vars: vec![("$".to_string(), Val::Root)],
            out: String::new(),
            steps: 0,
        };
        st.walk(&self.nodes, &Val::Root)?;
        Ok(st.out)
    }
}

// ---------------------------------------------------------------- values

#[derive(Clone, Debug)]
enum Val<'a> {
    Root,
    Polaris,
    Ref(&'a Value),
    Own(Value),
    Nil,
}

impl<'a> Val<'a> {
    fn from_opt(v: Option<&'a Value>) -> Val<'a> {
        match v {
            Some(v) => Val::Ref(v),
            None => Val::Nil,
        }
    }

    fn json(&self, data: &Data<'a>) -> Value {
        match self {
            Val::Root => {
                let mut m = data.object.as_object().cloned().unwrap_or_default();
                m.insert("Polaris".into(), Val::Polaris.json(data));
                Value::Object(m)
            }
            Val::Polaris => {
                let mut m = Map::new();
                for (k, v) in [
                    ("PodSpec", data.pod_spec),
                    ("PodTemplate", data.pod_template),
                    ("Container", data.container),
                ] {
                    if let Some(v) = v {
                        m.insert(k.into(), v.clone());
                    }
                }
                Value::Object(m)
            }
            Val::Ref(v) => (*v).clone(),
            Val::Own(v) => v.clone(),
            Val::Nil => Value::Null,
        }
    }

    fn as_value(&self) -> Option<&Value> {
        match self {
            Val::Ref(v) => Some(v),
            Val::Own(v) => Some(v),
            _ => None,
        }
    }

    fn field(self, name: &str, data: &Data<'a>) -> Result<Val<'a>, RenderError> {
        match self {
            Val::Root => {
                if name == "Polaris" {
                    Ok(Val::Polaris)
                } else {
                    Ok(Val::from_opt(data.object.get(name)))
                }
            }
            Val::Polaris => Ok(Val::from_opt(match name {
                "PodSpec" => data.pod_spec,
                "PodTemplate" => data.pod_template,
                "Container" => data.container,
                _ => None,
            })),
            Val::Nil => Ok(Val::Nil),
            Val::Ref(Value::Null) | Val::Own(Value::Null) => Ok(Val::Nil),
            Val::Ref(Value::Object(m)) => Ok(Val::from_opt(m.get(name))),
            Val::Own(Value::Object(mut m)) => Ok(m.remove(name).map_or(Val::Nil, Val::Own)),
            other => Err(RenderError(format!(
                "can't evaluate field {name} in type {}",
                type_name(other.as_value().unwrap_or(&Value::Null))
            ))),
        }
    }

    fn truthy(&self) -> bool {
        match self {
            Val::Root | Val::Polaris => true,
            Val::Nil => false,
            Val::Ref(v) => truthy(v),
            Val::Own(v) => truthy(v),
        }
    }
}

fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(m) => !m.is_empty(),
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "nil",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float64",
        Value::Number(_) => "int64",
        Value::String(_) => "string",
        Value::Array(_) => "[]interface {}",
        Value::Object(_) => "map[string]interface {}",
    }
}

/// Prints a float as Go's `%v` does (strconv 'g', shortest).
fn go_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    if f == 0.0 {
        return "0".into();
    }
    // Shortest round-trip digits and decimal exponent.
    let e = format!("{f:e}");
    let (mant, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let neg = mant.starts_with('-');
    let digits: String = mant.chars().filter(char::is_ascii_digit).collect();
    let sign = if neg { "-" } else { "" };
    // With the shortest digits, Go switches to %e below 1e-4 and from 1e6.
    if !(-4..6).contains(&exp) {
        let mut m = digits[..1].to_string();
        if digits.len() > 1 {
            m.push('.');
            m.push_str(&digits[1..]);
        }
        let es = if exp < 0 { '-' } else { '+' };
        return format!("{sign}{m}e{es}{:02}", exp.abs());
    }
    let nd = digits.len() as i32;
    let dp = exp + 1;
    let s = if dp <= 0 {
        format!("0.{}{}", "0".repeat((-dp) as usize), digits)
    } else if dp >= nd {
        format!("{}{}", digits, "0".repeat((dp - nd) as usize))
    } else {
        format!("{}.{}", &digits[..dp as usize], &digits[dp as usize..])
    };
    format!("{sign}{s}")
}

fn print_value(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("<nil>"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                let _ = write!(out, "{i}");
            } else if let Some(u) = n.as_u64() {
                let _ = write!(out, "{u}");
            } else {
                out.push_str(&go_float(n.as_f64().unwrap_or(0.0)));
            }
        }
        Value::String(s) => out.push_str(s),
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                print_value(x, out);
            }
            out.push(']');
        }
        Value::Object(m) => {
            out.push_str("map[");
            let sorted: BTreeMap<&String, &Value> = m.iter().collect();
            for (i, (k, x)) in sorted.into_iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(k);
                out.push(':');
                print_value(x, out);
            }
            out.push(']');
        }
    }
}

fn print_val(v: &Val<'_>, data: &Data<'_>, out: &mut String) {
    match v {
        Val::Nil => out.push_str("<no value>"),
        Val::Ref(v) => print_value(v, out),
        Val::Own(v) => print_value(v, out),
        other => print_value(&other.json(data), out),
    }
}

fn to_string(v: &Val<'_>, data: &Data<'_>) -> String {
    let mut s = String::new();
    print_val(v, data, &mut s);
    s
}

// ---------------------------------------------------------------- execution

/// Guards against runaway templates (ranges over huge inputs).
const MAX_STEPS: usize = 1_000_000;
const MAX_OUTPUT: usize = 4 << 20;

struct State<'a, 'd> {
    data: &'d Data<'a>,
    vars: Vec<(String, Val<'a>)>,
    out: String,
    steps: usize,
}

impl<'a> State<'a, '_> {
    fn tick(&mut self) -> Result<(), RenderError> {
        self.steps += 1;
        if self.steps > MAX_STEPS || self.out.len() > MAX_OUTPUT {
            return Err(RenderError("template output too large".into()));
        }
        Ok(())
    }

    fn walk(&mut self, nodes: &[Node], dot: &Val<'a>) -> Result<(), RenderError> {
        for node in nodes {
            self.tick()?;
            match node {
                Node::Text(t) => self.out.push_str(t),
                Node::Action(p) => {
                    let v = self.pipeline(p, dot)?;
                    if p.decl.is_empty() {
                        print_val(&v, self.data, &mut self.out);
                    }
                }
                Node::If {
                    branches,
                    otherwise,
                } => {
                    let mark = self.vars.len();
                    let mut done = false;
                    for (cond, body) in branches {
                        if self.pipeline(cond, dot)?.truthy() {
                            self.walk(body, dot)?;
                            done = true;
                            break;
                        }
                    }
                    if !done {
                        self.walk(otherwise, dot)?;
                    }
                    self.vars.truncate(mark);
                }
                Node::With {
                    branches,
                    otherwise,
                } => {
                    let mark = self.vars.len();
                    let mut done = false;
                    for (cond, body) in branches {
                        let v = self.pipeline(cond, dot)?;
                        if v.truthy() {
                            self.walk(body, &v)?;
                            done = true;
                            break;
                        }
                    }
                    if !done {
                        self.walk(otherwise, dot)?;
                    }
                    self.vars.truncate(mark);
                }
                Node::Range {
                    pipe,
                    body,
                    otherwise,
                } => {
                    let mark = self.vars.len();
                    let plain = Pipeline {
                        decl: Vec::new(),
                        assign: false,
                        cmds: pipe.cmds.clone(),
                    };
                    let v = self.pipeline(&plain, dot)?;
                    let items: Vec<(Val<'a>, Val<'a>)> = match v {
                        Val::Nil => Vec::new(),
                        Val::Ref(x) => range_items_ref(x)?,
                        Val::Own(x) => range_items_own(x)?,
                        other => range_items_own(other.json(self.data))?,
                    };
                    if items.is_empty() {
                        self.walk(otherwise, dot)?;
                    }
                    for (k, v) in items {
                        let inner = self.vars.len();
                        match pipe.decl.as_slice() {
                            [one] => self.vars.push((one.clone(), v.clone())),
                            [a, b] => {
                                self.vars.push((a.clone(), k));
                                self.vars.push((b.clone(), v.clone()));
                            }
                            _ => {}
                        }
                        self.walk(body, &v)?;
                        self.vars.truncate(inner);
                    }
                    self.vars.truncate(mark);
                }
            }
        }
        Ok(())
    }

    fn pipeline(&mut self, p: &Pipeline, dot: &Val<'a>) -> Result<Val<'a>, RenderError> {
        let mut prev: Option<Val<'a>> = None;
        for cmd in &p.cmds {
            prev = Some(self.command(cmd, dot, prev)?);
        }
        let v = prev.unwrap_or(Val::Nil);
        if let Some(name) = p.decl.first() {
            if p.assign {
                let slot = self
                    .vars
                    .iter_mut()
                    .rev()
                    .find(|(n, _)| n == name)
                    .ok_or_else(|| RenderError(format!("undefined variable ${name}")))?;
                slot.1 = v.clone();
            } else {
                self.vars.push((name.clone(), v.clone()));
            }
        }
        Ok(v)
    }

    fn command(
        &mut self,
        cmd: &[Arg],
        dot: &Val<'a>,
        piped: Option<Val<'a>>,
    ) -> Result<Val<'a>, RenderError> {
        if let Some(Arg::Func(name)) = cmd.first() {
            let mut args = Vec::with_capacity(cmd.len());
            for a in &cmd[1..] {
                args.push(self.arg(a, dot)?);
            }
            if let Some(p) = piped {
                args.push(p);
            }
            return self.call(name, args);
        }
        if piped.is_some() {
            return Err(RenderError("can't give argument to non-function".into()));
        }
        match cmd {
            [a] => self.arg(a, dot),
            _ => Err(RenderError("a value cannot take arguments".into())),
        }
    }

    fn arg(&mut self, a: &Arg, dot: &Val<'a>) -> Result<Val<'a>, RenderError> {
        let data = self.data;
        let chain = |mut v: Val<'a>, fields: &[String]| -> Result<Val<'a>, RenderError> {
            for f in fields {
                v = v.field(f, data)?;
            }
            Ok(v)
        };
        match a {
            Arg::Field(fields) => chain(dot.clone(), fields),
            Arg::Var(name, fields) => {
                let v = if name.is_empty() {
                    Val::Root
                } else {
                    self.vars
                        .iter()
                        .rev()
                        .find(|(n, _)| n == name)
                        .map(|(_, v)| v.clone())
                        .ok_or_else(|| RenderError(format!("undefined variable ${name}")))?
                };
                chain(v, fields)
            }
            Arg::Paren(p, fields) => {
                let v = self.pipeline(p, dot)?;
                chain(v, fields)
            }
            Arg::Lit(v) => Ok(Val::Own(v.clone())),
            Arg::Func(name) => self.call(name, Vec::new()),
        }
    }

    fn call(&mut self, name: &str, args: Vec<Val<'a>>) -> Result<Val<'a>, RenderError> {
        let data = self.data;
        let need = |n: usize| -> Result<(), RenderError> {
            if args.len() == n {
                Ok(())
            } else {
                Err(RenderError(format!(
                    "wrong number of args for {name}: want {n} got {}",
                    args.len()
                )))
            }
        };
        let string_of = |v: &Val<'a>| -> Result<String, RenderError> {
            match v.as_value() {
                Some(Value::String(s)) => Ok(s.clone()),
                _ => Err(RenderError(format!("{name}: argument is not a string"))),
            }
        };
        match name {
            "and" | "or" => {
                if args.is_empty() {
                    return Err(RenderError(format!("wrong number of args for {name}")));
                }
                let want = name == "or";
                let last = args.len() - 1;
                for (i, a) in args.into_iter().enumerate() {
                    if a.truthy() == want || i == last {
                        return Ok(a);
                    }
                }
                Ok(Val::Nil)
            }
            "not" => {
                need(1)?;
                Ok(Val::Own(Value::Bool(!args[0].truthy())))
            }
            "len" => {
                need(1)?;
                let n = match args[0].json(data) {
                    Value::String(s) => s.len(),
                    Value::Array(a) => a.len(),
                    Value::Object(m) => m.len(),
                    other => return Err(RenderError(format!("len of type {}", type_name(&other)))),
                };
                Ok(Val::Own(Value::from(n)))
            }
            "index" => {
                let mut it = args.into_iter();
                let mut cur = it
                    .next()
                    .ok_or_else(|| RenderError("index of nothing".into()))?;
                for key in it {
                    let k = key.json(data);
                    cur = match (cur, &k) {
                        (Val::Nil, _) => Val::Nil,
                        (v @ (Val::Root | Val::Polaris), Value::String(s)) => v.field(s, data)?,
                        (Val::Ref(Value::Object(m)), Value::String(s)) => Val::from_opt(m.get(s)),
                        (Val::Ref(Value::Array(a)), Value::Number(n)) => {
                            let i = n.as_u64().unwrap_or(u64::MAX);
                            let i = usize::try_from(i).unwrap_or(usize::MAX);
                            Val::Ref(
                                a.get(i).ok_or_else(|| {
                                    RenderError(format!("index out of range: {i}"))
                                })?,
                            )
                        }
                        (Val::Own(Value::Object(mut m)), Value::String(s)) => {
                            m.remove(s).map_or(Val::Nil, Val::Own)
                        }
                        (Val::Own(Value::Array(mut a)), Value::Number(n)) => {
                            let i = n.as_u64().and_then(|i| usize::try_from(i).ok());
                            match i {
                                Some(i) if i < a.len() => Val::Own(a.swap_remove(i)),
                                _ => return Err(RenderError("index out of range".into())),
                            }
                        }
                        (other, _) => {
                            return Err(RenderError(format!(
                                "can't index item of type {}",
                                type_name(&other.json(data))
                            )))
                        }
                    };
                }
                Ok(cur)
            }
            "eq" | "ne" => {
                if args.len() < 2 {
                    return Err(RenderError(format!("missing argument for {name}")));
                }
                let first = args[0].json(data);
                let hit = args[1..]
                    .iter()
                    .any(|a| values_equal(&first, &a.json(data)));
                Ok(Val::Own(Value::Bool(if name == "eq" { hit } else { !hit })))
            }
            "lt" | "le" | "gt" | "ge" => {
                need(2)?;
                let a = args[0].json(data);
                let b = args[1].json(data);
                let ord = match (&a, &b) {
                    (Value::Number(x), Value::Number(y)) => x
                        .as_f64()
                        .unwrap_or(0.0)
                        .partial_cmp(&y.as_f64().unwrap_or(0.0)),
                    (Value::String(x), Value::String(y)) => Some(x.cmp(y)),
                    _ => None,
                }
                .ok_or_else(|| RenderError(format!("{name}: incompatible types for comparison")))?;
                use std::cmp::Ordering::*;
                let r = match name {
                    "lt" => ord == Less,
                    "le" => ord != Greater,
                    "gt" => ord == Greater,
                    _ => ord != Less,
                };
                Ok(Val::Own(Value::Bool(r)))
            }
            "print" | "println" => {
                let mut s = String::new();
                let mut prev_string = true;
                for (i, a) in args.iter().enumerate() {
                    let is_string = matches!(a.as_value(), Some(Value::String(_)));
                    if i > 0 && (name == "println" || (!is_string && !prev_string)) {
                        s.push(' ');
                    }
                    print_val(a, data, &mut s);
                    prev_string = is_string;
                }
                if name == "println" {
                    s.push('\n');
                }
                Ok(Val::Own(Value::String(s)))
            }
            "printf" => {
                let format = args
                    .first()
                    .map(&string_of)
                    .transpose()?
                    .ok_or_else(|| RenderError("printf needs a format".into()))?;
                Ok(Val::Own(Value::String(printf(&format, &args[1..], data))))
            }
            "hasPrefix" | "hasSuffix" => {
                need(2)?;
                let s = string_of(&args[0])?;
                let affix = string_of(&args[1])?;
                let r = if name == "hasPrefix" {
                    s.starts_with(&affix)
                } else {
                    s.ends_with(&affix)
                };
                Ok(Val::Own(Value::Bool(r)))
            }
            _ => Err(RenderError(format!("function `{name}` not defined"))),
        }
    }
}

fn values_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

fn printf(format: &str, args: &[Val<'_>], data: &Data<'_>) -> String {
    let mut out = String::new();
    let mut it = args.iter();
    let mut chars = format.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('%') => out.push('%'),
            Some(verb @ ('v' | 's' | 'd' | 'q')) => match it.next() {
                Some(a) => {
                    let s = to_string(a, data);
                    if verb == 'q' {
                        out.push_str(&serde_json::Value::String(s).to_string());
                    } else {
                        out.push_str(&s);
                    }
                }
                None => {
                    let _ = write!(out, "%!{verb}(MISSING)");
                }
            },
            Some(other) => {
                let _ = write!(out, "%!{other}(unsupported)");
            }
            None => out.push_str("%!(NOVERB)"),
        }
    }
    out
}

fn range_items_ref(v: &Value) -> Result<Vec<(Val<'_>, Val<'_>)>, RenderError> {
    Ok(match v {
        Value::Null => Vec::new(),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .map(|(i, x)| (Val::Own(Value::from(i)), Val::Ref(x)))
            .collect(),
        Value::Object(m) => {
            let sorted: BTreeMap<&String, &Value> = m.iter().collect();
            sorted
                .into_iter()
                .map(|(k, x)| (Val::Own(Value::String(k.clone())), Val::Ref(x)))
                .collect()
        }
        Value::Number(n) if n.as_u64().is_some() => (0..n.as_u64().unwrap_or(0).min(100_000))
            .map(|i| (Val::Own(Value::from(i)), Val::Own(Value::from(i))))
            .collect(),
        other => {
            return Err(RenderError(format!(
                "range can't iterate over {}",
                type_name(other)
            )))
        }
    })
}

fn range_items_own<'a>(v: Value) -> Result<Vec<(Val<'a>, Val<'a>)>, RenderError> {
    Ok(match v {
        Value::Array(a) => a
            .into_iter()
            .enumerate()
            .map(|(i, x)| (Val::Own(Value::from(i)), Val::Own(x)))
            .collect(),
        Value::Object(m) => {
            let sorted: BTreeMap<String, Value> = m.into_iter().collect();
            sorted
                .into_iter()
                .map(|(k, x)| (Val::Own(Value::String(k)), Val::Own(x)))
                .collect()
        }
        other => range_items_ref(&other)?
            .into_iter()
            .map(|(k, v)| {
                let k = k.as_value().cloned().unwrap_or(Value::Null);
                let v = v.as_value().cloned().unwrap_or(Value::Null);
                (Val::Own(k), Val::Own(v))
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn render(t: &str, obj: &Value) -> String {
        let data = Data {
            object: obj,
            pod_spec: obj.get("spec"),
            pod_template: Some(obj),
            container: obj.pointer("/spec/containers/0"),
        };
        Template::parse(t).unwrap().render(&data).unwrap()
    }

    #[test]
    fn fields_and_missing() {
        let o =
            json!({"metadata": {"name": "web", "labels": {"b": "2", "a": "1"}}, "n": 3, "f": 0.05});
        assert_eq!(render("x{{ .metadata.name }}y", &o), "xweby");
        assert_eq!(render("{{ .metadata.nope }}", &o), "<no value>");
        assert_eq!(render("{{ .nope.deeper }}", &o), "<no value>");
        assert_eq!(render("{{ .n }} {{ .f }}", &o), "3 0.05");
        assert_eq!(render("{{ .metadata.labels }}", &o), "map[a:1 b:2]");
        assert_eq!(render("{{ .Polaris.Container }}", &o), "<no value>");
    }

    #[test]
    fn range_sorted_with_trim() {
        let o = json!({"metadata": {"labels": {"b": "2", "a": "1"}}});
        let t = "[{{- range $k, $v := .metadata.labels }} {{ $k }}={{ $v }}{{ end -}} ]";
        assert_eq!(render(t, &o), "[ a=1 b=2]");
        assert_eq!(
            render("{{ range .none }}x{{ else }}empty{{ end }}", &o),
            "empty"
        );
        assert_eq!(
            render("{{ range .metadata.labels }}{{ . }}{{ end }}", &o),
            "12"
        );
    }

    #[test]
    fn conditions_and_functions() {
        let o = json!({"kind": "Deployment", "metadata": {"name": "web-1"}});
        let t = r#"{{ if eq .kind "Pod" }}pod{{ else if hasPrefix .metadata.name "web" }}web{{ else }}other{{ end }}"#;
        assert_eq!(render(t, &o), "web");
        // A piped value is the last argument: hasSuffix "-1" "web-1" is false.
        assert_eq!(
            render(r#"{{ .metadata.name | hasSuffix "-1" }}"#, &o),
            "false"
        );
        assert_eq!(
            render(r#"{{ "-1" | hasSuffix .metadata.name }}"#, &o),
            "true"
        );
        assert_eq!(
            render(r#"{{ printf "%s/%v" .kind 2 }}"#, &o),
            "Deployment/2"
        );
        assert_eq!(
            render(r#"{{ with .metadata }}{{ .name }}{{ end }}"#, &o),
            "web-1"
        );
        assert_eq!(render(r#"{{ $n := .metadata.name }}{{ $n }}"#, &o), "web-1");
        assert_eq!(render(r#"{{ len .metadata.name }}{{/* c */}}"#, &o), "5");
        assert_eq!(render(r#"{{ index .metadata "name" }}"#, &o), "web-1");
        assert_eq!(render(r#"{{ not (eq .kind "Pod") }}"#, &o), "true");
    }

    #[test]
    fn go_float_formatting() {
        assert_eq!(go_float(1e6), "1e+06");
        assert_eq!(go_float(123456.0), "123456");
        assert_eq!(go_float(0.00001), "1e-05");
        assert_eq!(go_float(1.5), "1.5");
        assert_eq!(go_float(-0.25), "-0.25");
    }

    #[test]
    fn syntax_errors() {
        assert!(Template::parse("{{ if .a }}x").is_err());
        assert!(Template::parse("{{ end }}").is_err());
        assert!(Template::parse("{{ .a").is_err());
        assert!(Template::parse("{{ nosuch .a }}").is_err());
        assert!(Template::parse("{{ template \"x\" }}").is_err());
        let deep = "{{ if .a }}".repeat(1000) + &"{{ end }}".repeat(1000);
        assert!(Template::parse(&deep).is_err());
        let parens = format!("{{{{ {}.a{} }}}}", "(".repeat(1000), ")".repeat(1000));
        assert!(Template::parse(&parens).is_err());
        let ok = "{{ if .a }}".repeat(10) + &"{{ end }}".repeat(10);
        assert!(Template::parse(&ok).is_ok());
    }
}
