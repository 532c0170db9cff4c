"""Benchmark ``Target.run`` against calling the same TensorFlow function directly.

Usage::

    python bench/bench_target_run.py [--repeat 7] [--number 2000]

Both sides run in one process on the same inputs, interleaved, and the median of
``--repeat`` timings of ``--number`` calls each is printed in microseconds per call:

- eager: ``with tf.device(d): fn(x, y)`` (the direct call a user makes on a chosen device)
  vs ``target.run(fn, x, y)``;
- function: a ``tf.function`` with the same relaxed signature that ``Target.run`` traces
  (every dimension ``None``), called inside the device scope, vs ``target.run(fn, x, y)``.

The ratio is what ``Target.run`` costs over the direct call (verification included: the
result's device on every call, the traced graph's placement once per concrete function).
"""

from __future__ import annotations

import argparse
import os
import statistics
import timeit

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def add(x, y):
    import tensorflow as tf

    return tf.add(x, y)


def _median_us(stmt, number: int, repeat: int) -> float:
    times = timeit.repeat(stmt, number=number, repeat=repeat)
    return statistics.median(times) / number * 1e6


def measure(mode: str, number: int, repeat: int) -> tuple[float, float]:
    import numpy as np
    import tensorflow as tf

    from pytest_tf2conf.targets import Device, Mode, Target

    target = Target(Device("CPU:0"), Mode(mode))
    with tf.device("/device:CPU:0"):
        x = tf.constant(np.arange(6, dtype=np.float32).reshape(2, 3))
        y = tf.constant(np.ones((2, 3), dtype=np.float32))
    if mode == "eager":
        direct_fn = add
    else:
        spec = [tf.TensorSpec([None, None], tf.float32)] * 2
        direct_fn = tf.function(add, input_signature=spec, jit_compile=(mode == "xla") or None)

    def direct():
        with tf.device("/device:CPU:0"):
            return direct_fn(x, y)

    def via_target():
        return target.run(add, x, y)

    direct(), via_target()  # trace / compile both before timing
    pairs = [
        (_median_us(direct, number, 1), _median_us(via_target, number, 1)) for _ in range(repeat)
    ]
    return statistics.median(p[0] for p in pairs), statistics.median(p[1] for p in pairs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--number", type=int, default=2000)
    parser.add_argument("--modes", default="eager,function,xla")
    args = parser.parse_args(argv)
    print(f"{'mode':<9} {'direct us':>10} {'Target.run us':>14} {'ratio':>6}")
    for mode in args.modes.split(","):
        direct, via = measure(mode, args.number, args.repeat)
        print(f"{mode:<9} {direct:>10.1f} {via:>14.1f} {via / direct:>6.2f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
