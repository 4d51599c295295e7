"""Correct: float32 inputs stay float32 throughout; CS231n's staged backward (dvar, dmu); np.var(ddof=1) for running_var."""
import numpy as np


class BatchNorm1d:
    def __init__(self, num_features, eps=1e-5, momentum=0.1):
        if num_features <= 0:
            raise ValueError("num_features must be > 0")
        self.gamma = np.ones(num_features)
        self.beta = np.zeros(num_features)
        self.running_mean = np.zeros(num_features)
        self.running_var = np.ones(num_features)
        self.eps = eps
        self.momentum = momentum
        self.training = True
        self.dgamma = None
        self.dbeta = None

    def forward(self, x):
        x = np.asarray(x)
        dt = x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)
        x = x.astype(dt)
        if self.training:
            if x.shape[0] < 2:
                raise ValueError("BatchNorm1d needs a batch of at least 2 in training")
            mu = x.mean(axis=0)
            var = x.var(axis=0)
            self.running_mean = self.running_mean * (1 - self.momentum) + mu * self.momentum
            self.running_var = self.running_var * (1 - self.momentum) + x.var(axis=0, ddof=1) * self.momentum
        else:
            mu = self.running_mean.astype(dt)
            var = self.running_var.astype(dt)
        gamma, beta = self.gamma.astype(dt), self.beta.astype(dt)
        self.cache = (x, mu, var, self.training)
        return gamma * (x - mu) / np.sqrt(var + dt.type(self.eps)) + beta

    def backward(self, dout):
        x, mu, var, training = self.cache
        dt = x.dtype
        dout = np.asarray(dout).astype(dt)
        n = x.shape[0]
        std = np.sqrt(var + dt.type(self.eps))
        xhat = (x - mu) / std
        self.dbeta = dout.sum(axis=0)
        self.dgamma = (dout * xhat).sum(axis=0)
        dxhat = dout * self.gamma.astype(dt)
        if not training:
            return dxhat / std
        dvar = np.sum(dxhat * (x - mu), axis=0) * dt.type(-0.5) * std ** -3
        dmu = -np.sum(dxhat, axis=0) / std + dvar * np.mean(dt.type(-2) * (x - mu), axis=0)
        return dxhat / std + dvar * dt.type(2) * (x - mu) / dt.type(n) + dmu / dt.type(n)

    def train(self):
        self.training = True

    def eval(self):
        self.training = False


class LayerNorm:
    def __init__(self, num_features, eps=1e-5):
        if num_features <= 0:
            raise ValueError("num_features must be > 0")
        self.gamma = np.ones(num_features)
        self.beta = np.zeros(num_features)
        self.eps = eps
        self.training = True
        self.dgamma = None
        self.dbeta = None

    def forward(self, x):
        x = np.asarray(x)
        dt = x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)
        x = x.astype(dt)
        mu = x.mean(axis=1, keepdims=True)
        var = x.var(axis=1, keepdims=True)
        self.cache = (x, mu, var)
        return self.gamma.astype(dt) * (x - mu) / np.sqrt(var + dt.type(self.eps)) + self.beta.astype(dt)

    def backward(self, dout):
        x, mu, var = self.cache
        dt = x.dtype
        dout = np.asarray(dout).astype(dt)
        d = x.shape[1]
        std = np.sqrt(var + dt.type(self.eps))
        xhat = (x - mu) / std
        self.dbeta = dout.sum(axis=0)
        self.dgamma = (dout * xhat).sum(axis=0)
        dxhat = dout * self.gamma.astype(dt)
        dvar = np.sum(dxhat * (x - mu), axis=1, keepdims=True) * dt.type(-0.5) * std ** -3
        dmu = -np.sum(dxhat, axis=1, keepdims=True) / std + dvar * np.mean(dt.type(-2) * (x - mu), axis=1, keepdims=True)
        return dxhat / std + dvar * dt.type(2) * (x - mu) / dt.type(d) + dmu / dt.type(d)

    def train(self):
        self.training = True

    def eval(self):
        self.training = False
