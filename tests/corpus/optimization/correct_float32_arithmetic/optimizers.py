"""Correct: every scalar cast to the parameter's dtype, so float32 parameters are updated entirely in float32."""
import numpy as np


def validate_grads(params, grads):
    for key in params:
        if key not in grads:
            raise ValueError("missing gradient: " + key)
    for key in params:
        if grads[key].shape != params[key].shape:
            raise ValueError("gradient shape mismatch: " + key)
    for key in params:
        if np.isnan(grads[key]).any() or np.isinf(grads[key]).any():
            raise FloatingPointError("gradient is nan or inf: " + key)


def validate(lr=0.0, eps=0.0, **other):
    if lr < 0 or eps < 0:
        raise ValueError("lr and eps must be >= 0")
    for name in ("momentum", "weight_decay", "alpha"):
        if other.get(name, 0.0) < 0:
            raise ValueError(name + " must be >= 0")
    beta1, beta2 = other.get("betas", (0.0, 0.0))
    if not (0 <= beta1 < 1) or not (0 <= beta2 < 1):
        raise ValueError("betas must be in [0, 1)")


class SGD:
    def __init__(self, params, lr, momentum=0.0, nesterov=False, weight_decay=0.0):
        validate(lr=lr, momentum=momentum, weight_decay=weight_decay)
        if nesterov and not momentum > 0:
            raise ValueError("nesterov requires momentum")
        self.params, self.lr, self.momentum, self.nesterov, self.weight_decay = params, lr, momentum, nesterov, weight_decay
        self.t = 0
        self.v = {}

    def step(self, grads):
        validate_grads(self.params, grads)
        self.t = self.t + 1
        for key, p in self.params.items():
            f = p.dtype.type
            g = grads[key].astype(p.dtype) + f(self.weight_decay) * p
            if self.momentum:
                self.v[key] = g.copy() if self.t == 1 else f(self.momentum) * self.v[key] + g
                g = g + f(self.momentum) * self.v[key] if self.nesterov else self.v[key]
            np.subtract(p, f(self.lr) * g, out=p)


class AdaGrad:
    def __init__(self, params, lr=1e-2, eps=1e-10):
        validate(lr=lr, eps=eps)
        self.params, self.lr, self.eps, self.t = params, lr, eps, 0
        self.h = {key: np.zeros(p.shape, p.dtype) for key, p in params.items()}

    def step(self, grads):
        validate_grads(self.params, grads)
        self.t = self.t + 1
        for key, p in self.params.items():
            f = p.dtype.type
            g = grads[key].astype(p.dtype)
            self.h[key] += g ** 2
            np.subtract(p, f(self.lr) * g / (np.sqrt(self.h[key]) + f(self.eps)), out=p)


class RMSProp:
    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8):
        validate(lr=lr, eps=eps, alpha=alpha)
        self.params, self.lr, self.alpha, self.eps, self.t = params, lr, alpha, eps, 0
        self.h = {key: np.zeros(p.shape, p.dtype) for key, p in params.items()}

    def step(self, grads):
        validate_grads(self.params, grads)
        self.t = self.t + 1
        for key, p in self.params.items():
            f = p.dtype.type
            g = grads[key].astype(p.dtype)
            self.h[key] = f(self.alpha) * self.h[key] + (f(1) - f(self.alpha)) * g ** 2
            np.subtract(p, f(self.lr) * g / (np.sqrt(self.h[key]) + f(self.eps)), out=p)


class Adam:
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        validate(lr=lr, eps=eps, betas=betas, weight_decay=weight_decay)
        self.params, self.lr, self.betas, self.eps, self.weight_decay, self.t = params, lr, betas, eps, weight_decay, 0
        self.m = {key: np.zeros(p.shape, p.dtype) for key, p in params.items()}
        self.v = {key: np.zeros(p.shape, p.dtype) for key, p in params.items()}

    def adam_step(self, key, p, g):
        f = p.dtype.type
        beta1, beta2 = f(self.betas[0]), f(self.betas[1])
        self.m[key] = beta1 * self.m[key] + (f(1) - beta1) * g
        self.v[key] = beta2 * self.v[key] + (f(1) - beta2) * g * g
        m_hat = self.m[key] / (f(1) - beta1 ** self.t)
        v_hat = self.v[key] / (f(1) - beta2 ** self.t)
        np.subtract(p, f(self.lr) * m_hat / (np.sqrt(v_hat) + f(self.eps)), out=p)

    def step(self, grads):
        validate_grads(self.params, grads)
        self.t = self.t + 1
        for key, p in self.params.items():
            g = grads[key].astype(p.dtype)
            self.adam_step(key, p, g + p.dtype.type(self.weight_decay) * p)


class AdamW(Adam):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        Adam.__init__(self, params, lr, betas, eps, weight_decay)

    def step(self, grads):
        validate_grads(self.params, grads)
        self.t = self.t + 1
        for key, p in self.params.items():
            f = p.dtype.type
            p *= f(1) - f(self.lr) * f(self.weight_decay)
            self.adam_step(key, p, grads[key].astype(p.dtype))


def clip_grad_norm(grads, max_norm):
    total_norm = float(np.sqrt(sum(np.sum(np.asarray(g, dtype=np.float64) ** 2) for g in grads.values())))
    clipped = {}
    for key, g in grads.items():
        g = np.array(g, dtype=g.dtype if np.issubdtype(g.dtype, np.floating) else np.float64)
        if total_norm > max_norm:
            g *= g.dtype.type(max_norm / (total_norm + 1e-6))
        clipped[key] = g
    return clipped, total_norm
