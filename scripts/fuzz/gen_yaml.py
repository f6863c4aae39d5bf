import random, os, sys, shutil, glob
from case import new_case, real_values_files, stretch
seed = int(sys.argv[2]); random.seed(seed); n = int(sys.argv[1]); out = sys.argv[3]
files = real_values_files()
inserts = [":", "- ", "#", "&a ", "*a", "!!str ", "!!int ", "? ", "|", ">", "|-", ">+2", "'", '"', "\t", "{", "}", "[", "]", ",", "%", "@", "`", "\\", "---\n", "...\n", "\n", "  ", "0x1F", "1e3", "yes", "~", "null", ".inf", "0o17", "017", "1_000", "<<: *a", "\u00e9", "\u2028", "\ufeff", "\x85", "!", "!a!b ", "2001-12-14", "+12", "-.5", "=", "<<"]
shutil.rmtree(out, ignore_errors=True)
for i in range(n):
    text = stretch(random, files, 40)
    if text is None: continue
    for _ in range(random.randint(0, 3)):
        if not text: break
        p = random.randrange(len(text))
        r = random.random()
        if r < 0.5:
            text = text[:p] + random.choice(inserts) + text[p:]
        elif r < 0.8:
            text = text[:p] + text[p + random.randint(1, 4):]
        else:
            q = random.randrange(len(text)); text = text[:p] + text[q:q+10] + text[p:]
    d = new_case(out, i)
    open(d + "/values.yaml", "w", encoding="utf-8").write(text)
    open(d + "/s.yaml", "w", encoding="utf-8").write(text)
    open(d + "/templates/t.yaml", "w").write('{{ toYaml .Values }}\n---\n{{ .Files.Get "s.yaml" | fromYaml | toJson }}\n---\n{{ .Files.Get "s.yaml" | fromYaml | toYaml }}\n')
