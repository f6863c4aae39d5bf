import random, os, sys, shutil
from case import new_case
seed = int(sys.argv[2]); random.seed(seed); n = int(sys.argv[1]); out = sys.argv[3]
vals_atoms = ['.Values.i', '.Values.s', '.Values.l', '.Values.m', '.Values.n', '.Values.f', '.Values.b', '.Values.deep.a', '.Values.empty', '.Values.el', '.Values.em', '$', '.', '$x', '$.Values.ls', '.Values.missing', '.Values.m.k', '.Release.Name', '.Chart.Name', '.Values.ints']
lits = ['0', '1', '-1', '2.5', '"a"', '""', 'nil', 'true', 'false', "'x'", '`raw`', '0x10', '1e3', '"%v"', '"%d"', '"%s"', '"%q"', '"%x"', '"%5.2f"', '"%-4s|"', '"%t"', '"%T"', '"%#v"', '"%+v"', '"%08.3f"', '"%e"', '"%g"', '"%c"', '"%U"', '"%o"', '"%b"']
fns = ['printf', 'print', 'println', 'len', 'index', 'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'and', 'or', 'not', 'default', 'toString', 'quote', 'toYaml', 'toJson', 'empty', 'coalesce', 'ternary', 'kindOf', 'typeOf', 'list', 'dict', 'keys', 'first', 'last', 'join', 'int', 'float64', 'add', 'sub', 'mul', 'div', 'mod', 'max', 'min', 'upper', 'trim', 'nindent', 'indent', 'hasKey', 'get', 'pluck', 'slice', 'append', 'concat', 'uniq', 'has', 'without', 'splitList', 'sortAlpha', 'deepCopy', 'merge', 'set', 'unset', 'dig', 'b64enc', 'sha256sum', 'semverCompare', 'regexMatch', 'replace', 'substr', 'trunc', 'repeat', 'atoi', 'toStrings', 'tpl']
def arg(d):
    r = random.random()
    if d < 2 and r < 0.2: return "(" + call(d + 1) + ")"
    if r < 0.55: return random.choice(vals_atoms)
    return random.choice(lits)
def call(d=0):
    f = random.choice(fns)
    s = " ".join([f] + [arg(d) for _ in range(random.choice([0,1,1,2,2,3]))])
    if random.random() < 0.2:
        s += " | " + random.choice(fns) + (" " + arg(d+1) if random.random() < 0.5 else "")
    return s
def pipeline():
    r = random.random()
    if r < 0.3: return random.choice(vals_atoms)
    if r < 0.4: return random.choice(lits)
    return call()
def trim(): return random.choice(["", "", "-"]), random.choice(["", "", "-"])
def stmt(d=0):
    r = random.random(); a, b = trim()
    if d < 3 and r < 0.12:
        return "{{%s if %s %s}}%s{{ else %s}}%s{{ end }}" % (a, pipeline(), b, body(d+1), random.choice(["", "if " + pipeline() + " "]), body(d+1))
    if d < 3 and r < 0.24:
        v = random.choice(["", "$k, $v := ", "$v := ", "$i := "])
        return "{{%s range %s%s %s}}%s{{ %s }}{{ else }}E{{ end }}" % (a, v, random.choice(vals_atoms + ['(list 1 2)', '(until 3)', '3', '(dict "b" 1 "a" 2)', '.Values.n']), b, body(d+1), random.choice(["break", "continue", ".", "$v", "$"]) if v else ".")
    if d < 3 and r < 0.32:
        return "{{%s with %s %s}}%s{{ else }}W{{ end }}" % (a, pipeline(), b, body(d+1))
    if r < 0.40:
        return "{{%s $x := %s %s}}" % (a, pipeline(), b)
    if r < 0.45:
        return "{{%s $x = %s %s}}" % (a, pipeline(), b)
    if r < 0.5:
        return "{{%s /* c */ %s}}" % (a, b)
    if r < 0.55:
        return random.choice(["{{ define \"d\" }}D{{ . }}{{ end }}", "{{ template \"d\" . }}", "{{ include \"d\" . }}", "{{ block \"bb\" . }}B{{ end }}"])
    if r < 0.6:
        return random.choice(["\n", "  x: ", " ", "\t", "-", "\n---\n"])
    return "{{%s %s %s}}" % (a, pipeline(), b)
def body(d=0):
    return "".join(stmt(d) for _ in range(random.randint(1, 3)))
vals = """i: 1
s: hello
f: 3.75
b: yes
n: null
l: [1, two, 3.5]
ls: [x, y]
ints: [3, 1, 2]
m: {k: v, z: 2, a: [1]}
deep: {a: {b: {c: 1}}}
empty: ""
el: []
em: {}
"""
shutil.rmtree(out, ignore_errors=True)
for i in range(n):
    d = new_case(out, i)
    open(d + "/values.yaml", "w").write(vals)
    open(d + "/templates/t.yaml", "w").write("{{ $x := 1 }}" + body() + "\n")
