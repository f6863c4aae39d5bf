import random, os, sys, shutil
from case import new_case
seed = int(sys.argv[2]); random.seed(seed); n = int(sys.argv[1]); out = sys.argv[3]
files = ["a.txt", "b.md", "dir/c.txt", "dir/sub/d.yaml", ".hidden", "dir/.e", "x.tgz", "conf/app.conf", "conf/a b.conf", "files/[x].txt", "files/*.star", "deep/1/2/3.txt", "README", "templates/NOTES.txt", "templates/_h.tpl", "ci/values.yaml", "secret.key"]
pats = ["*.txt", "dir/", "dir", "/dir", "*.md", "!b.md", ".*", "dir/**", "**/*.txt", "conf/*", "!conf/app.conf", "[ab].*", "?.txt", "files/\\[x\\].txt", "files/\\*.star", "deep/*/", "deep", "*", "!*.txt", "# comment", "", " a.txt", "a.txt ", "templates/", "templates/*.tpl", "ci/", "*.key", "/*.txt", "dir/sub", "sub/", "**", "!dir/sub/", "\\#x", "[", "a[.txt", "*/", "**/d.yaml", "d.yaml", "c.txt"]
globs = ["*", "**", "*.txt", "**/*.txt", "dir/*", "dir/**", "conf/*.conf", "files/*", "{a,b}.*", "[ab].*", "deep/**/*.txt", "?.md", "dir/**/*.yaml", "files/\\[x\\].txt", ".*", "**/.*", "ci/*"]
shutil.rmtree(out, ignore_errors=True)
for i in range(n):
    d = new_case(out, i)
    for f in random.sample(files, random.randint(4, len(files))):
        p = os.path.join(d, f); os.makedirs(os.path.dirname(p), exist_ok=True)
        if f.startswith("templates/"): open(p, "w").write("x")
        else: open(p, "w").write("content of " + f + "\n")
    open(d + "/.helmignore", "w").write("\n".join(random.sample(pats, random.randint(0, 5))) + "\n")
    t = "files: {{ range $k, $v := .Files }}{{ $k }};{{ end }}\n"
    for g in random.sample(globs, 4):
        t += "glob %s: {{ range $k, $v := .Files.Glob %s }}{{ $k }}={{ len $v }};{{ end }}\n" % (g, '"' + g.replace("\\", "\\\\") + '"')
    t += "{{ (.Files.Glob \"conf/*\").AsConfig }}\n{{ .Files.Get \"dir/c.txt\" }}{{ .Files.Lines \"a.txt\" }}\n"
    open(d + "/templates/t.yaml", "w").write(t)
