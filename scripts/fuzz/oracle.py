"""Real Helm's answer for many fuzz cases in one process (the oracle's Go SDK, helm_python).

usage: HELM_PYTHON oracle.py MODE CASE_DIR... > answers.json
MODE: render (engine output per template), render-user (the same with CASE/user.yaml as -f),
      manifest (`helm template --no-hooks`'s manifest, from an install dry run).
Each answer is {"ok": ...} or {"err": Helm's error text}.
"""
import json
import sys

import helm_python as helm

EMPTY_KUBECONFIG = "apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n"
# Go's strings.TrimSpace
GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"


def answer(mode, case):
    chart = helm.Chart.load(case)
    if mode == "manifest":
        cfg = helm.Config(storage_driver="memory", namespace="default",
                          kubeconfig_content=EMPTY_KUBECONFIG)
        rel = cfg.install(chart, "release-name", {}, namespace="default", dry_run="client")
        return (rel.get("manifest") or "").strip(GO_SPACE) + "\n"
    values = {}
    if mode == "render-user":
        values = helm.values_from_yaml(open(case + "/user.yaml").read())
    return chart.render(values, name="release-name", namespace="default", is_install=True,
                        is_upgrade=False)


def main():
    mode, cases = sys.argv[1], sys.argv[2:]
    answers = {}
    for case in cases:
        try:
            answers[case] = {"ok": answer(mode, case)}
        except helm.HelmError as e:
            answers[case] = {"err": str(e)}
        except Exception as e:  # the SDK's own failures are answers too
            answers[case] = {"exc": repr(e)}
    json.dump(answers, sys.stdout)


main()
