"""Correct: CS231n-style backward through the computational graph, step by step."""
import numpy as np


class BatchNorm1d:
    def __init__(self, num_features, eps=1e-5, momentum=0.1):
        if num_features <= 0:
            raise ValueError("num_features must be positive")
        self.gamma = np.ones(num_features)
        self.beta = np.zeros(num_features)
        self.running_mean = np.zeros(num_features)
        self.running_var = np.ones(num_features)
        self.eps, self.momentum, self.training = eps, momentum, True
        self.dgamma = self.dbeta = None

    def forward(self, x):
        x = np.asarray(x, dtype=np.float64)
        if self.training:
            n = x.shape[0]
            if n < 2:
                raise ValueError("BatchNorm1d needs N >= 2 in training")
            mu = np.sum(x, axis=0) / n
            xmu = x - mu
            var = np.sum(xmu ** 2, axis=0) / n
            sqrtvar = np.sqrt(var + self.eps)
            ivar = 1.0 / sqrtvar
            xhat = xmu * ivar
            self.cache = ("train", xhat, xmu, ivar, sqrtvar, var)
            self.running_mean = self.momentum * mu + (1 - self.momentum) * self.running_mean
            self.running_var = self.momentum * (np.sum(xmu ** 2, axis=0) / (n - 1)) + (1 - self.momentum) * self.running_var
        else:
            ivar = 1.0 / np.sqrt(self.running_var + self.eps)
            xhat = (x - self.running_mean) * ivar
            self.cache = ("eval", xhat, None, ivar, None, None)
        return self.gamma * xhat + self.beta

    def backward(self, dout):
        mode, xhat, xmu, ivar, sqrtvar, var = self.cache
        dout = np.asarray(dout, dtype=np.float64)
        self.dbeta = np.sum(dout, axis=0)
        self.dgamma = np.sum(dout * xhat, axis=0)
        dxhat = dout * self.gamma
        if mode == "eval":
            return dxhat * ivar
        n = dout.shape[0]
        divar = np.sum(dxhat * xmu, axis=0)
        dxmu1 = dxhat * ivar
        dsqrtvar = -1.0 / (sqrtvar ** 2) * divar
        dvar = 0.5 / np.sqrt(var + self.eps) * dsqrtvar
        dsq = np.ones_like(dout) / n * dvar
        dxmu2 = 2 * xmu * dsq
        dx1 = dxmu1 + dxmu2
        dmu = -np.sum(dx1, axis=0)
        return dx1 + np.ones_like(dout) / n * dmu

    def train(self):
        self.training = True

    def eval(self):
        self.training = False


class LayerNorm:
    def __init__(self, num_features, eps=1e-5):
        if num_features <= 0:
            raise ValueError("num_features must be positive")
        self.gamma = np.ones(num_features)
        self.beta = np.zeros(num_features)
        self.eps, self.training = eps, True
        self.dgamma = self.dbeta = None

    def forward(self, x):
        x = np.asarray(x, dtype=np.float64)
        # transpose and reuse the batch-norm algebra over the feature axis
        xt = x.T
        mu = xt.mean(axis=0)
        xmu = xt - mu
        var = (xmu ** 2).mean(axis=0)
        ivar = 1.0 / np.sqrt(var + self.eps)
        xhat = (xmu * ivar).T
        self.cache = (xhat, ivar)
        return self.gamma * xhat + self.beta

    def backward(self, dout):
        xhat, ivar = self.cache
        dout = np.asarray(dout, dtype=np.float64)
        self.dbeta = dout.sum(axis=0)
        self.dgamma = (dout * xhat).sum(axis=0)
        dxhat = (dout * self.gamma).T
        xhat_t = xhat.T
        d = dxhat.shape[0]
        return (ivar / d * (d * dxhat - dxhat.sum(axis=0) - xhat_t * (dxhat * xhat_t).sum(axis=0))).T

    def train(self):
        self.training = True

    def eval(self):
        self.training = False
