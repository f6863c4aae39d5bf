"""Runs helmet on every fuzz case and prints the cases whose result differs from Helm's.

usage: compare.py MODE CASES_DIR HELMET ANSWERS_JSON
MODE: render, render-user, manifest (as oracle.py). In render mode with one template the
comparison is of templates/t.yaml only. Pointers printed by %v (0xc000...) are masked.
"""
import glob
import json
import re
import subprocess
import sys

mode, cases_dir, helmet, answers_file = sys.argv[1:5]
answers = json.load(open(answers_file))


def mask(x):
    return re.sub(r"0x[0-9a-f]{8,}", "0xPTR", json.dumps(x, sort_keys=True))


differ = 0
kube_version_skipped = 0
for case in sorted(glob.glob(cases_dir + "/c*")):
    expected = answers.get(case)
    if expected is None:
        continue
    if mode == "manifest":
        cmd = [helmet, "template", case, "--no-hooks"]
    else:
        cmd = [helmet, "render", case]
        if mode == "render-user":
            cmd += ["-f", case + "/user.yaml"]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        # The SDK's render reports a dependency error without the wrapping that `helm
        # template` (and helmet's API, for every command) puts around it.
        # Log lines (warnings) may come before the error; the SDK's answer holds the error only.
        err = p.stderr.strip()
        err = err[err.rfind("\nError: ") + 1:] if "\nError: " in err else err
        err = err.removeprefix("Error: ")
        if mode != "manifest":
            err = err.removeprefix("chart dependencies processing failed: ")
        got = {"err": err}
    elif mode == "manifest":
        got = {"ok": p.stdout}
    else:
        got = {"ok": json.loads(p.stdout)}
    if p.returncode > 1 or "panicked" in p.stderr:
        got["PANIC"] = True
    a, b = mask(expected), mask(got)
    # The SDK's render does not check the chart's kubeVersion (the install action does, and
    # so does helmet for every command): such a case says nothing about rendering.
    if "ok" in expected and got.get("err", "").startswith("chart requires kubeVersion: "):
        kube_version_skipped += 1
        continue
    if a != b:
        differ += 1
        i = next((k for k in range(min(len(a), len(b))) if a[k] != b[k]), min(len(a), len(b)))
        lo = max(0, i - 150)
        print("==", case, "first difference at", i)
        print("  helm:  ", a[lo:i + 150])
        print("  helmet:", b[lo:i + 150])
if kube_version_skipped:
    print("not compared:", kube_version_skipped, "cases whose kubeVersion helmet refuses")
print("differ", differ, "of", len(answers))
