"""tf.nn rearrangements (depth/space/batch), bias_add, embedding lookup, dropout, isotonic
regression and the CTC functions, against NumPy oracles in float64 (the activations,
losses and moments are in ``nn.py``, convolutions and poolings in ``nn_conv.py``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .nn import ALL, F32_64, REAL, _log_softmax, _tf, nn, record, summed
from .nn_samplers import Layout, Layouts, Pick, distinct, shape
from .record import COMPLEX, FLOATS, INTS, SIGNED, Grad, OpRecord

# -- rearrangements, lookups, dropout ------------------------------------------------------


def _depth_to_space(x: np.ndarray, block_size: int) -> np.ndarray:
    b, h, w, c = x.shape
    c2 = c // (block_size * block_size)
    y = x.reshape(b, h, w, block_size, block_size, c2).transpose(0, 1, 3, 2, 4, 5)
    return y.reshape(b, h * block_size, w * block_size, c2)


def _space_to_depth(x: np.ndarray, block_size: int) -> np.ndarray:
    b, h, w, c = x.shape
    bs = block_size
    y = x.reshape(b, h // bs, bs, w // bs, bs, c).transpose(0, 1, 3, 2, 4, 5)
    return y.reshape(b, h // bs, w // bs, bs * bs * c)


def _space_to_batch(x: np.ndarray, block_shape: tuple[int, ...], paddings: Any) -> np.ndarray:
    # The documented steps: zero-pad, split each spatial dimension into (dim / block, block),
    # move the block dimensions in front of the batch, merge them into it.
    m = len(block_shape)
    padded = np.pad(x, [(0, 0), *map(tuple, paddings)] + [(0, 0)] * (x.ndim - 1 - m))
    batch, rest = padded.shape[0], padded.shape[1 + m :]
    split = [batch]
    for d, bsz in enumerate(block_shape):
        split += [padded.shape[1 + d] // bsz, bsz]
    y = padded.reshape(*split, *rest)
    order = [2 + 2 * d for d in range(m)] + [0] + [1 + 2 * d for d in range(m)]
    order += list(range(1 + 2 * m, y.ndim))
    blocks = [padded.shape[1 + d] // b for d, b in enumerate(block_shape)]
    return y.transpose(order).reshape(batch * int(np.prod(block_shape)), *blocks, *rest)


def _bias_add(value: np.ndarray, bias: np.ndarray) -> np.ndarray:
    return value + bias


def embedding_lookup(params: Any, ids: Any) -> Any:
    """tf.nn.embedding_lookup. Its gradient for ``params`` is an IndexedSlices: the ``+ 0``
    makes the tape hand back the dense gradient the checks compare (the values are the same)."""
    return _tf().nn.embedding_lookup(params + 0, ids)


def dropout(x: Any, rate: float) -> Any:
    """tf.nn.dropout with a fixed seed, in the one form its documentation determines: each
    element is either dropped (0) or x / (1 - rate); dropped elements are replaced by
    x / (1 - rate), so the result must equal x / (1 - rate) everywhere (rate 0: x itself)."""
    tf = _tf()
    y = tf.nn.dropout(x, rate=rate, seed=7)
    return tf.where(tf.equal(y, 0), x * (1.0 / (1.0 - rate)), y) if rate else y


def _misc() -> tuple[OpRecord, ...]:
    def d2s_layout(pick: Pick, small: bool) -> Layout:
        bs = pick.int(2, 3)
        dims = (pick.int(0, 2), pick.int(1, 2), pick.int(1, 2), bs * bs * pick.int(1, 2))
        return (dims,), (("block_size", bs),)

    def d2s_reference(pick: Pick, length: int) -> Layout:
        return ((length, 1, 2, 4),), (("block_size", 2),)

    def s2d_layout(pick: Pick, small: bool) -> Layout:
        bs = pick.int(2, 3)
        dims = (pick.int(0, 2), bs * pick.int(1, 2), bs * pick.int(1, 2), pick.int(1, 2))
        return (dims,), (("block_size", bs),)

    def s2d_reference(pick: Pick, length: int) -> Layout:
        return ((length, 2, 2, 1),), (("block_size", 2),)

    def s2b_layout(pick: Pick, small: bool) -> Layout:
        m = pick.int(1, 2)
        block, pads, spatial = [], [], []
        for _ in range(m):  # padded sizes are multiples of the block
            b = pick.int(1, 3)
            padded = b * pick.int(0, 2)
            before = pick.int(0, min(2, padded))
            after = pick.int(0, min(2, padded - before))
            block.append(b)
            pads.append([before, after])
            spatial.append(padded - before - after)
        dims = (pick.int(1, 2), *spatial, *([pick.int(1, 2)] if pick.choice((0, 1)) else []))
        return (dims,), (("block_shape", tuple(block)), ("paddings", tuple(map(tuple, pads))))

    def s2b_reference(pick: Pick, length: int) -> Layout:
        return ((1, 2 * length, 1),), (("block_shape", (2,)), ("paddings", ((1, 1),)))

    def bias_layout(pick: Pick, small: bool) -> Layout:
        dims = shape(pick, 2, 3 if small else 4, 3)
        return (dims, dims[-1:]), ()

    def bias_reference(pick: Pick, length: int) -> Layout:
        return ((length, 3), (3,)), ()

    def lookup_layout(pick: Pick, small: bool) -> Layout:
        rows = pick.int(1, 4)
        params = (rows, *shape(pick, 0, 1 if small else 2, 3, min_side=1 if small else 0))
        # gradients: at least one id (with none, the tape gives no gradient at all)
        # (and of rank >= 1: a scalar id into a vector gives a gradient of shape (); reported)
        ids_shape = shape(pick, 1 if small else 0, 2, 3, min_side=1 if small else 0)
        ids = pick.ints(0, rows - 1, ids_shape, pick.choice(("int32", "int64")))
        return (params, ids), ()

    def lookup_reference(pick: Pick, length: int) -> Layout:
        return ((length, 2), pick.ints(0, length - 1, (length,))), ()

    def dropout_layout(pick: Pick, small: bool) -> Layout:
        dims = shape(pick, 0, 2 if small else 3, 3 if small else 4)
        return (dims,), (("rate", pick.choice((0.0, 0.5, 0.25))),)

    def dropout_reference(pick: Pick, length: int) -> Layout:
        return ((length,),), (("rate", 0.5),)

    return (
        record("tf.nn.bias_add", nn("bias_add"), _bias_add,
               Layouts(bias_layout, bias_reference, bound=100.0), FLOATS + COMPLEX + INTS,
               grad=Grad(args=(0, 1)), reference="of value + bias (bias on the last axis)"),
        record("tf.nn.depth_to_space", nn("depth_to_space"), _depth_to_space,
               Layouts(d2s_layout, d2s_reference), ALL, grad=Grad(),
               reference="(NHWC: depth blocks moved to spatial blocks)"),
        record("tf.nn.space_to_depth", nn("space_to_depth"), _space_to_depth,
               Layouts(s2d_layout, s2d_reference), ALL, grad=Grad(),
               reference="(NHWC: spatial blocks moved to depth)"),
        record("tf.nn.space_to_batch", nn("space_to_batch"), _space_to_batch,
               Layouts(s2b_layout, s2b_reference), REAL, dtypes_by_target={"CPU-xla": ALL},
               grad=Grad(), static_shapes=True,  # see batch_to_space in array_indexing.py
               reference="(zero-padded spatial blocks moved into the batch)"),
        record("tf.nn.embedding_lookup", embedding_lookup, lambda p, ids: p[ids.astype(np.int64)],
               Layouts(lookup_layout, lookup_reference), FLOATS + COMPLEX + INTS,
               # gradient claim pending: the tape's gradient has shape () at times (reported)
               grad=None, reference="(params[ids])"),
        record("tf.nn.dropout", dropout, lambda x, rate: x / (1.0 - rate),
               Layouts(dropout_layout, dropout_reference, bound=100.0), FLOATS, grad=Grad(),
               reference="(each element 0 or x / (1 - rate); rate 0: x)"),
    )  # fmt: skip


# -- sequences: isotonic regression, CTC ---------------------------------------------------


def _pava(row: np.ndarray, decreasing: bool) -> np.ndarray:
    """Pool-adjacent-violators: the least-squares non-increasing (or non-decreasing) fit."""
    sign = 1.0 if decreasing else -1.0
    blocks: list[list[float]] = []  # [sum, count] of each pool
    for v in sign * row:
        blocks.append([v, 1.0])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] < blocks[-1][0] / blocks[-1][1]:
            total, count = blocks.pop()
            blocks[-1][0] += total
            blocks[-1][1] += count
    return sign * np.concatenate([np.full(int(c), t / c) for t, c in blocks] or [np.zeros(0)])


def _isotonic(x: np.ndarray, decreasing: bool = True, axis: int = -1) -> np.ndarray:
    moved = np.moveaxis(x, axis, -1)
    flat = moved.reshape(-1, moved.shape[-1]) if moved.size else moved.reshape(0, 0)
    out = np.stack([_pava(r, decreasing) for r in flat]) if flat.shape[0] else flat
    return np.moveaxis(out.reshape(moved.shape), -1, axis)


def isotonic_regression(x: Any, decreasing: bool = True, axis: int = -1) -> Any:
    """tf.nn.isotonic_regression's fitted values (its second result, the segment ids,
    follows from them)."""
    return _tf().nn.isotonic_regression(x, decreasing=decreasing, axis=axis)[0]


def _generic(a: np.ndarray) -> np.ndarray:
    """Distinct values with irrational offsets: no two pools of PAVA have the same mean, so
    the fit is smooth at the sample (ties make its derivative one-sided)."""
    flat = np.asarray(a, dtype=np.float64).reshape(-1)
    ranks = np.empty(flat.size)
    ranks[np.argsort(flat, kind="stable")] = np.arange(flat.size)
    offsets = np.sqrt(np.arange(flat.size) + 2.0) % 1.0 * 0.37
    return (ranks - flat.size / 2 + offsets).reshape(np.shape(a))


def _collapse(labels: np.ndarray, seq_length: np.ndarray) -> np.ndarray:
    """Runs of equal labels within seq_length merged, zero-padded; the new lengths are the
    last column (the wrapper's layout)."""
    rows, lengths = [], []
    for row, n in zip(labels, seq_length, strict=True):
        kept = [v for i, v in enumerate(row[:n]) if i == 0 or v != row[i - 1]]
        rows.append(kept)
        lengths.append(len(kept))
    width = max(lengths, default=0)  # the longest collapsed row, not the labels' width
    out = np.zeros((labels.shape[0], width + 1), dtype=labels.dtype)
    for i, kept in enumerate(rows):
        out[i, : len(kept)] = kept
        out[i, -1] = lengths[i]
    return out


def collapse_repeated(labels: Any, seq_length: Any) -> Any:
    """tf.nn.collapse_repeated: the collapsed labels with the new lengths as a last column."""
    tf = _tf()
    collapsed, lengths = tf.nn.collapse_repeated(labels, seq_length)
    return tf.concat([collapsed, tf.cast(lengths, collapsed.dtype)[:, None]], axis=1)


def _greedy(inputs: np.ndarray, sequence_length: np.ndarray, merge_repeated: bool = True):
    """Best path per batch entry (argmax per step; the blank is the last class), repeats
    merged, blanks removed; the decoded labels, -1-padded, after -sum(max logits)."""
    blank = inputs.shape[2] - 1
    rows, scores = [], []
    for b, n in enumerate(sequence_length):
        best = inputs[:n, b, :].argmax(-1) if n else np.zeros(0, int)
        scores.append(-inputs[:n, b, :].max(-1).sum() if n else 0.0)
        out, prev = [], -1
        for k in best:
            if k != blank and not (merge_repeated and k == prev):
                out.append(k)
            prev = k
        rows.append(out)
    width = max((len(r) for r in rows), default=0)
    dense = np.full((len(rows), width + 1), -1.0)
    for b, r in enumerate(rows):
        dense[b, 0] = scores[b]
        dense[b, 1 : 1 + len(r)] = r
    return dense


def ctc_greedy_decoder(inputs: Any, sequence_length: Any, merge_repeated: bool = True) -> Any:
    """tf.nn.ctc_greedy_decoder: [neg_sum_logits, decoded labels padded with -1] per batch
    entry, the labels in the inputs' dtype (they are small integers)."""
    tf = _tf()
    (decoded,), neg_sum = tf.nn.ctc_greedy_decoder(inputs, sequence_length, merge_repeated)
    dense = tf.sparse.to_dense(decoded, default_value=-1)
    return tf.concat([neg_sum, tf.cast(dense, inputs.dtype)], axis=1)


def _ctc_loss(logits, labels, label_length, logit_length, blank_index=0):
    """Negative log-likelihood of each label sequence by the CTC forward algorithm (log space)."""
    losses = []
    for b in range(logits.shape[1]):
        logp = _log_softmax(logits[: logit_length[b], b, :])
        ext = [blank_index]
        for label in labels[b, : label_length[b]]:
            ext += [int(label), blank_index]
        alpha = np.full(len(ext), -np.inf)
        alpha[0] = logp[0, ext[0]] if len(logp) else -np.inf
        if len(ext) > 1 and len(logp):
            alpha[1] = logp[0, ext[1]]
        for t in range(1, len(logp)):
            prev = alpha.copy()
            for s in range(len(ext)):
                terms = [prev[s]] + ([prev[s - 1]] if s >= 1 else [])
                if s >= 2 and ext[s] != blank_index and ext[s] != ext[s - 2]:
                    terms.append(prev[s - 2])
                alpha[s] = np.logaddexp.reduce(terms) + logp[t, ext[s]]
        losses.append(-np.logaddexp.reduce(alpha[-2:]))
    return np.array(losses)


def ctc_loss(logits: Any, labels: Any, label_length: Any, logit_length: Any) -> Any:
    """tf.nn.ctc_loss on dense labels, time-major logits, blank index 0 (the defaults);
    the logits come first so that the gradient check's argument 0 is them."""
    return _tf().nn.ctc_loss(labels, logits, label_length, logit_length)


def _sequences() -> tuple[OpRecord, ...]:
    def iso_layout(pick: Pick, small: bool) -> Layout:
        # gradients: not empty (the gradient of an empty fit fails in tf.split) and of rank
        # 2 (of a vector, the gradient comes back as a matrix [1, n]; reported)
        dims = shape(pick, 2 if small else 1, 2, 3 if small else 5, min_side=1 if small else 0)
        return (dims,), (("decreasing", pick.choice((True, False))),
                         ("axis", pick.int(-len(dims), len(dims) - 1)))  # fmt: skip

    def iso_reference(pick: Pick, length: int) -> Layout:
        return ((1, length),), (("decreasing", True), ("axis", -1))

    def collapse_layout(pick: Pick, small: bool) -> Layout:
        batch, width = pick.int(1, 3), pick.int(1, 5)
        lengths = pick.ints(0, width, (batch,))
        lengths[pick.int(0, batch - 1)] = width  # the labels' width is the longest length
        return ((batch, width), lengths), ()

    def collapse_reference(pick: Pick, length: int) -> Layout:
        lengths = pick.ints(0, 4, (length,))
        lengths[0] = 4
        return ((length, 4), lengths), ()

    def greedy_layout(pick: Pick, small: bool) -> Layout:
        time, batch, classes = pick.int(1, 4), pick.int(1, 3), pick.int(1, 4)  # inputs not empty
        lengths = pick.ints(0, time, (batch,))
        return ((time, batch, classes), lengths), (("merge_repeated", pick.choice((True, False))),)

    def greedy_reference(pick: Pick, length: int) -> Layout:
        return ((length, 2, 3), np.array([length, length // 2], np.int32)), (
            ("merge_repeated", True),
        )

    def ctc_layout(pick: Pick, small: bool) -> Layout:
        time, batch, classes = pick.int(1, 4), pick.int(1, 2), pick.int(2, 4)
        logit_length = pick.ints(1, time, (batch,))
        # Labels at least one wide: zero-width dense labels give a loss of 0 (reported).
        max_label = pick.int(1, 2)
        # Feasible: a label sequence with r repeats needs len + r <= frames (blanks between).
        label_length = np.array([pick.int(0, min(max_label, (n + 1) // 2)) for n in logit_length],
                                np.int32)  # fmt: skip
        labels = pick.ints(1, classes - 1, (batch, max_label))
        return ((time, batch, classes), labels, label_length, logit_length), ()

    def ctc_reference(pick: Pick, length: int) -> Layout:
        # length classes: the forward algorithm is sequential in time, which stays short
        labels = pick.ints(1, max(1, length - 1), (2, 3))
        lengths = np.array([3, 2], np.int32)
        return ((8, 2, length + 1), labels, lengths, np.array([8, 6], np.int32)), ()

    return (
        record("tf.nn.isotonic_regression", isotonic_regression, _isotonic,
               Layouts(iso_layout, iso_reference, bound=10.0), FLOATS + SIGNED,
               result={"int8": "float32", "int16": "float32", "int32": "float64",
                       "int64": "float64"}, dtypes_by_target={"CPU-xla": ()},
               # gradient claim pending: fails under tf.function (reported)
               grad=None, tolerance=summed(10.0, 8),
               # a pool's mean of -0.0 and 0.0: the sign of a zero fit is not documented
               signed_zeros=False, reference="(pool-adjacent-violators fit along axis)"),
        record("tf.nn.collapse_repeated", collapse_repeated, _collapse,
               Layouts(collapse_layout, collapse_reference, bound=2.0, int_bound=2), ALL,
               signed_zeros=False,  # labels: the sign of a zero label is not documented
               reference="(runs merged within seq_length, zero-padded)"),
        # Inputs are made distinct: the documented argmax has no ties to break.
        record("tf.nn.ctc_greedy_decoder", ctc_greedy_decoder, _greedy,
               Layouts(greedy_layout, greedy_reference, bound=10.0, domains=(distinct(0.5),)),
               F32_64, dtypes_by_target={"CPU-xla": ()}, tolerance=summed(64.0 * 10, 64),
               signed_zeros=False,  # the sign of a zero negative sum is not documented
               reference="(best path: argmax per step, repeats merged, blanks removed)"),
        record("tf.nn.ctc_loss", ctc_loss, _ctc_loss,
               Layouts(ctc_layout, ctc_reference, bound=4.0), ("float16", "bfloat16", "float32"),
               grad=Grad(),
               tolerance=summed(64.0 * 10, 64), reference="(CTC forward algorithm, blank 0)"),
    )  # fmt: skip


RECORDS: tuple[OpRecord, ...] = (*_misc(), *_sequences())
