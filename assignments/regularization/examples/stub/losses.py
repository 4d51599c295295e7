"""Label smoothing and softmax cross entropy.

The interface:

    targets = smooth_labels(y, num_classes, smoothing=0.1)   # (N,) ints -> (N, K) probability rows
    loss, dlogits = softmax_cross_entropy(logits, targets)    # targets: (N,) ints or (N, K) rows

Conventions (the course notes differ; this file decides, like PyTorch's
``F.cross_entropy(..., label_smoothing=s)``):

- Label smoothing spreads the mass ``smoothing`` over ALL K classes, the true
  one included: ``(1 - s) * onehot + s / K`` (not ``s / (K - 1)`` over the
  other classes).
- The loss is the MEAN over the batch, so ``dlogits`` carries a factor ``1 / N``.
"""

from __future__ import annotations

import numpy as np


def smooth_labels(y, num_classes, smoothing=0.1):
    """Smoothed one-hot targets.

    Formula::

        targets[n, k] = (1 - smoothing) * [k == y[n]] + smoothing / K

    where:
        K = ``num_classes``; each row sums to 1.

    Args:
        y (ndarray): integer labels of shape (N,), each in [0, K).
        num_classes (int): K, > 0.
        smoothing (float, optional): the mass spread uniformly, in [0, 1] (default: 0.1).

    Returns:
        ndarray: float64 array of shape (N, K).

    Raises:
        ValueError: ``smoothing`` outside [0, 1], ``num_classes`` not positive,
            ``y`` not one-dimensional integers, or a label outside [0, K).

    Example:
        >>> smooth_labels(np.array([0, 2]), 3, smoothing=0.3)
        array([[0.8, 0.1, 0.1],
               [0.1, 0.1, 0.8]])
    """
    ###########################################################################
    # TODO: Implement `smooth_labels` as its docstring describes.
    ###########################################################################
    raise NotImplementedError('`smooth_labels` in losses.py is not implemented yet: fill in its TODO region.')
    ###########################################################################
    #                             END OF YOUR CODE
    ###########################################################################


def softmax_cross_entropy(logits, targets):
    """Mean softmax cross entropy and its gradient, computed stably.

    Formula::

        log_p[n, k] = logits[n, k] - max_j logits[n, j] - log(sum_j exp(logits[n, j] - max_j logits[n, j]))
        loss        = -(1 / N) * sum_n sum_k targets[n, k] * log_p[n, k]
        dlogits     = (softmax(logits) * sum_k targets[n, k] - targets) / N

    where:
        integer labels ``y`` (N,) stand for one-hot rows; subtracting the row
        maximum keeps ``exp`` from overflowing (logits of magnitude 1e4 are fine).
        For probability rows summing to 1, ``dlogits = (softmax - targets) / N``.

    Args:
        logits (ndarray): float array of shape (N, K).
        targets (ndarray): integer labels (N,) in [0, K), or probability rows (N, K).

    Returns:
        tuple: ``(loss, dlogits)``: ``loss`` a Python float; ``dlogits`` of
        shape (N, K).

    Raises:
        ValueError: ``logits`` not 2-D, ``targets`` of a mismatched shape, or a
            label outside [0, K).

    Example:
        >>> loss, dlogits = softmax_cross_entropy(np.zeros((2, 4)), np.array([0, 3]))
        >>> round(loss, 6), dlogits[0]
        (1.386294, array([-0.375,  0.125,  0.125,  0.125]))
    """
    ###########################################################################
    # TODO: Implement `softmax_cross_entropy` as its docstring describes.
    ###########################################################################
    raise NotImplementedError('`softmax_cross_entropy` in losses.py is not implemented yet: fill in its TODO region.')
    ###########################################################################
    #                             END OF YOUR CODE
    ###########################################################################
