# Copyright: (c) 2026, ffdl.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A convolutional network for MNIST-format data, FfDL's tutorial model rewritten.

The command line is the tutorial's (FfDL's etc/examples/tf-model):

    python3 convolutional_network.py --trainImagesFile F --trainLabelsFile F
        --testImagesFile F --testLabelsFile F --learningRate 0.001 --trainingIters 2000

As in FfDL's example, --trainingIters counts training examples (steps of
--batchSize images run while steps * batchSize < trainingIters). It runs on
FfDL's learner image tensorflow/tensorflow:1.5.0-py3 (TensorFlow 1.5, Python
3.5) and on TensorFlow 2.x through tensorflow.compat.v1, using only graph
APIs both have. It writes a SavedModel to $RESULT_DIR/model, the same as
$RESULT_DIR/saved_model.tar.gz, metrics to $RESULT_DIR/metrics.json and its
progress (loss and accuracy per display step) as TensorBoard scalars to
$LOG_DIR/tb, where the manifest's evaluation_metrics send FfDL's tensorboard
log collector, and ends its log with a line a program can parse:

    Testing Accuracy: 0.8734
"""

import argparse
import json
import os
import sys
import tarfile
import time

import input_data

try:  # TensorFlow 1.13 and later, 2.x included
    import tensorflow.compat.v1 as tf

    tf.disable_v2_behavior()
except ImportError:  # TensorFlow 1.5 to 1.12 (FfDL's learner images)
    import tensorflow as tf

IMAGE_SIDE = 28
CLASSES = 10


def arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name in ("trainImagesFile", "trainLabelsFile", "testImagesFile", "testLabelsFile"):
        parser.add_argument("--" + name, required=True)
    parser.add_argument("--learningRate", type=float, default=0.001)
    parser.add_argument("--trainingIters", type=int, default=2000, help="training examples to go through")
    parser.add_argument("--batchSize", type=int, default=128)
    parser.add_argument("--displayStep", type=int, default=10, help="print progress every N steps")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--resultDir", default=os.environ.get("RESULT_DIR", "."))
    parser.add_argument(
        "--tensorboardDir",
        default=os.path.join(os.environ["LOG_DIR"], "tb") if os.environ.get("LOG_DIR") else "",
        help="where TensorBoard event files go (empty: none)",
    )
    args = parser.parse_args(argv)
    for name in ("learningRate", "trainingIters", "batchSize", "displayStep"):
        if getattr(args, name) <= 0:
            parser.error("--%s must be above zero" % name)
    return args


def weight(shape):
    return tf.Variable(tf.truncated_normal(shape, stddev=0.1))


def bias(size):
    return tf.Variable(tf.constant(0.1, shape=[size]))


def conv_pool(inputs, in_channels, out_channels):
    """5x5 convolution with ReLU, then 2x2 max pooling."""
    conv = tf.nn.conv2d(inputs, weight([5, 5, in_channels, out_channels]), strides=[1, 1, 1, 1], padding="SAME")
    relu = tf.nn.relu(tf.nn.bias_add(conv, bias(out_channels)))
    return tf.nn.max_pool(relu, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")


def network(images, keep_prob):
    """Two convolution/pooling layers, a dense layer with dropout, the class logits."""
    grid = tf.reshape(images, [-1, IMAGE_SIDE, IMAGE_SIDE, 1])
    layer1 = conv_pool(grid, 1, 32)
    layer2 = conv_pool(layer1, 32, 64)
    flat_size = (IMAGE_SIDE // 4) * (IMAGE_SIDE // 4) * 64
    flat = tf.reshape(layer2, [-1, flat_size])
    dense = tf.nn.relu(tf.matmul(flat, weight([flat_size, 1024])) + bias(1024))
    dropped = tf.nn.dropout(dense, keep_prob)
    return tf.matmul(dropped, weight([1024, CLASSES])) + bias(CLASSES)


def evaluate(session, accuracy, feeds, data, batch=1000):
    """Accuracy over the whole data set, in batches to bound memory."""
    images, labels, keep_prob = feeds
    correct = 0.0
    for start in range(0, len(data.images), batch):
        part_images = data.images[start : start + batch]
        part_labels = data.labels[start : start + batch]
        value = session.run(accuracy, {images: part_images, labels: part_labels, keep_prob: 1.0})
        correct += float(value) * len(part_images)
    return correct / len(data.images)


def export(session, images, keep_prob, classes, result_dir):
    """SavedModel under result_dir/model (signature predict_images), and a tarball of it."""
    model_dir = os.path.join(result_dir, "model")
    builder = tf.saved_model.builder.SavedModelBuilder(model_dir)
    signature = tf.saved_model.signature_def_utils.predict_signature_def(
        inputs={"images": images, "keep_prob": keep_prob}, outputs={"classes": classes}
    )
    builder.add_meta_graph_and_variables(
        session, [tf.saved_model.tag_constants.SERVING], signature_def_map={"predict_images": signature}
    )
    builder.save()
    with tarfile.open(os.path.join(result_dir, "saved_model.tar.gz"), "w:gz") as archive:
        archive.add(model_dir, arcname=".")
    return model_dir


def main(argv):
    args = arguments(argv)
    model_dir = os.path.join(args.resultDir, "model")
    if os.path.exists(model_dir):
        sys.exit("%s exists already: a SavedModel is never written over another" % model_dir)
    train, test = input_data.read_data_sets(
        args.trainImagesFile, args.trainLabelsFile, args.testImagesFile, args.testLabelsFile, args.seed
    )
    print("Data: %d training and %d test images" % (len(train.images), len(test.images)))
    sys.stdout.flush()

    tf.set_random_seed(args.seed)
    images = tf.placeholder(tf.float32, [None, IMAGE_SIDE * IMAGE_SIDE], name="x_input")
    labels = tf.placeholder(tf.int64, [None], name="labels")
    keep_prob = tf.placeholder(tf.float32, name="keep_prob")
    logits = network(images, keep_prob)
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits))
    train_op = tf.train.AdamOptimizer(learning_rate=args.learningRate).minimize(loss)
    classes = tf.argmax(logits, 1, name="predictor")
    accuracy = tf.reduce_mean(tf.cast(tf.equal(classes, labels), tf.float32))

    started = time.time()
    writer = tf.summary.FileWriter(args.tensorboardDir) if args.tensorboardDir else None
    with tf.Session() as session:
        session.run(tf.global_variables_initializer())
        step = 1
        while step * args.batchSize < args.trainingIters:
            batch_images, batch_labels = train.next_batch(args.batchSize)
            feed = {images: batch_images, labels: batch_labels, keep_prob: 0.75}
            session.run(train_op, feed)
            if step % args.displayStep == 0:
                feed[keep_prob] = 1.0
                batch_loss, batch_accuracy = session.run([loss, accuracy], feed)
                print(
                    "Time %.4f, Iter %d, Minibatch Loss= %.6f, Training Accuracy= %.5f"
                    % (time.time(), step * args.batchSize, batch_loss, batch_accuracy)
                )
                sys.stdout.flush()
                if writer is not None:
                    summary = tf.Summary(
                        value=[
                            tf.Summary.Value(tag="loss", simple_value=float(batch_loss)),
                            tf.Summary.Value(tag="accuracy", simple_value=float(batch_accuracy)),
                        ]
                    )
                    writer.add_summary(summary, step * args.batchSize)
            step += 1
        if writer is not None:
            writer.close()
        print("Optimization Finished!")
        test_accuracy = evaluate(session, accuracy, (images, labels, keep_prob), test)
        saved = export(session, images, keep_prob, classes, args.resultDir)

    with open(os.path.join(args.resultDir, "metrics.json"), "w") as handle:
        json.dump(
            {
                "test_accuracy": test_accuracy,
                "test_images": len(test.images),
                "steps": step - 1,
                "batch_size": args.batchSize,
                "seconds": round(time.time() - started, 1),
                "tensorflow": tf.VERSION if hasattr(tf, "VERSION") else tf.__version__,
            },
            handle,
            indent=2,
            sort_keys=True,
        )
    print("Model saved in file: %s" % saved)
    print("Testing Accuracy: %.4f" % test_accuracy)
    sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1:])
