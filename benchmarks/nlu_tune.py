"""Choose the classifier's hyper-parameters by cross-validation on the *training* data only.

The dev set is never read here. Folds are stratified by (language, intent) with a fixed seed.
Each candidate is the bare pipeline (no temperature: calibration never changes the predicted
intent, and skipping it keeps this affordable). Prints mean accuracy, macro-F1 and the share
of out-of-scope examples predicted as a migration topic over the folds.

    .venv/bin/python benchmarks/nlu_tune.py [--folds 3] [--data nlu/data]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold

from nlu.classifier import ClassifierParams, build_classifier
from nlu.data import load_examples
from nlu.intents import MIGRATION_INTENTS, OUT_OF_SCOPE
from nlu.paths import TRAINING_DATA_DIR

CANDIDATES: tuple[ClassifierParams, ...] = (
    ClassifierParams(c=10.0),
    ClassifierParams(c=3.0),
    ClassifierParams(c=30.0),
    ClassifierParams(c=10.0, out_of_scope_weight=2.0),
    ClassifierParams(c=10.0, out_of_scope_weight=3.0),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=TRAINING_DATA_DIR)
    parser.add_argument("--folds", type=int, default=3)
    args = parser.parse_args()

    examples = load_examples(args.data)
    texts = [e.text for e in examples]
    gold = np.array([e.intent for e in examples])
    strata = [f"{e.language}:{e.intent}" for e in examples]
    folds = list(StratifiedKFold(n_splits=args.folds, shuffle=True, random_state=13).split(texts, strata))
    print(f"{len(examples)} training examples, {args.folds}-fold cross-validation")
    print(f"{'candidate':<100} {'acc':>6} {'mF1':>6} {'OOS→topic':>9} {'s/fit':>6}")
    for params in CANDIDATES:
        predicted = np.empty(len(texts), dtype=object)
        seconds = []
        for train_index, test_index in folds:
            started = time.perf_counter()
            pipeline = build_classifier(params).fit([texts[i] for i in train_index], gold[train_index])
            seconds.append(time.perf_counter() - started)
            predicted[test_index] = pipeline.predict([texts[i] for i in test_index])
        out_of_scope = gold == OUT_OF_SCOPE
        wrongly_topical = np.isin(predicted[out_of_scope], MIGRATION_INTENTS).mean()
        print(
            f"{str(params):<100} {accuracy_score(gold, predicted):6.1%} "
            f"{f1_score(gold, predicted, average='macro', zero_division=0):6.3f} {wrongly_topical:9.1%} "
            f"{np.mean(seconds):6.1f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
