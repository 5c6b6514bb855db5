"""Training loop: the course's experiments, history records, progress output."""

import io
import sys

import numpy as np
import pytest

from tinygrad_edu import Tensor, data, nn, optim, train
from tinygrad_edu.optim.lr_scheduler import InverseTimeLR

# Seeds of nn.MLP([2, 4, 1], "sigmoid") that solve XOR with the course's settings.
# Seeds 0-19 measured: all but seed 10 (stuck at accuracy 0.75) reach 1.0.
XOR_SEED = 0


@pytest.fixture(scope="module")
def spirals():
    X, y = data.make_spirals(400, noise=0.3, seed=0)
    X, _, _ = data.standardize(X)
    return X, y


def test_xor_course_settings_reach_accuracy_one():
    X, y = data.make_xor()
    net = nn.MLP([2, 4, 1], activation="sigmoid", seed=XOR_SEED)
    history = train.fit(net, X, y, epochs=5000, lr=0.1, progress=False)
    assert train.accuracy(net, X, y) == 1.0
    assert len(history.loss) == 5000
    assert history.loss[-1] < 0.1 < history.loss[0]
    probabilities = train.predict_proba(net, X)
    assert np.all(probabilities[[1, 2]] > 0.5)
    assert np.all(probabilities[[0, 3]] < 0.5)


def test_full_batch_loss_value():
    # With one batch per epoch the recorded loss is the BCE before that epoch's step.
    X, y = data.make_xor()
    net = nn.MLP([2, 4, 1], seed=1)
    p = net(X).data[:, 0]
    expected = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    history = train.fit(net, X, y, epochs=1, lr=0.1, progress=False)
    assert history.loss[0] == pytest.approx(expected, rel=1e-12)


def test_spirals_learn_with_lr_01(spirals):
    X, y = spirals
    net = nn.MLP([2, 16, 8, 1], activation="relu", seed=0)
    history = train.fit(net, X, y, epochs=2000, lr=0.1, batch_size=32, seed=0, progress=False)
    assert train.accuracy(net, X, y) >= 0.93
    assert history.loss[-1] < 0.5 * history.loss[0]
    # The loss falls over training, averaged over windows of 100 epochs.
    windows = np.array(history.loss).reshape(20, 100).mean(axis=1)
    assert windows[-1] < windows[len(windows) // 2] < windows[0]


def test_spirals_course_lr_001_stays_on_plateau(spirals):
    X, y = spirals
    net = nn.MLP([2, 16, 8, 1], activation="relu", seed=0)
    train.fit(net, X, y, epochs=2000, lr=0.01, batch_size=32, seed=0, progress=False)
    assert train.accuracy(net, X, y) < 0.75


def test_history_records_validation_accuracy_and_lr(spirals):
    X, y = spirals
    X_train, X_val, y_train, y_val = data.train_val_split(X, y, 0.25, seed=0)
    net = nn.MLP([2, 8, 1], activation="tanh", seed=0)
    history = train.fit(
        net, X_train, y_train, epochs=5, lr=0.5, batch_size=50, X_val=X_val, y_val=y_val,
        track_accuracy=True, scheduler=lambda opt: InverseTimeLR(opt, alpha=1.0), progress=False,
    )
    assert history.epochs == 5
    assert len(history.val_loss) == len(history.accuracy) == len(history.val_accuracy) == 5
    assert history.lr == pytest.approx([0.5 / (1 + t) for t in range(5)])
    assert history.accuracy[-1] == train.accuracy(net, X_train, y_train)
    p = train.predict_proba(net, X_val)
    expected = -np.mean(y_val * np.log(p) + (1 - y_val) * np.log(1 - p))
    assert history.val_loss[-1] == pytest.approx(expected, rel=1e-12)
    rows = history.to_rows()
    assert rows[0]["epoch"] == 1
    assert set(rows[0]) == {"epoch", "loss", "val_loss", "accuracy", "val_accuracy", "lr"}


def test_fit_with_adam_logits_and_clipping(spirals):
    X, y = spirals
    net = nn.MLP([2, 16, 1], activation="relu", output="logits", seed=0)
    opt = optim.Adam(net.parameters(), lr=0.01)
    history = train.fit(net, X, y, epochs=30, batch_size=64, optimizer=opt, clip_grad_norm=1.0, progress=False)
    assert history.loss[-1] < history.loss[0]
    probabilities = train.predict_proba(net, X)
    np.testing.assert_allclose(probabilities, 1 / (1 + np.exp(-net(X).data[:, 0])), rtol=1e-12)


def test_fit_clip_grad_value_bounds_each_step():
    X, y = data.make_xor()
    net = nn.MLP([2, 4, 1], seed=0)
    start = [p.data.copy() for p in net.parameters()]
    train.fit(net, X, y, epochs=1, lr=1.0, clip_grad_value=1e-3, progress=False)
    for before, p in zip(start, net.parameters()):
        assert np.abs(p.data - before).max() <= 1e-3 + 1e-15


def test_fit_float32_end_to_end(spirals):
    X, y = spirals
    net = nn.MLP([2, 8, 1], activation="relu", dtype=np.float32, seed=0)
    history = train.fit(net, X, y, epochs=20, lr=0.1, batch_size=32, progress=False)
    assert all(p.dtype == np.float32 for p in net.parameters())
    assert history.loss[-1] < history.loss[0]
    assert train.predict_proba(net, X).dtype == np.float32


def test_fit_accepts_column_labels():
    X, y = data.make_xor()
    net = nn.MLP([2, 4, 1], seed=0)
    a = train.fit(net, X, y.reshape(-1, 1), epochs=3, progress=False)
    net.eval()
    train.accuracy(net, X, y)
    assert not net.training
    assert len(a.loss) == 3


def test_fit_and_accuracy_input_checks():
    X, y = data.make_xor()
    net = nn.MLP([2, 4, 1], seed=0)
    with pytest.raises(ValueError, match="4 samples.*3"):
        train.fit(net, X, y[:3], epochs=1, progress=False)
    with pytest.raises(ValueError, match="X_val and y_val"):
        train.fit(net, X, y, epochs=1, X_val=X, progress=False)
    with pytest.raises(ValueError, match="epochs"):
        train.fit(net, X, y, epochs=-1, progress=False)
    with pytest.raises(ValueError, match="0 or 1"):
        train.accuracy(net, X, y * 2)
    with pytest.raises(ValueError, match="3 labels"):
        train.accuracy(net, X, y[:3])


def test_nonfinite_loss_warns():
    X, y = data.make_xor()
    net = nn.MLP([2, 4, 1], output="logits", seed=0)
    # inf inputs make z = inf - inf = nan in the first layer.
    with np.errstate(invalid="ignore"), pytest.warns(RuntimeWarning, match="lower the learning rate"):
        train.fit(net, np.full((4, 2), np.inf), y, epochs=2, progress=False)


class _FakeTerminal(io.StringIO):
    def __init__(self, tty):
        super().__init__()
        self.tty = tty

    def isatty(self):
        return self.tty


def test_progress_only_on_a_terminal(monkeypatch):
    X, y = data.make_xor()
    pipe = _FakeTerminal(tty=False)
    monkeypatch.setattr(sys, "stderr", pipe)
    train.fit(nn.MLP([2, 3, 1], seed=0), X, y, epochs=3)
    assert pipe.getvalue() == ""

    terminal = _FakeTerminal(tty=True)
    monkeypatch.setattr(sys, "stderr", terminal)
    labels = {"desc": "Training XOR", "unit": "Epoche", "loss": "Verlust"}
    train.fit(nn.MLP([2, 3, 1], seed=0), X, y, epochs=3, progress_labels=labels)
    text = terminal.getvalue()
    assert "Training XOR" in text
    assert "Verlust=" in text
    assert "3/3" in text

    silent = _FakeTerminal(tty=True)
    monkeypatch.setattr(sys, "stderr", silent)
    train.fit(nn.MLP([2, 3, 1], seed=0), X, y, epochs=3, progress=False)
    assert silent.getvalue() == ""


def test_progress_fallback_without_tqdm(monkeypatch):
    X, y = data.make_xor()
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)  # makes `from tqdm.auto import` fail
    terminal = _FakeTerminal(tty=True)
    monkeypatch.setattr(sys, "stderr", terminal)
    train.fit(nn.MLP([2, 3, 1], seed=0), X, y, epochs=4, progress_labels={"desc": "XOR"})
    assert terminal.getvalue().endswith("XOR: 4/4 epoch, loss=" + terminal.getvalue().split("loss=")[-1])
    assert "\n" in terminal.getvalue()


def test_predict_thresholds_at_half():
    net = nn.Sequential(nn.Linear(1, 1), nn.Sigmoid())
    net[0].weight.data[...] = 1.0
    net[0].bias.data[...] = 0.0
    X = np.array([[-1.0], [0.0], [1e-9], [2.0]])
    np.testing.assert_array_equal(train.predict(net, X), [0, 0, 1, 1])
    assert train.accuracy(net, X, np.array([0.0, 0.0, 1.0, 1.0])) == 1.0


def test_predict_accepts_tensors():
    net = nn.MLP([2, 3, 1], seed=0)
    X = np.zeros((2, 2))
    np.testing.assert_array_equal(train.predict_proba(net, Tensor(X)), train.predict_proba(net, X))
