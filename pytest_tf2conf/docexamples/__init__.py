"""The documented examples (``>>>``) of TensorFlow's and Keras's public API as claims.

- ``harvest``: walk the public API, one ``Symbol`` per documented docstring (cached);
- ``rules``: what cannot be checked (exclusions, each a rule with a reason) and which
  examples run as graphs;
- ``checker``: the output checker (numbers with the dtype's tolerance, reprs reduced);
- ``runner``: one symbol's examples through ``doctest.DocTestRunner`` on a target;
- ``tf_executor`` / ``keras_executor``: how each library's examples run on its targets;
- ``params``: the claims, pytest parameters and verdicts of the suites in suites/docs.

Only ``tf_executor`` imports TensorFlow and only ``keras_executor`` imports Keras.
"""
