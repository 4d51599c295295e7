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
    if not isinstance(grads, dict):
        raise ValueError(f"grads must be a dict of arrays keyed like params, got {type(grads).__name__}")
    for key in params:
        if key not in grads:
            raise ValueError(f"grads is missing the gradient of {key!r}")
    unexpected = [key for key in grads if key not in params]
    if unexpected:
        raise ValueError(f"grads has keys that are not parameters: {unexpected!r}")
    checked = {}
    for key, p in params.items():
        g = np.asarray(grads[key], dtype=p.dtype)
        if g.shape != p.shape:
            raise ValueError(f"grads[{key!r}] has shape {g.shape}, expected {p.shape} like params[{key!r}]")
        if not np.all(np.isfinite(g)):
            raise FloatingPointError(f"grads[{key!r}] holds nan or inf; the parameters were left unchanged")
        checked[key] = g
    return checked


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
        if not isinstance(params, dict) or not params:
            raise ValueError("params must be a non-empty dict of float arrays")
        for key, p in params.items():
            if not isinstance(p, np.ndarray) or not np.issubdtype(p.dtype, np.floating):
                raise ValueError(f"params[{key!r}] must be a NumPy array of floats, got {getattr(p, 'dtype', type(p).__name__)}")
        if not 0.0 <= lr:
            raise ValueError(f"lr must be >= 0, got {lr}")
        if not 0.0 <= momentum:
            raise ValueError(f"momentum must be >= 0, got {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight_decay must be >= 0, got {weight_decay}")
        if nesterov and momentum <= 0:
            raise ValueError(f"nesterov=True requires momentum > 0, got momentum={momentum}")
        self.params = params
        self.lr = float(lr)
        self.momentum = float(momentum)
        self.nesterov = bool(nesterov)
        self.weight_decay = float(weight_decay)
        self.t = 0
        self.velocity = {}

    def step(self, grads):
        """Update every parameter in place from ``grads`` (a dict keyed like ``params``); ``t += 1``.

        Raises ``ValueError`` / ``FloatingPointError`` as ``check_gradients`` does, changing nothing.
        """
        grads = check_gradients(self.params, grads)
        self.t += 1
        for key, p in self.params.items():
            g = grads[key]
            if self.weight_decay != 0:
                g = g + self.weight_decay * p
            if self.momentum != 0:
                v = self.velocity.get(key)
                if v is None:
                    v = g.copy()
                    self.velocity[key] = v
                else:
                    v *= self.momentum
                    v += g
                g = g + self.momentum * v if self.nesterov else v
            p -= self.lr * g


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
        if not isinstance(params, dict) or not params:
            raise ValueError("params must be a non-empty dict of float arrays")
        for key, p in params.items():
            if not isinstance(p, np.ndarray) or not np.issubdtype(p.dtype, np.floating):
                raise ValueError(f"params[{key!r}] must be a NumPy array of floats, got {getattr(p, 'dtype', type(p).__name__)}")
        if not 0.0 <= lr:
            raise ValueError(f"lr must be >= 0, got {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"eps must be >= 0, got {eps}")
        self.params = params
        self.lr = float(lr)
        self.eps = float(eps)
        self.t = 0
        self.sum_sq = {key: np.zeros_like(p) for key, p in params.items()}

    def step(self, grads):
        """Update every parameter in place from ``grads`` (a dict keyed like ``params``); ``t += 1``.

        Raises ``ValueError`` / ``FloatingPointError`` as ``check_gradients`` does, changing nothing.
        """
        grads = check_gradients(self.params, grads)
        self.t += 1
        for key, p in self.params.items():
            g = grads[key]
            s = self.sum_sq[key]
            s += g * g
            p -= self.lr * g / (np.sqrt(s) + self.eps)


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
        if not isinstance(params, dict) or not params:
            raise ValueError("params must be a non-empty dict of float arrays")
        for key, p in params.items():
            if not isinstance(p, np.ndarray) or not np.issubdtype(p.dtype, np.floating):
                raise ValueError(f"params[{key!r}] must be a NumPy array of floats, got {getattr(p, 'dtype', type(p).__name__)}")
        if not 0.0 <= lr:
            raise ValueError(f"lr must be >= 0, got {lr}")
        if not 0.0 <= alpha <= 1.0:
            raise ValueError(f"alpha must be in [0, 1], got {alpha}")
        if not 0.0 <= eps:
            raise ValueError(f"eps must be >= 0, got {eps}")
        self.params = params
        self.lr = float(lr)
        self.alpha = float(alpha)
        self.eps = float(eps)
        self.t = 0
        self.square_avg = {key: np.zeros_like(p) for key, p in params.items()}

    def step(self, grads):
        """Update every parameter in place from ``grads`` (a dict keyed like ``params``); ``t += 1``.

        Raises ``ValueError`` / ``FloatingPointError`` as ``check_gradients`` does, changing nothing.
        """
        grads = check_gradients(self.params, grads)
        self.t += 1
        for key, p in self.params.items():
            g = grads[key]
            v = self.square_avg[key]
            v *= self.alpha
            v += (1 - self.alpha) * g * g
            p -= self.lr * g / (np.sqrt(v) + self.eps)


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
        if not isinstance(params, dict) or not params:
            raise ValueError("params must be a non-empty dict of float arrays")
        for key, p in params.items():
            if not isinstance(p, np.ndarray) or not np.issubdtype(p.dtype, np.floating):
                raise ValueError(f"params[{key!r}] must be a NumPy array of floats, got {getattr(p, 'dtype', type(p).__name__)}")
        if not 0.0 <= lr:
            raise ValueError(f"lr must be >= 0, got {lr}")
        if len(betas) != 2 or not all(0.0 <= beta < 1.0 for beta in betas):
            raise ValueError(f"betas must be two numbers in [0, 1), got {betas}")
        if not 0.0 <= eps:
            raise ValueError(f"eps must be >= 0, got {eps}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight_decay must be >= 0, got {weight_decay}")
        self.params = params
        self.lr = float(lr)
        self.betas = (float(betas[0]), float(betas[1]))
        self.eps = float(eps)
        self.weight_decay = float(weight_decay)
        self.t = 0
        self.m = {key: np.zeros_like(p) for key, p in params.items()}
        self.v = {key: np.zeros_like(p) for key, p in params.items()}

    def step(self, grads):
        """Update every parameter in place from ``grads`` (a dict keyed like ``params``); ``t += 1``.

        Raises ``ValueError`` / ``FloatingPointError`` as ``check_gradients`` does, changing nothing.
        """
        grads = check_gradients(self.params, grads)
        self.t += 1
        beta1, beta2 = self.betas
        for key, p in self.params.items():
            g = grads[key]
            if self.weight_decay != 0:
                g = g + self.weight_decay * p
            m, v = self.m[key], self.v[key]
            m *= beta1
            m += (1 - beta1) * g
            v *= beta2
            v += (1 - beta2) * g * g
            m_hat = m / (1 - beta1**self.t)
            v_hat = v / (1 - beta2**self.t)
            p -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


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
        if not isinstance(params, dict) or not params:
            raise ValueError("params must be a non-empty dict of float arrays")
        for key, p in params.items():
            if not isinstance(p, np.ndarray) or not np.issubdtype(p.dtype, np.floating):
                raise ValueError(f"params[{key!r}] must be a NumPy array of floats, got {getattr(p, 'dtype', type(p).__name__)}")
        if not 0.0 <= lr:
            raise ValueError(f"lr must be >= 0, got {lr}")
        if len(betas) != 2 or not all(0.0 <= beta < 1.0 for beta in betas):
            raise ValueError(f"betas must be two numbers in [0, 1), got {betas}")
        if not 0.0 <= eps:
            raise ValueError(f"eps must be >= 0, got {eps}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight_decay must be >= 0, got {weight_decay}")
        self.params = params
        self.lr = float(lr)
        self.betas = (float(betas[0]), float(betas[1]))
        self.eps = float(eps)
        self.weight_decay = float(weight_decay)
        self.t = 0
        self.m = {key: np.zeros_like(p) for key, p in params.items()}
        self.v = {key: np.zeros_like(p) for key, p in params.items()}

    def step(self, grads):
        """Update every parameter in place from ``grads`` (a dict keyed like ``params``); ``t += 1``.

        Raises ``ValueError`` / ``FloatingPointError`` as ``check_gradients`` does, changing nothing.
        """
        grads = check_gradients(self.params, grads)
        self.t += 1
        beta1, beta2 = self.betas
        for key, p in self.params.items():
            g = grads[key]
            p *= 1 - self.lr * self.weight_decay
            m, v = self.m[key], self.v[key]
            m *= beta1
            m += (1 - beta1) * g
            v *= beta2
            v += (1 - beta2) * g * g
            m_hat = m / (1 - beta1**self.t)
            v_hat = v / (1 - beta2**self.t)
            p -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


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
    if not isinstance(grads, dict):
        raise ValueError(f"grads must be a dict of arrays, got {type(grads).__name__}")
    if not 0.0 <= max_norm:
        raise ValueError(f"max_norm must be >= 0, got {max_norm}")
    arrays = {}
    for key, g in grads.items():
        g = np.asarray(g)
        arrays[key] = g if np.issubdtype(g.dtype, np.floating) else g.astype(np.float64)
    norms = [float(np.linalg.norm(g.astype(np.float64).ravel())) for g in arrays.values()]
    total_norm = math.hypot(*norms)
    if total_norm > max_norm:
        scale = max_norm / (total_norm + 1e-6)
        clipped = {key: g * scale for key, g in arrays.items()}
    else:
        clipped = {key: g.copy() for key, g in arrays.items()}
    return clipped, total_norm
