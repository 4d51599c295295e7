"""Correct: state kept in float64 whatever the parameters' dtype, updates written back with p[...] =; sorted keys."""
import numpy as np


def _grads_ok(params, grads):
    if set(grads) != set(params):
        raise ValueError(f"grads must have exactly the keys {sorted(params)}")
    out = {}
    for k in sorted(params):
        g = np.array(grads[k], dtype=np.float64)
        if g.shape != params[k].shape:
            raise ValueError(f"grads[{k!r}] has the wrong shape {g.shape}")
        out[k] = g
    for k, g in out.items():
        if not np.isfinite(g).all():
            raise FloatingPointError(f"grads[{k!r}] is not finite")
    return out


def _at_least_zero(**kw):
    for k, v in kw.items():
        if not v >= 0:
            raise ValueError(f"{k}={v} is negative")


class SGD:
    def __init__(self, params, lr, momentum=0.0, nesterov=False, weight_decay=0.0):
        _at_least_zero(lr=lr, momentum=momentum, weight_decay=weight_decay)
        if nesterov and momentum == 0:
            raise ValueError("nesterov=True with momentum=0")
        self.params = params
        self.lr, self.momentum, self.nesterov, self.weight_decay = lr, momentum, nesterov, weight_decay
        self.t = 0
        self.buffers = {k: None for k in params}

    def step(self, grads):
        grads = _grads_ok(self.params, grads)
        self.t += 1
        for k in sorted(self.params):
            p = self.params[k]
            d = grads[k] + self.weight_decay * p.astype(np.float64)
            if self.momentum > 0:
                buf = d if self.buffers[k] is None else self.momentum * self.buffers[k] + d
                self.buffers[k] = buf
                d = d + self.momentum * buf if self.nesterov else buf
            p[...] = p.astype(np.float64) - self.lr * d


class AdaGrad:
    def __init__(self, params, lr=1e-2, eps=1e-10):
        _at_least_zero(lr=lr, eps=eps)
        self.params, self.lr, self.eps, self.t = params, lr, eps, 0
        self.acc = {k: np.zeros(p.shape) for k, p in params.items()}

    def step(self, grads):
        grads = _grads_ok(self.params, grads)
        self.t += 1
        for k in sorted(self.params):
            self.acc[k] = self.acc[k] + np.square(grads[k])
            p = self.params[k]
            p[...] = p.astype(np.float64) - self.lr * grads[k] / (np.sqrt(self.acc[k]) + self.eps)


class RMSProp:
    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8):
        _at_least_zero(lr=lr, alpha=alpha, eps=eps)
        self.params, self.lr, self.alpha, self.eps, self.t = params, lr, alpha, eps, 0
        self.avg = {k: np.zeros(p.shape) for k, p in params.items()}

    def step(self, grads):
        grads = _grads_ok(self.params, grads)
        self.t += 1
        for k in sorted(self.params):
            self.avg[k] = self.alpha * self.avg[k] + (1.0 - self.alpha) * np.square(grads[k])
            p = self.params[k]
            p[...] = p.astype(np.float64) - self.lr * grads[k] / (np.sqrt(self.avg[k]) + self.eps)


class Adam:
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        _at_least_zero(lr=lr, eps=eps, weight_decay=weight_decay, beta1=betas[0], beta2=betas[1])
        if max(betas) >= 1:
            raise ValueError(f"betas={betas}: each must be < 1")
        self.params, self.lr, self.betas, self.eps, self.weight_decay = params, lr, tuple(betas), eps, weight_decay
        self.t = 0
        self.moments = {k: (np.zeros(p.shape), np.zeros(p.shape)) for k, p in params.items()}

    def _direction(self, k, g):
        b1, b2 = self.betas
        m, v = self.moments[k]
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        self.moments[k] = (m, v)
        return (m / (1 - b1 ** self.t)) / (np.sqrt(v / (1 - b2 ** self.t)) + self.eps)

    def step(self, grads):
        grads = _grads_ok(self.params, grads)
        self.t += 1
        for k in sorted(self.params):
            p = self.params[k]
            p64 = p.astype(np.float64)
            p[...] = p64 - self.lr * self._direction(k, grads[k] + self.weight_decay * p64)


class AdamW(Adam):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        super().__init__(params, lr, betas, eps, weight_decay)

    def step(self, grads):
        grads = _grads_ok(self.params, grads)
        self.t += 1
        for k in sorted(self.params):
            p = self.params[k]
            p[...] = p.astype(np.float64) * (1 - self.lr * self.weight_decay) - self.lr * self._direction(k, grads[k])


def clip_grad_norm(grads, max_norm):
    if max_norm < 0:
        raise ValueError("max_norm must be >= 0")
    squares = 0.0
    for g in grads.values():
        g = np.asarray(g, dtype=np.float64).ravel()
        squares += float(np.dot(g, g))
    total_norm = squares ** 0.5
    factor = max_norm / (total_norm + 1e-6) if total_norm > max_norm else 1.0
    return {k: (np.asarray(g) * factor).astype(np.result_type(np.asarray(g).dtype, np.float16)) for k, g in grads.items()}, total_norm
