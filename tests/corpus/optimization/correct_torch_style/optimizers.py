"""Correct: written like torch.optim, a base class with defaults and per-parameter state dicts ("step", "exp_avg", ...)."""
import math

import numpy as np


class Optimizer:
    def __init__(self, params, defaults):
        for name in ("lr", "momentum", "weight_decay", "eps", "alpha"):
            if name in defaults and not 0.0 <= defaults[name]:
                raise ValueError(f"Invalid {name} value: {defaults[name]}")
        if "betas" in defaults:
            for i, beta in enumerate(defaults["betas"]):
                if not 0.0 <= beta < 1.0:
                    raise ValueError(f"Invalid beta parameter at index {i}: {beta}")
        self.params = params
        self.defaults = defaults
        for name, value in defaults.items():
            setattr(self, name, value)
        self.state = {name: {} for name in params}
        self.t = 0

    def _checked(self, grads):
        for name, p in self.params.items():
            if name not in grads:
                raise ValueError(f"no gradient for parameter {name!r}")
            if np.shape(grads[name]) != p.shape:
                raise ValueError(f"gradient of {name!r} has shape {np.shape(grads[name])}, parameter has {p.shape}")
        if not all(np.isfinite(grads[name]).all() for name in self.params):
            raise FloatingPointError("non-finite gradient")
        return {name: np.asarray(grads[name]) for name in self.params}

    def step(self, grads):
        grads = self._checked(grads)
        self.t += 1
        for name, p in self.params.items():
            self._update(p, grads[name], self.state[name])


class SGD(Optimizer):
    def __init__(self, params, lr, momentum=0.0, nesterov=False, weight_decay=0.0):
        if nesterov and momentum <= 0:
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, dict(lr=lr, momentum=momentum, nesterov=nesterov, weight_decay=weight_decay))

    def _update(self, p, d_p, state):
        if self.weight_decay != 0:
            d_p = d_p + self.weight_decay * p
        if self.momentum != 0:
            if "momentum_buffer" not in state:
                buf = state["momentum_buffer"] = d_p.copy()
            else:
                buf = state["momentum_buffer"]
                buf *= self.momentum
                buf += d_p
            d_p = d_p + self.momentum * buf if self.nesterov else buf
        p -= self.lr * d_p


class AdaGrad(Optimizer):
    def __init__(self, params, lr=1e-2, eps=1e-10):
        super().__init__(params, dict(lr=lr, eps=eps))

    def _update(self, p, grad, state):
        state_sum = state.setdefault("sum", np.zeros_like(p))
        state_sum += grad * grad
        p -= self.lr * grad / (np.sqrt(state_sum) + self.eps)


class RMSProp(Optimizer):
    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8):
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps))

    def _update(self, p, grad, state):
        square_avg = state.setdefault("square_avg", np.zeros_like(p))
        square_avg *= self.alpha
        square_avg += (1 - self.alpha) * grad * grad
        p -= self.lr * grad / (np.sqrt(square_avg) + self.eps)


class Adam(Optimizer):
    decoupled = False

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay))

    def _update(self, p, grad, state):
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(p)
            state["exp_avg_sq"] = np.zeros_like(p)
        state["step"] += 1
        beta1, beta2 = self.betas
        if self.decoupled:
            p *= 1 - self.lr * self.weight_decay
        elif self.weight_decay != 0:
            grad = grad + self.weight_decay * p
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        exp_avg += (1 - beta1) * (grad - exp_avg)  # torch's lerp_
        exp_avg_sq *= beta2
        exp_avg_sq += (1 - beta2) * grad * grad
        bias_correction1 = 1 - beta1 ** state["step"]
        bias_correction2_sqrt = math.sqrt(1 - beta2 ** state["step"])
        step_size = self.lr / bias_correction1
        denom = np.sqrt(exp_avg_sq) / bias_correction2_sqrt + self.eps
        p -= step_size * exp_avg / denom


class AdamW(Adam):
    decoupled = True

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)


def clip_grad_norm(grads, max_norm):
    norms = np.array([np.linalg.norm(np.asarray(g, dtype=np.float64)) for g in grads.values()])
    total_norm = float(np.linalg.norm(norms))
    clip_coef = max_norm / (total_norm + 1e-6)
    if total_norm > max_norm:
        return {k: np.asarray(g) * clip_coef for k, g in grads.items()}, total_norm
    return {k: np.array(g, dtype=np.result_type(g, np.float32)) for k, g in grads.items()}, total_norm
