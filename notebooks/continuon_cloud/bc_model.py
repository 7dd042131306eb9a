"""Behaviour cloning from observations to actions: a small MLP, trained with JAX when it is installed
and with NumPy otherwise, so the whole loop runs on a laptop or in CI.

Both back ends train the same network (observation → tanh hidden layer → action, mean squared error,
Adam) and save the same files: ``seed_model.npz`` (weights and the observation normalization) and
``config/model_config.json``, plus ``model_manifest.json`` in the shape the robot runtime writes
(``model_type, checkpoint_path, config, format, exported_at``).
"""

from __future__ import annotations

import json
import os
import time
from typing import Any, Callable, Dict, Optional

import numpy as np

MODEL_FILE = "seed_model.npz"
CONFIG_FILE = "config/model_config.json"
MANIFEST_FILE = "model_manifest.json"


def backend() -> str:
    """``jax`` when JAX can be imported, else ``numpy``."""
    try:
        import jax  # noqa: F401

        return "jax"
    except ImportError:
        return "numpy"


class BCModel:
    def __init__(self, obs_dim: int, action_dim: int, hidden: int = 64, seed: int = 0):
        rng = np.random.default_rng(seed)
        self.obs_dim, self.action_dim, self.hidden = obs_dim, action_dim, hidden
        self.params: Dict[str, np.ndarray] = {
            "W1": (rng.standard_normal((obs_dim, hidden)) * np.sqrt(1.0 / obs_dim)).astype(np.float32),
            "b1": np.zeros(hidden, dtype=np.float32),
            "W2": (rng.standard_normal((hidden, action_dim)) * np.sqrt(1.0 / hidden)).astype(np.float32),
            "b2": np.zeros(action_dim, dtype=np.float32),
        }
        self.obs_mean = np.zeros(obs_dim, dtype=np.float32)
        self.obs_std = np.ones(obs_dim, dtype=np.float32)

    def normalize(self, X: np.ndarray) -> np.ndarray:
        return (X - self.obs_mean) / self.obs_std

    def predict(self, X: np.ndarray) -> np.ndarray:
        p = self.params
        return np.tanh(self.normalize(X) @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"]

    def loss(self, X: np.ndarray, Y: np.ndarray) -> float:
        return float(np.mean((self.predict(X) - Y) ** 2))

    # -- saving -----------------------------------------------------------------------------------------

    def save(self, out_dir: str, extra_config: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        os.makedirs(os.path.join(out_dir, "config"), exist_ok=True)
        np.savez(os.path.join(out_dir, MODEL_FILE), obs_mean=self.obs_mean, obs_std=self.obs_std, **self.params)
        config = {
            "model_type": "bc_mlp",
            "obs_dim": self.obs_dim,
            "action_dim": self.action_dim,
            "hidden": self.hidden,
            "activation": "tanh",
            "observation_features": "numeric leaves of the observation JSON, sorted by key path",
            "action_features": "action.command (else numeric leaves of the action)",
            **(extra_config or {}),
        }
        with open(os.path.join(out_dir, CONFIG_FILE), "w") as handle:
            json.dump(config, handle, indent=2, sort_keys=True)
        manifest = {
            "model_type": "bc_mlp",
            "checkpoint_path": MODEL_FILE,
            "config": config,
            "format": "npz",
            "exported_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        with open(os.path.join(out_dir, MANIFEST_FILE), "w") as handle:
            json.dump(manifest, handle, indent=2, sort_keys=True)
        return config

    @classmethod
    def load(cls, model_dir: str) -> "BCModel":
        with open(os.path.join(model_dir, CONFIG_FILE)) as handle:
            config = json.load(handle)
        model = cls(config["obs_dim"], config["action_dim"], config.get("hidden", 64))
        with np.load(os.path.join(model_dir, MODEL_FILE)) as data:
            model.params = {name: data[name] for name in ("W1", "b1", "W2", "b2")}
            model.obs_mean, model.obs_std = data["obs_mean"], data["obs_std"]
        return model


def _numpy_step(params, X, Y):
    """Loss and gradients of the MSE by hand (backpropagation through one tanh layer)."""
    h_pre = X @ params["W1"] + params["b1"]
    h = np.tanh(h_pre)
    out = h @ params["W2"] + params["b2"]
    diff = out - Y
    loss = float(np.mean(diff**2))
    d_out = 2.0 * diff / diff.size
    grads = {"W2": h.T @ d_out, "b2": d_out.sum(axis=0)}
    d_h = (d_out @ params["W2"].T) * (1.0 - h**2)
    grads["W1"] = X.T @ d_h
    grads["b1"] = d_h.sum(axis=0)
    return loss, grads


def _jax_step_fn():  # pragma: no cover - exercised only where JAX is installed
    import jax
    import jax.numpy as jnp

    def loss_fn(params, X, Y):
        out = jnp.tanh(X @ params["W1"] + params["b1"]) @ params["W2"] + params["b2"]
        return jnp.mean((out - Y) ** 2)

    grad = jax.jit(jax.value_and_grad(loss_fn))

    def step(params, X, Y):
        loss, grads = grad({k: jnp.asarray(v) for k, v in params.items()}, X, Y)
        return float(loss), {k: np.asarray(v) for k, v in grads.items()}

    return step


def train(
    X: np.ndarray,
    Y: np.ndarray,
    hyperparams: Dict[str, Any],
    on_step: Optional[Callable[[int, Dict[str, float]], None]] = None,
    report_every: int = 10,
    init: Optional[BCModel] = None,
    seed: int = 0,
    use: Optional[str] = None,
) -> BCModel:
    """Train on ``X`` (n, obs_dim) → ``Y`` (n, action_dim) for ``num_steps`` mini-batches of
    ``batch_size`` with Adam at ``learning_rate``. ``on_step(step, {loss, grad_norm, elapsed_s})`` is
    called every ``report_every`` steps and at the last one. ``init`` warm-starts from a model (the slow
    loop starts from the production model) when its dimensions match."""
    steps = int(hyperparams.get("num_steps", 10_000))
    batch = int(hyperparams.get("batch_size", 256))
    lr = float(hyperparams.get("learning_rate", 1e-4))
    hidden = int(hyperparams.get("hidden", 64))
    chosen = use or backend()
    step_fn = _jax_step_fn() if chosen == "jax" else _numpy_step
    if init is not None and init.obs_dim == X.shape[1] and init.action_dim == Y.shape[1]:
        model = init
    else:
        model = BCModel(X.shape[1], Y.shape[1], hidden, seed)
        model.obs_mean = X.mean(axis=0).astype(np.float32)
        model.obs_std = (X.std(axis=0) + 1e-6).astype(np.float32)
    Xn = model.normalize(X).astype(np.float32)
    rng = np.random.default_rng(seed)
    m = {k: np.zeros_like(v) for k, v in model.params.items()}
    v = {k: np.zeros_like(p) for k, p in model.params.items()}
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    started = time.time()
    for step in range(1, steps + 1):
        index = rng.integers(0, len(Xn), size=min(batch, len(Xn)))
        loss, grads = step_fn(model.params, Xn[index], Y[index])
        grad_norm = float(np.sqrt(sum(float(np.sum(g**2)) for g in grads.values())))
        for name, g in grads.items():
            m[name] = beta1 * m[name] + (1 - beta1) * g
            v[name] = beta2 * v[name] + (1 - beta2) * g**2
            m_hat = m[name] / (1 - beta1**step)
            v_hat = v[name] / (1 - beta2**step)
            model.params[name] = (model.params[name] - lr * m_hat / (np.sqrt(v_hat) + eps)).astype(np.float32)
        if on_step and (step % report_every == 0 or step == steps or step == 1):
            on_step(step, {"loss": loss, "grad_norm": grad_norm, "elapsed_s": time.time() - started})
    return model
