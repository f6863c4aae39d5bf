import random, os, sys, shutil
seed = int(sys.argv[2]); random.seed(seed); n = int(sys.argv[1]); out = sys.argv[3]
fields = {
 "apiVersion": ["v2", "v1", "v3", "", "2", "null", "[v2]"],
 "name": ["c", "my-chart", "", "a/b", "UPPER", "x y", "1", "null", "[a]", "..", "a.b", "ñ", "'c'"],
 "version": ["0.1.0", "1", "1.0", "v1.2.3", "1.2.3-rc.1+build", "01.2.3", "1.2.3-01", "", "1.2.3.4", "1e3", "null", "[1]", "~1.2", "1.2.3-", "'0.1.0'"],
 "type": ["application", "library", "", "other", "Application", "null", "[x]"],
 "appVersion": ["1.0", "1", "1.10", "true", "null", "{a: 1}", "'x'", "2020-01-01"],
 "kubeVersion": [">=1.20", ">= 1.20.0-0", "bad", "", "1.x", "null", ">1.50", "<1.0"],
 "description": ["d", "", "[1]", "1", "null"],
 "deprecated": ["true", "false", "yes", "1", "'true'", "null"],
 "icon": ["http://x/y.png", "", "x", "1"],
 "home": ["h", "1", "[a]"],
 "keywords": ["[a, b]", "a", "[1, null]", "[]", "null", "{a: 1}"],
 "sources": ["[a]", "a", "[1]", "[[x]]"],
 "maintainers": ["[{name: a}]", "[{email: b}]", "[a]", "[{name: a, url: 1}]", "{name: a}", "[]", "[null]", "[{name: a, extra: 1}]"],
 "annotations": ["{a: b}", "{a: 1}", "[a]", "a", "{a: null}", "{}"],
 "dependencies": ["[]", "[{name: sub, version: 0.1.0}]", "[{name: sub, version: 0.1.0, condition: sub.enabled}]", "[{name: sub}]", "[{version: 1}]", "[{name: sub, version: 0.1.0, alias: 'a b'}]", "[{name: sub, version: 0.1.0, alias: s2}]", "[{name: sub, version: '>0.0.1', repository: 'https://x'}]", "[{name: sub, version: 0.1.0}, {name: sub, version: 0.1.0}]", "a", "[a]", "[{name: sub, version: 0.1.0, tags: [t1]}]", "[{name: sub, version: 0.1.0, import-values: [x]}]", "[{name: sub, version: 0.1.0, enabled: 'x'}]"],
 "extra": ["1", "[a]"],
 "Name": ["Z"],
}
shutil.rmtree(out, ignore_errors=True)
for i in range(n):
    d = f"{out}/c{i:05d}"
    os.makedirs(d + "/templates"); os.makedirs(d + "/charts/sub/templates")
    chart = {"apiVersion": "v2", "name": "c", "version": "0.1.0"}
    for _ in range(random.randint(1, 3)):
        k = random.choice(list(fields)); chart[k] = random.choice(fields[k])
    if random.random() < 0.2: chart.pop(random.choice(["apiVersion", "name", "version"]), None)
    items = list(chart.items()); random.shuffle(items)
    open(d + "/Chart.yaml", "w").write("".join(f"{k}: {v}\n" for k, v in items))
    open(d + "/charts/sub/Chart.yaml", "w").write("apiVersion: v2\nname: sub\nversion: 0.1.0\n")
    open(d + "/charts/sub/templates/s.yaml", "w").write("sub: {{ .Chart.Name }}\n")
    open(d + "/templates/t.yaml", "w").write("{{ toJson .Chart }}\n{{ .Chart.AppVersion }} {{ .Chart.Version }} {{ .Capabilities.KubeVersion }}\n")
