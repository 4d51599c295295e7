"""Batch normalization and layer normalization for inputs of shape (N, D).

Both layers have the same interface:

    layer = BatchNorm1d(D)          # or LayerNorm(D)
    out = layer.forward(x)          # x: (N, D) -> out: (N, D)
    dx = layer.backward(dout)       # gradient for the last forward; sets layer.dgamma, layer.dbeta
    layer.train(); layer.eval()     # modes (LayerNorm behaves the same in both)

with learnable ``gamma`` (scale, ones) and ``beta`` (shift, zeros) of shape (D,).

Conventions (the course notes differ; this file decides, like ``torch.nn.BatchNorm1d``):

- Training normalises with the batch mean and the BIASED batch variance
  (divide by N), but the running variance is updated with the UNBIASED one
  (divide by N - 1).
- ``momentum`` weighs the NEW batch statistic:
  ``running = (1 - momentum) * running + momentum * batch_stat`` with
  ``momentum = 0.1`` by default (CS231n writes the same update with
  ``momentum = 0.9`` on the old value; we follow PyTorch).
"""

from __future__ import annotations

import numpy as np


class BatchNorm1d:
    """Batch normalization over the batch axis of an (N, D) input.

    Formula (training)::

        mu    = mean(x, axis=0)                      (D,)
        var   = mean((x - mu)**2, axis=0)            (D,)   biased
        x_hat = (x - mu) / sqrt(var + eps)
        out   = gamma * x_hat + beta
        running_mean = (1 - momentum) * running_mean + momentum * mu
        running_var  = (1 - momentum) * running_var  + momentum * var * N / (N - 1)

    Evaluation: ``x_hat = (x - running_mean) / sqrt(running_var + eps)`` and
    nothing is updated.

    Backward (training), with ``dx_hat = dout * gamma``::

        dx = (dx_hat - mean(dx_hat, axis=0) - x_hat * mean(dx_hat * x_hat, axis=0)) / sqrt(var + eps)

    and in evaluation ``dx = dout * gamma / sqrt(running_var + eps)``;
    in both modes ``dgamma = sum(dout * x_hat, axis=0)``, ``dbeta = sum(dout, axis=0)``.

    Args:
        num_features (int): D, the number of features, > 0.
        eps (float, optional): added to the variance for stability, > 0 (default: 1e-5).
        momentum (float, optional): weight of the new batch statistic in the
            running averages, in [0, 1] (default: 0.1).

    Attributes:
        gamma, beta (ndarray): (D,) scale (ones) and shift (zeros).
        running_mean, running_var (ndarray): (D,) zeros and ones at first.
        training (bool): True after construction.
        eps, momentum (float): as given.
        dgamma, dbeta (ndarray): (D,) gradients set by ``backward``.

    Raises:
        ValueError: bad arguments; an input that is not (N, D); N < 2 in training.

    Example:
        >>> bn = BatchNorm1d(2)
        >>> out = bn.forward(np.array([[1.0, 2.0], [3.0, 6.0]]))
        >>> np.round(out, 4)
        array([[-1., -1.],
               [ 1.,  1.]])
        >>> bn.running_mean, bn.running_var
        (array([0.2, 0.4]), array([1.1, 1.7]))
    """

    def __init__(self, num_features, eps=1e-5, momentum=0.1):
        """Create the parameters and running statistics; start in training mode."""
        if not (isinstance(num_features, (int, np.integer)) and num_features > 0):
            raise ValueError(f"num_features must be a positive integer, got {num_features}")
        if not eps > 0:
            raise ValueError(f"eps must be > 0, got {eps}")
        if not 0 <= momentum <= 1:
            raise ValueError(f"momentum must be in [0, 1], got {momentum}")
        self.num_features = int(num_features)
        self.eps = eps
        self.momentum = momentum
        self.gamma = np.ones(num_features)
        self.beta = np.zeros(num_features)
        self.running_mean = np.zeros(num_features)
        self.running_var = np.ones(num_features)
        self.training = True
        self.dgamma = None
        self.dbeta = None
        self._cache = None

    def forward(self, x):
        """Normalise ``x`` (N, D) and return ``out`` (N, D); in training, update the running statistics."""
        x = np.asarray(x)
        if x.ndim != 2 or x.shape[1] != self.num_features:
            raise ValueError(f"x must have shape (N, {self.num_features}), got {x.shape}")
        if self.training:
            n = x.shape[0]
            if n < 2:
                raise ValueError(f"x needs N >= 2 rows in training (the batch variance of one row is undefined), got N={n}")
            mu = x.mean(axis=0)
            var = x.var(axis=0)
            m = self.momentum
            self.running_mean = (1 - m) * self.running_mean + m * mu
            self.running_var = (1 - m) * self.running_var + m * var
        else:
            mu, var = self.running_mean, self.running_var
        std = np.sqrt(var + self.eps)
        x_hat = (x - mu) / std
        self._cache = (x_hat, std, self.training)
        return self.gamma * x_hat + self.beta

    def backward(self, dout):
        """Gradient of the last ``forward``: returns ``dx`` (N, D), sets ``dgamma`` and ``dbeta`` (D,)."""
        if self._cache is None:
            raise ValueError("backward called before forward")
        x_hat, std, training = self._cache
        dout = np.asarray(dout)
        if dout.shape != x_hat.shape:
            raise ValueError(f"dout must have the forward output's shape {x_hat.shape}, got {dout.shape}")
        self.dgamma = np.sum(dout * x_hat, axis=0)
        self.dbeta = np.sum(dout, axis=0)
        dx_hat = dout * self.gamma
        if not training:
            return dx_hat / std
        return (dx_hat - dx_hat.mean(axis=0) - x_hat * np.mean(dx_hat * x_hat, axis=0)) / std

    def train(self):
        """Switch to training mode (batch statistics, running statistics updated)."""
        self.training = True

    def eval(self):
        """Switch to evaluation mode (running statistics, nothing updated)."""
        self.training = False


class LayerNorm:
    """Layer normalization: each row of an (N, D) input normalised over its D features.

    Formula::

        mu    = mean(x, axis=1, keepdims=True)                 (N, 1)
        var   = mean((x - mu)**2, axis=1, keepdims=True)       (N, 1)   biased
        x_hat = (x - mu) / sqrt(var + eps)
        out   = gamma * x_hat + beta

    Backward, with ``dx_hat = dout * gamma``::

        dx = (dx_hat - mean(dx_hat, axis=1) - x_hat * mean(dx_hat * x_hat, axis=1)) / sqrt(var + eps)
        dgamma = sum(dout * x_hat, axis=0),   dbeta = sum(dout, axis=0)

    No running statistics: training and evaluation are the same (like
    ``torch.nn.LayerNorm(D)``); N = 1 is fine.

    Args:
        num_features (int): D, > 0.
        eps (float, optional): added to the variance, > 0 (default: 1e-5).

    Attributes:
        gamma, beta (ndarray): (D,) ones and zeros.
        training (bool): True after construction (changes nothing).
        eps (float): as given.
        dgamma, dbeta (ndarray): (D,) gradients set by ``backward``.

    Raises:
        ValueError: bad arguments or an input that is not (N, D).

    Example:
        >>> ln = LayerNorm(2)
        >>> np.round(ln.forward(np.array([[1.0, 3.0], [0.0, -4.0]])), 4)
        array([[-1.,  1.],
               [ 1., -1.]])
    """

    def __init__(self, num_features, eps=1e-5):
        """Create ``gamma`` and ``beta``."""
        if not (isinstance(num_features, (int, np.integer)) and num_features > 0):
            raise ValueError(f"num_features must be a positive integer, got {num_features}")
        if not eps > 0:
            raise ValueError(f"eps must be > 0, got {eps}")
        self.num_features = int(num_features)
        self.eps = eps
        self.gamma = np.ones(num_features)
        self.beta = np.zeros(num_features)
        self.training = True
        self.dgamma = None
        self.dbeta = None
        self._cache = None

    def forward(self, x):
        """Normalise each row of ``x`` (N, D); returns ``out`` (N, D)."""
        x = np.asarray(x)
        if x.ndim != 2 or x.shape[1] != self.num_features:
            raise ValueError(f"x must have shape (N, {self.num_features}), got {x.shape}")
        mu = x.mean(axis=1, keepdims=True)
        std = np.sqrt(x.var(axis=1, keepdims=True) + self.eps)
        x_hat = (x - mu) / std
        self._cache = (x_hat, std)
        return self.gamma * x_hat + self.beta

    def backward(self, dout):
        """Gradient of the last ``forward``: returns ``dx`` (N, D), sets ``dgamma`` and ``dbeta`` (D,)."""
        if self._cache is None:
            raise ValueError("backward called before forward")
        x_hat, std = self._cache
        dout = np.asarray(dout)
        if dout.shape != x_hat.shape:
            raise ValueError(f"dout must have the forward output's shape {x_hat.shape}, got {dout.shape}")
        self.dgamma = np.sum(dout * x_hat, axis=0)
        self.dbeta = np.sum(dout, axis=0)
        dx_hat = dout * self.gamma
        return (
            dx_hat
            - dx_hat.mean(axis=1, keepdims=True)
            - x_hat * np.mean(dx_hat * x_hat, axis=1, keepdims=True)
        ) / std

    def train(self):
        """Training mode (the same computation as evaluation)."""
        self.training = True

    def eval(self):
        """Evaluation mode (the same computation as training)."""
        self.training = False
