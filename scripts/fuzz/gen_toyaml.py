import random, os, sys, shutil, json
from case import new_case
seed = int(sys.argv[2]); random.seed(seed); n = int(sys.argv[1]); out = sys.argv[3]
pieces = ["a", "b", " ", "  ", "\n", "\t", ":", ": ", " #", "#", "-", "- ", "?", "'", '"', "\\", "{", "}", "[", "]", ",", "&", "*", "!", "|", ">", "%", "@", "`", "yes", "no", "on", "off", "true", "null", "~", "0", "1.5", "0x1F", "1e3", "0o7", "007", "+1", ".inf", "-.nan", "2001-12-14", "12:30:45", "é", "✓", "\u00a0", "\u2028", "\u0085", "\x7f", "\x01", "\ufeff", "😀", "word", "lorem ipsum dolor sit amet", "=", "<<", "---", "...", "\r", "\r\n", "x" * 30]
def rstr():
    s = "".join(random.choice(pieces) for _ in range(random.randint(0, 12)))
    if random.random() < 0.2: s = " ".join(random.choice(["alpha", "beta", "gamma-delta", "x" * random.randint(1, 40)]) for _ in range(random.randint(5, 30)))
    return s
shutil.rmtree(out, ignore_errors=True)
for i in range(n):
    d = new_case(out, i)
    v = {"s%d" % j: rstr() for j in range(random.randint(1, 4))}
    v["l"] = [rstr() for _ in range(random.randint(0, 2))]
    v["m"] = {rstr() or "k": rstr()}
    open(d + "/values.yaml", "w", encoding="utf-8").write(json.dumps(v) + "\n")
    open(d + "/templates/t.yaml", "w").write("{{ toYaml .Values }}\n==\n{{ toJson .Values }}\n==\n{{ range $k, $v := .Values }}{{ $v | quote }} {{ $v | squote }} {{ printf \"%q\" $v }}\n{{ end }}==\n{{ .Values | toYaml | fromYaml | toJson }}\n{{ toPrettyJson .Values }}\n{{ toToml .Values }}\n")
