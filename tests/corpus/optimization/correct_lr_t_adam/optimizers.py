"""Correct: Adam and AdamW in the 'lr_t, eps_hat' form of the Adam paper's section 2; loops over keys."""
import math

import numpy as np


def _check(params, grads):
    for k in params:
        if k not in grads:
            raise ValueError(f"missing gradient {k}")
        if np.shape(grads[k]) != params[k].shape:
            raise ValueError(f"bad shape for {k}")
    for k in params:
        if not np.all(np.isfinite(grads[k])):
            raise FloatingPointError(f"non-finite gradient {k}")


def _hyper(lr=0.0, momentum=0.0, weight_decay=0.0, eps=0.0, alpha=0.0, betas=(0.0, 0.0), nesterov=False):
    for name, value in (("lr", lr), ("momentum", momentum), ("weight_decay", weight_decay), ("eps", eps), ("alpha", alpha)):
        if value < 0:
            raise ValueError(f"{name} must be >= 0, got {value}")
    if not all(0 <= b < 1 for b in betas):
        raise ValueError(f"betas must lie in [0, 1), got {betas}")
    if nesterov and momentum <= 0:
        raise ValueError("nesterov needs momentum > 0")


class SGD:
    def __init__(self, params, lr, momentum=0.0, nesterov=False, weight_decay=0.0):
        _hyper(lr=lr, momentum=momentum, weight_decay=weight_decay, nesterov=nesterov)
        self.params, self.lr, self.momentum, self.nesterov, self.weight_decay = params, lr, momentum, nesterov, weight_decay
        self.t, self.buf = 0, {}

    def step(self, grads):
        _check(self.params, grads)
        self.t += 1
        for k in self.params:
            g = grads[k] + self.weight_decay * self.params[k]
            if self.momentum:
                self.buf[k] = g.copy() if k not in self.buf else self.momentum * self.buf[k] + g
                g = g + self.momentum * self.buf[k] if self.nesterov else self.buf[k]
            self.params[k] -= self.lr * g


class AdaGrad:
    def __init__(self, params, lr=1e-2, eps=1e-10):
        _hyper(lr=lr, eps=eps)
        self.params, self.lr, self.eps, self.t = params, lr, eps, 0
        self.G = {k: np.zeros_like(v) for k, v in params.items()}

    def step(self, grads):
        _check(self.params, grads)
        self.t += 1
        for k in self.params:
            self.G[k] = self.G[k] + grads[k] ** 2
            self.params[k] -= self.lr * grads[k] / (np.sqrt(self.G[k]) + self.eps)


class RMSProp:
    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8):
        _hyper(lr=lr, alpha=alpha, eps=eps)
        self.params, self.lr, self.alpha, self.eps, self.t = params, lr, alpha, eps, 0
        self.sq = {k: np.zeros_like(v) for k, v in params.items()}

    def step(self, grads):
        _check(self.params, grads)
        self.t += 1
        for k in self.params:
            self.sq[k] = self.alpha * self.sq[k] + (1 - self.alpha) * grads[k] ** 2
            self.params[k] -= self.lr * grads[k] / (np.sqrt(self.sq[k]) + self.eps)


class Adam:
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        _hyper(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
        self.params, self.lr, self.betas, self.eps, self.weight_decay, self.t = params, lr, betas, eps, weight_decay, 0
        self.m = {k: np.zeros_like(v) for k, v in params.items()}
        self.v = {k: np.zeros_like(v) for k, v in params.items()}

    def _adam(self, k, g):
        b1, b2 = self.betas
        self.m[k] = b1 * self.m[k] + (1 - b1) * g
        self.v[k] = b2 * self.v[k] + (1 - b2) * g * g
        correction = math.sqrt(1 - b2 ** self.t)
        lr_t = self.lr * correction / (1 - b1 ** self.t)
        eps_hat = self.eps * correction
        self.params[k] -= lr_t * self.m[k] / (np.sqrt(self.v[k]) + eps_hat)

    def step(self, grads):
        _check(self.params, grads)
        self.t += 1
        for k in self.params:
            self._adam(k, grads[k] + self.weight_decay * self.params[k])


class AdamW(Adam):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        super().__init__(params, lr, betas, eps, weight_decay)

    def step(self, grads):
        _check(self.params, grads)
        self.t += 1
        for k in self.params:
            self.params[k] -= self.lr * self.weight_decay * self.params[k]
            self._adam(k, grads[k])


def clip_grad_norm(grads, max_norm):
    total = math.sqrt(sum(float(np.sum(np.square(g, dtype=np.float64))) for g in grads.values()))
    factor = max_norm / (total + 1e-6) if total > max_norm else 1.0
    return {k: np.asarray(g) * factor for k, g in grads.items()}, total
