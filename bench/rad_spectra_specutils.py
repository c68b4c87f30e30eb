"""Baseline for the N42 reader benchmark: Sandia SpecUtils (C++, via its Python bindings `SandiaSpecUtils`).

    python -m venv /tmp/su && /tmp/su/bin/pip install SandiaSpecUtils
    /tmp/su/bin/python bench/rad_spectra_specutils.py ../shared/data/radiation/n42/interspec_passthrough.n42

Prints MB/s for parsing the file (best of N runs, file bytes already in the page cache). Benchmark only:
SpecUtils is LGPL-2.1 and is not a dependency of Clearway.
"""
import sys
import time

import SpecUtils


def main():
    path = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    size = len(open(path, "rb").read())
    best = float("inf")
    best_cpu = float("inf")
    n = 0
    for _ in range(runs):
        f = SpecUtils.SpecFile()
        t = time.perf_counter()
        c = time.process_time()
        f.loadFile(path, SpecUtils.ParserType.N42_2006)  # raises on failure
        dt = time.perf_counter() - t
        best_cpu = min(best_cpu, time.process_time() - c)
        n = f.numMeasurements()
        best = min(best, dt)
    print(f"SpecUtils {path}: {size} bytes, {n} measurements, best {best*1e3:.2f} ms = {size/best/1e6:.1f} MB/s wall, "
          f"best CPU {best_cpu*1e3:.2f} ms = {size/best_cpu/1e6:.1f} MB/s")


if __name__ == "__main__":
    main()
