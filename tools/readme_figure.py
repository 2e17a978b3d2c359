"""Draw the README's picture: the hidden units of a 784-25-10 network on Fashion-MNIST.

    python tools/readme_figure.py        # writes docs/images/hidden_units.png

Trains as the step-by-step page does (L-BFGS, lambda 1, 100 iterations on the first
20000 training images, seed 0; needs Debian's dataset-fashion-mnist or BPROP_DATA, and
the [plot] extra) and draws each hidden unit's 784 incoming weights as a 28x28 image.
"""

from pathlib import Path

import numpy as np

import bprop

OUT = Path(__file__).resolve().parent.parent / "docs" / "images" / "hidden_units.png"


def main() -> None:
    X, y = bprop.data.load_fashion_mnist("train", dtype=np.uint8)
    Xt, yt = bprop.data.load_fashion_mnist("test", dtype=np.uint8)
    net, _ = bprop.train(
        bprop.initialize([784, 25, 10], seed=0),
        X[:20000],
        y[:20000],
        lambda_=1.0,
        optimizer="lbfgs",
        iterations=100,
        verbose=False,
    )
    accuracy = np.mean(bprop.predict(net, Xt) == yt)
    fig = bprop.plot.hidden_weights(net, image_shape=(28, 28))
    fig.suptitle(
        f"784-25-10 on Fashion-MNIST (test accuracy {accuracy:.3f}): "
        "each hidden unit's incoming weights"
    )
    fig.savefig(OUT, dpi=72)
    print(f"wrote {OUT} (test accuracy {accuracy:.3f})")


if __name__ == "__main__":
    main()
