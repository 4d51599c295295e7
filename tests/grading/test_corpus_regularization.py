"""The regularization corpus: hand-written one-mistake submissions lose points only in the item they break.

Each case below is a plausible student mistake that the catalogue
(``assignments/regularization/mistakes.toml``) does not list, written as an edit
of a correct submission: the reference, or one of the correct submissions
written differently in ``tests/corpus/regularization/correct_*/``. The graders
must catch it in its item (and in the items built on it, see ``DEPENDENTS`` in
``corpus.py``) and nowhere else. Where the wrong output is one a catalogued
mistake produces, written differently, the feedback must still carry that
mistake's hint.

The correct submissions themselves are graded by ``test_corpus.py`` (full
marks) and every catalogue entry by ``test_catalogue.py``; they are only
counted here.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pytest
from corpus import allowed_losses, grade_in_process, lost_items, reference_submission

from autograder.course import load_assignment
from autograder.grading.mistakes import load_catalogue
from autograder.markers import strip_markers

ASSIGNMENT = "regularization"
CORPUS = Path(__file__).parents[1] / "corpus" / ASSIGNMENT


class Case(NamedTuple):
    id: str
    item: str
    """The contract item the mistake breaks."""
    module: str
    old: str
    """Occurs exactly once in the base's module."""
    new: str
    base: str = "reference"
    """"reference", or the name of a folder ``tests/corpus/regularization/correct_*``."""
    diagnosis: str = ""
    """The catalogued mistake whose hint the feedback must carry, if the output is one it produces."""
    also: tuple[str, ...] = ()
    """Other items that really are wrong too, because the base's own code builds them on the broken one."""


WRONG = [
    # penalties
    Case("l1-penalty-of-the-first-array-only", "penalties.l1_penalty", "penalties",
         "else [weights]\n    return float(lam * sum(", "else [weights]\n    arrays = arrays[:1]\n    return float(lam * sum("),
    Case("l1-gradient-accepts-negative-lam", "penalties.l1_gradient", "penalties",
         'raise ValueError(f"lam must be >= 0, got {lam}")\n    W = _as_float(W)\n    return lam * np.sign(W)',
         'pass\n    W = _as_float(W)\n    return lam * np.sign(W)'),
    Case("l2-penalty-squares-the-sum", "penalties.l2_penalty", "penalties",
         "return float(0.5 * lam * sum(np.sum(np.asarray(w, dtype=np.float64) ** 2) for w in arrays))",
         "return float(0.5 * lam * sum(np.sum(np.asarray(w, dtype=np.float64)) ** 2 for w in arrays))"),
    Case("l2-gradient-scales-W-in-place", "penalties.l2_gradient", "penalties",
         "    return lam * _as_float(W)", "    W = _as_float(W)\n    W *= lam\n    return W"),
    Case("elastic-net-l2-part-of-the-last-array-only", "penalties.elastic_net_penalty", "penalties",
         "l2sq = sum(np.sum(np.asarray(w, dtype=np.float64) ** 2) for w in arrays)",
         "l2sq = np.sum(np.asarray(arrays[-1], dtype=np.float64) ** 2)"),
    Case("elastic-net-gradient-l1-part-without-lam", "penalties.elastic_net_gradient", "penalties",
         "return lam * (l1_ratio * np.sign(W) + (1 - l1_ratio) * W)", "return l1_ratio * np.sign(W) + lam * (1 - l1_ratio) * W"),
    Case("l1-gradient-loop-counts-zero-as-positive", "penalties.l1_gradient", "penalties",
         "out[index] = lam if value > 0 else", "out[index] = lam if value >= 0 else", base="correct_loops",
         diagnosis="l1-gradient-nonzero-at-zero", also=("penalties.elastic_net_gradient",)),  # its elastic net calls its l1_gradient
    # dropout
    Case("dropout-one-mask-for-the-whole-batch", "dropout.dropout_forward", "dropout",
         "    mask = rng.random(x.shape) >= p", "    mask = np.broadcast_to(rng.random(x.shape[1:]) >= p, x.shape).copy()"),
    Case("dropout-accepts-p-of-one", "dropout.dropout_forward", "dropout",
         '    if not 0 <= p < 1:\n        raise ValueError(f"p (the probability of dropping a unit) must be in [0, 1), got {p}")\n    x = np.asarray(x)',
         "    x = np.asarray(x)"),
    Case("dropout-evaluation-mask-of-ones", "dropout.dropout_forward", "dropout",
         "        return x.copy(), None", "        return x.copy(), np.ones(x.shape, dtype=bool)"),
    Case("dropout-backward-fails-without-mask", "dropout.dropout_backward", "dropout",
         "    if mask is None:\n        return dout.copy()", "    if mask is None:\n        return None"),
    Case("dropout-layer-ignores-eval", "dropout.Dropout", "dropout",
         "        self.training = False", "        pass"),
    Case("dropout-layer-ignores-its-rng", "dropout.Dropout", "dropout",
         "dropout_forward(x, self.p, training=self.training, rng=self.rng)", "dropout_forward(x, self.p, training=self.training, rng=None)"),
    Case("dropout-binomial-keeps-with-probability-p", "dropout.dropout_forward", "dropout",
         "mask = rng.binomial(1, 1 - p, size=x.shape)", "mask = rng.binomial(1, p, size=x.shape)", base="correct_binomial_float32",
         diagnosis="dropout-p-is-keep-probability"),
    # normalization
    Case("batchnorm-backward-without-the-mean-term", "normalization.BatchNorm1d", "normalization",
         "return (dx_hat - dx_hat.mean(axis=0) - x_hat * np.mean(dx_hat * x_hat, axis=0)) / std",
         "return (dx_hat - x_hat * np.mean(dx_hat * x_hat, axis=0)) / std"),
    Case("batchnorm-dbeta-scaled-by-gamma", "normalization.BatchNorm1d", "normalization",
         "        self.dbeta = np.sum(dout, axis=0)\n        dx_hat = dout * self.gamma\n        if not training:",
         "        self.dbeta = np.sum(dout * self.gamma, axis=0)\n        dx_hat = dout * self.gamma\n        if not training:"),
    Case("batchnorm-centres-x-in-place", "normalization.BatchNorm1d", "normalization",
         "        x_hat = (x - mu) / std\n        self._cache = (x_hat, std, self.training)",
         "        x -= mu\n        x_hat = x / std\n        self._cache = (x_hat, std, self.training)"),
    Case("batchnorm-running-mean-replaced", "normalization.BatchNorm1d", "normalization",
         "self.running_mean = (1 - m) * self.running_mean + m * mu", "self.running_mean = mu"),
    Case("batchnorm-train-does-not-switch-back", "normalization.BatchNorm1d", "normalization",
         '"""Switch to training mode (batch statistics, running statistics updated)."""\n        self.training = True',
         '"""Switch to training mode (batch statistics, running statistics updated)."""\n        pass'),
    Case("batchnorm-loop-running-var-biased", "normalization.BatchNorm1d", "normalization",
         "self.momentum * sq / (n - 1)", "self.momentum * sq / n", base="correct_rowwise_loops",
         diagnosis="batchnorm-running-var-biased"),
    Case("layernorm-backward-without-the-x-hat-term", "normalization.LayerNorm", "normalization",
         "            - x_hat * np.mean(dx_hat * x_hat, axis=1, keepdims=True)\n", ""),
    Case("layernorm-staged-backward-dmu-sign", "normalization.LayerNorm", "normalization",
         "dmu = -np.sum(dxhat, axis=1, keepdims=True) / std", "dmu = np.sum(dxhat, axis=1, keepdims=True) / std",
         base="correct_dtype_kept"),
    # losses
    Case("smooth-labels-true-class-without-its-share", "losses.smooth_labels", "losses",
         "    targets[np.arange(y.shape[0]), y] += 1 - smoothing", "    targets[np.arange(y.shape[0]), y] = 1 - smoothing"),
    Case("smooth-labels-accepts-negative-labels", "losses.smooth_labels", "losses",
         "    if y.size and (y.min() < 0 or y.max() >= num_classes):", "    if y.size and y.max() >= num_classes:"),
    Case("smooth-labels-other-classes-formula", "losses.smooth_labels", "losses",
         "return onehot - smoothing * (onehot - 1.0 / num_classes)",
         "return onehot * (1 - smoothing) + (1 - onehot) * smoothing / (num_classes - 1)", base="correct_dtype_kept",
         diagnosis="label-smoothing-over-other-classes"),
    Case("cross-entropy-soft-targets-by-argmax", "losses.softmax_cross_entropy", "losses",
         "    shifted = logits - logits.max(axis=1, keepdims=True)",
         "    targets = np.eye(k)[targets.argmax(axis=1)]\n    shifted = logits - logits.max(axis=1, keepdims=True)"),
    Case("cross-entropy-mean-over-all-entries", "losses.softmax_cross_entropy", "losses",
         "    loss = -np.sum(targets * log_p) / n", "    loss = -np.mean(targets * log_p)"),
    Case("cross-entropy-shifts-logits-in-place", "losses.softmax_cross_entropy", "losses",
         "    shifted = logits - logits.max(axis=1, keepdims=True)", "    logits -= logits.max(axis=1, keepdims=True)\n    shifted = logits"),
    Case("cross-entropy-loop-without-max", "losses.softmax_cross_entropy", "losses",
         "        top = max(logits[i])", "        top = 0.0", base="correct_rowwise_loops"),
    # augmentation
    Case("mixup-labels-with-another-permutation", "augmentation.mixup", "augmentation",
         "lam * y + (1 - lam) * y[perm], lam, perm", "lam * y + (1 - lam) * y[rng.permutation(x.shape[0])], lam, perm"),
    Case("mixup-lam-per-example", "augmentation.mixup", "augmentation",
         "    lam = float(rng.beta(alpha, alpha))", "    lam = rng.beta(alpha, alpha, size=(x.shape[0],) + (1,) * (x.ndim - 1))"),
    Case("flip-all-or-nothing", "augmentation.random_horizontal_flip", "augmentation",
         "    flipped = rng.random(images.shape[0]) < p", "    flipped = np.full(images.shape[0], rng.random() < p)"),
    Case("flip-in-place", "augmentation.random_horizontal_flip", "augmentation",
         "    out = images.copy()\n    out[flipped]", "    out = images\n    out[flipped]"),
    Case("crop-offsets-in-unpadded-coordinates", "augmentation.random_crop", "augmentation",
         "    return out, offsets", "    return out, offsets - padding"),
    Case("crop-pads-bottom-right-only", "augmentation.random_crop", "augmentation",
         "[(padding, padding), (padding, padding)]", "[(0, 2 * padding), (0, 2 * padding)]"),
    Case("crop-one-offset-for-the-batch", "augmentation.random_crop", "augmentation",
         "[rng.integers(0, height - size + 1, size=n), rng.integers(0, width - size + 1, size=n)]",
         "[np.full(n, rng.integers(0, height - size + 1)), np.full(n, rng.integers(0, width - size + 1))]"),
    Case("crop-choice-excludes-the-last-position", "augmentation.random_crop", "augmentation",
         "        i = rng.choice(H - size + 1)\n        j = rng.choice(W - size + 1)",
         "        i = rng.choice(H - size)\n        j = rng.choice(W - size)", base="correct_choice_gamma",
         diagnosis="crop-offsets-exclude-the-last-position"),
]


def _base_sources(base: str) -> dict[str, str]:
    """The modules of a correct submission: the reference's, with a corpus folder's modules instead where it has them."""
    a = load_assignment(ASSIGNMENT)
    sources = {}
    for module in a.modules:
        path = a.reference_file(module)
        sources[module] = strip_markers(path.read_text(), path)
    if base != "reference":
        sources.update({p.stem: p.read_text() for p in (CORPUS / base).glob("*.py")})
    return sources


def test_the_corpus_holds_five_correct_and_twenty_hand_written_mistakes_besides_the_catalogue():
    correct = [d for d in CORPUS.glob("correct_*") if d.is_dir()]
    catalogue = load_catalogue(load_assignment(ASSIGNMENT))
    assert len(correct) >= 5 and len(WRONG) >= 20 and len(catalogue) >= 12
    assert len({case.id for case in WRONG}) == len(WRONG)
    assert not {case.id for case in WRONG} & {m.id for m in catalogue}


def test_every_contract_item_has_a_hand_written_mistake():
    points = load_assignment(ASSIGNMENT).config["points"]
    assert set(points) == {case.item for case in WRONG}


@pytest.mark.parametrize("case", WRONG, ids=[case.id for case in WRONG])
def test_a_hand_written_mistake_loses_points_only_in_its_item(tmp_path, case):
    sources = _base_sources(case.base)
    assert sources[case.module].count(case.old) == 1, f"{case.id}: the edit does not apply once to {case.base}/{case.module}.py"
    sources[case.module] = sources[case.module].replace(case.old, case.new)
    result = grade_in_process(ASSIGNMENT, reference_submission(ASSIGNMENT, tmp_path / "s", sources))
    lost = lost_items(result)
    assert case.item in lost, f"{case.id} was not caught"
    allowed = allowed_losses(case.item) | set(case.also)
    assert lost <= allowed, f"{case.id} also lost {sorted(lost - allowed)}"
    if case.diagnosis:
        hint = next(m.hint for m in load_catalogue(load_assignment(ASSIGNMENT)) if m.id == case.diagnosis)
        diagnosed = [t for t in result.tests if not t.passed and t.diagnosis == case.diagnosis]
        assert diagnosed and all(hint in t.feedback for t in diagnosed), f"{case.id} was not diagnosed as {case.diagnosis}"
