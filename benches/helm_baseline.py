#!/usr/bin/env python3
"""Times real Helm's own chart load + render, in process, through the Helm SDK's Python API.

Usage: helm_baseline.py ITERATIONS CHART [CHART...]
Prints one line per chart: `<chart>\t<median seconds per load+render>`.

The Python binding calls Helm's Go SDK directly, so this measures Helm's loader and engine
without process start-up, the same work helmet's in-process benchmark measures. Run it with the
oracle's interpreter (~/.cache/helm-oracle/venv/bin/python) or any Python with helm-python-sdk.
"""
import statistics
import sys
import time

import helm_python as helm


def time_chart(path, iterations):
    samples = []
    for _ in range(iterations):
        start = time.perf_counter()
        chart = helm.Chart.load(path)
        chart.render({}, name="release-name", namespace="default")
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    iterations = int(sys.argv[1])
    for path in sys.argv[2:]:
        time_chart(path, 2)  # warm up: first calls load the shared library
        print("%s\t%.9f" % (path, time_chart(path, iterations)))


if __name__ == "__main__":
    main()
