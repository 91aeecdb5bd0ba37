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
import datetime
import hashlib
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn
from scipy import ndimage
from sklearn.datasets import load_digits, load_sample_images
from sklearn.model_selection import train_test_split

SEED = 0
# One thread: slower, but the build is bit-for-bit reproducible.
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


SCENE = 48


def _clutter_sources():
    """Grey versions of sklearn's two sample photographs (china.jpg, flower.jpg), in [0, 1]."""
    return [img.astype(np.float32).mean(axis=2) / 255.0 for img in load_sample_images().images]


def _scene(digit, rng, photos):
    """One 48x48 scene: a photo crop as background, noise, a faint distractor stroke, and the digit
    (8x8, upscaled 2-3x, rotated +-25 degrees) at a random position with random contrast."""
    photo = photos[rng.integers(len(photos))]
    y, x = rng.integers(0, photo.shape[0] - SCENE), rng.integers(0, photo.shape[1] - SCENE)
    bg = photo[y:y + SCENE, x:x + SCENE]
    bg = (bg - bg.mean()) * rng.uniform(0.3, 0.8) + rng.uniform(0.2, 0.5)
    glyph = ndimage.zoom(digit, rng.uniform(2.0, 3.0), order=1)
    glyph = ndimage.rotate(glyph, rng.uniform(-25, 25), reshape=True, order=1)
    glyph = np.clip(glyph, 0, 1)
    h, w = glyph.shape
    gy, gx = rng.integers(0, SCENE - h + 1), rng.integers(0, SCENE - w + 1)
    out = bg.copy()
    contrast = rng.uniform(0.45, 1.0) * (1 if rng.random() < 0.5 else -1)
    out[gy:gy + h, gx:gx + w] += contrast * glyph
    # A short random stroke, so that "the brightest blob" is not the answer.
    t = np.linspace(0, 1, 20)
    sy, sx = rng.uniform(0, SCENE, 2)
    ey, ex = sy + rng.uniform(-12, 12), sx + rng.uniform(-12, 12)
    for yy, xx in zip(sy + (ey - sy) * t, sx + (ex - sx) * t):
        iy, ix = int(yy), int(xx)
        if 0 <= iy < SCENE and 0 <= ix < SCENE:
            out[iy, ix] += 0.5 * contrast
    out += rng.normal(0, 0.08, out.shape)
    return np.clip(out, 0, 1).astype(np.float32)


def cluttered_digits_task():
    """Digits from sklearn's set placed in 48x48 cluttered scenes (photo background, noise, a distractor
    stroke, scale, rotation, position and polarity varied): a harder recognition task. Scenes are
    generated from the digits split, so the held-out scenes contain only held-out digits."""
    ds = load_digits()
    x = ds.images.astype(np.float32) / 16.0
    y = ds.target.astype(np.int64)
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.3, random_state=SEED, stratify=y)
    photos = _clutter_sources()

    def render(images, labels, per_digit, seed):
        rng = np.random.default_rng(seed)
        scenes = np.stack([_scene(img, rng, photos) for img in images for _ in range(per_digit)])
        return scenes[:, None, :, :], np.repeat(labels, per_digit)

    return {
        "id": "cluttered-digits",
        "description": "Digit recognition in 48x48 cluttered scenes (photo background, noise, distractors, scale, rotation, position)",
        "inputShape": [1, SCENE, SCENE],
        "labels": [str(i) for i in range(10)],
        "provenance": "sklearn.datasets.load_digits placed on crops of sklearn.datasets.load_sample_images, "
        f"stratified 70/30 digit split (random_state={SEED}); 6 training scenes per training digit, "
        "1 held-out scene per held-out digit",
        "train": render(x_train, y_train, 6, SEED + 100),
        "test": render(x_test, y_test, 1, SEED + 200),
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


def block(cin, cout, stride):
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(),
        nn.Conv2d(cout, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(),
    )


def conv_net(widths):
    layers, cin = [], 1
    for i, w in enumerate(widths):
        layers.append(block(cin, w, 1 if i == 0 else 2))
        cin = w
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), Flatten(), nn.Linear(cin, 10))


VARIANTS = [
    {"id": "digits-linear-xs", "task": "digits", "build": digits_linear_pooled, "epochs": 60,
     "description": "Linear classifier on a 4x4 average-pooled image"},
    {"id": "digits-mlp-s", "task": "digits", "build": digits_mlp, "epochs": 60,
     "description": "One hidden layer MLP (64 units)"},
    {"id": "digits-cnn-m", "task": "digits", "build": digits_cnn, "epochs": 40,
     "description": "Three-layer CNN (32-64-128 channels)"},
    {"id": "cluttered-cnn-xs", "task": "cluttered-digits", "build": lambda: conv_net([8, 16]), "epochs": 15,
     "description": "Two-stage CNN (8-16 channels, two 3x3 convolutions per stage)"},
    {"id": "cluttered-cnn-s", "task": "cluttered-digits", "build": lambda: conv_net([16, 32]), "epochs": 15,
     "description": "Two-stage CNN (16-32 channels)"},
    {"id": "cluttered-cnn-m", "task": "cluttered-digits", "build": lambda: conv_net([32, 64, 128]), "epochs": 12,
     "description": "Three-stage CNN (32-64-128 channels)"},
    {"id": "cluttered-cnn-l", "task": "cluttered-digits", "build": lambda: conv_net([96, 192, 384]), "epochs": 6,
     "description": "Three-stage wide CNN (96-192-384 channels)"},
]

TASKS = {"digits": digits_task, "cluttered-digits": cluttered_digits_task}


def train(build, x, y, epochs, seed):
    torch.manual_seed(seed)
    model = build()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    batch = 64
    steps = epochs * ((len(x) + batch - 1) // batch)
    schedule = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=steps)
    loss_fn = nn.CrossEntropyLoss()
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    gen = torch.Generator().manual_seed(seed)
    model.train()
    for _ in range(epochs):
        perm = torch.randperm(len(xt), generator=gen)
        for i in range(0, len(xt), batch):
            idx = perm[i:i + batch]
            opt.zero_grad()
            loss = loss_fn(model(xt[idx]), yt[idx])
            loss.backward()
            opt.step()
            schedule.step()
    model.eval()
    return model


def accuracy(model, x, y):
    with torch.no_grad():
        pred = np.concatenate([model(torch.from_numpy(x[i:i + 256])).argmax(dim=1).numpy() for i in range(0, len(x), 256)])
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
    parser.add_argument("--epochs-scale", type=float, default=1.0, help="scale every variant's epochs (trials only)")
    parser.add_argument("--only", default="", help="comma-separated variant ids to (re)train; the others keep their manifest entries and files")
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
    only = {v for v in args.only.split(",") if v}
    unknown = only - {v["id"] for v in VARIANTS}
    if unknown:
        parser.error(f"--only names unknown variants: {', '.join(sorted(unknown))}")
    for i, spec in enumerate(VARIANTS):
        if only and spec["id"] not in only:
            if spec["id"] not in previous:
                parser.error(f"--only: {spec['id']} is not in {manifest_path} yet; build it too")
            manifest["variants"].append(previous[spec["id"]])
            continue
        task = tasks[spec["task"]]
        x_train, y_train = task["train"]
        x_test, y_test = task["test"]
        epochs = max(1, round(spec["epochs"] * args.epochs_scale))
        started = datetime.datetime.now()
        model = train(spec["build"], x_train, y_train, epochs, SEED + i)
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
        took = (datetime.datetime.now() - started).total_seconds()
        print(f"{spec['id']:<20} accuracy {acc:.4f}  params {entry['parameters']:>8}  trained in {took:.0f} s", file=sys.stderr)

    with open(manifest_path, "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    print(f"wrote {manifest_path}", file=sys.stderr)


if __name__ == "__main__":
    main()
