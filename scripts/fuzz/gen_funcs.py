import random, os, sys, json, shutil
from case import new_case
random.seed(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
n = int(sys.argv[1])
skip = set("""randAlpha randAlphaNum randAscii randNumeric randBytes randInt uuidv4 now date_in_zone
genCA genCAWithKey genPrivateKey genSelfSignedCert genSelfSignedCertWithKey genSignedCert genSignedCertWithKey
bcrypt htpasswd encryptAES shuffle getHostByName lookup unixEpoch dateModify date_modify mustDateModify
ago htmlDate htmlDateInZone dateInZone date toDate mustToDate duration durationRound fail required tpl include
buildCustomCert derivePassword decryptAES randomBytes""".split())
funcs = [f for f in open(os.environ["FUZZ_FUNCS"]).read().split() if f not in skip]
funcs += ["print", "printf", "len", "index", "slice", "eq", "ne", "lt", "le", "gt", "ge", "and", "or", "not", "html", "js", "urlquery", "toYaml", "toJson", "fromYaml", "fromJson", "toToml", "fromYamlArray", "fromJsonArray"]
atoms = ['0', '1', '-3', '2.5', '1e6', '"abc"', '"1,2"', '""', 'nil', 'true', 'false', '(list 1 "a" 2.5)',
         '(dict "a" 1 "b" "x")', '.Values.i', '.Values.s', '.Values.l', '.Values.m', '.Values.n', '.Values.big',
         '(list)', '"  x  "', '"ABC def_ghi"', '"a/b/c.txt"', '"1.2.3"', '">=1.0"', '"%d-%s"', '"a.b"', '"0x1F"',
         '.Values.f', '.Values.neg', '.Values.ls', '(list "b" "a" "b")', '"{\\"a\\":1}"', '"- a\\n- b"', '"é✓"',
         '.Values.deep', '"3"', '"-2.5"', '(tuple 1 2)', '.Values.b', '9223372036854775807', '0.1', '"a b c"']
def expr(d=0):
    f = random.choice(funcs)
    k = random.choice([0, 1, 1, 2, 2, 2, 3])
    args = []
    for _ in range(k):
        if d < 1 and random.random() < 0.25:
            args.append("(" + expr(d + 1) + ")")
        else:
            args.append(random.choice(atoms))
    return " ".join([f] + args)
vals = """i: 1
s: hello
f: 3.75
neg: -4
big: 1000000
b: yes
n: null
l: [1, two, 3.5]
ls: [x, y]
m: {k: v, z: 2, a: [1]}
deep: {a: {b: {c: 1}}}
"""
out = sys.argv[3]
shutil.rmtree(out, ignore_errors=True)
for i in range(n):
    d = new_case(out, i)
    open(d + "/values.yaml", "w").write(vals)
    e = expr()
    open(d + "/templates/t.yaml", "w").write("{{ " + e + " }}\n")
    open(d + "/expr.txt", "w").write(e + "\n")
