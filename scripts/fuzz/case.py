"""What every fuzz generator shares: the folder of case `i`, a chart named `c` in it."""
import os


def new_case(out, i, chart_yaml="apiVersion: v2\nname: c\nversion: 0.1.0\n"):
    """Makes OUT/cNNNNN/templates and its Chart.yaml; returns the case folder."""
    d = f"{out}/c{i:05d}"
    os.makedirs(d + "/templates")
    if chart_yaml is not None:
        open(d + "/Chart.yaml", "w").write(chart_yaml)
    return d


def real_values_files():
    """The values.yaml of every chart folder FUZZ_CHARTS lists that has one."""
    files = [line.strip() + "/values.yaml" for line in open(os.environ["FUZZ_CHARTS"])]
    return [f for f in files if os.path.exists(f)]


def stretch(random, files, longest):
    """A run of 3 to `longest` lines from one of `files`, None when the file is empty."""
    lines = open(random.choice(files), encoding="utf-8", errors="replace").read().splitlines(True)
    if not lines:
        return None
    a = random.randrange(len(lines))
    return "".join(lines[a:min(len(lines), a + random.randint(3, longest))])
