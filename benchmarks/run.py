"""Time one training step of tinygrad_edu against hand-coded numpy, PyTorch and MyGrad.

Run from the repository root:

    python benchmarks/run.py                  # the full run (a few minutes on 2 cores)
    python benchmarks/run.py --quick          # a smoke run, about 20 seconds
    python benchmarks/run.py --workloads W2 --frameworks numpy,tinygrad
    python benchmarks/run.py --output docs/benchmark-table.md

Frameworks are timed in one process and interleaved: every repeat runs each framework
once, in an order rotated from repeat to repeat, so a slow phase of the machine hits
all of them alike. A cell is the median over the repeats of (time for `steps` steps) /
`steps`, as a ratio to the numpy reference and in microseconds. The report is Markdown
on standard output; `--output FILE` also writes it to FILE whole (atomic rename).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import pstats
import statistics
import sys
import tracemalloc
from pathlib import Path
from time import perf_counter, process_time

# `python benchmarks/run.py` puts benchmarks/ on sys.path, not the repository root.
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import machine  # noqa: E402
from benchmarks import frameworks  # noqa: E402
from benchmarks.frameworks import FRAMEWORKS, Trainer  # noqa: E402
from benchmarks.workloads import Workload, build_workloads  # noqa: E402

BASELINE = "numpy"
PHASE_FRAMEWORKS = ("numpy", "tinygrad", "tinygrad-ops", "torch64", "mygrad")
TARGETS_PER_WORKLOAD = {"W1": (2.0, 1.5), "W2": (1.5, 1.3), "W3": (1.1, 1.1), "W4": (2.0, 1.5)}
"""Workload -> (required, aimed) ratio of tinygrad_edu's step time to the numpy reference's."""

# A leak of one W2 graph per step would add several KiB per step; 64 KiB over
# 9,000 steps leaves room for allocator and tracemalloc bookkeeping noise only.
FLAT_MEMORY_BYTES = 64 * 1024
MEMORY_WARM_UP_STEPS = 2000


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workloads", default="W1,W2,W3,W4", help="comma-separated workloads (default: all)")
    parser.add_argument(
        "--frameworks",
        default=",".join(FRAMEWORKS),
        help=f"comma-separated frameworks out of {', '.join(FRAMEWORKS)} (default: all; numpy is always run)",
    )
    parser.add_argument("--steps", type=int, help="training steps per repeat (default: per workload, 40 to 4000)")
    parser.add_argument("--repeats", type=int, default=7, help="repeats per framework; the median counts (default 7)")
    parser.add_argument(
        "--memory-steps", type=int, default=10_000, help="W2 steps of the memory check; 0 skips it (default 10000)"
    )
    parser.add_argument("--no-phases", action="store_true", help="skip the forward/backward/update split")
    parser.add_argument("--profile", action="store_true", help="add a cProfile summary of tinygrad_edu on W2")
    parser.add_argument("--quick", action="store_true", help="smoke run: 1/20 of the steps, 3 repeats, 500 memory steps")
    parser.add_argument(
        "--timer",
        choices=("wall", "cpu"),
        default="wall",
        help="wall: elapsed time (default); cpu: this process's CPU time, steadier on a busy machine "
        "but it adds up the BLAS threads, so W3 reads too slow with several threads",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of data and initial weights (default 0)")
    parser.add_argument("--output", type=Path, help="also write the Markdown report to this file")
    args = parser.parse_args(argv)

    args.workloads = [key.strip().upper() for key in args.workloads.split(",") if key.strip()]
    args.frameworks = [key.strip() for key in args.frameworks.split(",") if key.strip()]
    unknown = [key for key in args.frameworks if key not in FRAMEWORKS]
    if unknown:
        parser.error(f"unknown framework(s) {unknown}; choose from {list(FRAMEWORKS)}")
    if BASELINE not in args.frameworks:
        args.frameworks.insert(0, BASELINE)
    if args.quick:
        args.repeats = min(args.repeats, 3)
        args.memory_steps = min(args.memory_steps, 500)
    if args.repeats < 1 or (args.steps is not None and args.steps < 1) or args.memory_steps < 0:
        parser.error("--repeats and --steps must be at least 1, --memory-steps at least 0")
    return args


def steps_for(workload: Workload, args: argparse.Namespace) -> int:
    if args.steps is not None:
        return args.steps
    return max(workload.steps // 20, 5) if args.quick else workload.steps


# ---- building and checking the trainers -------------------------------------------------


def build_trainers(workload: Workload, keys: list[str], notes: list[str]) -> dict[str, tuple[Trainer, list]]:
    """Build each available framework's trainer with its batches; note the skipped ones."""
    trainers = {}
    for key in keys:
        trainer_class = FRAMEWORKS[key]
        reason = trainer_class.unavailable()
        if reason is not None:
            message = f"{trainer_class.label}: skipped, {reason}"
            if message not in notes:
                notes.append(message)
            continue
        trainer = trainer_class(workload)
        trainers[key] = (trainer, [trainer.prepare(X, y) for X, y in workload.batches])
    return trainers


def check_first_losses(workload: Workload, trainers: dict, notes: list[str]) -> None:
    """Check that every framework computes the reference's loss on the first batch.

    All start from the same weights, so a different loss means a different network.
    """
    losses = {key: trainer.step(batches[0]) for key, (trainer, batches) in trainers.items()}
    expected = losses[BASELINE]
    for key, loss in losses.items():
        tolerance = 1e-4 if FRAMEWORKS[key].dtype.__name__ == "float32" else 1e-9
        if abs(loss - expected) > tolerance * max(1.0, abs(expected)):
            notes.append(
                f"{workload.key}: {FRAMEWORKS[key].label} computed a first loss of {loss!r}, "
                f"the numpy reference {expected!r}; its times are not comparable"
            )


def warm_up(trainers: dict, steps: int) -> None:
    for trainer, batches in trainers.values():
        for index in range(max(steps // 10, len(batches), 3)):
            trainer.step(batches[index % len(batches)])


# ---- timing -----------------------------------------------------------------------------


def time_steps(trainers: dict, steps: int, repeats: int, clock) -> dict[str, list[float]]:
    """Return each trainer's seconds per step in every repeat, interleaved over the repeats."""
    samples = {key: [] for key in trainers}
    keys = list(trainers)
    for repeat in range(repeats):
        rotation = keys[repeat % len(keys) :] + keys[: repeat % len(keys)]
        for key in rotation:
            trainer, batches = trainers[key]
            count = len(batches)
            step = trainer.step
            gc.collect()
            start = clock()
            for index in range(steps):
                step(batches[index % count])
            samples[key].append((clock() - start) / steps)
    return samples


def summarize(samples: dict[str, list[float]]) -> dict[str, tuple[float, float]]:
    """Return (median seconds per step, median ratio to the baseline) per framework.

    The ratio is the median of the per-repeat ratios: a framework and the baseline
    ran close together in each repeat, so a slow stretch of the machine cancels out.
    """
    baseline = samples[BASELINE]
    return {
        key: (
            statistics.median(values),
            statistics.median(value / base for value, base in zip(values, baseline)),
        )
        for key, values in samples.items()
    }


def time_phases(trainers: dict, steps: int, repeats: int) -> dict[str, tuple[float, float, float]]:
    """Return the median seconds per step spent in forward, backward and update, per trainer."""
    samples = {key: [] for key in trainers}
    keys = list(trainers)
    for repeat in range(repeats):
        rotation = keys[repeat % len(keys) :] + keys[: repeat % len(keys)]
        for key in rotation:
            trainer, batches = trainers[key]
            totals = [0.0, 0.0, 0.0]
            gc.collect()
            for index in range(steps):
                for phase, seconds in enumerate(trainer.step_phases(batches[index % len(batches)])):
                    totals[phase] += seconds
            samples[key].append([total / steps for total in totals])
    return {
        key: tuple(statistics.median(sample[phase] for sample in values) for phase in range(3))
        for key, values in samples.items()
    }


# ---- memory -----------------------------------------------------------------------------


def measure_memory(workload: Workload, key: str, steps: int, collect: bool) -> dict[str, int]:
    """Trace numpy and Python allocations over `steps` training steps.

    Returns the traced bytes in use after the first tenth of the steps (`early`), at
    the end (`final`), and the peak over the whole run. With `collect` False the
    cyclic garbage collector is off, so only reference counting frees graphs.
    """
    trainer = FRAMEWORKS[key](workload)
    batches = [trainer.prepare(X, y) for X, y in workload.batches]
    # Python keeps freed tuples on free lists, which tracemalloc counts as in use;
    # about 1,000 W2 steps fill them, so they run before tracing starts. A full
    # gc.collect() empties the free lists again, so it comes first.
    gc.collect()
    for index in range(MEMORY_WARM_UP_STEPS):
        trainer.step(batches[index % len(batches)])

    early_step = max(steps // 10, 1)
    was_enabled = gc.isenabled()
    if not collect:
        gc.disable()
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        for index in range(steps):
            trainer.step(batches[index % len(batches)])
            if index + 1 == early_step:
                early = tracemalloc.get_traced_memory()[0]
        final, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        if was_enabled:
            gc.enable()
    return {"start": start, "early": early, "final": final, "peak": peak, "early_step": early_step}


# ---- profile ----------------------------------------------------------------------------


def profile_summary(workload: Workload, steps: int, lines: int = 18) -> str:
    """Return cProfile's top functions by own time for `steps` tinygrad_edu steps."""
    trainer = FRAMEWORKS["tinygrad"](workload)
    batches = [trainer.prepare(X, y) for X, y in workload.batches]
    for index in range(len(batches)):
        trainer.step(batches[index])
    profiler = cProfile.Profile()
    profiler.enable()
    for index in range(steps):
        trainer.step(batches[index % len(batches)])
    profiler.disable()
    stream = io.StringIO()
    stats = pstats.Stats(profiler, stream=stream)
    stats.strip_dirs().sort_stats("tottime").print_stats(lines)
    text = stream.getvalue()
    # Keep the table, not pstats' header of file names and totals.
    start = text.find("   ncalls")
    return text[start:].rstrip() if start >= 0 else text.rstrip()


# ---- report -----------------------------------------------------------------------------


def format_time(seconds: float) -> str:
    micro = seconds * 1e6
    return f"{micro:,.0f} µs" if micro >= 100 else f"{micro:.1f} µs"


def format_bytes(count: int) -> str:
    return f"{count / 1024:,.1f} KiB"


def render(args, workloads, step_times, phases, memory, profile, notes, wall) -> str:
    out = []
    out.append("# tinygrad_edu benchmark\n")
    out.append(f"Command: `python benchmarks/run.py {' '.join(args.argv)}`".rstrip() + f" (wall time {wall:.0f} s)\n")
    out.append("## Machine\n")
    out.append("| | |\n|---|---|")
    for name, value in machine.describe():
        out.append(f"| {name} | {value} |")
    out.append("")

    out.append("## Time per training step, as a ratio to the numpy reference\n")
    clock_name = "elapsed (wall-clock) time" if args.timer == "wall" else "CPU time of the process"
    out.append(
        f"Measured as {clock_name}. A ratio is the median over the repeats of the step time divided "
        "by the numpy reference's in the same repeat; the median step time is in brackets. One step "
        "is forward, mean BCE, backward and the SGD update, with the loss read back as a Python float.\n"
    )
    for workload in workloads:
        out.append(f"- {workload.key}: {workload.title}, {steps_for(workload, args)} steps x {args.repeats} repeats")
    out.append("")
    keys = [key for key in FRAMEWORKS if any(key in step_times[w.key] for w in workloads)]
    out.append("| framework | " + " | ".join(w.key for w in workloads) + " |")
    out.append("|---|" + "---:|" * len(workloads))
    for key in keys:
        cells = []
        for workload in workloads:
            times = step_times[workload.key]
            if key not in times:
                cells.append("–")
                continue
            seconds, ratio = times[key]
            cells.append(f"{ratio:.2f}x ({format_time(seconds)})")
        out.append(f"| {FRAMEWORKS[key].label} | " + " | ".join(cells) + " |")
    out.append("")

    if phases:
        out.append("## Forward, backward and update per step\n")
        out.append(
            "Forward includes the loss and reading it back; the numpy reference's phases come from "
            "its separate `forward`, `backward` functions and an SGD loop, since `ReferenceMLP.step` "
            "interleaves them.\n"
        )
        out.append("| workload | framework | forward | backward | update | backward / forward |")
        out.append("|---|---|---:|---:|---:|---:|")
        for workload in workloads:
            for key, (forward, backward, update) in phases.get(workload.key, {}).items():
                out.append(
                    f"| {workload.key} | {FRAMEWORKS[key].label} | {format_time(forward)} | {format_time(backward)} | "
                    f"{format_time(update)} | {backward / forward:.2f} |"
                )
        out.append("")

    if memory:
        out.append("## Memory over W2 training steps (tracemalloc)\n")
        out.append("| framework | cyclic GC | steps | in use after the first tenth | in use at the end | growth | peak |")
        out.append("|---|---|---:|---:|---:|---:|---:|")
        for (key, collect), result in memory.items():
            growth = result["final"] - result["early"]
            out.append(
                f"| {FRAMEWORKS[key].label} | {'on' if collect else 'off'} | {args.memory_steps:,} | "
                f"{format_bytes(result['early'])} | {format_bytes(result['final'])} | {growth:+,} B | "
                f"{format_bytes(result['peak'])} |"
            )
        out.append("")

    targets = check_targets(step_times, phases, memory)
    if targets:
        out.append("## Targets\n")
        out.append("| target | measured | met |")
        out.append("|---|---|---|")
        for target, measured, met in targets:
            out.append(f"| {target} | {measured} | {'yes' if met else '**no**'} |")
        out.append("")

    if profile:
        out.append(f"## Profile of tinygrad_edu on W2 (cProfile, {args.profile_steps} steps)\n")
        out.append("```\n" + profile + "\n```\n")

    if notes:
        out.append("## Notes\n")
        out.extend(f"- {note}" for note in notes)
        out.append("")
    return "\n".join(out)


def check_targets(step_times, phases, memory) -> list[tuple[str, str, bool]]:
    """Compare the measurements with the performance targets; return (target, measured, met) rows."""
    rows = []
    for key, (required, aim) in TARGETS_PER_WORKLOAD.items():
        times = step_times.get(key, {})
        if "tinygrad" not in times:
            continue
        ratio = times["tinygrad"][1]
        rows.append((f"{key}: tinygrad_edu at most {required}x numpy (aim {aim}x)", f"{ratio:.2f}x", ratio <= required))
    for key in ("W1", "W2", "W4"):
        times = step_times.get(key, {})
        for rival in ("torch64", "mygrad"):
            if "tinygrad" in times and rival in times:
                speedup = times[rival][1] / times["tinygrad"][1]
                rows.append(
                    (
                        f"{key}: faster than {FRAMEWORKS[rival].label}",
                        f"{speedup:.2f}x faster",
                        speedup > 1.0,
                    )
                )
    if "tinygrad" in phases.get("W3", {}):
        forward, backward, _ = phases["W3"]["tinygrad"]
        rows.append(("W3: backward at most 2x forward", f"{backward / forward:.2f}x", backward <= 2 * forward))
    for (key, collect), result in memory.items():
        if key == "tinygrad":
            growth = result["final"] - result["early"]
            rows.append(
                (
                    f"W2 memory flat (cyclic GC {'on' if collect else 'off'})",
                    f"{growth:+,} B after the first tenth",
                    abs(growth) < FLAT_MEMORY_BYTES,
                )
            )
    return rows


def main(argv: list[str] | None = None) -> int:
    args = parse_arguments(argv)
    args.argv = sys.argv[1:] if argv is None else list(argv)
    args.profile_steps = 2000 if not args.quick else 200
    began = perf_counter()
    all_workloads = build_workloads(args.seed)
    missing = [key for key in args.workloads if key not in all_workloads]
    if missing:
        print(f"error: unknown workload(s) {missing}; choose from {list(all_workloads)}", file=sys.stderr)
        return 2
    workloads = [all_workloads[key] for key in args.workloads]

    notes: list[str] = []
    step_times: dict[str, dict[str, tuple[float, float]]] = {}
    clock = perf_counter if args.timer == "wall" else process_time
    frameworks.clock = clock
    phases: dict[str, dict[str, tuple[float, float, float]]] = {}
    for workload in workloads:
        steps = steps_for(workload, args)
        print(f"{workload.key}: {workload.title} ...", file=sys.stderr, flush=True)
        trainers = build_trainers(workload, args.frameworks, notes)
        check_first_losses(workload, trainers, notes)
        warm_up(trainers, steps)
        step_times[workload.key] = summarize(time_steps(trainers, steps, args.repeats, clock))
        if not args.no_phases:
            phase_trainers = {key: value for key, value in trainers.items() if key in PHASE_FRAMEWORKS}
            phases[workload.key] = time_phases(phase_trainers, steps, max(3, args.repeats // 2))
        del trainers
        gc.collect()

    memory = {}
    if args.memory_steps and "W2" in all_workloads:
        print(f"W2 memory over {args.memory_steps} steps ...", file=sys.stderr, flush=True)
        for key in ("tinygrad", BASELINE):
            if key in args.frameworks and FRAMEWORKS[key].unavailable() is None:
                for collect in (True, False) if key != BASELINE else (True,):
                    memory[(key, collect)] = measure_memory(all_workloads["W2"], key, args.memory_steps, collect)

    profile = profile_summary(all_workloads["W2"], args.profile_steps) if args.profile else None
    report = render(args, workloads, step_times, phases, memory, profile, notes, perf_counter() - began)
    print(report)
    if args.output is not None:
        from tinygrad_edu.files import write_atomic

        write_atomic(args.output, report + "\n")
        print(f"wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
