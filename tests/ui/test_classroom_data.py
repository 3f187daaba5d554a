import numpy as np
import pytest

from turkmood.data import load_training_data
from ui.classroom_data import TSNE_NEIGHBOURS, tsne_map


@pytest.fixture(scope="module")
def fitted():
    X = load_training_data().X
    return X, tsne_map(X)


def test_tsne_is_reproducible_and_covers_every_song(fitted):
    X, first = fitted
    assert first.points.shape == (len(X), 2)
    np.testing.assert_allclose(tsne_map(X).points, first.points)


def test_a_training_song_lands_on_its_own_point(fitted):
    X, m = fitted
    np.testing.assert_allclose(m.place(X.iloc[[7, 100]]), m.points[[7, 100]], atol=1e-6)


def test_a_new_song_sits_among_its_nearest_training_songs(fitted):
    X, m = fitted
    song = (X.iloc[[10]].reset_index(drop=True) + X.iloc[[11]].reset_index(drop=True)) / 2
    placed = m.place(song)  # halfway between two training songs: not a training row
    z = m.scaler.transform(song)
    nearest = np.argsort(((m.train_z - z) ** 2).sum(axis=1))[:TSNE_NEIGHBOURS]
    box = m.points[nearest]
    assert (placed[0] >= box.min(axis=0) - 1e-9).all() and (
        placed[0] <= box.max(axis=0) + 1e-9
    ).all()
