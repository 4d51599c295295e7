"""Inverted dropout: functions for the forward and backward pass, and a layer class.

The interface:

    out, mask = dropout_forward(x, p, training=True, rng=rng)   # training
    dx = dropout_backward(dout, mask, p)
    out, mask = dropout_forward(x, p, training=False)           # evaluation: out == x, mask is None

Conventions (the course notes differ; this file decides, like ``torch.nn.Dropout``):

- ``p`` is the probability of DROPPING a unit (not ``keep_prob``), ``0 <= p < 1``.
- Dropout is *inverted*: kept units are scaled by ``1 / (1 - p)`` during
  training, so nothing is scaled at evaluation time and the expected output
  equals the input.
- Randomness comes only from ``rng`` (a ``numpy.random.Generator``);
  ``rng=None`` means ``numpy.random.default_rng()``. Generators seeded alike
  give identical masks.
"""

from __future__ import annotations

import numpy as np


def dropout_forward(x, p, training=True, rng=None):
    """Forward pass of inverted dropout.

    Formula (training)::

        mask = (u >= p)          one independent draw u ~ U[0, 1) per unit
        out  = x * mask / (1 - p)

    where:
        ``mask`` is True where the unit is kept (probability ``1 - p``).
    In evaluation (``training=False``): ``out = x`` (a copy) and ``mask = None``.

    Args:
        x (ndarray): input, any shape, float.
        p (float): probability of dropping each unit, in [0, 1).
        training (bool, optional): training or evaluation mode (default: True).
        rng (numpy.random.Generator, optional): the source of randomness
            (default: None, meaning ``numpy.random.default_rng()``).

    Returns:
        tuple: ``(out, mask)``: ``out`` of ``x``'s shape; ``mask`` a boolean
        array of ``x``'s shape, or None in evaluation mode.

    Raises:
        ValueError: ``p`` outside [0, 1).

    Example:
        >>> x = np.ones((2, 3))
        >>> out, mask = dropout_forward(x, 0.5, rng=np.random.default_rng(0))
        >>> mask.dtype, out.shape, sorted(set(out.ravel().tolist()) - {0.0})
        (dtype('bool'), (2, 3), [2.0])
        >>> dropout_forward(x, 0.5, training=False)[1] is None
        True
    """
    if not 0 <= p < 1:
        raise ValueError(f"p (the probability of dropping a unit) must be in [0, 1), got {p}")
    x = np.asarray(x)
    if not training:
        return x.copy(), None
    rng = np.random.default_rng() if rng is None else rng
    mask = rng.random(x.shape) >= p
    return x * mask / (1 - p), mask


def dropout_backward(dout, mask, p):
    """Backward pass of inverted dropout.

    Formula::

        dx = dout * mask / (1 - p)

    where:
        ``mask`` is the mask of the forward pass. With ``mask=None``
        (evaluation mode) the layer is the identity and ``dx`` is a copy of ``dout``.

    Args:
        dout (ndarray): upstream gradient, of the forward output's shape.
        mask (ndarray or None): the boolean mask returned by ``dropout_forward``.
        p (float): the drop probability used in the forward pass, in [0, 1).

    Returns:
        ndarray: ``dx``, of ``dout``'s shape.

    Raises:
        ValueError: ``p`` outside [0, 1), or ``mask`` of another shape than ``dout``.

    Example:
        >>> dropout_backward(np.ones(3), np.array([True, False, True]), 0.5)
        array([2., 0., 2.])
    """
    if not 0 <= p < 1:
        raise ValueError(f"p (the probability of dropping a unit) must be in [0, 1), got {p}")
    dout = np.asarray(dout)
    if mask is None:
        return dout.copy()
    mask = np.asarray(mask)
    if mask.shape != dout.shape:
        raise ValueError(f"mask has shape {mask.shape} but dout has shape {dout.shape}")
    return dout * mask / (1 - p)


class Dropout:
    """An inverted-dropout layer that remembers its mask, like ``torch.nn.Dropout``.

    ``forward`` calls ``dropout_forward`` in the current mode and stores the
    mask; ``backward`` calls ``dropout_backward`` with the mask of the LAST
    ``forward``.

    Args:
        p (float, optional): probability of dropping a unit, in [0, 1) (default: 0.5).
        rng (numpy.random.Generator, optional): the layer's source of
            randomness, used by every ``forward`` (default: None, meaning
            ``numpy.random.default_rng()``).

    Attributes:
        p (float): the drop probability.
        training (bool): True after construction; set by ``train()`` and ``eval()``.
        mask (ndarray or None): the mask of the last ``forward`` (None before
            any, and after a forward in evaluation mode).

    Raises:
        ValueError: ``p`` outside [0, 1).

    Example:
        >>> layer = Dropout(p=0.25, rng=np.random.default_rng(0))
        >>> out = layer.forward(np.ones((2, 2)))
        >>> layer.mask.shape, layer.training
        ((2, 2), True)
        >>> layer.eval(); layer.forward(np.ones(2))
        array([1., 1.])
    """

    def __init__(self, p=0.5, rng=None):
        """Store ``p`` and the generator; start in training mode with no mask."""
        if not 0 <= p < 1:
            raise ValueError(f"p (the probability of dropping a unit) must be in [0, 1), got {p}")
        self.p = p
        self.rng = np.random.default_rng() if rng is None else rng
        self.training = True
        self.mask = None

    def forward(self, x):
        """Dropout of ``x`` in the current mode; stores the mask and returns ``out``."""
        out, self.mask = dropout_forward(x, self.p, training=self.training, rng=self.rng)
        return out

    def backward(self, dout):
        """Gradient with respect to the input of the last ``forward``."""
        return dropout_backward(dout, self.mask, self.p)

    def train(self):
        """Switch to training mode (units are dropped)."""
        self.training = True

    def eval(self):
        """Switch to evaluation mode (the identity)."""
        self.training = False
