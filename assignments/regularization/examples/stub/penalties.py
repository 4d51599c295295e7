"""Weight penalties (L1, L2, elastic net) and their gradients, in NumPy.

Every penalty has the same interface:

    loss = data_loss + l2_penalty(weights, lam)      # weights: one array or a list of arrays
    dW   = dW_data + l2_gradient(W, lam)             # W: one array; the gradient has W's shape

- A penalty takes one array or a list (or tuple) of arrays, sums over all of
  their entries, and returns a Python ``float``.
- A gradient takes one array and returns a new float array of its shape.
- ``lam >= 0`` is the regularization strength; ``0 <= l1_ratio <= 1`` mixes L1
  and L2 in the elastic net. Anything else raises ``ValueError`` naming the
  argument.

Conventions (the course notes differ; this file decides):

- The L2 penalty carries a factor 0.5, ``0.5 * lam * sum(w**2)``, so that its
  gradient is ``lam * W`` (the ``weight_decay`` of ``torch.optim.SGD``), not
  ``2 * lam * W``.
- The elastic net follows scikit-learn: ``lam * (l1_ratio * L1 + 0.5 * (1 -
  l1_ratio) * L2sq)``.
- At ``W == 0`` the L1 term is not differentiable; its gradient there is the
  subgradient 0 (``np.sign(0) == 0``), as in PyTorch's ``abs`` backward.
"""

from __future__ import annotations

import numpy as np


def l1_penalty(weights, lam):
    """L1 penalty: ``lam`` times the sum of absolute values of all weights.

    Formula::

        penalty = lam * sum_i |w_i|

    where:
        the sum runs over every entry of every array in ``weights``.

    Args:
        weights (ndarray or list of ndarray): the weights, any shapes.
        lam (float): regularization strength, >= 0.

    Returns:
        float: the penalty, a Python float.

    Raises:
        ValueError: ``lam < 0``.

    Example:
        >>> l1_penalty(np.array([[1.0, -2.0], [0.0, 3.0]]), 0.1)
        0.6000000000000001
        >>> l1_penalty([np.array([1.0, -1.0]), np.array([2.0])], 0.5)
        2.0
    """
    ###########################################################################
    # TODO: Implement `l1_penalty` as its docstring describes.
    ###########################################################################
    raise NotImplementedError('`l1_penalty` in penalties.py is not implemented yet: fill in its TODO region.')
    ###########################################################################
    #                             END OF YOUR CODE
    ###########################################################################


def l1_gradient(W, lam):
    """Gradient of the L1 penalty with respect to one weight array.

    Formula::

        dW = lam * sign(W)

    where:
        sign(w) is 1 for w > 0, -1 for w < 0 and exactly 0 for w == 0 (the
        subgradient we choose at the kink).

    Args:
        W (ndarray): the weights, any shape.
        lam (float): regularization strength, >= 0.

    Returns:
        ndarray: the gradient, of ``W``'s shape, a new float array.

    Raises:
        ValueError: ``lam < 0``.

    Example:
        >>> l1_gradient(np.array([2.0, 0.0, -0.5]), 0.1)
        array([ 0.1,  0. , -0.1])
    """
    ###########################################################################
    # TODO: Implement `l1_gradient` as its docstring describes.
    ###########################################################################
    raise NotImplementedError('`l1_gradient` in penalties.py is not implemented yet: fill in its TODO region.')
    ###########################################################################
    #                             END OF YOUR CODE
    ###########################################################################


def l2_penalty(weights, lam):
    """L2 penalty (weight decay): half of ``lam`` times the sum of squared weights.

    Formula::

        penalty = 0.5 * lam * sum_i w_i**2

    where:
        the sum runs over every entry of every array in ``weights``; the 0.5
        makes the gradient ``lam * W``.

    Args:
        weights (ndarray or list of ndarray): the weights, any shapes.
        lam (float): regularization strength, >= 0.

    Returns:
        float: the penalty, a Python float.

    Raises:
        ValueError: ``lam < 0``.

    Example:
        >>> l2_penalty(np.array([[1.0, -2.0], [0.0, 3.0]]), 0.1)
        0.7000000000000001
    """
    ###########################################################################
    # TODO: Implement `l2_penalty` as its docstring describes.
    ###########################################################################
    raise NotImplementedError('`l2_penalty` in penalties.py is not implemented yet: fill in its TODO region.')
    ###########################################################################
    #                             END OF YOUR CODE
    ###########################################################################


def l2_gradient(W, lam):
    """Gradient of the L2 penalty with respect to one weight array.

    Formula::

        dW = lam * W

    Args:
        W (ndarray): the weights, any shape.
        lam (float): regularization strength, >= 0.

    Returns:
        ndarray: the gradient, of ``W``'s shape, a new float array.

    Raises:
        ValueError: ``lam < 0``.

    Example:
        >>> l2_gradient(np.array([2.0, 0.0, -0.5]), 0.1)
        array([ 0.2 ,  0.  , -0.05])
    """
    ###########################################################################
    # TODO: Implement `l2_gradient` as its docstring describes.
    ###########################################################################
    raise NotImplementedError('`l2_gradient` in penalties.py is not implemented yet: fill in its TODO region.')
    ###########################################################################
    #                             END OF YOUR CODE
    ###########################################################################


def elastic_net_penalty(weights, lam, l1_ratio=0.5):
    """Elastic-net penalty: a mix of the L1 penalty and the (halved) squared L2 norm.

    Formula (scikit-learn's convention)::

        penalty = lam * (l1_ratio * sum_i |w_i| + 0.5 * (1 - l1_ratio) * sum_i w_i**2)

    where:
        ``l1_ratio = 1`` is the L1 penalty, ``l1_ratio = 0`` the L2 penalty.

    Args:
        weights (ndarray or list of ndarray): the weights, any shapes.
        lam (float): regularization strength, >= 0.
        l1_ratio (float, optional): the share of L1, in [0, 1] (default: 0.5).

    Returns:
        float: the penalty, a Python float.

    Raises:
        ValueError: ``lam < 0`` or ``l1_ratio`` outside [0, 1].

    Example:
        >>> elastic_net_penalty(np.array([[1.0, -2.0], [0.0, 3.0]]), 0.1, l1_ratio=0.5)
        0.65
    """
    ###########################################################################
    # TODO: Implement `elastic_net_penalty` as its docstring describes.
    ###########################################################################
    raise NotImplementedError('`elastic_net_penalty` in penalties.py is not implemented yet: fill in its TODO region.')
    ###########################################################################
    #                             END OF YOUR CODE
    ###########################################################################


def elastic_net_gradient(W, lam, l1_ratio=0.5):
    """Gradient of the elastic-net penalty with respect to one weight array.

    Formula::

        dW = lam * (l1_ratio * sign(W) + (1 - l1_ratio) * W)

    where:
        sign(0) = 0: the L1 part contributes the subgradient 0 at ``W == 0``.

    Args:
        W (ndarray): the weights, any shape.
        lam (float): regularization strength, >= 0.
        l1_ratio (float, optional): the share of L1, in [0, 1] (default: 0.5).

    Returns:
        ndarray: the gradient, of ``W``'s shape, a new float array.

    Raises:
        ValueError: ``lam < 0`` or ``l1_ratio`` outside [0, 1].

    Example:
        >>> elastic_net_gradient(np.array([2.0, 0.0, -0.5]), 0.1, l1_ratio=0.5)
        array([ 0.15 ,  0.   , -0.075])
    """
    ###########################################################################
    # TODO: Implement `elastic_net_gradient` as its docstring describes.
    ###########################################################################
    raise NotImplementedError('`elastic_net_gradient` in penalties.py is not implemented yet: fill in its TODO region.')
    ###########################################################################
    #                             END OF YOUR CODE
    ###########################################################################


def _as_float(W):
    """``W`` as a float array: float inputs keep their dtype, others become float64."""
    W = np.asarray(W)
    return W if np.issubdtype(W.dtype, np.floating) else W.astype(np.float64)
