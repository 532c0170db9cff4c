"""Which dtypes each op-database record runs on, eagerly and under XLA, on this machine.

Usage::

    python scripts/probe_dtypes.py [NAME ...]   # record names (tf.math.sin or math.sin)

For writing a record's ``dtypes`` (and per-target overrides): it prints, per record, the
dtypes that run, the declared ones, and the difference. The dtype-support property then
holds the declaration to what the kernels do (a probe is a tool, not an oracle: compare
with the op's documentation before declaring).
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def main(argv: list[str]) -> int:
    import tensorflow as tf

    from pytest_tf2conf import ops
    from pytest_tf2conf.ops.record import UNIVERSE
    from pytest_tf2conf.targets import Device, Mode, Target, Unsupported

    tf.config.set_soft_device_placement(False)
    chosen = [ops.by_name(n) for n in argv] if argv else list(ops.records())
    rng_seed = 0
    for record in chosen:
        line = [record.name]
        for mode in ("eager", "xla"):
            target = Target(Device("CPU:0"), Mode(mode))
            runs = []
            extra_dtypes = [d for d in record.all_declared() if d not in UNIVERSE]  # "string"
            for dtype in (*UNIVERSE, *extra_dtypes):
                import numpy as np

                sample = record.sampler.reference(dtype, 3, np.random.default_rng(rng_seed))
                try:
                    target.run(record.bound(sample.kwargs), *sample.args)
                    runs.append(dtype)
                except (Unsupported, tf.errors.OpError, TypeError, ValueError,
                        NotImplementedError):  # fmt: skip
                    pass
            declared = record.declared("CPU", mode)
            extra = [d for d in runs if d not in declared]
            missing = [d for d in declared if d not in runs]
            line.append(f"{mode}: runs {','.join(runs)}")
            if extra or missing:
                line.append(f"  {mode} MISMATCH +{','.join(extra)} -{','.join(missing)}")
        print("\n  ".join(line), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
