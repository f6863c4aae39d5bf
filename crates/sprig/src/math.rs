//! Sprig's arithmetic: integer functions go through cast's `ToInt64` and return `int64`;
//! the `...f` functions go through cast's `ToFloat64` and shopspring's decimal arithmetic.

use helmet_value::{ArgType, ElemType, FuncError, FuncMap, Value};

use crate::{arg_int, def, def_var, to_float64, to_int64};

use ArgType::{Any, Float64, Int};

/// The most items `until`, `untilStep` and `seq` build, so a template cannot exhaust memory.
const MAX_ITEMS: i64 = 10_000_000;

fn divide_by_zero() -> FuncError {
    FuncError::new("runtime error: integer divide by zero")
}

/// Sprig's `untilStep`.
fn until_step(start: i64, stop: i64, step: i64) -> Result<Vec<i64>, FuncError> {
    let count = if stop < start {
        if step >= 0 {
            return Ok(Vec::new());
        }
        (start as i128 - stop as i128 + (-step as i128) - 1) / (-step as i128)
    } else {
        if step <= 0 {
            return Ok(Vec::new());
        }
        (stop as i128 - start as i128 + step as i128 - 1) / step as i128
    };
    if count > MAX_ITEMS as i128 {
        return Err(FuncError::new(format!(
            "cannot build a list of {count} items (the limit is {MAX_ITEMS})"
        )));
    }
    let mut v = Vec::with_capacity(count as usize);
    let mut i = start;
    for _ in 0..count {
        v.push(i);
        i = i.wrapping_add(step);
    }
    Ok(v)
}

fn int_list(v: Vec<i64>) -> Value {
    Value::typed_list(ElemType::Int, v.into_iter().map(Value::Int).collect())
}

/// Sprig's `seq`, which prints its list joined by spaces.
fn seq(params: &[i64]) -> Result<String, FuncError> {
    let list = match *params {
        [end] => {
            let inc = if end < 1 { -1 } else { 1 };
            until_step(1, end.wrapping_add(inc), inc)?
        }
        [start, end] => {
            let step = if end < start { -1 } else { 1 };
            until_step(start, end.wrapping_add(step), step)?
        }
        [start, step, end] => {
            let mut inc = 1;
            if end < start {
                inc = -1;
                if step > 0 {
                    return Ok(String::new());
                }
            }
            until_step(start, end.wrapping_add(inc), step)?
        }
        _ => Vec::new(),
    };
    Ok(list
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(" "))
}

/// Go's `strconv.Atoi` as Sprig uses it: errors give 0, out-of-range values clamp.
fn atoi(s: &str) -> i64 {
    let (neg, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return 0;
    }
    let mut acc: i128 = 0;
    for b in digits.bytes() {
        acc = (acc * 10 + i128::from(b - b'0')).min(i128::from(i64::MAX) + 1);
    }
    if neg {
        (-acc).max(i128::from(i64::MIN)) as i64
    } else {
        acc.min(i128::from(i64::MAX)) as i64
    }
}

/// Sprig's `toDecimal`: the value printed, then read as an octal number (0 on error).
fn to_decimal(v: &Value) -> i64 {
    let s = helmet_value::fmt::format_value(v);
    let (neg, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, &s[..]),
    };
    if digits.is_empty() || !digits.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
        return 0;
    }
    match i128::from_str_radix(digits, 8) {
        Ok(m) => {
            let m = if neg { -m } else { m };
            i64::try_from(m).unwrap_or(0)
        }
        Err(_) => 0,
    }
}

/// A decimal number `mantissa * 10^exp`, as shopspring's `decimal` holds it.
#[derive(Clone, Copy, Debug)]
struct Decimal {
    mantissa: i128,
    exp: i32,
}

impl Decimal {
    /// shopspring's `NewFromFloat`: the shortest decimal that reads back as `f`.
    fn from_f64(f: f64) -> Result<Decimal, FuncError> {
        if !f.is_finite() {
            let shown = helmet_value::fmt::format_value(&Value::Float64(f));
            return Err(FuncError::new(format!(
                "Cannot create a Decimal from {shown}"
            )));
        }
        let text = format!("{f:e}");
        let (digits, exp) = text.split_once('e').unwrap_or((&text, "0"));
        let exp: i32 = exp.parse().unwrap_or(0);
        let neg = digits.starts_with('-');
        let digits = digits.trim_start_matches('-');
        let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
        let all = format!("{int}{frac}");
        let mut mantissa: i128 = all.parse().unwrap_or(0);
        if neg {
            mantissa = -mantissa;
        }
        Ok(Decimal {
            mantissa,
            exp: exp - frac.len() as i32,
        })
    }

    fn to_f64(self) -> f64 {
        format!("{}e{}", self.mantissa, self.exp)
            .parse()
            .unwrap_or(f64::NAN)
    }

    /// Both numbers with the same exponent, or `None` when that overflows.
    fn aligned(a: Decimal, b: Decimal) -> Option<(i128, i128, i32)> {
        let exp = a.exp.min(b.exp);
        let scale = |d: Decimal| -> Option<i128> {
            let shift = u32::try_from(d.exp - exp).ok()?;
            d.mantissa.checked_mul(10i128.checked_pow(shift)?)
        };
        Some((scale(a)?, scale(b)?, exp))
    }

    fn add(a: Decimal, b: Decimal) -> Option<Decimal> {
        let (x, y, exp) = Decimal::aligned(a, b)?;
        Some(Decimal {
            mantissa: x.checked_add(y)?,
            exp,
        })
    }

    fn sub(a: Decimal, b: Decimal) -> Option<Decimal> {
        Decimal::add(
            a,
            Decimal {
                mantissa: -b.mantissa,
                exp: b.exp,
            },
        )
    }

    fn mul(a: Decimal, b: Decimal) -> Option<Decimal> {
        Some(Decimal {
            mantissa: a.mantissa.checked_mul(b.mantissa)?,
            exp: a.exp.checked_add(b.exp)?,
        })
    }

    /// shopspring's `Div`: the quotient rounded half away from zero to 16 decimal places.
    fn div(a: Decimal, b: Decimal) -> Option<Decimal> {
        // a/b = (am / bm) * 10^(ae - be); scale so the quotient has 16 decimals.
        let shift = a.exp - b.exp + 16;
        let (num, den) = if shift >= 0 {
            (
                a.mantissa
                    .checked_mul(10i128.checked_pow(u32::try_from(shift).ok()?)?)?,
                b.mantissa,
            )
        } else {
            (
                a.mantissa,
                b.mantissa
                    .checked_mul(10i128.checked_pow(u32::try_from(-shift).ok()?)?)?,
            )
        };
        let q = num / den;
        let r = num % den;
        let q = if r.checked_mul(2)?.abs() >= den.abs() {
            if (num < 0) != (den < 0) {
                q - 1
            } else {
                q + 1
            }
        } else {
            q
        };
        Some(Decimal {
            mantissa: q,
            exp: -16,
        })
    }
}

#[derive(Clone, Copy)]
enum Op {
    Add,
    Sub,
    Mul,
    Div,
}

/// Sprig's `execDecimalOp`: folds the operands with decimal arithmetic, then reads the result
/// back as a float64. Numbers beyond 38 digits fall back to float arithmetic.
fn decimal_fold(first: &Value, rest: &[Value], op: Op) -> Result<f64, FuncError> {
    let mut acc = Decimal::from_f64(to_float64(first))?;
    let mut fallback: Option<f64> = None;
    for v in rest {
        let x = to_float64(v);
        let d = Decimal::from_f64(x)?;
        if matches!(op, Op::Div) && x == 0.0 {
            return Err(FuncError::new("decimal division by 0"));
        }
        if let Some(f) = fallback.as_mut() {
            *f = apply_f64(*f, x, op);
            continue;
        }
        let next = match op {
            Op::Add => Decimal::add(acc, d),
            Op::Sub => Decimal::sub(acc, d),
            Op::Mul => Decimal::mul(acc, d),
            Op::Div => Decimal::div(acc, d),
        };
        match next {
            Some(n) => acc = n,
            None => fallback = Some(apply_f64(acc.to_f64(), x, op)),
        }
    }
    Ok(fallback.unwrap_or_else(|| acc.to_f64()))
}

fn apply_f64(a: f64, b: f64, op: Op) -> f64 {
    match op {
        Op::Add => a + b,
        Op::Sub => a - b,
        Op::Mul => a * b,
        Op::Div => a / b,
    }
}

/// Sprig's `round`.
fn round(v: f64, places: i64, round_on: f64) -> f64 {
    let pow = 10f64.powf(places as f64);
    let digit = pow * v;
    let frac = digit.fract();
    let r = if frac >= round_on {
        digit.ceil()
    } else {
        digit.floor()
    };
    r / pow
}

pub(crate) fn register(map: &mut FuncMap) {
    def_var(map, "add", &[], Any, |_, a| {
        Ok(Value::Int64(
            a.iter().fold(0i64, |s, v| s.wrapping_add(to_int64(v))),
        ))
    });
    def(map, "add1", &[Any], |_, a| {
        Ok(Value::Int64(to_int64(&a[0]).wrapping_add(1)))
    });
    def(map, "sub", &[Any, Any], |_, a| {
        Ok(Value::Int64(to_int64(&a[0]).wrapping_sub(to_int64(&a[1]))))
    });
    def_var(map, "mul", &[Any], Any, |_, a| {
        Ok(Value::Int64(
            a[1..]
                .iter()
                .fold(to_int64(&a[0]), |s, v| s.wrapping_mul(to_int64(v))),
        ))
    });
    def(map, "div", &[Any, Any], |_, a| {
        let d = to_int64(&a[1]);
        if d == 0 {
            return Err(divide_by_zero());
        }
        Ok(Value::Int64(to_int64(&a[0]).wrapping_div(d)))
    });
    def(map, "mod", &[Any, Any], |_, a| {
        let d = to_int64(&a[1]);
        if d == 0 {
            return Err(divide_by_zero());
        }
        Ok(Value::Int64(to_int64(&a[0]).wrapping_rem(d)))
    });
    for name in ["max", "biggest"] {
        def_var(map, name, &[Any], Any, |_, a| {
            Ok(Value::Int64(a.iter().map(to_int64).max().unwrap_or(0)))
        });
    }
    def_var(map, "min", &[Any], Any, |_, a| {
        Ok(Value::Int64(a.iter().map(to_int64).min().unwrap_or(0)))
    });
    def_var(map, "maxf", &[Any], Any, |_, a| {
        Ok(Value::Float64(
            a[1..]
                .iter()
                .fold(to_float64(&a[0]), |m, v| go_max(m, to_float64(v))),
        ))
    });
    def_var(map, "minf", &[Any], Any, |_, a| {
        Ok(Value::Float64(
            a[1..]
                .iter()
                .fold(to_float64(&a[0]), |m, v| go_min(m, to_float64(v))),
        ))
    });
    def(map, "floor", &[Any], |_, a| {
        Ok(Value::Float64(to_float64(&a[0]).floor()))
    });
    def(map, "ceil", &[Any], |_, a| {
        Ok(Value::Float64(to_float64(&a[0]).ceil()))
    });
    def_var(map, "round", &[Any, Int], Float64, |_, a| {
        let on = match a.get(2) {
            Some(Value::Float64(f)) => *f,
            _ => 0.5,
        };
        Ok(Value::Float64(round(to_float64(&a[0]), arg_int(a, 1), on)))
    });
    def_var(map, "addf", &[], Any, |_, a| {
        decimal_fold(&Value::Float64(0.0), a, Op::Add).map(Value::Float64)
    });
    def(map, "add1f", &[Any], |_, a| {
        decimal_fold(&a[0], &[Value::Int(1)], Op::Add).map(Value::Float64)
    });
    def_var(map, "subf", &[Any], Any, |_, a| {
        decimal_fold(&a[0], &a[1..], Op::Sub).map(Value::Float64)
    });
    def_var(map, "mulf", &[Any], Any, |_, a| {
        decimal_fold(&a[0], &a[1..], Op::Mul).map(Value::Float64)
    });
    def_var(map, "divf", &[Any], Any, |_, a| {
        decimal_fold(&a[0], &a[1..], Op::Div).map(Value::Float64)
    });
    def(map, "int", &[Any], |_, a| Ok(Value::Int(to_int64(&a[0]))));
    def(map, "int64", &[Any], |_, a| {
        Ok(Value::Int64(to_int64(&a[0])))
    });
    def(map, "float64", &[Any], |_, a| {
        Ok(Value::Float64(to_float64(&a[0])))
    });
    // A string that is not UTF-8 is no number: strconv.Atoi fails and Sprig gives 0.
    def(map, "atoi", &[ArgType::ByteString], |_, a| {
        Ok(Value::Int(a[0].as_str().map_or(0, atoi)))
    });
    def(map, "toDecimal", &[Any], |_, a| {
        // Go prints the value first, which overflows on a map that holds itself.
        if a[0].contains_itself() {
            return Err(FuncError::new(helmet_value::fmt::SELF_HOLDING));
        }
        Ok(Value::Int64(to_decimal(&a[0])))
    });
    def_var(map, "seq", &[], Int, |_, a| {
        let params: Vec<i64> = a.iter().map(to_int64).collect();
        seq(&params).map(Value::from)
    });
    def(map, "until", &[Int], |_, a| {
        let n = arg_int(a, 0);
        let step = if n < 0 { -1 } else { 1 };
        until_step(0, n, step).map(int_list)
    });
    def(map, "untilStep", &[Int, Int, Int], |_, a| {
        until_step(arg_int(a, 0), arg_int(a, 1), arg_int(a, 2)).map(int_list)
    });
    def(map, "randInt", &[Int, Int], |_, a| {
        let (lo, hi) = (arg_int(a, 0), arg_int(a, 1));
        let n = hi.wrapping_sub(lo);
        if n <= 0 {
            return Err(FuncError::new("invalid argument to Intn"));
        }
        Ok(Value::Int(fastrand::i64(0..n).wrapping_add(lo)))
    });
}

/// Go's `math.Max` (NaN wins).
fn go_max(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.max(b)
    }
}

/// Go's `math.Min` (NaN wins).
fn go_min(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.min(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_arithmetic() {
        let f = |a: f64, b: f64, op| decimal_fold(&Value::Float64(a), &[Value::Float64(b)], op);
        assert_eq!(f(0.1, 0.2, Op::Add).unwrap(), 0.3);
        assert_eq!(f(1.0, 3.0, Op::Div).unwrap(), 0.3333333333333333);
        assert_eq!(f(1.1, 1.1, Op::Mul).unwrap(), 1.21);
        assert!(f(1.0, 0.0, Op::Div).is_err());
    }

    #[test]
    fn rand_int_stays_in_range() {
        let f = functions_for_test();
        let rand = &f["randInt"];
        for (lo, hi) in [(0, 1), (-5, 5), (10, 13), (i64::MIN / 2, i64::MAX / 2)] {
            for _ in 0..200 {
                let v = (rand.body)(&NoEngine, &[Value::Int(lo), Value::Int(hi)]).unwrap();
                let Value::Int(n) = v else {
                    panic!("randInt returns an int")
                };
                assert!(lo <= n && n < hi, "{n} outside [{lo}, {hi})");
            }
        }
    }

    struct NoEngine;

    impl helmet_value::CallContext for NoEngine {
        fn execute_template(&self, _: &str, _: &Value) -> Result<String, FuncError> {
            Err(FuncError::new("no engine"))
        }
        fn execute_text(&self, _: &str, _: &Value) -> Result<String, FuncError> {
            Err(FuncError::new("no engine"))
        }
    }

    fn functions_for_test() -> FuncMap {
        let mut map = FuncMap::new();
        register(&mut map);
        map
    }

    #[test]
    fn sequences() {
        assert_eq!(seq(&[3]).unwrap(), "1 2 3");
        assert_eq!(seq(&[0]).unwrap(), "1 0");
        assert_eq!(seq(&[5, 2]).unwrap(), "5 4 3 2");
        assert_eq!(seq(&[1, 2, 7]).unwrap(), "1 3 5 7");
        assert_eq!(until_step(0, 10, 3).unwrap(), vec![0, 3, 6, 9]);
        assert_eq!(atoi("12"), 12);
        assert_eq!(atoi("1x"), 0);
        assert_eq!(to_decimal(&Value::from("0777")), 511);
    }
}
