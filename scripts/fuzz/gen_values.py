import random, os, sys, shutil, json
seed = int(sys.argv[2]); random.seed(seed); n = int(sys.argv[1]); out = sys.argv[3]
keys = ["a", "b", "enabled", "global", "sub", "s2", "x", "list", "exports", "data", "tags"]
def val(d=0):
    r = random.random()
    if d < 3 and r < 0.35:
        return {random.choice(keys): val(d + 1) for _ in range(random.randint(0, 3))}
    if r < 0.45: return None
    if r < 0.55: return [random.choice([1, "x", None, {"k": 1}]) for _ in range(random.randint(0, 2))]
    return random.choice([1, 0, True, False, "s", "", 2.5, "true"])
def dump(v):
    return json.dumps(v)
shutil.rmtree(out, ignore_errors=True)
for i in range(n):
    d = f"{out}/c{i:05d}"
    deps = []
    for name in random.sample(["sub", "lib2", "s3"], random.randint(1, 3)):
        dep = {"name": name, "version": "0.1.0"}
        if random.random() < 0.4: dep["condition"] = random.choice([name + ".enabled", "x.enabled", "global.on", name + ".enabled,x.enabled", "missing.path"])
        if random.random() < 0.3: dep["tags"] = random.sample(["t1", "t2"], random.randint(1, 2))
        if random.random() < 0.3: dep["alias"] = random.choice(["al", name + "x"])
        if random.random() < 0.3: dep["import-values"] = random.choice([["data"], [{"child": "x", "parent": "y"}], ["missing"], [{"child": "data.a", "parent": "imp"}], ["exports"]])
        deps.append(dep)
    os.makedirs(d + "/templates")
    open(d + "/Chart.yaml", "w").write("apiVersion: v2\nname: c\nversion: 0.1.0\ndependencies: " + dump(deps) + "\n")
    top = val(); top = top if isinstance(top, dict) else {}
    if random.random() < 0.4: top["tags"] = {"t1": random.choice([True, False, None, "x"]), "t2": random.choice([True, False])}
    if random.random() < 0.5: top["global"] = {"g": val(2), "on": random.choice([True, False])}
    open(d + "/values.yaml", "w").write(dump(top) + "\n")
    open(d + "/templates/t.yaml", "w").write("{{ toJson .Values }}\n")
    for name in ["sub", "lib2", "s3"]:
        sd = f"{d}/charts/{name}"
        os.makedirs(sd + "/templates")
        open(sd + "/Chart.yaml", "w").write(f"apiVersion: v2\nname: {name}\nversion: 0.1.0\n")
        sv = val(); sv = sv if isinstance(sv, dict) else {}
        if random.random() < 0.5: sv["exports"] = {"data": val(2), "x": val(2)}
        if random.random() < 0.3: sv["data"] = {"a": val(2)}
        open(sd + "/values.yaml", "w").write(dump(sv) + "\n")
        open(sd + "/templates/t.yaml", "w").write("{{ toJson .Values }}\n")
    user = val(); user = user if isinstance(user, dict) else {}
    open(d + "/user.yaml", "w").write(dump(user) + "\n")
