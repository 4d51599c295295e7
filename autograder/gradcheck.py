"""Numerical gradient checking by central differences.

This file is shipped to students as ``gradient_check.py`` and imports nothing
but NumPy, so it must stay self-contained.

Typical use, checking a layer's backward pass against its forward pass::

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal((3, 4))
    >>> dout = rng.standard_normal((3, 4))
    >>> f = lambda x: np.tanh(x)
    >>> dx_num = numerical_gradient_array(f, x, dout)
    >>> dx = dout * (1 - np.tanh(x) ** 2)
    >>> rel_error(dx, dx_num) < 1e-7
    True

Work in float64: with float32 the differences lose most of their digits.
"""

from __future__ import annotations

from typing import Callable

import numpy as np


def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Gradient of a scalar function ``f`` at ``x`` by central differences.

    ``grad[i] = (f(x + h e_i) - f(x - h e_i)) / (2 h)`` for every entry ``i``.

    Args:
        f: a function of one array returning a number.
        x: the point, any shape; it is changed during the call and restored.
        h: the step (default: 1e-5).

    Returns:
        An array of ``x``'s shape.
    """
    x = np.asarray(x)
    grad = np.zeros(x.shape, dtype=np.float64)
    it = np.nditer(x, flags=["multi_index"], op_flags=[["readwrite"]])
    while not it.finished:
        i = it.multi_index
        old = x[i]
        x[i] = old + h
        plus = float(f(x))
        x[i] = old - h
        minus = float(f(x))
        x[i] = old
        grad[i] = (plus - minus) / (2 * h)
        it.iternext()
    return grad


def numerical_gradient_array(
    f: Callable[[np.ndarray], np.ndarray], x: np.ndarray, dout: np.ndarray, h: float = 1e-5
) -> np.ndarray:
    """Gradient of ``sum(f(x) * dout)`` at ``x``: what a backward pass returns for ``dout``.

    Args:
        f: a function of one array returning an array (a layer's forward pass).
        x: the input, any shape; it is changed during the call and restored.
        dout: the upstream gradient, of ``f(x)``'s shape.
        h: the step (default: 1e-5).

    Returns:
        An array of ``x``'s shape.
    """
    dout = np.asarray(dout, dtype=np.float64)
    return numerical_gradient(lambda z: np.sum(np.asarray(f(z), dtype=np.float64) * dout), x, h)


def rel_error(a: np.ndarray, b: np.ndarray) -> float:
    """The largest relative error ``max(|a - b| / max(1e-8, |a| + |b|))``."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b)), initial=0.0))
