import random, os, sys, shutil, glob
from case import new_case
seed = int(sys.argv[2]); random.seed(seed); n = int(sys.argv[1]); out = sys.argv[3]
real = [l.strip() for l in open(os.environ["FUZZ_CHARTS"])]
ins = ["{{", "}}", "{{-", "-}}", "(", ")", "\"", "`", "'", "|", "$", ".", ":=", "=", "end", "{{ end }}", "{{ else }}", "{{ if }}", "{{ range $a, $b, $c := . }}", "{{ define \"x\" }}", "{{ template }}", "/*", "*/", ",", " ", "\n", "nil", "{{ break }}", "{{ continue }}", "{{ $undefined }}", "{{ .a.b.(c) }}", "{{ 1.2.3 }}", "{{ 0x }}", "{{ 'ab' }}", "{{ \"\\q\" }}", "{{ else if }}", "{{ with }}", "{{ block }}", "{{ nofunc 1 }}", "\t"]
shutil.rmtree(out, ignore_errors=True)
for i in range(n):
    ch = random.choice(real)
    ts = glob.glob(ch + "/templates/*.yaml") + glob.glob(ch + "/templates/*.tpl")
    if not ts: continue
    text = open(random.choice(ts), errors="replace").read()
    lines = text.splitlines(True)
    a = random.randrange(max(1, len(lines))); text = "".join(lines[a:a + random.randint(5, 40)])
    for _ in range(random.randint(1, 2)):
        p = random.randrange(len(text) + 1)
        if random.random() < 0.6: text = text[:p] + random.choice(ins) + text[p:]
        else: text = text[:p] + text[p + random.randint(1, 3):]
    d = new_case(out, i)
    open(d + "/values.yaml", "w").write("i: 1\ns: x\nl: [1]\nm: {a: 1}\n")
    open(d + "/templates/t.yaml", "w").write(text)
