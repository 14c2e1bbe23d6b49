"""Time best efforts and kilometre splits on a synthetic 3-hour run sampled at 1 Hz.

    .venv/bin/python bench/best_efforts.py
    .venv/bin/python bench/best_efforts.py --repeats 50 --seed 3

The run (seeded, so every machine times the same track): 10,801 samples, one per second, about
30 km; the pace drifts around 5:40/km with rolling hills, second-to-second noise, a slow fade
over the three hours and a few stops at crossings; elevations follow the hills.

Per repetition it times, with `time.perf_counter`, `best_efforts` over the seven standard
distances, `splits` by the kilometre with elevations, and the two back to back; it reports
p50 and max over the measured repetitions (warm-up ones are not counted). Peak memory is the
`tracemalloc` peak of one more call of each, measured apart from the timings because tracing
slows Python down; the track itself is built before tracing starts, so it does not count.
"""

import argparse
import math
import platform
import random
import statistics
import time
import tracemalloc
from collections.abc import Callable

from community.activities.analysis import KILOMETRE_M, best_efforts, splits

SECONDS = 3 * 60 * 60
BASE_SPEED_M_S = 1000 / 340  # 5:40/km
Track = tuple[list[float], list[float], list[float]]


def synthetic_run(seed: int) -> Track:
    """Cumulative distances, times and elevations of a 3-hour run, one sample per second."""
    rng = random.Random(seed)
    stops = {rng.randrange(600, SECONDS - 600): rng.randrange(15, 60) for _ in range(5)}
    distances, times, elevations = [0.0], [0.0], [50.0]
    noise = 0.0
    standing = 0
    for second in range(1, SECONDS + 1):
        standing = stops.get(second, max(standing - 1, 0))
        hill = math.sin(second / 300)  # a climb and a descent every ~30 minutes
        noise = 0.9 * noise + rng.gauss(0, 0.03)
        fade = 1 - 0.08 * second / SECONDS
        speed = 0.0 if standing else BASE_SPEED_M_S * fade * (1 - 0.1 * hill + noise)
        distances.append(distances[-1] + max(speed, 0.0))
        times.append(float(second))
        elevations.append(50.0 + 40.0 * math.cos(second / 300))
    return distances, times, elevations


def time_ms(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1000


def peak_kib(call: Callable[[], object]) -> float:
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1] / 1024
    finally:
        tracemalloc.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20, help="measured repetitions")
    parser.add_argument("--warmup", type=int, default=2, help="repetitions not counted")
    parser.add_argument("--seed", type=int, default=7, help="seed of the synthetic run")
    args = parser.parse_args()

    distances, times, elevations = synthetic_run(args.seed)

    def efforts() -> None:
        best_efforts(distances, times)

    def kilometres() -> None:
        splits(distances, times, KILOMETRE_M, elevations)

    def both() -> None:
        efforts()
        kilometres()

    calls = {
        "best_efforts (7 distances)": efforts,
        "splits (km, elevations)": kilometres,
        "both": both,
    }
    samples: dict[str, list[float]] = {name: [] for name in calls}
    for repetition in range(args.warmup + args.repeats):
        for name, call in calls.items():
            elapsed = time_ms(call)
            if repetition >= args.warmup:
                samples[name].append(elapsed)

    print(
        f"Track: {len(distances):,} samples, {distances[-1] / 1000:.2f} km in "
        f"{times[-1] / 3600:.1f} h, {len(best_efforts(distances, times))} best efforts, "
        f"{len(splits(distances, times, KILOMETRE_M))} km splits (seed {args.seed})"
    )
    print(
        f"Python {platform.python_version()}, {args.repeats} measured repetitions "
        f"after {args.warmup} warm-up"
    )
    print()
    print(f"{'call':<28} {'p50 ms':>8} {'max ms':>8} {'peak KiB':>9}")
    for name, call in calls.items():
        values = samples[name]
        print(
            f"{name:<28} {statistics.median(values):>8.2f} {max(values):>8.2f} "
            f"{peak_kib(call):>9.1f}"
        )


if __name__ == "__main__":
    main()
