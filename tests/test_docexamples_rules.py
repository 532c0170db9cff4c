"""Exclusion rules and the graph rule, on hand-written docstrings."""

from __future__ import annotations

from pytest_tf2conf.docexamples import harvest, rules


def plan_of(docstring: str, tensor_repr=rules.TF_TENSOR) -> rules.Plan:
    return rules.plan(harvest.parse(docstring, "demo"), tensor_repr=tensor_repr)


def test_unseeded_random_values_are_excluded_with_what_is_computed_from_them() -> None:
    plan = plan_of(
        """
    >>> x = tf.random.uniform([2])
    >>> y = x * 2
    >>> y
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([0.3, 1.2], dtype=float32)>
    >>> y.shape
    TensorShape([2])
    >>> x = tf.constant([1., 2.])
    >>> x * 2
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([2., 4.], dtype=float32)>
    """
    )
    # the draw and y = x * 2 run (they document nothing); y's values are excluded, its
    # shape is not; x bound again to a constant is clean
    assert {i: r.name for i, r in plan.excluded.items()} == {2: "unseeded-random"}
    assert plan.graph == {5}


def test_seeding_first_makes_random_examples_checkable() -> None:
    plan = plan_of(
        """
    >>> tf.random.set_seed(5)
    >>> tf.random.uniform([1])
    <tf.Tensor: shape=(1,), dtype=float32, numpy=array([0.5], dtype=float32)>
    """
    )
    assert not plan.excluded
    # a stateful random op draws another stream in a graph: it runs eagerly
    assert plan.eager_only[1].name == "graph-stateful-random"


def test_an_elided_random_value_is_checked() -> None:
    plan = plan_of(
        """
    >>> tf.random.uniform([2])
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([..., ...], dtype=float32)>
    """
    )
    assert not plan.excluded


def test_a_symbol_rule_excludes_the_whole_docstring() -> None:
    docstring = """
    >>> tf.constant(1) + 1
    <tf.Tensor: shape=(), dtype=int32, numpy=2>
    >>> tf.config.run_functions_eagerly(True)
    """
    plan = plan_of(docstring)
    assert plan.all_excluded(2) and plan.symbol_rule().name == "process-configuration"
    assert not plan.graph


def test_file_system_examples_do_not_run_nor_do_those_that_need_them() -> None:
    plan = plan_of(
        """
    >>> path = tempfile.mkdtemp()
    >>> ds = tf.data.Dataset.load(path)
    >>> list(ds)
    [1]
    >>> tf.constant(1)
    <tf.Tensor: shape=(), dtype=int32, numpy=1>
    """
    )
    assert {i: (r.name, r.execute) for i, r in plan.excluded.items()} == {
        0: ("file-system", False),
        1: ("file-system", False),
        2: ("file-system", False),
    }


def test_graph_rule() -> None:
    docstring = """
    >>> x = tf.constant([1, 2])
    >>> x
    <tf.Tensor: shape=(2,), dtype=int32, numpy=array([1, 2], dtype=int32)>
    >>> x + 1
    <tf.Tensor: shape=(2,), dtype=int32, numpy=array([2, 3], dtype=int32)>
    >>> (x + 1, x * 2)
    (<tf.Tensor: shape=(2,), dtype=int32, numpy=array([2, 3], dtype=int32)>,
     <tf.Tensor: shape=(2,), dtype=int32, numpy=array([2, 4], dtype=int32)>)
    >>> x.numpy() + 1
    array([2, 3], dtype=int32)
    >>> sum(x)
    <tf.Tensor: shape=(), dtype=int32, numpy=3>
    >>> tf.strings.as_string(x)
    <tf.Tensor: shape=(2,), dtype=string, numpy=array([b'1', b'2'], dtype=object)>
    """
    plan = plan_of(docstring)
    # a name only shows a value (1); .numpy() output is not a tensor (4); a builtin
    # iterates the tensor (5); strings have no XLA type (6)
    assert plan.graph == {2, 3, 6}
    assert plan.eager_only[5].name == "graph-python-builtin"
    assert plan.no_xla[6].name == "xla-strings"


def test_generator_calls_run_without_xla() -> None:
    plan = plan_of(
        """
    >>> g = tf.random.Generator.from_seed(1)
    >>> g.normal([2])
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([0.4, 1.1], dtype=float32)>
    """
    )
    assert plan.graph == {1} and plan.no_xla[1].name == "xla-random"


def test_keras_graph_examples_document_arrays() -> None:
    plan = plan_of(
        """
    >>> x = keras.ops.convert_to_tensor([1, 2])
    >>> keras.ops.add(x, x)
    array([2, 4], dtype=int32)
    >>> keras.ops.add(x, x).shape
    (2,)
    """,
        tensor_repr=rules.KERAS_TENSOR,
    )
    assert plan.graph == {1}


def test_every_rule_has_a_name_and_a_one_line_reason() -> None:
    tables = (rules.EXCLUSIONS, rules.GRAPH_EXCLUSIONS, rules.XLA_EXCLUSIONS)
    names = [r.name for table in tables for r in table]
    assert len(names) == len(set(names))
    assert all(r.reason and "\n" not in r.reason for table in tables for r in table)
