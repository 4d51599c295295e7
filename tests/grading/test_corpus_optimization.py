"""One-mistake submissions of `optimization` that are not in the catalogue lose exactly the items they break.

Each case edits one line (or a few) of a correct submission: the reference
itself, or one of the correct submissions written differently in
``tests/corpus/optimization/correct_*/``, so that mistakes are also caught when
the code does not look like the reference. Where the mistake is a catalogued
one written in another style, its hint must still reach the feedback.

The rest of the corpus is checked elsewhere, for every assignment alike:
``test_corpus.py`` gives every ``correct_*`` folder full marks, and
``test_catalogue.py`` turns every entry of ``mistakes.toml`` into a one-mistake
submission that must lose only its item and show its hint.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pytest
from corpus import grade_in_process, lost_items, reference_submission

from autograder.course import load_assignment
from autograder.grading.mistakes import load_catalogue
from autograder.markers import strip_markers

ASSIGNMENT = "optimization"
CORPUS = Path(__file__).parents[1] / "corpus" / ASSIGNMENT


class Case(NamedTuple):
    id: str
    base: str
    """"reference", or the name of a correct_* folder of the corpus holding ``module``."""
    module: str
    old: str
    new: str
    items: frozenset[str]
    """Exactly the items that lose points."""
    diagnosis: str = ""
    """The catalogued mistake this is (written differently), whose hint the feedback must show."""


def case(id, base, module, old, new, *items, diagnosis=""):
    return Case(id, base, module, old, new, frozenset(f"{module}.{i}" if "." not in i else i for i in items), diagnosis)


CASES = [
    # --- the reference, edited ------------------------------------------------------------------
    case("adagrad-checks-key-by-key", "reference", "optimizers",
         "        grads = check_gradients(self.params, grads)\n        self.t += 1\n        for key, p in self.params.items():\n            g = grads[key]\n            s = self.sum_sq[key]\n",
         "        self.t += 1\n        for key, p in self.params.items():\n            g = grads[key]\n            if not np.all(np.isfinite(g)):\n                raise FloatingPointError(key)\n            s = self.sum_sq[key]\n",
         "AdaGrad"),
    case("adam-counts-a-refused-step", "reference", "optimizers",
         "        grads = check_gradients(self.params, grads)\n        self.t += 1\n        beta1, beta2 = self.betas\n        for key, p in self.params.items():\n            g = grads[key]\n            if self.weight_decay",
         "        self.t += 1\n        grads = check_gradients(self.params, grads)\n        beta1, beta2 = self.betas\n        for key, p in self.params.items():\n            g = grads[key]\n            if self.weight_decay",
         "Adam"),
    case("rmsprop-replaces-the-arrays", "reference", "optimizers",
         "            p -= self.lr * g / (np.sqrt(v) + self.eps)",
         "            self.params[key] = p - self.lr * g / (np.sqrt(v) + self.eps)",
         "RMSProp"),
    case("sgd-velocity-not-kept", "reference", "optimizers",
         "                    v = g.copy()\n                    self.velocity[key] = v\n",
         "                    v = g.copy()\n",
         "SGD"),
    case("sgd-copies-the-params-dict", "reference", "optimizers",
         "        self.params = params\n        self.lr = float(lr)\n        self.momentum", "        self.params = dict(params)\n        self.lr = float(lr)\n        self.momentum",
         "SGD"),
    case("adagrad-accumulates-abs", "reference", "optimizers", "            s += g * g\n", "            s += np.abs(g)\n", "AdaGrad"),
    case("rmsprop-bias-corrected", "reference", "optimizers",
         "            p -= self.lr * g / (np.sqrt(v) + self.eps)",
         "            p -= self.lr * g / (np.sqrt(v / (1 - self.alpha**self.t)) + self.eps)",
         "RMSProp"),
    case("adam-ignores-weight-decay", "reference", "optimizers",
         "            if self.weight_decay != 0:\n                g = g + self.weight_decay * p\n            m, v",
         "            m, v", "Adam"),
    case("adamw-default-decay-zero", "reference", "optimizers",
         "eps=1e-8, weight_decay=1e-2):", "eps=1e-8, weight_decay=0.0):", "AdamW"),
    case("sgd-accepts-negative-momentum", "reference", "optimizers",
         "        if not 0.0 <= momentum:\n", "        if False:\n", "SGD"),
    case("clip-scales-the-input-in-place", "reference", "optimizers",
         "        clipped = {key: g * scale for key, g in arrays.items()}",
         "        for g in arrays.values():\n            g *= scale\n        clipped = arrays",
         "clip_grad_norm"),
    case("cosine-ignores-lr-min", "reference", "schedules",
         "    return float(lr_min + 0.5 * (lr_max - lr_min) * (1 + math.cos(math.pi * epoch / total_epochs)))",
         "    return float(0.5 * lr_max * (1 + math.cos(math.pi * epoch / total_epochs)))",
         "cosine_annealing", "schedules.warmup_cosine"),
    case("warmup-overshoots-at-its-end", "reference", "schedules",
         "    if epoch < warmup_epochs:\n        return float(base_lr * (epoch + 1) / warmup_epochs)",
         "    if epoch <= warmup_epochs:\n        return float(base_lr * (epoch + 1) / warmup_epochs)",
         "linear_warmup"),
    case("step-decay-accepts-zero-epochs-drop", "reference", "schedules",
         "    if not 0 < epochs_drop:\n", "    if False:\n", "step_decay"),
    case("early-stopping-ties-improve", "reference", "early_stopping",
         "            improved = metric < self.best - self.min_delta", "            improved = metric <= self.best - self.min_delta",
         "EarlyStopping"),
    case("early-stopping-stopped-is-sticky", "reference", "early_stopping",
         "        self.stopped = self.counter >= self.patience",
         "        self.stopped = self.stopped or self.counter >= self.patience",
         "EarlyStopping"),
    case("early-stopping-copies-without-restore-best", "reference", "early_stopping",
         "            if self.restore_best and weights is not None:", "            if weights is not None:", "EarlyStopping"),
    case("early-stopping-accepts-any-mode", "reference", "early_stopping",
         '        if mode not in ("min", "max"):\n', "        if False:\n", "EarlyStopping"),
    # --- correct submissions written differently, edited ----------------------------------------
    case("history-best-epoch-from-one", "correct_history_list", "early_stopping",
         "len(self.history) - 1, 0", "len(self.history), 0", "EarlyStopping"),
    case("torch-style-first-moment-not-decayed", "correct_torch_style", "optimizers",
         "        exp_avg += (1 - beta1) * (grad - exp_avg)", "        exp_avg += (1 - beta1) * grad",
         "Adam", "AdamW"),
    case("numpy-step-decay-without-floor", "correct_numpy_schedules", "schedules",
         "np.floor(epoch / epochs_drop)", "epoch / epochs_drop", "step_decay", diagnosis="step-decay-continuous"),
    case("state-tuples-nesterov-ignored", "correct_state_tuples", "optimizers",
         "        step = g + self.momentum * buf if self.nesterov else buf", "        step = buf",
         "SGD", diagnosis="sgd-nesterov-ignored"),
    case("lr-t-adamw-coupled", "correct_lr_t_adam", "optimizers",
         "            self.params[k] -= self.lr * self.weight_decay * self.params[k]\n            self._adam(k, grads[k])",
         "            self._adam(k, grads[k] + self.weight_decay * self.params[k])",
         "AdamW", diagnosis="adamw-decay-coupled"),
    case("sign-trick-shallow-copy", "correct_sign_trick", "early_stopping",
         "        return {name: np.array(w, copy=True) for name, w in weights.items()}\n    return [np.array(w, copy=True) for w in weights]",
         "        return dict(weights)\n    return list(weights)",
         "EarlyStopping", diagnosis="early-stopping-weights-not-copied"),
    case("iterative-warmup-from-zero", "correct_iterative_schedules", "schedules",
         "base_lr * min(epoch + 1, warmup_epochs)", "base_lr * min(epoch, warmup_epochs)",
         "linear_warmup", diagnosis="warmup-starts-at-zero"),
    case("float64-state-rmsprop-eps-inside-sqrt", "correct_float64_state", "optimizers",
         "grads[k] / (np.sqrt(self.avg[k]) + self.eps)", "grads[k] / np.sqrt(self.avg[k] + self.eps)",
         "RMSProp", diagnosis="rmsprop-eps-inside-sqrt"),
]


def _source(base: str, module: str) -> str:
    if base == "reference":
        path = load_assignment(ASSIGNMENT).reference_file(module)
        return strip_markers(path.read_text(), path)
    return (CORPUS / base / f"{module}.py").read_text()


def test_the_optimization_corpus_has_five_correct_and_twenty_one_mistake_submissions():
    correct = list(CORPUS.glob("correct_*"))
    catalogued = load_catalogue(load_assignment(ASSIGNMENT))
    assert len(correct) >= 5 and len(catalogued) + len(CASES) >= 20
    assert len({c.id for c in CASES}) == len(CASES)


def test_every_item_has_a_one_mistake_submission():
    items = set(load_assignment(ASSIGNMENT).config["points"])
    covered = {m.item for m in load_catalogue(load_assignment(ASSIGNMENT))} | {i for c in CASES for i in c.items}
    assert items <= covered, sorted(items - covered)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_one_mistake_loses_exactly_the_items_it_breaks(tmp_path, case):
    source = _source(case.base, case.module)
    assert source.count(case.old) == 1, f"the edit does not apply to {case.base}/{case.module}.py"
    folder = reference_submission(ASSIGNMENT, tmp_path / "s", {case.module: source.replace(case.old, case.new)})
    result = grade_in_process(ASSIGNMENT, folder)
    assert lost_items(result) == case.items
    if case.diagnosis:
        hint = next(m.hint for m in load_catalogue(load_assignment(ASSIGNMENT)) if m.id == case.diagnosis)
        diagnosed = [t for t in result.tests if not t.passed and t.diagnosis == case.diagnosis]
        assert diagnosed and all(hint in t.feedback for t in diagnosed), f"{case.id} was not recognised as {case.diagnosis}"
