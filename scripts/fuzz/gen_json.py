import random, os, sys, shutil, json
from case import new_case
seed = int(sys.argv[2]); random.seed(seed); n = int(sys.argv[1]); out = sys.argv[3]
base = [{"a": 1, "b": [1, 2.5, "x", None, True], "c": {"d": "e\u00e9\\\"", "f": []}}, [1, {"x": -0.0}], "str", 1e400 if False else 12345678901234567890, {"k": 1.5e300, "n": -1e-7}]
ins = ["{", "}", "[", "]", ",", ":", "\"", "\\", "\\u12", "\\ud800", "\\uD83D\\uDE00", "\u00e9", "\x00", "\x7f", "\t", "\n", " ", "-", "0", "01", "1e", "1e999", "-0", ".5", "NaN", "true", "nul", "// c", "/*", "\ufeff", "\xff", "1.0", "{}", "[]", "\"\"", "9007199254740993", "-9223372036854775809"]
shutil.rmtree(out, ignore_errors=True)
for i in range(n):
    t = json.dumps(random.choice(base), ensure_ascii=random.random() < 0.5)
    for _ in range(random.randint(0, 3)):
        p = random.randrange(len(t) + 1)
        if random.random() < 0.6: t = t[:p] + random.choice(ins) + t[p:]
        else: t = t[:p] + t[p + random.randint(1, 3):]
    d = new_case(out, i)
    open(d + "/s.json", "w", encoding="utf-8", errors="surrogateescape").write(t)
    open(d + "/templates/t.yaml", "w").write('{{ $s := .Files.Get "s.json" }}o: {{ fromJson $s | toJson }}\na: {{ fromJsonArray $s | toJson }}\ny: {{ fromYaml $s | toJson }}\n')
