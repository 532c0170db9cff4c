"""Graphs can place parts of one computation on different devices.

A tf.function with two ``tf.device`` blocks keeps each op's requested device in the traced
graph, and the runtime partitions the graph per device: the partition graphs of a TF1
``Session`` run show which device ran which op. Outputs of a tf.function call are
returned on the caller's device, so their ``.device`` does not show the split.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given

from pytest_tf2conf import assert_close, claim, only_modes
from pytest_tf2conf.strategies import arrays

from ._support import CountedFunction, run_partitioned

MULTI_DEVICE = claim(
    "graph.ops-placed-on-several-devices",
    "One tf.function graph can place its ops on different devices with tf.device blocks; "
    "the runtime partitions it and runs each part on its device.",
    "https://www.tensorflow.org/api_docs/python/tf/raw_ops/PartitionedCall",
)


def _other_device(selected: list[str], target) -> str:
    others = [d for d in selected if d != target.device.name]
    if not others:
        pytest.skip(f"needs 2 selected devices, only {', '.join(selected)} selected")
    return others[0]


def _split_body(first: str, second: str):
    import tensorflow as tf

    def split(a, b):
        with tf.device(f"/device:{first}"):
            product = a * b
        with tf.device(f"/device:{second}"):
            total = product + b
        return product, total

    return split


_FUNCTIONS: dict[str, CountedFunction] = {}


@only_modes("function")  # an XLA cluster is compiled for one device
@MULTI_DEVICE
@given(arrays("float32", (3,), bound=100.0), arrays("float32", (3,), bound=100.0))
def test_ops_placed_on_two_devices(tf2conf_devices, target, a, b):
    import tensorflow as tf

    from pytest_tf2conf.targets import Device

    other = _other_device(tf2conf_devices, target)
    here = target.device.name
    if target.id not in _FUNCTIONS:
        spec = [tf.TensorSpec([3], tf.float32)] * 2
        _FUNCTIONS[target.id] = CountedFunction(
            target, _split_body(here, other), input_signature=spec
        )
    fn = _FUNCTIONS[target.id]
    concrete = fn.concrete()
    placed = {op.type: op.device for op in concrete.graph.get_operations()}
    assert target.device.holds(placed["Mul"]) and Device(other).holds(placed["AddV2"]), placed
    product, total = fn(a, b)
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    assert_close(product, a64 * b64)
    assert_close(total, a64 * b64 + b64)
    _, ran = run_partitioned(concrete, (a, b))
    assert "Mul" in ran[here] and "AddV2" in ran[other], ran
