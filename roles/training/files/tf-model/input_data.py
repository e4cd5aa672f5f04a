# Copyright: (c) 2026, ffdl.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read MNIST-format data sets (IDX files, gzip'd or not) into numpy arrays.

Reads only the paths it is given and downloads nothing: on FfDL the files are
in $DATA_DIR, copied there from the training bucket. Works on the learner
image tensorflow/tensorflow:1.5.0-py3 (Python 3.5, numpy 1.14) and on
current Python and numpy.
"""

import gzip
import struct

import numpy

IMAGES_MAGIC = 2051
LABELS_MAGIC = 2049


def _read(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as handle:
        return handle.read()


def read_images(path):
    """uint8 images as float32 rows of 784 values in [0, 1]."""
    data = _read(path)
    magic, count, rows, cols = struct.unpack(">IIII", data[:16])
    if magic != IMAGES_MAGIC:
        raise ValueError("%s is not an IDX image file (magic %d, expected %d)" % (path, magic, IMAGES_MAGIC))
    pixels = numpy.frombuffer(data, dtype=numpy.uint8, offset=16)
    if pixels.size != count * rows * cols:
        raise ValueError("%s holds %d pixels, its header says %d" % (path, pixels.size, count * rows * cols))
    return pixels.reshape(count, rows * cols).astype(numpy.float32) / 255.0


def read_labels(path):
    """Labels as int64 class numbers."""
    data = _read(path)
    magic, count = struct.unpack(">II", data[:8])
    if magic != LABELS_MAGIC:
        raise ValueError("%s is not an IDX label file (magic %d, expected %d)" % (path, magic, LABELS_MAGIC))
    labels = numpy.frombuffer(data, dtype=numpy.uint8, offset=8)
    if labels.size != count:
        raise ValueError("%s holds %d labels, its header says %d" % (path, labels.size, count))
    return labels.astype(numpy.int64)


class DataSet(object):
    """Images and labels, served in shuffled mini-batches, reshuffled every epoch."""

    def __init__(self, images, labels, seed=0):
        if len(images) != len(labels):
            raise ValueError("%d images but %d labels" % (len(images), len(labels)))
        self.images = images
        self.labels = labels
        self._random = numpy.random.RandomState(seed)
        self._order = self._random.permutation(len(images))
        self._position = 0
        self.epochs = 0

    def next_batch(self, size):
        if self._position + size > len(self._order):
            self._order = self._random.permutation(len(self.images))
            self._position = 0
            self.epochs += 1
        chosen = self._order[self._position : self._position + size]
        self._position += size
        return self.images[chosen], self.labels[chosen]


def read_data_sets(train_images, train_labels, test_images, test_labels, seed=0):
    """(train DataSet, test DataSet) from the four files."""
    train = DataSet(read_images(train_images), read_labels(train_labels), seed)
    test = DataSet(read_images(test_images), read_labels(test_labels), seed)
    return train, test
