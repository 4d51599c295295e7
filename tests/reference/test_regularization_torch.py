"""The regularization reference agrees with PyTorch 2.13.0 (CPU, float64)."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="torch==2.13.0 is not installed; `make test` installs it")
F = torch.nn.functional

from autograder.course import load_reference_module  # noqa: E402

penalties = load_reference_module("regularization", "penalties")
normalization = load_reference_module("regularization", "normalization")
losses = load_reference_module("regularization", "losses")

RTOL, ATOL = 1e-10, 1e-12


def _t(array, grad=False):
    return torch.tensor(array, dtype=torch.float64, requires_grad=grad)


def _torch_penalty(name, w, lam, l1_ratio):
    l1, l2sq = w.abs().sum(), (w**2).sum()
    return {
        "l1": lam * l1,
        "l2": 0.5 * lam * l2sq,
        "elastic_net": lam * (l1_ratio * l1 + 0.5 * (1 - l1_ratio) * l2sq),
    }[name]


@pytest.mark.parametrize("name", ["l1", "l2", "elastic_net"])
def test_penalty_and_gradient_match_torch_autograd_including_zeros(rng, name):
    W = rng.standard_normal((4, 3))
    W[0] = 0.0  # torch's abs backward gives 0 at 0, as the contract asks
    wt = _t(W, grad=True)
    penalty_t = _torch_penalty(name, wt, 0.3, 0.4)
    penalty_t.backward()
    kwargs = {"l1_ratio": 0.4} if name == "elastic_net" else {}
    assert getattr(penalties, f"{name}_penalty")(W, 0.3, **kwargs) == pytest.approx(penalty_t.item(), rel=RTOL)
    np.testing.assert_allclose(getattr(penalties, f"{name}_gradient")(W, 0.3, **kwargs), wt.grad.numpy(), rtol=RTOL, atol=0)


def test_l2_gradient_is_torch_sgd_weight_decay(rng):
    W = rng.standard_normal(5)
    wt = _t(W, grad=True)
    wt.grad = torch.zeros_like(wt)
    torch.optim.SGD([wt], lr=1.0, weight_decay=0.2).step()  # w <- w - lr * (grad + weight_decay * w)
    np.testing.assert_allclose(W - penalties.l2_gradient(W, 0.2), wt.detach().numpy(), rtol=RTOL, atol=ATOL)


def _torch_batchnorm(d, momentum, gamma, beta):
    layer = torch.nn.BatchNorm1d(d, eps=1e-5, momentum=momentum).double()
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(gamma))
        layer.bias.copy_(torch.from_numpy(beta))
    return layer


def _pair(rng, d=5, momentum=0.25):
    ours = normalization.BatchNorm1d(d, momentum=momentum)
    ours.gamma, ours.beta = rng.standard_normal(d), rng.standard_normal(d)
    return ours, _torch_batchnorm(d, momentum, ours.gamma, ours.beta)


def test_batchnorm_training_forward_and_backward_match_torch(rng):
    ours, theirs = _pair(rng)
    x = rng.standard_normal((8, 5)) * 2 + 1
    dout = rng.standard_normal((8, 5))
    xt = _t(x, grad=True)
    out_t = theirs(xt)
    out_t.backward(torch.from_numpy(dout))
    np.testing.assert_allclose(ours.forward(x), out_t.detach().numpy(), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(ours.backward(dout), xt.grad.numpy(), rtol=1e-9, atol=ATOL)
    np.testing.assert_allclose(ours.dgamma, theirs.weight.grad.numpy(), rtol=1e-9, atol=ATOL)
    np.testing.assert_allclose(ours.dbeta, theirs.bias.grad.numpy(), rtol=1e-9, atol=ATOL)


def test_batchnorm_running_statistics_match_torch_over_several_steps(rng):
    ours, theirs = _pair(rng, momentum=0.3)
    for step in range(6):
        x = rng.standard_normal((4 + step, 5)) * (step + 1) + step
        ours.forward(x)
        theirs(_t(x))
        np.testing.assert_allclose(ours.running_mean, theirs.running_mean.numpy(), rtol=RTOL, atol=ATOL)
        np.testing.assert_allclose(ours.running_var, theirs.running_var.numpy(), rtol=RTOL, atol=ATOL)


def test_batchnorm_evaluation_forward_and_backward_match_torch(rng):
    ours, theirs = _pair(rng)
    for _ in range(3):
        x = rng.standard_normal((6, 5)) * 3 - 2
        ours.forward(x)
        theirs(_t(x))
    ours.eval()
    theirs.eval()
    x = rng.standard_normal((3, 5))
    dout = rng.standard_normal((3, 5))
    xt = _t(x, grad=True)
    out_t = theirs(xt)
    out_t.backward(torch.from_numpy(dout))
    np.testing.assert_allclose(ours.forward(x), out_t.detach().numpy(), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(ours.backward(dout), xt.grad.numpy(), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(ours.dgamma, theirs.weight.grad.numpy(), rtol=RTOL, atol=ATOL)


def test_layernorm_forward_and_backward_match_torch(rng):
    ours = normalization.LayerNorm(6)
    ours.gamma, ours.beta = rng.standard_normal(6), rng.standard_normal(6)
    theirs = torch.nn.LayerNorm(6, eps=1e-5).double()
    with torch.no_grad():
        theirs.weight.copy_(torch.from_numpy(ours.gamma))
        theirs.bias.copy_(torch.from_numpy(ours.beta))
    x = rng.standard_normal((4, 6)) * 2 + 3
    dout = rng.standard_normal((4, 6))
    xt = _t(x, grad=True)
    out_t = theirs(xt)
    out_t.backward(torch.from_numpy(dout))
    np.testing.assert_allclose(ours.forward(x), out_t.detach().numpy(), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(ours.backward(dout), xt.grad.numpy(), rtol=1e-9, atol=ATOL)
    np.testing.assert_allclose(ours.dgamma, theirs.weight.grad.numpy(), rtol=1e-9, atol=ATOL)
    np.testing.assert_allclose(ours.dbeta, theirs.bias.grad.numpy(), rtol=1e-9, atol=ATOL)


def test_layernorm_of_one_row_in_evaluation_mode_matches_torch(rng):
    ours = normalization.LayerNorm(4)
    ours.eval()
    theirs = torch.nn.LayerNorm(4, eps=1e-5).double().eval()
    x = rng.standard_normal((1, 4)) * 5 - 1
    np.testing.assert_allclose(ours.forward(x), theirs(_t(x)).detach().numpy(), rtol=RTOL, atol=ATOL)


def _torch_loss_and_grad(logits, target, **kwargs):
    lt = _t(logits, grad=True)
    loss = F.cross_entropy(lt, target, **kwargs)
    loss.backward()
    return loss.item(), lt.grad.numpy()


@pytest.mark.parametrize("smoothing", [0.0, 0.1, 0.35])
def test_smoothed_cross_entropy_matches_torch_label_smoothing(rng, smoothing):
    logits = rng.standard_normal((7, 5)) * 2
    y = rng.integers(0, 5, size=7)
    loss, dlogits = losses.softmax_cross_entropy(logits, losses.smooth_labels(y, 5, smoothing))
    loss_t, grad_t = _torch_loss_and_grad(logits, torch.from_numpy(y), label_smoothing=smoothing)
    assert loss == pytest.approx(loss_t, rel=RTOL)
    np.testing.assert_allclose(dlogits, grad_t, rtol=RTOL, atol=ATOL)


def test_cross_entropy_with_integer_labels_matches_torch(rng):
    logits = rng.standard_normal((6, 4)) * 3
    y = rng.integers(0, 4, size=6)
    loss, dlogits = losses.softmax_cross_entropy(logits, y)
    loss_t, grad_t = _torch_loss_and_grad(logits, torch.from_numpy(y))
    assert loss == pytest.approx(loss_t, rel=RTOL)
    np.testing.assert_allclose(dlogits, grad_t, rtol=RTOL, atol=ATOL)


def test_cross_entropy_with_probability_rows_matches_torch(rng):
    logits = rng.standard_normal((6, 4)) * 3
    targets = rng.dirichlet(np.ones(4), size=6)
    loss, dlogits = losses.softmax_cross_entropy(logits, targets)
    loss_t, grad_t = _torch_loss_and_grad(logits, _t(targets))
    assert loss == pytest.approx(loss_t, rel=RTOL)
    np.testing.assert_allclose(dlogits, grad_t, rtol=RTOL, atol=ATOL)


def test_cross_entropy_of_logits_of_magnitude_1e4_matches_torch_and_is_finite(rng):
    logits = rng.choice([-1e4, 1e4], size=(5, 3)) + rng.standard_normal((5, 3))
    y = rng.integers(0, 3, size=5)
    loss, dlogits = losses.softmax_cross_entropy(logits, y)
    loss_t, grad_t = _torch_loss_and_grad(logits, torch.from_numpy(y))
    assert np.isfinite(loss) and np.all(np.isfinite(dlogits))
    assert loss == pytest.approx(loss_t, rel=1e-12)
    np.testing.assert_allclose(dlogits, grad_t, rtol=RTOL, atol=ATOL)
