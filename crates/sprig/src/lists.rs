//! Sprig's list functions. They take any Go slice through reflection (`[]string`, `[]int`, ...)
//! and most return `[]interface {}`; a non-slice argument is an error naming its kind
//! (`Cannot find first on type string`), and nil fails as Go's reflection does.

use helmet_value::{ArgType, ElemType, FuncError, FuncMap, Value};

use crate::{arg_int, deep_equal, def, def_var, is_empty, nil_deref, reflect_items, to_int64};

use ArgType::{Any, Int};

/// The slice's items, or the error `msg` with the value's kind filled in.
fn items(v: &Value, msg: &str) -> Result<Vec<Value>, FuncError> {
    if v.is_nil() {
        return Err(nil_deref());
    }
    reflect_items(v).ok_or_else(|| FuncError::new(msg.replace("{}", v.kind_name())))
}

fn in_list(list: &[Value], v: &Value) -> bool {
    list.iter().any(|x| deep_equal(x, v))
}

/// Registers `name` and `mustName` with one body (the plain forms panic with the same error).
fn both(
    map: &mut FuncMap,
    name: &str,
    params: &[ArgType],
    body: impl Fn(&[Value]) -> Result<Value, FuncError> + Send + Sync + Clone + 'static,
) {
    let must = format!("must{}{}", name[..1].to_uppercase(), &name[1..]);
    let b = body.clone();
    def(map, name, params, move |_, a| b(a));
    def(map, &must, params, move |_, a| body(a));
}

/// Like [`both`] for functions with a variadic tail.
fn both_var(
    map: &mut FuncMap,
    name: &str,
    params: &[ArgType],
    body: impl Fn(&[Value]) -> Result<Value, FuncError> + Send + Sync + Clone + 'static,
) {
    let must = format!("must{}{}", name[..1].to_uppercase(), &name[1..]);
    let b = body.clone();
    def_var(map, name, params, Any, move |_, a| b(a));
    def_var(map, &must, params, Any, move |_, a| body(a));
}

/// Go's `reflect.Value.Slice` on a list, keeping its element type.
fn slice(v: &Value, start: i64, end: i64) -> Result<Value, FuncError> {
    if let Value::Object(o) = v {
        // Go's slice keeps the named type, which this model cannot rebuild.
        return Err(FuncError::new(format!(
            "slicing a {} is not supported yet",
            o.type_name()
        )));
    }
    let Value::List(l) = v else {
        // A []byte stays a []byte.
        if let Value::Bytes(b) = v {
            if start < 0 || end < start || end as usize > b.len() {
                return Err(FuncError::new(
                    "reflect.Value.Slice: slice index out of bounds",
                ));
            }
            return Ok(Value::Bytes(b[start as usize..end as usize].into()));
        }
        return Err(FuncError::new(format!(
            "list should be type of slice or array but {}",
            v.kind_name()
        )));
    };
    if start < 0 || end < start || end as usize > l.items.len() {
        return Err(FuncError::new(
            "reflect.Value.Slice: slice index out of bounds",
        ));
    }
    Ok(Value::typed_list(
        l.elem,
        l.items[start as usize..end as usize].to_vec(),
    ))
}

pub(crate) fn register(map: &mut FuncMap) {
    for name in ["list", "tuple"] {
        def_var(map, name, &[], Any, |_, a| Ok(Value::list(a.to_vec())));
    }
    both(map, "first", &[Any], |a| {
        let l = items(&a[0], "Cannot find first on type {}")?;
        Ok(l.first().cloned().unwrap_or(Value::Nil))
    });
    both(map, "last", &[Any], |a| {
        let l = items(&a[0], "Cannot find last on type {}")?;
        Ok(l.last().cloned().unwrap_or(Value::Nil))
    });
    both(map, "rest", &[Any], |a| {
        let l = items(&a[0], "Cannot find rest on type {}")?;
        // Sprig returns a nil []interface {}, which still has its type.
        if l.is_empty() {
            return Ok(Value::nil_list(ElemType::Interface));
        }
        Ok(Value::list(l[1..].to_vec()))
    });
    both(map, "initial", &[Any], |a| {
        let l = items(&a[0], "Cannot find initial on type {}")?;
        if l.is_empty() {
            return Ok(Value::nil_list(ElemType::Interface));
        }
        Ok(Value::list(l[..l.len() - 1].to_vec()))
    });
    for name in ["append", "push"] {
        both(map, name, &[Any, Any], |a| {
            let mut l = items(&a[0], "Cannot push on type {}")?;
            l.push(a[1].clone());
            Ok(Value::list(l))
        });
    }
    both(map, "prepend", &[Any, Any], |a| {
        let mut l = items(&a[0], "Cannot prepend on type {}")?;
        l.insert(0, a[1].clone());
        Ok(Value::list(l))
    });
    def_var(map, "concat", &[], Any, |_, a| {
        let mut out = Vec::new();
        for v in a {
            if v.is_nil() {
                return Err(nil_deref());
            }
            match reflect_items(v) {
                Some(l) => out.extend(l),
                None => {
                    return Err(FuncError::new(format!(
                        "Cannot concat type {} as list",
                        v.kind_name()
                    )))
                }
            }
        }
        // Sprig appends to a nil slice: nothing to append leaves it nil.
        if out.is_empty() {
            return Ok(Value::nil_list(ElemType::Interface));
        }
        Ok(Value::list(out))
    });
    both(map, "reverse", &[Any], |a| {
        let mut l = items(&a[0], "Cannot find reverse on type {}")?;
        l.reverse();
        Ok(Value::list(l))
    });
    both(map, "uniq", &[Any], |a| {
        let l = items(&a[0], "Cannot find uniq on type {}")?;
        let mut out: Vec<Value> = Vec::new();
        for v in l {
            if !in_list(&out, &v) {
                out.push(v);
            }
        }
        Ok(Value::list(out))
    });
    both_var(map, "without", &[Any], |a| {
        let l = items(&a[0], "Cannot find without on type {}")?;
        let omit = &a[1..];
        Ok(Value::list(
            l.into_iter().filter(|v| !in_list(omit, v)).collect(),
        ))
    });
    both(map, "has", &[Any, Any], |a| {
        if a[1].is_nil() {
            return Ok(Value::Bool(false));
        }
        let l = items(&a[1], "Cannot find has on type {}")?;
        Ok(Value::Bool(in_list(&l, &a[0])))
    });
    both(map, "compact", &[Any], |a| {
        let l = items(&a[0], "Cannot compact on type {}")?;
        Ok(Value::list(
            l.into_iter().filter(|v| !is_empty(v)).collect(),
        ))
    });
    both_var(map, "slice", &[Any], |a| {
        let list = &a[0];
        if list.is_nil() {
            return Err(nil_deref());
        }
        let len = match reflect_items(list) {
            Some(l) => l.len() as i64,
            None => {
                return Err(FuncError::new(format!(
                    "list should be type of slice or array but {}",
                    list.kind_name()
                )))
            }
        };
        if len == 0 {
            return Ok(Value::Nil);
        }
        let start = a.get(1).map_or(0, to_int64);
        let end = a.get(2).map_or(len, to_int64);
        slice(list, start, end)
    });
    both(map, "chunk", &[Int, Any], |a| {
        let l = items(&a[1], "Cannot chunk type {}")?;
        chunk(arg_int(a, 0), &l)
    });
}

/// Sprig's `chunk`, including its float arithmetic on odd sizes (zero or negative).
fn chunk(size: i64, l: &[Value]) -> Result<Value, FuncError> {
    let makeslice = || FuncError::new("runtime error: makeslice: len out of range");
    let len = l.len() as i64;
    let count = crate::go_float_to_int(((len - 1) as f64 / size as f64).floor() + 1.0);
    if count < 0 || count > len.max(1) {
        return Err(makeslice());
    }
    let mut out = Vec::with_capacity(count as usize);
    for i in 0..count {
        let mut clen = size;
        if i == count - 1 {
            clen = crate::go_float_to_int((len as f64 % size as f64).floor());
            if clen == 0 {
                clen = size;
            }
        }
        if clen < 0 {
            return Err(makeslice());
        }
        let mut part = Vec::with_capacity(clen as usize);
        for j in 0..clen {
            let ix = i * size + j;
            match usize::try_from(ix).ok().and_then(|ix| l.get(ix)) {
                Some(v) => part.push(v.clone()),
                None => return Err(FuncError::new("reflect: slice index out of range")),
            }
        }
        out.push(Value::list(part));
    }
    Ok(Value::List(std::sync::Arc::new(helmet_value::List {
        elem: helmet_value::ElemType::ListAny,
        items: out,
        nil: false,
    })))
}
