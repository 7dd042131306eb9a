import os
import tempfile
import unittest

import support  # noqa: F401

import numpy as np

from continuon_cloud import bc_model


def linear_data(n=400, seed=1):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n, 6)).astype(np.float32)
    Y = (X[:, :3] * 0.5 - X[:, 3:] * 0.25).astype(np.float32)
    return X, Y


class NumpyBackEnd(unittest.TestCase):
    def test_the_loss_falls_and_metrics_are_reported(self):
        X, Y = linear_data()
        seen = []
        model = bc_model.train(X, Y, {"num_steps": 300, "batch_size": 64, "learning_rate": 1e-2}, on_step=lambda s, m: seen.append((s, m)), report_every=50, use="numpy")
        self.assertEqual([s for s, _ in seen], [1, 50, 100, 150, 200, 250, 300])
        self.assertEqual(set(seen[0][1]), {"loss", "grad_norm", "elapsed_s"})
        self.assertLess(seen[-1][1]["loss"], seen[0][1]["loss"] / 5)
        self.assertLess(model.loss(X, Y), 0.01)

    def test_gradients_match_finite_differences(self):
        X, Y = linear_data(20)
        model = bc_model.BCModel(6, 3, hidden=4, seed=3)
        loss, grads = bc_model._numpy_step(model.params, X, Y)
        eps = 1e-3
        for name in ("W1", "b2"):
            params = {k: v.astype(np.float64) for k, v in model.params.items()}
            index = (0,) * params[name].ndim
            params[name][index] += eps
            up, _ = bc_model._numpy_step(params, X.astype(np.float64), Y.astype(np.float64))
            params[name][index] -= 2 * eps
            down, _ = bc_model._numpy_step(params, X.astype(np.float64), Y.astype(np.float64))
            self.assertAlmostEqual((up - down) / (2 * eps), float(grads[name][index]), places=3)
        self.assertGreater(loss, 0)

    def test_saves_the_files_robots_and_notebook_04_expect_and_loads_them_back(self):
        X, Y = linear_data()
        model = bc_model.train(X, Y, {"num_steps": 50, "batch_size": 32, "learning_rate": 1e-2}, use="numpy")
        with tempfile.TemporaryDirectory() as out:
            config = model.save(out, {"job_id": "job_1"})
            self.assertTrue(os.path.exists(os.path.join(out, "seed_model.npz")))
            self.assertTrue(os.path.exists(os.path.join(out, "config", "model_config.json")))
            self.assertTrue(os.path.exists(os.path.join(out, "model_manifest.json")))
            self.assertEqual(config["job_id"], "job_1")
            loaded = bc_model.BCModel.load(out)
            np.testing.assert_allclose(loaded.predict(X[:5]), model.predict(X[:5]), rtol=1e-5)

    def test_a_warm_start_continues_from_the_given_model(self):
        X, Y = linear_data()
        base = bc_model.train(X, Y, {"num_steps": 200, "batch_size": 64, "learning_rate": 1e-2}, use="numpy")
        before = base.loss(X, Y)
        first = []
        bc_model.train(X, Y, {"num_steps": 1, "batch_size": 64, "learning_rate": 1e-4}, init=base, on_step=lambda s, m: first.append(m["loss"]), use="numpy")
        self.assertLess(first[0], before * 3)


if __name__ == "__main__":
    unittest.main()
