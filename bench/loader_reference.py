#!/usr/bin/env python3
"""Reference measurement for LoaderBenchmark: the SimMIM pre-training input pipeline as the official code builds it
(torchvision ImageFolder + PIL, RandomResizedCrop(scale 0.67-1, ratio 3/4-4/3, bilinear), RandomHorizontalFlip,
ToTensor, Normalize, numpy mask generator; DataLoader with N workers, shuffle, drop_last, default collate).
Prints 'images/s <rate>' after timing --images images following one warm-up batch. A measurement, not a test.
Needs python3-pil and python3-torchvision (Debian packages).
"""
import argparse, gzip, math, struct, time

import numpy as np
import torch
import torchvision.transforms as T
from PIL import Image
from torch.utils.data import DataLoader, Dataset
from torchvision.datasets import ImageFolder


class MaskGenerator:
    def __init__(self, input_size, mask_patch_size, model_patch_size, mask_ratio=0.6):
        self.rand_size = input_size // mask_patch_size
        self.scale = mask_patch_size // model_patch_size
        self.token_count = self.rand_size ** 2
        self.mask_count = int(math.ceil(self.token_count * mask_ratio))

    def __call__(self):
        idx = np.random.permutation(self.token_count)[:self.mask_count]
        mask = np.zeros(self.token_count, dtype=int)
        mask[idx] = 1
        mask = mask.reshape((self.rand_size, self.rand_size))
        return mask.repeat(self.scale, axis=0).repeat(self.scale, axis=1)


class SimMIMTransform:
    def __init__(self, size, mask_patch):
        self.t = T.Compose([
            T.Lambda(lambda img: img.convert('RGB') if img.mode != 'RGB' else img),
            T.RandomResizedCrop(size, scale=(0.67, 1.0), ratio=(3.0 / 4.0, 4.0 / 3.0)),
            T.RandomHorizontalFlip(),
            T.ToTensor(),
            T.Normalize(mean=(0.485, 0.456, 0.406), std=(0.229, 0.224, 0.225)),
        ])
        self.mask = MaskGenerator(size, mask_patch, 4, 0.6)

    def __call__(self, img):
        return self.t(img), self.mask()


class IdxDataset(Dataset):
    def __init__(self, folder, transform):
        raw = gzip.open(folder + '/train-images-idx3-ubyte.gz').read()
        n, r, c = struct.unpack('>III', raw[4:16])
        self.images = np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(n, r, c)
        self.labels = np.frombuffer(gzip.open(folder + '/train-labels-idx1-ubyte.gz').read(), dtype=np.uint8, offset=8)
        self.transform = transform

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return self.transform(Image.fromarray(self.images[i], mode='L')), int(self.labels[i])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--folder')
    ap.add_argument('--fashion-mnist')
    ap.add_argument('--size', type=int, default=192)
    ap.add_argument('--workers', type=int, default=2)
    ap.add_argument('--batch', type=int, default=32)
    ap.add_argument('--images', type=int, default=1600)
    a = ap.parse_args()
    torch.set_num_threads(1)
    if a.folder:
        ds = ImageFolder(a.folder, transform=SimMIMTransform(a.size, 32))
    else:
        ds = IdxDataset(a.fashion_mnist, SimMIMTransform(a.size, 8))
    dl = DataLoader(ds, batch_size=a.batch, shuffle=True, num_workers=a.workers, drop_last=True,
                    persistent_workers=True, prefetch_factor=2)
    batches = max(1, a.images // a.batch)

    def stream():
        while True:
            yield from dl

    it = stream()
    next(it)  # warm-up (starts the workers)
    t0 = time.perf_counter()
    for _ in range(batches):
        (img, mask), label = next(it)
    dt = time.perf_counter() - t0
    print(f'images/s {batches * a.batch / dt:.1f}')


if __name__ == '__main__':
    main()
