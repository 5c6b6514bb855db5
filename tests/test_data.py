"""Data sets, standardisation, splitting and batching."""

import numpy as np
import pytest

from tinygrad_edu import data


def test_make_xor():
    X, y = data.make_xor()
    np.testing.assert_array_equal(X, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(y, [0, 1, 1, 0])
    assert X.dtype == np.float64
    assert y.dtype == np.float64
    assert X.shape == (4, 2)
    assert y.shape == (4,)
    np.testing.assert_array_equal(y, np.logical_xor(X[:, 0], X[:, 1]))


def test_make_spirals_without_noise():
    X, y = data.make_spirals(200, noise=0.0, seed=0)
    t = np.linspace(0, 4 * np.pi, 100)
    np.testing.assert_allclose(X[:100], np.column_stack([t * np.cos(t), t * np.sin(t)]), atol=1e-12)
    np.testing.assert_allclose(X[100:], -X[:100], atol=1e-12)
    np.testing.assert_array_equal(y, np.repeat([0.0, 1.0], 100))


def test_make_spirals_noise_matches_course_draw_order():
    X, _ = data.make_spirals(10, noise=0.3, seed=4)
    clean, _ = data.make_spirals(10, noise=0.0)
    rng = np.random.default_rng(4)
    noise = [rng.standard_normal(5) for _ in range(4)]  # x0, y0, x1, y1
    np.testing.assert_allclose(X[:5, 0] - clean[:5, 0], 0.3 * noise[0], atol=1e-12)
    np.testing.assert_allclose(X[:5, 1] - clean[:5, 1], 0.3 * noise[1], atol=1e-12)
    np.testing.assert_allclose(X[5:, 0] - clean[5:, 0], 0.3 * noise[2], atol=1e-12)
    np.testing.assert_allclose(X[5:, 1] - clean[5:, 1], 0.3 * noise[3], atol=1e-12)


def test_make_spirals_seeded():
    a, _ = data.make_spirals(400, 0.3, seed=1)
    b, _ = data.make_spirals(400, 0.3, seed=np.random.default_rng(1))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, data.make_spirals(400, 0.3, seed=2)[0])
    assert a.shape == (400, 2)


@pytest.mark.parametrize("n", [3, 0, 401])
def test_make_spirals_rejects_odd_or_small_counts(n):
    with pytest.raises(ValueError, match=f"even int >= 2.*got {n}"):
        data.make_spirals(n)


def test_make_spirals_rejects_negative_noise():
    with pytest.raises(ValueError, match="noise"):
        data.make_spirals(10, noise=-1.0)


def test_standardize_and_reuse_statistics():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((50, 3)) * [1.0, 5.0, 0.1] + [2.0, -3.0, 7.0]
    Xs, mean, std = data.standardize(X)
    np.testing.assert_allclose(Xs.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(Xs.std(axis=0), 1.0, rtol=1e-12)
    np.testing.assert_allclose(mean, X.mean(axis=0))
    np.testing.assert_allclose(std, X.std(axis=0))

    X_val = rng.standard_normal((7, 3))
    X_val_s, mean2, std2 = data.standardize(X_val, mean, std)
    np.testing.assert_allclose(X_val_s, (X_val - mean) / std)
    assert mean2 is not None
    assert np.array_equal(std2, std)


def test_standardize_constant_column_becomes_zero():
    X = np.array([[1.0, 5.0], [3.0, 5.0]])
    Xs, _, std = data.standardize(X)
    np.testing.assert_array_equal(Xs[:, 1], 0.0)
    assert std[1] == 1.0


def test_standardize_input_checks():
    with pytest.raises(ValueError, match="both mean and std"):
        data.standardize(np.zeros((2, 2)), mean=np.zeros(2))
    with pytest.raises(ValueError, match=r"shape \(3,\)"):
        data.standardize(np.zeros((2, 3)), np.zeros(2), np.ones(2))
    with pytest.raises(ValueError, match=r"\(N, features\)"):
        data.standardize(np.zeros(4))
    with pytest.raises(ValueError, match="positive"):
        data.standardize(np.zeros((2, 1)), np.zeros(1), np.zeros(1))


def test_train_val_split_partitions_the_samples():
    X = np.arange(20.0).reshape(10, 2)
    y = np.arange(10.0)
    X_train, X_val, y_train, y_val = data.train_val_split(X, y, val_fraction=0.3, seed=0)
    assert len(X_val) == 3
    assert len(X_train) == 7
    np.testing.assert_array_equal(np.sort(np.concatenate([y_train, y_val])), y)
    np.testing.assert_array_equal(X_train[:, 0] / 2, y_train)  # rows stay paired
    np.testing.assert_array_equal(X_val[:, 0] / 2, y_val)
    again = data.train_val_split(X, y, val_fraction=0.3, seed=0)
    np.testing.assert_array_equal(again[3], y_val)


def test_train_val_split_checks():
    X, y = np.zeros((4, 2)), np.zeros(4)
    with pytest.raises(ValueError, match=r"in \(0, 1\)"):
        data.train_val_split(X, y, val_fraction=1.0)
    with pytest.raises(ValueError, match="both need at least one"):
        data.train_val_split(X, y, val_fraction=0.05)
    with pytest.raises(ValueError, match="4 samples.*3"):
        data.train_val_split(X, np.zeros(3))


def test_batches_cover_every_sample_once():
    X = np.arange(20.0).reshape(10, 2)
    y = np.arange(10.0)
    pairs = list(data.batches(X, y, batch_size=4, rng=0))
    assert [len(yb) for _, yb in pairs] == [4, 4, 2]
    seen = np.concatenate([yb for _, yb in pairs])
    np.testing.assert_array_equal(np.sort(seen), y)
    assert not np.array_equal(seen, y)  # shuffled
    for xb, yb in pairs:
        np.testing.assert_array_equal(xb[:, 0] / 2, yb)


def test_batches_without_shuffle_and_full_batch():
    X, y = np.arange(10.0).reshape(5, 2), np.arange(5.0)
    pairs = list(data.batches(X, y, batch_size=2, shuffle=False))
    np.testing.assert_array_equal(np.concatenate([yb for _, yb in pairs]), y)
    (full,) = list(data.batches(X, y, batch_size=None, shuffle=False))
    np.testing.assert_array_equal(full[0], X)


def test_batches_new_order_per_epoch_from_one_generator():
    X, y = np.zeros((50, 1)), np.arange(50.0)
    rng = np.random.default_rng(0)
    first = np.concatenate([yb for _, yb in data.batches(X, y, 10, rng=rng)])
    second = np.concatenate([yb for _, yb in data.batches(X, y, 10, rng=rng)])
    assert not np.array_equal(first, second)


def test_batches_checks():
    with pytest.raises(ValueError, match="batch_size must be a positive int"):
        list(data.batches(np.zeros((3, 1)), np.zeros(3), batch_size=0))
    with pytest.raises(ValueError, match="3 samples.*2"):
        list(data.batches(np.zeros((3, 1)), np.zeros(2), batch_size=1))
