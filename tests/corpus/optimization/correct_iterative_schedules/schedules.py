"""Correct: step decay by repeated multiplication, cosine from a clamped progress, warmup_cosine written inline."""
import math


def _check_epoch(epoch):
    if epoch < 0:
        raise ValueError(f"epoch must be >= 0, got {epoch}")


def _check_count(name, value):
    if value <= 0:
        raise ValueError(f"{name} must be > 0, got {value}")


def step_decay(epoch, initial_lr, drop_factor=0.5, epochs_drop=10):
    _check_epoch(epoch)
    _check_count("epochs_drop", epochs_drop)
    lr = float(initial_lr)
    drops = 0
    while (drops + 1) * epochs_drop <= epoch:
        lr *= drop_factor
        drops += 1
    return lr


def cosine_annealing(epoch, total_epochs, lr_max, lr_min=0.0):
    _check_epoch(epoch)
    _check_count("total_epochs", total_epochs)
    progress = 1.0 if epoch >= total_epochs else epoch / total_epochs
    return lr_min + (lr_max - lr_min) * 0.5 * (1.0 + math.cos(math.pi * progress))


def linear_warmup(epoch, warmup_epochs, base_lr):
    _check_epoch(epoch)
    _check_count("warmup_epochs", warmup_epochs)
    return base_lr * min(epoch + 1, warmup_epochs) / warmup_epochs


def warmup_cosine(epoch, total_epochs, warmup_epochs, lr_max, lr_min=0.0):
    _check_epoch(epoch)
    _check_count("warmup_epochs", warmup_epochs)
    _check_count("total_epochs", total_epochs)
    if total_epochs <= warmup_epochs:
        raise ValueError(f"total_epochs ({total_epochs}) must exceed warmup_epochs ({warmup_epochs})")
    if epoch < warmup_epochs:
        return lr_max * (epoch + 1) / warmup_epochs
    if epoch >= total_epochs:
        return float(lr_min)
    angle = math.pi * (epoch - warmup_epochs) / (total_epochs - warmup_epochs)
    return lr_min + (lr_max - lr_min) * (1.0 + math.cos(angle)) / 2.0
