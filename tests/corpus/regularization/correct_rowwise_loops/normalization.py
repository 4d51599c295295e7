"""Correct: loops over features (BatchNorm) and rows (LayerNorm); backward by the compact formula with sums."""
import math

import numpy as np


class BatchNorm1d:
    def __init__(self, num_features, eps=1e-5, momentum=0.1):
        if int(num_features) != num_features or num_features < 1:
            raise ValueError(f"num_features must be a positive integer, got {num_features}")
        d = int(num_features)
        self.gamma, self.beta = np.ones(d), np.zeros(d)
        self.running_mean, self.running_var = np.zeros(d), np.ones(d)
        self.eps, self.momentum, self.training = eps, momentum, True
        self.dgamma = self.dbeta = None

    def forward(self, x):
        x = np.asarray(x, dtype=np.float64)
        n, d = x.shape
        if self.training and n < 2:
            raise ValueError(f"need at least 2 rows in training, got {n}")
        out, xhat, inv = np.empty_like(x), np.empty_like(x), np.empty(d)
        for j in range(d):
            column = [float(v) for v in x[:, j]]
            if self.training:
                mean = math.fsum(column) / n
                sq = math.fsum((v - mean) ** 2 for v in column)
                var = sq / n
                self.running_mean[j] = (1 - self.momentum) * self.running_mean[j] + self.momentum * mean
                self.running_var[j] = (1 - self.momentum) * self.running_var[j] + self.momentum * sq / (n - 1)
            else:
                mean, var = self.running_mean[j], self.running_var[j]
            inv[j] = 1.0 / math.sqrt(var + self.eps)
            for i in range(n):
                xhat[i, j] = (column[i] - mean) * inv[j]
                out[i, j] = self.gamma[j] * xhat[i, j] + self.beta[j]
        self._cache = (xhat, inv, self.training)
        return out

    def backward(self, dout):
        xhat, inv, training = self._cache
        dout = np.asarray(dout, dtype=np.float64)
        n, d = dout.shape
        dx = np.empty_like(dout)
        self.dgamma, self.dbeta = np.empty(d), np.empty(d)
        for j in range(d):
            g, h = dout[:, j], xhat[:, j]
            self.dbeta[j] = g.sum()
            self.dgamma[j] = (g * h).sum()
            if training:
                dx[:, j] = self.gamma[j] * inv[j] / n * (n * g - self.dbeta[j] - h * self.dgamma[j])
            else:
                dx[:, j] = self.gamma[j] * inv[j] * g
        return dx

    def train(self):
        self.training = True

    def eval(self):
        self.training = False


class LayerNorm:
    def __init__(self, num_features, eps=1e-5):
        if num_features < 1:
            raise ValueError("num_features must be positive")
        self.gamma, self.beta = np.ones(num_features), np.zeros(num_features)
        self.eps, self.training = eps, True
        self.dgamma = self.dbeta = None

    def forward(self, x):
        x = np.asarray(x, dtype=np.float64)
        self.rows = []
        out = np.empty_like(x)
        for i, row in enumerate(x):
            mean = row.sum() / row.size
            var = ((row - mean) ** 2).sum() / row.size
            inv = 1 / math.sqrt(var + self.eps)
            xhat = (row - mean) * inv
            self.rows.append((xhat, inv))
            out[i] = self.gamma * xhat + self.beta
        return out

    def backward(self, dout):
        dout = np.asarray(dout, dtype=np.float64)
        d = dout.shape[1]
        dx = np.empty_like(dout)
        self.dgamma, self.dbeta = np.zeros(d), np.zeros(d)
        for i, (xhat, inv) in enumerate(self.rows):
            self.dgamma += dout[i] * xhat
            self.dbeta += dout[i]
            g = dout[i] * self.gamma
            dx[i] = inv / d * (d * g - g.sum() - xhat * (g * xhat).sum())
        return dx

    def train(self):
        self.training = True

    def eval(self):
        self.training = False
