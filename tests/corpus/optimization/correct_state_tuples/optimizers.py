"""Correct: one state dict per optimizer, values rebuilt functionally, dict comprehensions."""
import numpy as np


def _validate(params, grads):
    missing = set(params) - set(grads)
    if missing:
        raise ValueError(f"gradients missing for {sorted(missing)}")
    shapes = [k for k in params if np.asarray(grads[k]).shape != params[k].shape]
    if shapes:
        raise ValueError(f"gradient shapes differ for {shapes}")
    if not all(np.isfinite(np.asarray(grads[k])).all() for k in params):
        raise FloatingPointError("non-finite gradient")


class _Base:
    def __init__(self, params, **hyper):
        for name in ("lr", "momentum", "weight_decay", "eps", "alpha"):
            if hyper.get(name, 0) < 0:
                raise ValueError(f"{name} must be >= 0")
        if not all(0 <= b < 1 for b in hyper.get("betas", ())):
            raise ValueError("betas must lie in [0, 1)")
        if hyper.get("nesterov") and hyper.get("momentum", 0) <= 0:
            raise ValueError("nesterov requires momentum > 0")
        self.params, self.t, self.state = params, 0, {}
        self.__dict__.update(hyper)

    def step(self, grads):
        _validate(self.params, grads)
        self.t += 1
        for k, p in self.params.items():
            new_p, self.state[k] = self._update(p, np.asarray(grads[k], dtype=p.dtype), self.state.get(k))
            p[...] = new_p


class SGD(_Base):
    def __init__(self, params, lr, momentum=0.0, nesterov=False, weight_decay=0.0):
        super().__init__(params, lr=lr, momentum=momentum, nesterov=nesterov, weight_decay=weight_decay)

    def _update(self, p, g, buf):
        g = g + self.weight_decay * p
        if self.momentum == 0:
            return p - self.lr * g, None
        buf = g if buf is None else self.momentum * buf + g
        step = g + self.momentum * buf if self.nesterov else buf
        return p - self.lr * step, buf


class AdaGrad(_Base):
    def __init__(self, params, lr=1e-2, eps=1e-10):
        super().__init__(params, lr=lr, eps=eps)

    def _update(self, p, g, s):
        s = g * g if s is None else s + g * g
        return p - self.lr * g / (np.sqrt(s) + self.eps), s


class RMSProp(_Base):
    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8):
        super().__init__(params, lr=lr, alpha=alpha, eps=eps)

    def _update(self, p, g, v):
        v = (1 - self.alpha) * g * g if v is None else self.alpha * v + (1 - self.alpha) * g * g
        return p - self.lr * g / (np.sqrt(v) + self.eps), v


class Adam(_Base):
    decoupled = False

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)

    def _update(self, p, g, state):
        m, v = state if state is not None else (np.zeros_like(p), np.zeros_like(p))
        if self.decoupled:
            p = p * (1 - self.lr * self.weight_decay)
        else:
            g = g + self.weight_decay * p
        b1, b2 = self.betas
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g ** 2
        m_hat, v_hat = m / (1 - b1 ** self.t), v / (1 - b2 ** self.t)
        return p - self.lr * m_hat / (np.sqrt(v_hat) + self.eps), (m, v)


class AdamW(Adam):
    decoupled = True

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)


def clip_grad_norm(grads, max_norm):
    total_norm = float(np.linalg.norm([np.linalg.norm(np.ravel(g)) for g in grads.values()]))
    scale = min(1.0, max_norm / (total_norm + 1e-6)) if total_norm > max_norm else 1.0
    return {k: np.array(g) * scale for k, g in grads.items()}, total_norm
