import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from pytest_tf2conf import assert_close, claim

DOC = "https://www.tensorflow.org/api_docs/python/tf/constant"


def double(x):
    return x * 2


@claim("tensor.smoke-double", "Doubling works.", DOC)
@given(st.lists(st.floats(-10, 10, width=32), min_size=0, max_size=5))
def test_double(target, values):
    x = np.array(values, dtype=np.float32)
    out = target.run(double, x)
    assert_close(out, x.astype(np.float64) * 2)
