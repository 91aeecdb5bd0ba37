#!/usr/bin/python3
"""Train every model of the ASET zoo offline, export it to ONNX and write models/manifest.json.

Run with Debian's python (it has torch, onnx and sklearn):
    /usr/bin/python3 tools/model-zoo/build_zoo.py [--out models]

Deterministic: fixed seeds, one thread. Each task's held-out split is written next to the models
so the workload generator can send real inputs and check predictions against their labels.
Latency figures are not written here: `npm run zoo:profile` measures them on the current host.
"""
import argparse
import base64
import hashlib
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

SEED = 0
torch.set_num_threads(1)


def digits_task():
    """sklearn's copy of the UCI optical digits set: 1797 8x8 grey images, ten classes."""
    ds = load_digits()
    x = (ds.images.astype(np.float32) / 16.0)[:, None, :, :]
    y = ds.target.astype(np.int64)
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=0.3, random_state=SEED, stratify=y
    )
    return {
        "id": "digits",
        "description": "Handwritten digit recognition, 8x8 grey images scaled to [0,1]",
        "inputShape": [1, 8, 8],
        "labels": [str(i) for i in range(10)],
        "provenance": "sklearn.datasets.load_digits (UCI ML optical recognition of handwritten digits), "
        f"stratified 70/30 split, random_state={SEED}",
        "train": (x_train, y_train),
        "test": (x_test, y_test),
    }


class Flatten(nn.Module):
    def forward(self, x):
        return x.reshape(x.shape[0], -1)


def digits_linear_pooled():
    # Sees a 4x4 average-pooled image: cheap and visibly less accurate.
    return nn.Sequential(nn.AvgPool2d(2), Flatten(), nn.Linear(16, 10))


def digits_mlp():
    return nn.Sequential(Flatten(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))


def digits_cnn():
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(64, 128, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        Flatten(), nn.Linear(128 * 2 * 2, 128), nn.ReLU(), nn.Linear(128, 10),
    )


VARIANTS = [
    {"id": "digits-linear-xs", "task": "digits", "build": digits_linear_pooled, "epochs": 60,
     "description": "Linear classifier on a 4x4 average-pooled image"},
    {"id": "digits-mlp-s", "task": "digits", "build": digits_mlp, "epochs": 60,
     "description": "One hidden layer MLP (64 units)"},
    {"id": "digits-cnn-m", "task": "digits", "build": digits_cnn, "epochs": 40,
     "description": "Three-layer CNN (32-64-128 channels)"},
]

TASKS = {"digits": digits_task}


def train(build, x, y, epochs, seed):
    torch.manual_seed(seed)
    model = build()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    loss_fn = nn.CrossEntropyLoss()
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    gen = torch.Generator().manual_seed(seed)
    model.train()
    for _ in range(epochs):
        perm = torch.randperm(len(xt), generator=gen)
        for i in range(0, len(xt), 64):
            idx = perm[i:i + 64]
            opt.zero_grad()
            loss = loss_fn(model(xt[idx]), yt[idx])
            loss.backward()
            opt.step()
    model.eval()
    return model


def accuracy(model, x, y):
    with torch.no_grad():
        pred = model(torch.from_numpy(x)).argmax(dim=1).numpy()
    return float((pred == y).mean())


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def export_onnx(model, sample_shape, path):
    dummy = torch.zeros((1, *sample_shape), dtype=torch.float32)
    torch.onnx.export(
        model, dummy, path, opset_version=13,
        input_names=["input"], output_names=["logits"],
        dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
    )


def write_dataset(task, out_dir):
    x, y = task["test"]
    rel = f"datasets/{task['id']}.test.json"
    doc = {
        "task": task["id"],
        "shape": [int(s) for s in x.shape],
        "dtype": "float32",
        "labels": [int(v) for v in y],
        "data": base64.b64encode(np.ascontiguousarray(x, dtype="<f4").tobytes()).decode("ascii"),
    }
    path = os.path.join(out_dir, rel)
    with open(path, "w") as f:
        json.dump(doc, f)
    return {"file": rel, "count": int(len(y)), "sha256": sha256(path)}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "..", "models"))
    args = parser.parse_args()
    out_dir = os.path.abspath(args.out)
    os.makedirs(os.path.join(out_dir, "datasets"), exist_ok=True)

    manifest_path = os.path.join(out_dir, "manifest.json")
    previous = {}
    if os.path.exists(manifest_path):
        with open(manifest_path) as f:
            previous = {v["id"]: v for v in json.load(f).get("variants", [])}

    tasks = {tid: build() for tid, build in TASKS.items()}
    manifest = {"schemaVersion": 1, "tasks": {}, "variants": []}
    for tid, task in tasks.items():
        manifest["tasks"][tid] = {
            "description": task["description"],
            "inputShape": task["inputShape"],
            "labels": task["labels"],
            "provenance": task["provenance"],
            "heldOut": write_dataset(task, out_dir),
        }
    for i, spec in enumerate(VARIANTS):
        task = tasks[spec["task"]]
        x_train, y_train = task["train"]
        x_test, y_test = task["test"]
        model = train(spec["build"], x_train, y_train, spec["epochs"], SEED + i)
        acc = accuracy(model, x_test, y_test)
        rel = f"{spec['id']}.onnx"
        path = os.path.join(out_dir, rel)
        export_onnx(model, task["inputShape"], path)
        entry = {
            "id": spec["id"],
            "task": spec["task"],
            "file": rel,
            "sha256": sha256(path),
            "accuracy": round(acc, 4),
            "parameters": int(sum(p.numel() for p in model.parameters())),
            "description": spec["description"],
            "provenance": {
                "builtBy": "tools/model-zoo/build_zoo.py",
                "trainedOn": task["provenance"],
                "epochs": spec["epochs"],
                "seed": SEED + i,
                "torch": torch.__version__,
            },
        }
        if spec["id"] in previous and "latencyMs" in previous[spec["id"]]:
            entry["latencyMs"] = previous[spec["id"]]["latencyMs"]
        manifest["variants"].append(entry)
        print(f"{spec['id']:<20} accuracy {acc:.4f}  params {entry['parameters']}", file=sys.stderr)

    with open(manifest_path, "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    print(f"wrote {manifest_path}", file=sys.stderr)


if __name__ == "__main__":
    main()
