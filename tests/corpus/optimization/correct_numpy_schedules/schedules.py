"""Correct: schedules with NumPy, warmup_cosine written out without calling the others."""
import numpy as np


def _epoch(epoch):
    if epoch < 0:
        raise ValueError("epoch must be >= 0")


def step_decay(epoch, initial_lr, drop_factor=0.5, epochs_drop=10):
    _epoch(epoch)
    if epochs_drop <= 0:
        raise ValueError("epochs_drop must be positive")
    return float(initial_lr * np.power(drop_factor, np.floor(epoch / epochs_drop)))


def cosine_annealing(epoch, total_epochs, lr_max, lr_min=0.0):
    _epoch(epoch)
    if total_epochs <= 0:
        raise ValueError("total_epochs must be positive")
    progress = min(epoch, total_epochs) / total_epochs
    return float(lr_min + (lr_max - lr_min) * (np.cos(np.pi * progress) + 1) / 2)


def linear_warmup(epoch, warmup_epochs, base_lr):
    _epoch(epoch)
    if warmup_epochs <= 0:
        raise ValueError("warmup_epochs must be positive")
    return float(base_lr * min(1.0, (epoch + 1) / warmup_epochs))


def warmup_cosine(epoch, total_epochs, warmup_epochs, lr_max, lr_min=0.0):
    _epoch(epoch)
    if warmup_epochs <= 0 or total_epochs <= warmup_epochs:
        raise ValueError("need 0 < warmup_epochs < total_epochs")
    if epoch < warmup_epochs:
        return float(lr_max * (epoch + 1) / warmup_epochs)
    progress = min(1.0, (epoch - warmup_epochs) / (total_epochs - warmup_epochs))
    return float(lr_min + 0.5 * (lr_max - lr_min) * (1 + np.cos(np.pi * progress)))
