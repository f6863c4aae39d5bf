"""What every fuzz generator shares: the folder of case `i`, a chart named `c` in it."""
import os


def new_case(out, i, chart_yaml="apiVersion: v2\nname: c\nversion: 0.1.0\n"):
    """Makes OUT/cNNNNN/templates and its Chart.yaml; returns the case folder."""
    d = f"{out}/c{i:05d}"
    os.makedirs(d + "/templates")
    if chart_yaml is not None:
        open(d + "/Chart.yaml", "w").write(chart_yaml)
    return d
