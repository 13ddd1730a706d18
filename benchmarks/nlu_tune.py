"""Choose the classifier's hyper-parameters by cross-validation on the *training* data only.

The dev set is never read here. Folds are stratified by (language, intent) with a fixed seed.
Prints, per candidate, mean accuracy, macro-F1 and expected calibration error over the folds.

    .venv/bin/python benchmarks/nlu_tune.py [--folds 3] [--data nlu/data]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from sklearn.model_selection import StratifiedKFold

from nlu.classifier import ClassifierParams
from nlu.data import load_examples
from nlu.evaluation import predict, score
from nlu.model import train_from_examples
from nlu.paths import TRAINING_DATA_DIR

CANDIDATES: tuple[ClassifierParams, ...] = (
    ClassifierParams(c=3.0),
    ClassifierParams(c=10.0),
    ClassifierParams(c=30.0),
    ClassifierParams(c=10.0, char_ngrams=(1, 4)),
    ClassifierParams(c=10.0, char_ngrams=(2, 6)),
    ClassifierParams(c=10.0, word_ngrams=(1, 1)),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=TRAINING_DATA_DIR)
    parser.add_argument("--folds", type=int, default=3)
    args = parser.parse_args()

    examples = load_examples(args.data)
    strata = [f"{e.language}:{e.intent}" for e in examples]
    folds = list(StratifiedKFold(n_splits=args.folds, shuffle=True, random_state=13).split(examples, strata))
    print(f"{len(examples)} training examples, {args.folds}-fold cross-validation")
    print(f"{'candidate':<72} {'acc':>6} {'mF1':>6} {'ECE':>6} {'s/fit':>6}")
    for params in CANDIDATES:
        accuracies, f1s, eces, seconds = [], [], [], []
        for train_index, test_index in folds:
            started = time.perf_counter()
            model = train_from_examples([examples[i] for i in train_index], "cv", params)
            seconds.append(time.perf_counter() - started)
            report = score(predict(model, [examples[i] for i in test_index]), confident_threshold=0.6)
            accuracies.append(report.overall.accuracy)
            f1s.append(report.overall.macro_f1)
            eces.append(report.calibration_error)
        print(
            f"{params!s:<72} {np.mean(accuracies):6.1%} {np.mean(f1s):6.3f} {np.mean(eces):6.3f} "
            f"{np.mean(seconds):6.1f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
