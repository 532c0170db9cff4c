"""Rules, not lists: which documented examples are checked, and in which mode they run.

Exclusions (``EXCLUSIONS``) say what cannot be checked and why. Each rule is data: a
pattern over the example's source and/or its documented output, whether an excluded
example still runs (a random draw runs, so later examples have their names; a file write
does not), and whether the names it binds carry the exclusion to the examples that read
them ("depends on an unseeded random value"). A rule with ``scope="symbol"`` excludes the
whole docstring (an example that reconfigures the process would change every later one).

The graph rule (``graph_plan``) decides which examples also run inside a ``tf.function``
(and under XLA): an example that is one expression whose documented output is nothing but
tensor reprs. Such an example computes a value from tensors without Python side effects,
so in the ``function`` and ``xla`` modes it is traced and run as a graph on the target
device, and its output is checked against the same documentation; every other example
runs eagerly as written (the setup the graph examples need). ``GRAPH_RULE`` states this
for the report. ``XLA_EXCLUSIONS`` are the graph examples that run under ``tf.function``
instead of XLA, each with its reason.

Nothing here imports TensorFlow or Keras.
"""

from __future__ import annotations

import ast
import doctest
import re
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Rule:
    name: str  # short, shown as "excluded: <name>"
    reason: str  # one line for the report
    source: str | None = None  # regex searched in the example's source
    want: str | None = None  # regex searched in the documented output
    scope: str = "example"  # "example", or "symbol": the whole docstring is excluded
    execute: bool = True  # an excluded example still runs (its output is not checked)
    taints: bool = False  # examples that read the names it binds are excluded too
    # the rule does not apply once the docstring has seeded the random generators
    unless_seeded: bool = False
    # examples that only show metadata of an excluded value (x.shape, x.dtype, len(x)), or
    # whose documented output elides the values ("numpy=..."), are checked: a random
    # tensor's shape is not random
    metadata_checked: bool = False

    def matches(self, example: doctest.Example) -> bool:
        if self.source is not None and not re.search(self.source, example.source):
            return False
        return self.want is None or bool(re.search(self.want, example.want))


_RANDOM_TF = (
    r"tf\.random\.(?!set_seed|stateless_|Generator\.from_seed|experimental\.stateless|"
    r"create_rng_state|Algorithm)\w+\([^)]*\)"
)
_RANDOM_OTHER = (
    r"\.random_\w+\((?![^)]*seed)|"  # tf.image.random_flip_left_right(x) and the like
    r"np\.random\.(?!seed|default_rng\(\s*\d|RandomState\(\s*\d)\w+|"
    r"\brandom\.(?:random|randint|choice|shuffle|uniform|gauss)\(|"
    r"keras\.random\.\w+\((?![^)]*seed=)|from_non_deterministic_state|"
    r"tf\.nn\.(?:dropout|fractional_\w+_pool)\((?![^)]*seed=)"
)

EXCLUSIONS: tuple[Rule, ...] = (
    Rule(
        "process-configuration",
        "changes process-wide configuration (devices, placement, execution mode, numerics, "
        "logging) that every later check of the run depends on",
        source=r"tf\.config\.(?:experimental\.)?(?:set_|reset_)\w+\(|run_functions_eagerly\("
        r"|enable_\w+\(|disable_\w+\(|experimental_enable_numpy_behavior"
        r"|set_global_policy|keras\.config\.set_\w+\(|set_log_device_placement"
        r"|set_global_generator|\.setLevel\(|set_verbosity\(",
        scope="symbol",
        execute=False,
    ),
    Rule(
        "network",
        "starts servers or reaches the network (ports, clusters, data service, downloads)",
        source=r"Server\(|DispatchServer|WorkerServer|experimental\.service|cluster_resolver"
        r"|ClusterResolver|urlopen|requests\.|https?://|get_file\(|grpc://|TPUStrategy"
        r"|MultiWorker|ParameterServer|tf\.distribute\.experimental\.rpc",
        scope="symbol",
        execute=False,
    ),
    Rule(
        "file-system",
        "reads or writes files (paths, checkpoints, SavedModels, record files) outside "
        "the run's control",
        source=r"\bopen\(|gfile|tempfile|\bos\.|shutil|\.save\(|save_weights|load_weights"
        r"|saved_model\.(?:save|load)|tf\.io\.(?:write_file|read_file)|TFRecordWriter"
        r"|TFRecordDataset|TextLineDataset|FixedLengthRecordDataset|list_files|\.restore\("
        r"|CheckpointManager|latest_checkpoint|create_file_writer|np\.(?:save|load)\("
        r"|from_saved_model"
        r"|['\"]/tmp/|['\"][\w/.-]+\.(?:csv|txt|tfrecords?|json|png|jpe?g|pb|ckpt|h5|keras)['\"]",
        execute=False,
        taints=True,
    ),
    Rule(
        "pinned-device",
        "pins its own device (a device string or tf.device scope): the suite places every "
        "example on the target's device",
        source=r"""tf\.device\(|['"]/?(?:device:)?(?:GPU|TPU|gpu|tpu)(?::\d+)?['"]"""
        r"|MirroredStrategy|OneDeviceStrategy|CentralStorageStrategy",
        scope="symbol",
        execute=False,
    ),
    Rule(
        "timing",
        "measures time: what it shows depends on the machine's speed (and the work it "
        "times is sized for a benchmark)",
        source=r"\btime\.|timeit|datetime\.",
        scope="symbol",
        execute=False,
    ),
    Rule(
        "unseeded-random",
        "shows values drawn by an unseeded random generator",
        source=f"{_RANDOM_TF}|{_RANDOM_OTHER}",
        taints=True,
        unless_seeded=True,
        metadata_checked=True,
    ),
    Rule(
        "process-stderr",
        "shows what tf.print writes: it goes to the process's standard error (file "
        "descriptor 2), which no doctest runner reads",
        source=r"tf\.print\(",
        taints=True,
    ),
    Rule(
        "unspecified-repr",
        "prints an object whose repr is not specified (a memory address, a function, a class path)",
        want=r"<[\w.]+ object at 0x|<function |<bound method |<module |<class '"
        r"|<tensorflow\.python\.|<keras\.src\.|<(?:Concrete|Polymorphic)?Function ",
    ),
)

# The documented output of an example that runs as a graph: tensors and nothing else
# (TensorFlow shows tensor reprs; Keras docs show the NumPy arrays of any backend).
TF_TENSOR = re.compile(r"<tf\.Tensor:.*?numpy=.*?>", re.DOTALL)
KERAS_TENSOR = re.compile(r"\barray\(.*?\)", re.DOTALL)
_ONLY_STRUCTURE = re.compile(r"^[\s(),\[\]]*$")
_SEEDING = re.compile(r"set_seed\(|set_random_seed\(|np\.random\.seed\(")

GRAPH_RULE = (
    "an example runs in tf.function (function mode) and with jit_compile (xla mode) when it "
    "is one expression that computes (a call, an operator or an index, not just a name) and "
    "whose documented output is only tensor reprs; it is traced on the target device "
    "without AutoGraph (an expression has no statements to convert); every other example "
    "runs eagerly, as written"
)


@dataclass(frozen=True)
class ModeRule:
    """An example the graph rule admits that runs in a lesser mode, and why."""

    name: str
    reason: str
    pattern: str  # regex over the example's source and documented output together


# Marks an example that calls a method of a tf.random.Generator bound by an earlier example.
_GENERATOR_CALL = "<generator call>"
_GENERATOR = re.compile(r"Generator|get_global_generator")

# Graph examples that run eagerly in every mode.
GRAPH_EXCLUSIONS: tuple[ModeRule, ...] = (
    ModeRule(
        "graph-python-builtin",
        "calls a Python builtin or .numpy() on tensors: iterating or converting a symbolic "
        "tensor is eager-only without AutoGraph",
        r"(?<![\w.])(?:sum|len|list|tuple|iter|next|bool|int|float|sorted|max|min|any|all|zip"
        r"|enumerate|map|filter|print|repr|str|isinstance|type)\(|\.numpy\(",
    ),
    ModeRule(
        "graph-eager-tape",
        "reads the gradient of a tape recorded eagerly (tape.gradient, jacobian, jvp): the "
        "tape holds eager tensors, a graph would see only its own inputs",
        r"\.(?:gradient|jacobian|batch_jacobian|jvp)\(",
    ),
    ModeRule(
        "graph-stateful-random",
        "a stateful random op draws another stream inside a graph: the documented values "
        "are eager ones",
        r"tf\.random\.(?!stateless_)\w+\(|tf\.nn\.dropout\(|\.make_seeds\(|Generator"
        r"|\.random_\w+\(",
    ),
)

# Graph examples that run under tf.function instead of XLA in the xla mode.
XLA_EXCLUSIONS: tuple[ModeRule, ...] = (
    ModeRule(
        "xla-strings",
        "XLA has no string type: examples with string tensors run under tf.function",
        r"dtype=(?:tf\.)?string|tf\.strings\.|\bb['\"]",
    ),
    ModeRule(
        "xla-random",
        "XLA draws random numbers with its own generator; TensorFlow documents seeded "
        "values for its kernels only",
        rf"random|dropout|{_GENERATOR_CALL}",
    ),
)


def _mode_rule(
    example: doctest.Example, table: Sequence[ModeRule], generators: set[str] = frozenset()
) -> ModeRule | None:
    text = example.source + "\n" + example.want
    if generators & read_names(example.source):
        text += "\n" + _GENERATOR_CALL
    return next((rule for rule in table if re.search(rule.pattern, text)), None)


@dataclass
class Plan:
    """What happens to each example of one symbol (indexes into its examples)."""

    excluded: dict[int, Rule] = field(default_factory=dict)
    graph: set[int] = field(default_factory=set)  # run in tf.function/XLA in graph modes
    eager_only: dict[int, ModeRule] = field(default_factory=dict)  # graph-like, run eagerly
    no_xla: dict[int, ModeRule] = field(default_factory=dict)  # graph examples run without XLA

    def symbol_rule(self) -> Rule | None:
        """The rule that excludes the whole docstring, if one does."""
        return next((r for r in self.excluded.values() if r.scope == "symbol"), None)

    def excluded_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for rule in self.excluded.values():
            counts[rule.name] = counts.get(rule.name, 0) + 1
        return counts

    def all_excluded(self, total: int) -> bool:
        return total > 0 and len(self.excluded) == total


def plan(
    examples: Sequence[doctest.Example],
    rules: Sequence[Rule] = EXCLUSIONS,
    tensor_repr: re.Pattern[str] = TF_TENSOR,
) -> Plan:
    """Apply the exclusion rules and the graph rule to a docstring's examples, in order.

    ``tensor_repr`` is how the library's docs show a tensor (``TF_TENSOR``, ``KERAS_TENSOR``).
    """
    result = Plan()
    tainted: dict[str, Rule] = {}
    generators: set[str] = set()  # names bound to random generators
    seeded = False
    for index, example in enumerate(examples):
        seeded = seeded or bool(_SEEDING.search(example.source))
        if _GENERATOR.search(example.source):
            generators |= bound_names(example.source)
        # the rule an example falls under: its own source or output, else a value it reads
        rule = _first_rule(example, rules, seeded) or next(
            (tainted[n] for n in read_names(example.source) if n in tainted), None
        )
        if rule is not None and rule.taints:
            # what is computed from an excluded value is excluded with it
            tainted.update(dict.fromkeys(bound_names(example.source), rule))
        elif rule is None:
            for name in bound_names(example.source):  # a fresh value: clean again
                tainted.pop(name, None)
        if rule is not None and rule.scope == "symbol":
            result.excluded = dict.fromkeys(range(len(examples)), rule)
            result.graph.clear()
            return result
        if rule is not None and _excludes(rule, example):
            result.excluded[index] = rule
            continue
        if not graph_eligible(example, tensor_repr):
            continue
        eager_rule = _mode_rule(example, GRAPH_EXCLUSIONS)
        if eager_rule is not None:
            result.eager_only[index] = eager_rule
            continue
        result.graph.add(index)
        xla_rule = _mode_rule(example, XLA_EXCLUSIONS, generators)
        if xla_rule is not None:
            result.no_xla[index] = xla_rule
    return result


def _first_rule(example: doctest.Example, rules: Sequence[Rule], seeded: bool) -> Rule | None:
    for rule in rules:
        if rule.unless_seeded and seeded:
            continue
        if rule.matches(example):
            return rule
    return None


def _excludes(rule: Rule, example: doctest.Example) -> bool:
    """Whether the example is excluded under its rule. An example that must not run is; one
    that may run is excluded only when it documents something (else it runs, unchecked in
    effect, so that later examples have its names), and under a ``metadata_checked`` rule
    only when it documents values."""
    if not rule.execute:
        return True
    if not example.want.strip():
        return False
    return not rule.metadata_checked or shows_values(example)


_NOTES = re.compile(r"shape=\([^)]*\)|dtype=[\w.]+|<tf\.Tensor:|numpy=")


def shows_values(example: doctest.Example) -> bool:
    """Whether an example documents values: not only metadata (``x.shape``, ``len(x)``), and
    an output with numbers or booleans once shapes and dtypes are set aside."""
    if shows_metadata(example.source):
        return False
    return bool(re.search(r"\d|True|False", _NOTES.sub("", example.want)))


_METADATA_ATTRIBUTES = frozenset({"shape", "dtype", "ndim", "rank"})
_METADATA_CALLS = frozenset({"len", "shape", "rank", "ndim", "size", "as_list"})


def shows_metadata(source: str) -> bool:
    """``x.shape``, ``print(y.dtype)``, ``len(x)``, ``tf.shape(x)``: metadata, not values."""
    try:
        node = ast.parse(source, mode="eval").body
    except SyntaxError:
        return False
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print":
        if len(node.args) != 1:
            return False
        node = node.args[0]
    if isinstance(node, ast.Attribute):
        return node.attr in _METADATA_ATTRIBUTES
    if isinstance(node, ast.Call):
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        return name in _METADATA_CALLS
    return False


def _tree(source: str) -> ast.AST | None:
    try:
        return ast.parse(source)
    except SyntaxError:
        return None


def bound_names(source: str) -> set[str]:
    """Names an example assigns (targets, with, for, def, class, import)."""
    tree = _tree(source)
    if tree is None:
        return set()
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
    return names


def read_names(source: str) -> set[str]:
    tree = _tree(source)
    if tree is None:
        return set()
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def graph_eligible(example: doctest.Example, tensor_repr: re.Pattern[str] = TF_TENSOR) -> bool:
    """One expression whose documented output is only tensor reprs (see ``GRAPH_RULE``)."""
    if example.exc_msg is not None or not tensor_repr.search(example.want):
        return False
    if not _ONLY_STRUCTURE.match(tensor_repr.sub("", example.want)):
        return False
    try:
        tree = ast.parse(example.source, mode="eval")
    except SyntaxError:
        return False
    nodes = list(ast.walk(tree))
    if any(isinstance(n, (ast.Yield, ast.YieldFrom, ast.Await, ast.NamedExpr)) for n in nodes):
        return False
    # A name or an attribute only shows a value computed before: there is nothing to trace.
    return any(isinstance(n, _COMPUTES) for n in nodes)


_COMPUTES = (ast.Call, ast.BinOp, ast.UnaryOp, ast.Compare, ast.Subscript, ast.BoolOp)


def is_expression(source: str) -> bool:
    try:
        ast.parse(source, mode="eval")
    except SyntaxError:
        return False
    return True
