#!/usr/bin/env python3
"""Times commands in turn, RUNS rounds, with millisecond resolution.

`/usr/bin/time` reports wall and CPU time in hundredths of a second, which
is 5% of a 0.2 s run: too coarse for the ratios bench/run.sh and
bench/compare.sh report. This runs each command itself and reads the clock
(nanoseconds) and the child's resource usage (microseconds) instead.

    bench/alternate.py RUNS < SPEC

SPEC has one command per line, tab-separated: a name, the report file the
command writes (deleted before each run, outside the timing, so no run pays
for freeing the last run's report; `-` for none), then the program and its
arguments. Prints one line per name:

    NAME wall_median_s cpu_median_s max_rss_kb wall_1 wall_2 ...

max_rss_kb is the children's largest resident set as the kernel reports it,
which includes the pages of this Python process the child was forked from
(about 14 MB) when the command itself stays below that.

Commands run one after the other in each round, so a change in the
machine's load hits all of them alike. A command's exit status is ignored
(eyelint exits 1 when it reports findings).
"""

import os
import statistics
import subprocess
import sys
import time


def run_once(argv):
    start = time.perf_counter_ns()
    child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(child.pid, 0)
    wall = (time.perf_counter_ns() - start) / 1e9
    # Popen must not reap the child again.
    child.returncode = 0
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: bench/alternate.py RUNS < SPEC")
    runs = int(sys.argv[1])
    spec = []
    for line in sys.stdin:
        line = line.rstrip("\n")
        if line:
            name, report, *argv = line.split("\t")
            spec.append((name, report, argv))
    walls = {name: [] for name, _, _ in spec}
    cpus = {name: [] for name, _, _ in spec}
    rss = {name: 0 for name, _, _ in spec}
    for _ in range(runs):
        for name, report, argv in spec:
            if report != "-" and os.path.exists(report):
                os.remove(report)
            wall, cpu, peak = run_once(argv)
            walls[name].append(wall)
            cpus[name].append(cpu)
            rss[name] = max(rss[name], peak)
    for name, _, _ in spec:
        w = statistics.median(walls[name])
        c = statistics.median(cpus[name])
        every = " ".join(f"{x:.3f}" for x in walls[name])
        print(f"{name} {w:.4f} {c:.4f} {rss[name]} {every}")


if __name__ == "__main__":
    main()
