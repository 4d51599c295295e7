"""Optimizers (SGD, AdaGrad, RMSProp, Adam, AdamW) and gradient clipping, in NumPy.

Every optimizer has the same interface:

    opt = Adam(params, lr=1e-3)      # params: dict name -> float array, owned by opt
    for batch in batches:
        grads = ...                  # dict with the same keys, arrays of the same shapes
        opt.step(grads)              # updates the arrays of params IN PLACE

- ``opt.params`` is the very dict passed to the constructor; ``step`` changes
  its arrays in place (``p -= ...``), so a model holding the same arrays sees
  the update. It never replaces an array by a new one, and never modifies the
  arrays of ``grads``.
- ``opt.t`` counts the ``step`` calls so far (0 after construction).
- The hyper-parameters are attributes of the same names (``opt.lr``, ...).
  ``step`` reads them on every call, so setting ``opt.lr`` between steps is how
  a learning-rate schedule drives an optimizer.
- The per-parameter state (velocities, moment estimates) lives in dicts keyed
  like ``params``; their names are yours to choose.
- ``step`` checks ALL gradients before changing ANY parameter (see
  ``check_gradients``): a missing, unexpected or misshapen gradient raises
  ``ValueError``; a gradient holding nan or inf raises ``FloatingPointError``.
  Either way the parameters, the state and ``t`` stay as they were.

The update rules and default hyper-parameters are exactly those of the
``torch.optim`` class of the same name (``SGD`` with dampening 0, ``Adagrad``
without lr_decay, non-centred ``RMSprop`` without momentum, ``Adam`` and
``AdamW`` without amsgrad), so the results agree with PyTorch to rounding.
Where the course notes write an update differently (CS231n puts the learning
rate inside the SGD velocity, ``v = mu * v - lr * g; p += v``), this file
follows PyTorch.
"""

from __future__ import annotations

import math

import numpy as np


def check_gradients(params, grads):
    """Check one step's gradients against the parameters, before anything is updated.

    Every optimizer's ``step`` calls this first, so that a bad gradient leaves
    the parameters and the optimizer's state exactly as they were.

    Args:
        params (dict[str, ndarray]): the optimizer's parameters.
        grads (dict[str, ndarray]): one gradient per parameter: the same keys,
            each array of the same shape as its parameter.

    Returns:
        dict[str, ndarray]: the gradients as arrays of their parameter's dtype,
        keyed like ``params`` (the caller's arrays are not modified; an array
        may be returned as is when it already has the right dtype).

    Raises:
        ValueError: ``grads`` is not a dict, lacks a key of ``params``, has a
            key ``params`` does not, or holds an array whose shape differs from
            its parameter's. The message names the key.
        FloatingPointError: a gradient holds nan or inf (the message names the key).

    Example:
        >>> params = {"W": np.zeros((2, 3)), "b": np.zeros(3)}
        >>> sorted(check_gradients(params, {"W": np.ones((2, 3)), "b": np.ones(3)}))
        ['W', 'b']
        >>> check_gradients(params, {"W": np.ones((2, 3))})
        Traceback (most recent call last):
        ...
        ValueError: grads is missing the gradient of 'b'
    """
    ###########################################################################
    # TODO: Implement `check_gradients` as its docstring describes.
    ###########################################################################
    raise NotImplementedError('`check_gradients` in optimizers.py is not implemented yet: fill in its TODO region.')
    ###########################################################################
    #                             END OF YOUR CODE
    ###########################################################################


class SGD:
    """Stochastic gradient descent with optional (Nesterov) momentum, like ``torch.optim.SGD``.

    For each parameter ``p`` with gradient ``grad``, one ``step`` does::

        g = grad + weight_decay * p
        v = g                              on the first step
        v = momentum * v + g               on every later step
        p = p - lr * g                     if momentum == 0 (no velocity at all)
        p = p - lr * v                     if momentum > 0 and not nesterov
        p = p - lr * (g + momentum * v)    if momentum > 0 and nesterov

    where:
        v is the velocity ("momentum buffer") of ``p``, kept between steps.

    ``weight_decay`` adds the gradient of the L2 penalty ``0.5 * wd * sum(p**2)``
    (the ``l2_gradient`` of the regularization assignment). The velocity does
    not include ``lr`` (PyTorch's convention; CS231n's ``v = mu * v - lr * g``
    agrees only while ``lr`` is constant), and Nesterov momentum is PyTorch's
    reformulation, written in terms of the current parameters.

    Args:
        params (dict[str, ndarray]): name -> float array; updated in place.
        lr (float): learning rate, >= 0 (required).
        momentum (float, optional): momentum factor, >= 0 (default: 0.0).
        nesterov (bool, optional): use Nesterov momentum; needs momentum > 0
            (default: False).
        weight_decay (float, optional): L2 penalty factor, >= 0 (default: 0.0).

    Attributes:
        params, t, lr, momentum, nesterov, weight_decay: as described above.

    Raises:
        ValueError: ``params`` is not a non-empty dict of float arrays, a
            hyper-parameter is out of range, or ``nesterov`` without momentum.

    Example:
        >>> params = {"w": np.array([1.0, -2.0])}
        >>> opt = SGD(params, lr=0.5, momentum=0.5)
        >>> opt.step({"w": np.array([1.0, 1.0])})   # v = [1, 1]
        >>> opt.step({"w": np.array([1.0, 1.0])})   # v = 0.5 * [1, 1] + [1, 1]
        >>> params["w"], opt.t
        (array([-0.25, -3.25]), 2)
    """

    def __init__(self, params, lr, momentum=0.0, nesterov=False, weight_decay=0.0):
        """Check and store the parameters and hyper-parameters; ``t = 0``, no velocity yet."""
        #######################################################################
        # TODO: Implement `SGD.__init__` as its docstring describes.
        #######################################################################
        raise NotImplementedError('`SGD.__init__` in optimizers.py is not implemented yet: fill in its TODO region.')
        #######################################################################
        #                           END OF YOUR CODE
        #######################################################################

    def step(self, grads):
        """Update every parameter in place from ``grads`` (a dict keyed like ``params``); ``t += 1``.

        Raises ``ValueError`` / ``FloatingPointError`` as ``check_gradients`` does, changing nothing.
        """
        #######################################################################
        # TODO: Implement `SGD.step` as its docstring describes.
        #######################################################################
        raise NotImplementedError('`SGD.step` in optimizers.py is not implemented yet: fill in its TODO region.')
        #######################################################################
        #                           END OF YOUR CODE
        #######################################################################


class AdaGrad:
    """AdaGrad: per-coordinate steps shrinking with the accumulated squared gradient, like ``torch.optim.Adagrad``.

    For each parameter ``p`` with gradient ``g``, one ``step`` does::

        s = s + g**2
        p = p - lr * g / (sqrt(s) + eps)

    where:
        s is the running sum of squared gradients of ``p`` (zeros at first),
        and eps is added OUTSIDE the square root (as PyTorch does).

    Args:
        params (dict[str, ndarray]): name -> float array; updated in place.
        lr (float, optional): learning rate, >= 0 (default: 1e-2).
        eps (float, optional): term added to the denominator to improve
            numerical stability, >= 0 (default: 1e-10).

    Attributes:
        params, t, lr, eps: as described above.

    Raises:
        ValueError: ``params`` is not a non-empty dict of float arrays, or
            ``lr`` or ``eps`` is negative.

    Example:
        >>> params = {"w": np.array([1.0, 1.0])}
        >>> opt = AdaGrad(params, lr=0.1)
        >>> opt.step({"w": np.array([2.0, -0.5])})   # first step: p - lr * sign(g)
        >>> params["w"].round(6)
        array([0.9, 1.1])
    """

    def __init__(self, params, lr=1e-2, eps=1e-10):
        """Check and store the parameters and hyper-parameters; ``t = 0``, sums of zeros."""
        #######################################################################
        # TODO: Implement `AdaGrad.__init__` as its docstring describes.
        #######################################################################
        raise NotImplementedError('`AdaGrad.__init__` in optimizers.py is not implemented yet: fill in its TODO region.')
        #######################################################################
        #                           END OF YOUR CODE
        #######################################################################

    def step(self, grads):
        """Update every parameter in place from ``grads`` (a dict keyed like ``params``); ``t += 1``.

        Raises ``ValueError`` / ``FloatingPointError`` as ``check_gradients`` does, changing nothing.
        """
        #######################################################################
        # TODO: Implement `AdaGrad.step` as its docstring describes.
        #######################################################################
        raise NotImplementedError('`AdaGrad.step` in optimizers.py is not implemented yet: fill in its TODO region.')
        #######################################################################
        #                           END OF YOUR CODE
        #######################################################################


class RMSProp:
    """RMSProp: steps scaled by a moving average of squared gradients, like ``torch.optim.RMSprop``.

    For each parameter ``p`` with gradient ``g``, one ``step`` does::

        v = alpha * v + (1 - alpha) * g**2
        p = p - lr * g / (sqrt(v) + eps)

    where:
        v is the moving average of squared gradients of ``p`` (zeros at first,
        no bias correction), and eps is added OUTSIDE the square root (as
        PyTorch does). ``alpha`` is called ``decay_rate`` in CS231n.

    Args:
        params (dict[str, ndarray]): name -> float array; updated in place.
        lr (float, optional): learning rate, >= 0 (default: 1e-2).
        alpha (float, optional): smoothing constant, in [0, 1] (default: 0.99).
        eps (float, optional): term added to the denominator to improve
            numerical stability, >= 0 (default: 1e-8).

    Attributes:
        params, t, lr, alpha, eps: as described above.

    Raises:
        ValueError: ``params`` is not a non-empty dict of float arrays, or a
            hyper-parameter is out of range.

    Example:
        >>> params = {"w": np.array([1.0])}
        >>> opt = RMSProp(params, lr=0.01, alpha=0.99)
        >>> opt.step({"w": np.array([1.0])})   # v = 0.01, p = 1 - 0.01 * 1 / 0.1
        >>> params["w"].round(6)
        array([0.9])
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8):
        """Check and store the parameters and hyper-parameters; ``t = 0``, averages of zeros."""
        #######################################################################
        # TODO: Implement `RMSProp.__init__` as its docstring describes.
        #######################################################################
        raise NotImplementedError('`RMSProp.__init__` in optimizers.py is not implemented yet: fill in its TODO region.')
        #######################################################################
        #                           END OF YOUR CODE
        #######################################################################

    def step(self, grads):
        """Update every parameter in place from ``grads`` (a dict keyed like ``params``); ``t += 1``.

        Raises ``ValueError`` / ``FloatingPointError`` as ``check_gradients`` does, changing nothing.
        """
        #######################################################################
        # TODO: Implement `RMSProp.step` as its docstring describes.
        #######################################################################
        raise NotImplementedError('`RMSProp.step` in optimizers.py is not implemented yet: fill in its TODO region.')
        #######################################################################
        #                           END OF YOUR CODE
        #######################################################################


class Adam:
    """Adam with L2 regularisation added to the gradient, like ``torch.optim.Adam``.

    For each parameter ``p`` with gradient ``grad``, one ``step`` does::

        t = t + 1
        g = grad + weight_decay * p
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        m_hat = m / (1 - beta1**t)
        v_hat = v / (1 - beta2**t)
        p = p - lr * m_hat / (sqrt(v_hat) + eps)

    where:
        m and v are the first and second moment estimates of ``p`` (zeros at
        first); t is the step count AFTER the increment (1 on the first step),
        so the bias correction divides by ``1 - beta1`` on the first step;
        eps is added OUTSIDE the square root (as PyTorch does).

    ``weight_decay`` here is an L2 penalty (its gradient flows through m and v);
    for decoupled weight decay use ``AdamW``.

    Args:
        params (dict[str, ndarray]): name -> float array; updated in place.
        lr (float, optional): learning rate, >= 0 (default: 1e-3).
        betas (tuple[float, float], optional): decay rates (beta1, beta2) of
            the moment estimates, each in [0, 1) (default: (0.9, 0.999)).
        eps (float, optional): term added to the denominator to improve
            numerical stability, >= 0 (default: 1e-8).
        weight_decay (float, optional): L2 penalty factor, >= 0 (default: 0.0).

    Attributes:
        params, t, lr, betas (a tuple), eps, weight_decay: as described above.

    Raises:
        ValueError: ``params`` is not a non-empty dict of float arrays, or a
            hyper-parameter is out of range.

    Example:
        >>> params = {"w": np.array([1.0, -1.0])}
        >>> opt = Adam(params, lr=0.1)
        >>> opt.step({"w": np.array([0.5, -3.0])})   # first step: about p - lr * sign(g)
        >>> params["w"].round(6)
        array([ 0.9, -0.9])
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        """Check and store the parameters and hyper-parameters; ``t = 0``, moments of zeros."""
        #######################################################################
        # TODO: Implement `Adam.__init__` as its docstring describes.
        #######################################################################
        raise NotImplementedError('`Adam.__init__` in optimizers.py is not implemented yet: fill in its TODO region.')
        #######################################################################
        #                           END OF YOUR CODE
        #######################################################################

    def step(self, grads):
        """Update every parameter in place from ``grads`` (a dict keyed like ``params``); ``t += 1``.

        Raises ``ValueError`` / ``FloatingPointError`` as ``check_gradients`` does, changing nothing.
        """
        #######################################################################
        # TODO: Implement `Adam.step` as its docstring describes.
        #######################################################################
        raise NotImplementedError('`Adam.step` in optimizers.py is not implemented yet: fill in its TODO region.')
        #######################################################################
        #                           END OF YOUR CODE
        #######################################################################


class AdamW:
    """Adam with decoupled weight decay, like ``torch.optim.AdamW``.

    For each parameter ``p`` with gradient ``g``, one ``step`` does::

        t = t + 1
        p = p * (1 - lr * weight_decay)          # decay first, outside the moments
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        m_hat = m / (1 - beta1**t)
        v_hat = v / (1 - beta2**t)
        p = p - lr * m_hat / (sqrt(v_hat) + eps)

    where:
        the symbols are those of ``Adam``. Unlike ``Adam(weight_decay=...)``,
        the decay never enters m and v (Loshchilov & Hutter, "Decoupled Weight
        Decay Regularization"), and the default ``weight_decay`` is 1e-2.

    Args:
        params (dict[str, ndarray]): name -> float array; updated in place.
        lr (float, optional): learning rate, >= 0 (default: 1e-3).
        betas (tuple[float, float], optional): decay rates (beta1, beta2) of
            the moment estimates, each in [0, 1) (default: (0.9, 0.999)).
        eps (float, optional): term added to the denominator to improve
            numerical stability, >= 0 (default: 1e-8).
        weight_decay (float, optional): decoupled weight decay factor, >= 0
            (default: 1e-2).

    Attributes:
        params, t, lr, betas (a tuple), eps, weight_decay: as described above.

    Raises:
        ValueError: ``params`` is not a non-empty dict of float arrays, or a
            hyper-parameter is out of range.

    Example:
        >>> params = {"w": np.array([1.0])}
        >>> opt = AdamW(params, lr=0.1, weight_decay=0.1)
        >>> opt.step({"w": np.array([1.0])})   # 1 * (1 - 0.01), then about - 0.1
        >>> params["w"].round(6)
        array([0.89])
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        """Check and store the parameters and hyper-parameters; ``t = 0``, moments of zeros."""
        #######################################################################
        # TODO: Implement `AdamW.__init__` as its docstring describes.
        #######################################################################
        raise NotImplementedError('`AdamW.__init__` in optimizers.py is not implemented yet: fill in its TODO region.')
        #######################################################################
        #                           END OF YOUR CODE
        #######################################################################

    def step(self, grads):
        """Update every parameter in place from ``grads`` (a dict keyed like ``params``); ``t += 1``.

        Raises ``ValueError`` / ``FloatingPointError`` as ``check_gradients`` does, changing nothing.
        """
        #######################################################################
        # TODO: Implement `AdamW.step` as its docstring describes.
        #######################################################################
        raise NotImplementedError('`AdamW.step` in optimizers.py is not implemented yet: fill in its TODO region.')
        #######################################################################
        #                           END OF YOUR CODE
        #######################################################################


def clip_grad_norm(grads, max_norm):
    """Rescale a dict of gradients so that their global L2 norm is at most ``max_norm``.

    Like ``torch.nn.utils.clip_grad_norm_``, but returns new arrays instead of
    modifying ``grads``::

        total_norm = sqrt(sum over all arrays g of sum(g**2))
        clipped[k] = grads[k] * max_norm / (total_norm + 1e-6)   if total_norm > max_norm
        clipped[k] = copy of grads[k]                             otherwise

    where:
        the norm is ONE norm over all arrays together (not one per array), so
        clipping keeps the direction of the whole gradient; 1e-6 guards the
        division, so a clipped gradient's norm is just below ``max_norm``.
        (PyTorch always multiplies by ``min(1, max_norm / (total_norm + 1e-6))``,
        which differs from this rule only when ``total_norm`` lies within 1e-6
        below ``max_norm``; this assignment leaves such gradients unchanged.)

    Args:
        grads (dict[str, ndarray]): name -> gradient array (any shapes).
        max_norm (float): the largest allowed global norm, >= 0.

    Returns:
        tuple (clipped, total_norm):
        - clipped (dict[str, ndarray]): a new dict with the same keys, new
          arrays of the same shapes (float dtype of the input; float64 for
          integer input).
        - total_norm (float): the global norm BEFORE clipping, a Python float.

    Raises:
        ValueError: ``grads`` is not a dict, or ``max_norm`` is negative.

    Example:
        >>> clipped, total_norm = clip_grad_norm({"a": np.array([3.0]), "b": np.array([4.0])}, 1.0)
        >>> total_norm
        5.0
        >>> clipped["a"].round(4), clipped["b"].round(4)
        (array([0.6]), array([0.8]))
    """
    ###########################################################################
    # TODO: Implement `clip_grad_norm` as its docstring describes.
    ###########################################################################
    raise NotImplementedError('`clip_grad_norm` in optimizers.py is not implemented yet: fill in its TODO region.')
    ###########################################################################
    #                             END OF YOUR CODE
    ###########################################################################
