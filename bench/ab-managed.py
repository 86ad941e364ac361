#!/usr/bin/env python3
"""A/B of the managed engine between two builds of the bench, rounds interleaved across two processes.

usage: bench/ab-managed.py DIR_A DIR_B PASS LAYER [threads] [rounds]
  DIR_A, DIR_B: output folders of two builds of bench/NNPackSharp.Bench.csproj (e.g. a copy of
  bench/bin/Release/net10.0 made before a change, and the folder itself after it).
  PASS: forward, grad-input or grad-weight; LAYER: a layer name of the bench ("ResNet stem") or "N Cin H Cout k stride pad".

Each build runs `NNPackSharp.Bench.dll serve` in its own process; the two take turns (the order alternating between
rounds), so only one computes at a time and both see the same machine load. Prints the median seconds per call of
each and B's speed-up over A (A's time / B's). One thread times the thread's CPU time, more threads the wall clock.

AB_ENGINES=native,managed (any two of native and managed) runs A and B on those engines through the same public call
(NNPACKSHARP_PROBE_ENGINE), e.g. with one folder given twice: NNPackAuto against Im2ColGemm in interleaved rounds.
"""
import os
import statistics
import subprocess
import sys


def start(folder, pass_name, layer, threads, engine):
    args = ["dotnet", f"{folder}/NNPackSharp.Bench.dll", "serve", pass_name] + layer + [threads]
    env = dict(os.environ, NNPACKSHARP_PROBE_ENGINE=engine) if engine else None
    return subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1, env=env)


def batch(process):
    process.stdin.write("run\n")
    process.stdin.flush()
    line = process.stdout.readline()
    if not line:
        raise SystemExit(f"a serve process ended early (exit {process.wait()})")
    return float(line)


def main():
    if len(sys.argv) < 5:
        raise SystemExit(__doc__)
    folder_a, folder_b, pass_name, layer = sys.argv[1:5]
    threads = sys.argv[5] if len(sys.argv) > 5 else "1"
    rounds = int(sys.argv[6]) if len(sys.argv) > 6 else 9
    layer_args = layer.split() if all(part.isdigit() for part in layer.split()) else [layer]
    engine_names = os.environ["AB_ENGINES"].split(",") if os.environ.get("AB_ENGINES") else [None, None]
    if len(engine_names) != 2 or any(name not in (None, "native", "managed") for name in engine_names):
        raise SystemExit(f"AB_ENGINES is '{os.environ.get('AB_ENGINES')}': two of native and managed, comma-separated")
    engines = [start(folder_a, pass_name, layer_args, threads, engine_names[0]),
               start(folder_b, pass_name, layer_args, threads, engine_names[1])]
    times = [[], []]
    for round_index in range(rounds):
        order = (0, 1) if round_index % 2 == 0 else (1, 0)
        for which in order:
            times[which].append(batch(engines[which]))
    for process in engines:
        process.stdin.close()
        process.wait()
    a, b = statistics.median(times[0]), statistics.median(times[1])
    spread = max((max(t) - min(t)) / statistics.median(t) for t in times)
    print(f"{pass_name:11s} {layer:24s} T{threads}  A {a * 1e3:8.3f} ms  B {b * 1e3:8.3f} ms  B/A speed-up {a / b:5.3f}  spread {spread:.0%}")


if __name__ == "__main__":
    main()
