import random, os, sys, shutil
from case import new_case, real_values_files, stretch
seed = int(sys.argv[2]); random.seed(seed); n = int(sys.argv[1]); out = sys.argv[3]
files = real_values_files()
inserts = [":", "- ", "#", "&a ", "*a", "!!str ", "? ", "|", ">", "'", '"', "\t", "{", "}", "[", "]", ",", "%", "---\n", "...\n", "\n", "  ", "~", "null", "\ufeff", "kind: Secret\n", "kind: [a]\n", "metadata: x\n", "metadata:\n  name: [1]\n", "apiVersion: 7\n", "\n---\n# Source: x\n", "kind: Namespace\n"]
heads = ["", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n", "kind: Deployment\n", "---\n", "# c\n", "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  annotations:\n    a: b\n"]
shutil.rmtree(out, ignore_errors=True)
for i in range(n):
    text = stretch(random, files, 30)
    if text is None: continue
    text = random.choice(heads) + text
    for _ in range(random.randint(0, 3)):
        p = random.randrange(len(text) or 1)
        r = random.random()
        if r < 0.6: text = text[:p] + random.choice(inserts) + text[p:]
        else: text = text[:p] + text[p + random.randint(1, 4):]
    d = new_case(out, i)
    open(d + "/templates/t.yaml", "w", encoding="utf-8").write(text)
    if random.random() < 0.3:
        open(d + "/templates/u.yaml", "w").write("kind: Pod\nmetadata:\n  name: p\n")
