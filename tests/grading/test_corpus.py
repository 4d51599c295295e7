"""The corpus: correct submissions written differently get full marks; one-mistake ones lose only their item.

Correct submissions live in ``tests/corpus/<assignment>/correct_<style>/`` (only
the modules that differ from the reference). One-mistake submissions that are
not in the catalogue are written below as an edit of the reference: a line of
the solution replaced by a plausible wrong one.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from corpus import allowed_losses, grade_in_process, lost_items, reference_submission

from autograder.course import load_assignment
from autograder.markers import strip_markers

CORPUS = Path(__file__).parents[1] / "corpus"
CORRECT = sorted((a.name, d) for a in CORPUS.iterdir() for d in a.glob("correct_*"))

# (assignment, module, replace, with, the item it breaks)
WRONG = [
    ("regularization", "penalties", 'raise ValueError(f"lam must be >= 0, got {lam}")\n    arrays = weights if isinstance(weights, (list, tuple)) else [weights]\n    return float(0.5',
     'pass\n    arrays = weights if isinstance(weights, (list, tuple)) else [weights]\n    return float(0.5', "penalties.l2_penalty"),
    ("regularization", "penalties", "return float(lam * sum(np.sum(np.abs(", "return float(lam * sum(np.sum((", "penalties.l1_penalty"),
    ("regularization", "dropout", "    mask = rng.random(x.shape) >= p\n", "    mask = (rng.random(x.shape) >= p).astype(np.int64)\n", "dropout.dropout_forward"),
    ("regularization", "normalization", "        std = np.sqrt(var + self.eps)\n", "        std = np.sqrt(var) + self.eps\n", "normalization.BatchNorm1d"),
    ("regularization", "normalization", "std = np.sqrt(x.var(axis=1, keepdims=True) + self.eps)", "std = np.sqrt(x.var(axis=1, ddof=1, keepdims=True) + self.eps)", "normalization.LayerNorm"),
    ("regularization", "losses", "    targets[np.arange(y.shape[0]), y] += 1 - smoothing", "    targets[np.arange(y.shape[0]), y] += 1 - smoothing\n    targets = np.eye(num_classes)[y]", "losses.smooth_labels"),
    ("regularization", "augmentation", "    lam = float(rng.beta(alpha, alpha))", "    lam = float(rng.uniform())", "augmentation.mixup"),
    ("regularization", "augmentation", "    flipped = rng.random(images.shape[0]) < p", "    flipped = rng.random(images.shape[0]) >= p", "augmentation.random_horizontal_flip"),
    ("optimization", "optimizers", "        self.velocity = {}\n", "        self.velocity = {}\n        self.weight_decay = 0.0\n", "optimizers.SGD"),
    ("optimization", "optimizers", "    def __init__(self, params, lr=1e-2, eps=1e-10):", "    def __init__(self, params, lr=1e-2, eps=1e-8):", "optimizers.AdaGrad"),
    ("optimization", "optimizers", "            v *= self.alpha\n            v += (1 - self.alpha) * g * g", "            v *= 1 - self.alpha\n            v += self.alpha * g * g", "optimizers.RMSProp"),
    ("optimization", "optimizers", "    total_norm = math.hypot(*norms)", "    total_norm = max(norms)", "optimizers.clip_grad_norm"),
    ("optimization", "schedules", "    if epoch > total_epochs:\n        return float(lr_min)\n", "", "schedules.cosine_annealing"),
    ("optimization", "schedules", "    if epoch < warmup_epochs:\n        return float(base_lr * (epoch + 1) / warmup_epochs)\n    return float(base_lr)",
     "    return float(base_lr * (epoch + 1) / warmup_epochs)", "schedules.linear_warmup"),
    ("optimization", "early_stopping", "            self.best_epoch = epoch\n", "            self.best_epoch = epoch + 1\n", "early_stopping.EarlyStopping"),
    ("optimization", "early_stopping", "            improved = metric > self.best + self.min_delta", "            improved = metric < self.best - self.min_delta", "early_stopping.EarlyStopping"),
]


def test_the_corpus_holds_at_least_ten_correct_and_forty_one_mistake_submissions():
    from autograder.grading.mistakes import load_catalogue

    catalogued = sum(len(load_catalogue(load_assignment(a))) for a in ("regularization", "optimization"))
    assert len(CORRECT) >= 10 and catalogued + len(WRONG) >= 40


@pytest.mark.parametrize("assignment, folder", CORRECT, ids=[f"{a}/{d.name}" for a, d in CORRECT])
def test_a_correct_submission_written_differently_gets_full_marks(tmp_path, assignment, folder):
    replaced = {p.stem: p.read_text() for p in folder.glob("*.py")}
    result = grade_in_process(assignment, reference_submission(assignment, tmp_path / "s", replaced))
    failures = [f"{t.name}: {t.feedback[:300]}" for t in result.tests if not t.passed]
    assert result.score == result.max_score, "\n".join(failures)


@pytest.mark.parametrize("assignment, module, old, new, item", WRONG, ids=[f"{w[4]}-{i}" for i, w in enumerate(WRONG)])
def test_a_one_mistake_submission_loses_points_only_in_its_item(tmp_path, assignment, module, old, new, item):
    path = load_assignment(assignment).reference_file(module)
    source = strip_markers(path.read_text(), path)
    assert source.count(old) == 1, f"the edit does not apply to {path.name}"
    result = grade_in_process(assignment, reference_submission(assignment, tmp_path / "s", {module: source.replace(old, new)}))
    lost = lost_items(result)
    assert item in lost and lost <= allowed_losses(item), sorted(lost)
