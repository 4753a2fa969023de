#!/usr/bin/python3
"""Exports scikit-learn's 8x8 handwritten digits (UCI optdigits test set, 1797 images) to
digits.txt beside this script: one image per line, the label digit, ':', then the 64 pixels row
by row, each a letter 'a' + value (values 0..16 -> 'a'..'q'), ~120 KB. eoqsim's
`train --dataset digits` reads an embedded copy of this file.

Usage: /usr/bin/python3 data/digits/export_digits.py   (needs Debian's python3-sklearn)
"""
import os

from sklearn.datasets import load_digits


def main():
    d = load_digits()
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "digits.txt")
    with open(out, "w") as f:
        for x, y in zip(d.data.astype(int), d.target.astype(int)):
            f.write("%d:%s\n" % (y, "".join(chr(ord("a") + v) for v in x)))
    print("wrote %s: %d images" % (out, len(d.target)))


if __name__ == "__main__":
    main()
