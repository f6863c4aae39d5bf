import random, os, sys, shutil
from case import new_case
seed = int(sys.argv[2]); random.seed(seed); n = int(sys.argv[1]); out = sys.argv[3]
ops = ["", "=", "!=", ">", "<", ">=", "<=", "=>", "=<", "~", "~>", "^", " ", "v", "==", ">= ", "< "]
vers = ["1", "1.2", "1.2.3", "1.2.3-alpha", "1.2.3-alpha.1", "1.2.3+build", "1.x", "1.2.x", "*", "x", "X", "1.*", "v1.2.3", "0.0.0", "1.2.3-0", "01.2.3", "1.02.3", "1.2.3.4", "", "a.b.c", "1.2.3-", "1.2.3-rc.01", "1.2.3-rc.1+b.2", "10.20.30", "1.0.0-x-y-z.-", "2147483648.0.0", "1.21.0-gke.100", "1.25.3-eks-12", "99999999999999999999.0.0"]
joins = [" ", ", ", " || ", "||", ",", " - ", "  "]
def constraint():
    s = random.choice(ops) + random.choice(vers)
    for _ in range(random.choice([0, 0, 1, 2])):
        s += random.choice(joins) + random.choice(ops) + random.choice(vers)
    return s
shutil.rmtree(out, ignore_errors=True)
for i in range(n):
    d = new_case(out, i)
    t = ""
    for j in range(3):
        c, v = constraint(), random.choice(vers)
        t += "%d: {{ semverCompare %s %s }}\n" % (j, '"' + c + '"', '"' + v + '"')
    t += "s: {{ semver %s | toJson }}\n" % ('"' + random.choice(vers) + '"')
    t += "c: {{ semverCompare %s .Capabilities.KubeVersion.Version }}\n" % ('"' + constraint() + '"')
    open(d + "/templates/t.yaml", "w").write(t)
