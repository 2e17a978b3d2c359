"""The same training jobs as bprop's in a competent PyTorch CPU loop: the same
network, cost (logistic or softmax cross-entropy, lambda/(2m) on non-bias
weights), initial weights, data and thread count. Optional: needs torch."""

from __future__ import annotations

import time

import numpy as np


def _model(torch, thetas, activation):
    layers = []
    for l, t in enumerate(thetas):
        lin = torch.nn.Linear(
            t.shape[1] - 1,
            t.shape[0],
            dtype=torch.float64 if t.dtype == np.float64 else torch.float32,
        )
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(np.ascontiguousarray(t[:, 1:])))
            lin.bias.copy_(torch.from_numpy(np.ascontiguousarray(t[:, 0])))
        layers.append(lin)
        if l + 1 < len(thetas):
            layers.append(torch.nn.ReLU() if activation == "relu" else torch.nn.Sigmoid())
    return torch.nn.Sequential(*layers)


def _loss(torch, model, xb, yb, output, K, lambda_, m_all):
    z = model(xb)
    if output == "softmax":
        data = torch.nn.functional.cross_entropy(z, yb, reduction="mean")
    else:
        target = torch.nn.functional.one_hot(yb, K).to(z.dtype)
        data = torch.nn.functional.binary_cross_entropy_with_logits(
            z, target, reduction="sum"
        ) / len(yb)
    if lambda_:
        reg = sum((m.weight**2).sum() for m in model if isinstance(m, torch.nn.Linear))
        data = data + lambda_ / (2 * m_all) * reg
    return data


def train(
    thetas,
    X,
    y,
    Xt,
    yt,
    *,
    threads,
    optimizer,
    lambda_=0.0,
    learning_rate=None,
    batch_size=None,
    epochs=None,
    iterations=None,
    activation="sigmoid",
    output="logistic",
    seed=0,
):
    """(test accuracy, seconds) of one training run; X, Xt already float in the weights' dtype."""
    import torch

    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    model = _model(torch, thetas, activation)
    K = thetas[-1].shape[0]
    Xtr, ytr = torch.from_numpy(X), torch.from_numpy(np.asarray(y, dtype=np.int64))
    m = len(ytr)
    start = time.perf_counter()
    if optimizer == "lbfgs":
        opt = torch.optim.LBFGS(
            model.parameters(),
            lr=1.0,
            max_iter=iterations,
            max_eval=iterations * 5 // 4,
            history_size=10,
            line_search_fn="strong_wolfe",
            tolerance_grad=1e-9,
            tolerance_change=1e-12,
        )

        def closure():
            opt.zero_grad()
            loss = _loss(torch, model, Xtr, ytr, output, K, lambda_, m)
            loss.backward()
            return loss

        opt.step(closure)
    else:
        opt = torch.optim.Adam(model.parameters(), lr=learning_rate)
        for _ in range(epochs):
            order = torch.randperm(m)
            for b in range(0, m, batch_size):
                idx = order[b : b + batch_size]
                opt.zero_grad(set_to_none=True)
                loss = _loss(torch, model, Xtr[idx], ytr[idx], output, K, lambda_, m)
                loss.backward()
                opt.step()
    seconds = time.perf_counter() - start
    with torch.no_grad():
        pred = model(torch.from_numpy(Xt)).argmax(1).numpy()
    return float(np.mean(pred == yt)), seconds
