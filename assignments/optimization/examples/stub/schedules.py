"""Learning-rate schedules: step decay, cosine annealing, linear warmup, warmup + cosine.

Every schedule is a pure function of the epoch, in closed form:

    lr = schedule(epoch, ...)        # epoch = 0, 1, 2, ...; returns a Python float

Epochs count from 0: ``epoch`` is the index of the epoch about to be trained,
so ``schedule(0, ...)`` is the learning rate of the first epoch. Typical use::

    for epoch in range(total_epochs):
        opt.lr = cosine_annealing(epoch, total_epochs, lr_max=0.1)
        train_one_epoch(opt)

Each schedule matches the PyTorch scheduler named in its docstring (stepped
once per epoch, ``get_last_lr()`` read before the epoch's ``step()``), up to
rounding: PyTorch updates the rate step by step, this file evaluates the
closed form.

Invalid arguments raise ``ValueError`` naming the argument: a negative
``epoch`` or learning rate, a count (``epochs_drop``, ``total_epochs``,
``warmup_epochs``) that is not positive, ``lr_min > lr_max``.
"""

from __future__ import annotations

import math


def step_decay(epoch, initial_lr, drop_factor=0.5, epochs_drop=10):
    """Step decay: multiply the rate by ``drop_factor`` every ``epochs_drop`` epochs.

    Formula::

        lr = initial_lr * drop_factor ** (epoch // epochs_drop)

    where:
        ``//`` is integer (floor) division, so the rate is constant within each
        block of ``epochs_drop`` epochs. Same as
        ``torch.optim.lr_scheduler.StepLR(step_size=epochs_drop, gamma=drop_factor)``.

    Args:
        epoch (int): the epoch, counting from 0; >= 0.
        initial_lr (float): the rate of epochs 0 .. epochs_drop - 1; >= 0.
        drop_factor (float, optional): the factor applied at each drop; > 0
            (default: 0.5).
        epochs_drop (int, optional): epochs between drops; > 0 (default: 10).

    Returns:
        float: the learning rate of ``epoch``.

    Raises:
        ValueError: an argument is out of the ranges above (the message names it).

    Example:
        >>> [step_decay(epoch, 1.0, drop_factor=0.5, epochs_drop=2) for epoch in range(6)]
        [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]
        >>> step_decay(25, 0.1)
        0.025
    """
    ###########################################################################
    # TODO: Implement `step_decay` as its docstring describes.
    ###########################################################################
    raise NotImplementedError('`step_decay` in schedules.py is not implemented yet: fill in its TODO region.')
    ###########################################################################
    #                             END OF YOUR CODE
    ###########################################################################


def cosine_annealing(epoch, total_epochs, lr_max, lr_min=0.0):
    """Cosine annealing: from ``lr_max`` at epoch 0 down to ``lr_min`` at ``total_epochs``.

    Formula::

        lr = lr_min + 0.5 * (lr_max - lr_min) * (1 + cos(pi * epoch / total_epochs))   if epoch <= total_epochs
        lr = lr_min                                                                    if epoch > total_epochs

    where:
        ``epoch / total_epochs`` is the progress, 0 at the start and 1 at the
        end; the rate is ``lr_max`` at epoch 0, halfway at
        ``total_epochs / 2`` and exactly ``lr_min`` at ``total_epochs``. Same
        as ``torch.optim.lr_scheduler.CosineAnnealingLR(T_max=total_epochs,
        eta_min=lr_min)`` up to ``total_epochs`` (without warm restarts:
        PyTorch's rate rises again afterwards, this one stays at ``lr_min``).

    Args:
        epoch (int): the epoch, counting from 0; >= 0.
        total_epochs (int): length of the annealing; > 0.
        lr_max (float): the rate at epoch 0; >= 0.
        lr_min (float, optional): the final rate; 0 <= lr_min <= lr_max
            (default: 0.0).

    Returns:
        float: the learning rate of ``epoch``.

    Raises:
        ValueError: an argument is out of the ranges above (the message names it).

    Example:
        >>> [round(cosine_annealing(epoch, 4, lr_max=1.0), 4) for epoch in range(6)]
        [1.0, 0.8536, 0.5, 0.1464, 0.0, 0.0]
    """
    ###########################################################################
    # TODO: Implement `cosine_annealing` as its docstring describes.
    ###########################################################################
    raise NotImplementedError('`cosine_annealing` in schedules.py is not implemented yet: fill in its TODO region.')
    ###########################################################################
    #                             END OF YOUR CODE
    ###########################################################################


def linear_warmup(epoch, warmup_epochs, base_lr):
    """Linear warmup: raise the rate in equal steps to ``base_lr`` over ``warmup_epochs`` epochs.

    Formula::

        lr = base_lr * (epoch + 1) / warmup_epochs   if epoch < warmup_epochs
        lr = base_lr                                 otherwise

    where:
        the ``+ 1`` makes the first epoch train with ``base_lr / warmup_epochs``
        (never with 0) and the last warmup epoch (``warmup_epochs - 1``) with
        ``base_lr`` itself. Same as ``torch.optim.lr_scheduler.LinearLR(
        start_factor=1 / warmup_epochs, total_iters=warmup_epochs - 1)``.

    Args:
        epoch (int): the epoch, counting from 0; >= 0.
        warmup_epochs (int): length of the warmup; > 0.
        base_lr (float): the rate reached at the end of the warmup; >= 0.

    Returns:
        float: the learning rate of ``epoch``.

    Raises:
        ValueError: an argument is out of the ranges above (the message names it).

    Example:
        >>> [linear_warmup(epoch, 4, base_lr=1.0) for epoch in range(6)]
        [0.25, 0.5, 0.75, 1.0, 1.0, 1.0]
    """
    ###########################################################################
    # TODO: Implement `linear_warmup` as its docstring describes.
    ###########################################################################
    raise NotImplementedError('`linear_warmup` in schedules.py is not implemented yet: fill in its TODO region.')
    ###########################################################################
    #                             END OF YOUR CODE
    ###########################################################################


def warmup_cosine(epoch, total_epochs, warmup_epochs, lr_max, lr_min=0.0):
    """Linear warmup to ``lr_max``, then cosine annealing to ``lr_min`` at ``total_epochs``.

    Formula::

        lr = lr_max * (epoch + 1) / warmup_epochs                      if epoch < warmup_epochs
        lr = lr_min + 0.5 * (lr_max - lr_min) * (1 + cos(pi * progress))   if warmup_epochs <= epoch <= total_epochs
        lr = lr_min                                                    if epoch > total_epochs

    where:
        progress = (epoch - warmup_epochs) / (total_epochs - warmup_epochs),
        0 at the first epoch after the warmup and 1 at ``total_epochs``. That
        is ``linear_warmup(epoch, warmup_epochs, lr_max)`` during the warmup,
        then ``cosine_annealing(epoch - warmup_epochs, total_epochs -
        warmup_epochs, lr_max, lr_min)``; the rate is ``lr_max`` both at the
        last warmup epoch and at the first cosine epoch. Same as PyTorch's
        ``SequentialLR`` of those two schedulers with ``milestones=[warmup_epochs]``.

    Args:
        epoch (int): the epoch, counting from 0; >= 0.
        total_epochs (int): the epoch at which the rate reaches ``lr_min``;
            > warmup_epochs.
        warmup_epochs (int): length of the warmup; > 0.
        lr_max (float): the peak rate; >= 0.
        lr_min (float, optional): the final rate; 0 <= lr_min <= lr_max
            (default: 0.0).

    Returns:
        float: the learning rate of ``epoch``.

    Raises:
        ValueError: an argument is out of the ranges above (the message names it).

    Example:
        >>> [round(warmup_cosine(epoch, 6, 2, lr_max=1.0), 4) for epoch in range(8)]
        [0.5, 1.0, 1.0, 0.8536, 0.5, 0.1464, 0.0, 0.0]
    """
    ###########################################################################
    # TODO: Implement `warmup_cosine` as its docstring describes.
    ###########################################################################
    raise NotImplementedError('`warmup_cosine` in schedules.py is not implemented yet: fill in its TODO region.')
    ###########################################################################
    #                             END OF YOUR CODE
    ###########################################################################
