#!/usr/bin/env python3
"""Independent computation of the numbers pinned by MimScale.Tests.Data (run once, values hard-coded in the tests).

Standard library only, except the PIL resize references (python3-pil). Re-implements, from the published
algorithms, SplitMix64, xoshiro256**, Lemire's bounded integers and Fisher-Yates, so the C# streams are checked
against a second implementation rather than against themselves.
"""
import gzip, hashlib, math, struct, sys

M = (1 << 64) - 1

def mix(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
    return z ^ (z >> 31)

def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & M

class Rng:
    def __init__(self, seed):
        s = []
        x = seed
        for _ in range(4):
            x = (x + 0x9E3779B97F4A7C15) & M
            s.append(mix(x))
        self.s = s

    @staticmethod
    def key(seed, stream, a=0, b=0, c=0):
        h = mix(seed ^ 0x6A09E667F3BCC909)
        h = mix(h ^ stream)
        h = mix(h ^ (a & M))
        h = mix(h ^ (b & M) ^ 0xBB67AE8584CAA73B)
        h = mix(h ^ (c & M) ^ 0x3C6EF372FE94F82B)
        return Rng(h)

    def next(self):
        s = self.s
        result = (rotl((s[1] * 5) & M, 7) * 9) & M
        t = (s[1] << 17) & M
        s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result

    def next_int(self, n):
        m = self.next() * n
        low = m & M
        if low < n:
            threshold = ((1 << 64) - n) % n
            while low < threshold:
                m = self.next() * n
                low = m & M
        return m >> 64

    def shuffle(self, items):
        for i in range(len(items) - 1, 0, -1):
            j = self.next_int(i + 1)
            items[i], items[j] = items[j], items[i]

def uniform(rng, lo, hi):
    return lo + (hi - lo) * ((rng.next() >> 11) * (1.0 / (1 << 53)))

def rrc(rng, width, height, scale=(0.67, 1.0), ratio=(3 / 4, 4 / 3)):
    # torchvision RandomResizedCrop.get_params with this generator (round = Python's half-to-even round).
    area = width * height
    log_ratio = (math.log(ratio[0]), math.log(ratio[1]))
    for _ in range(10):
        target = area * uniform(rng, *scale)
        aspect = math.exp(uniform(rng, *log_ratio))
        w = int(round(math.sqrt(target * aspect)))
        h = int(round(math.sqrt(target / aspect)))
        if 0 < w <= width and 0 < h <= height:
            i = rng.next_int(height - h + 1)
            j = rng.next_int(width - w + 1)
            return i, j, h, w
    raise RuntimeError('fallback not expected here')

def fnv_hash(text):
    h = 0xCBF29CE484222325
    for ch in text.encode('utf-16-le')[::2]:  # ASCII names: one UTF-16 unit per char
        h ^= ch
        h = (h * 0x100000001B3) & M
    return mix(h)

def main():
    r = Rng(0)
    print('xoshiro seed 0:', [r.next() for _ in range(3)])
    r = Rng.key(0, 1, 0)
    print('key(0, Order, 0) first:', r.next())
    r = Rng.key(7, 3, 2, 5)
    print('key(7, Mask, 2, 5) perm(10):', end=' ')
    p = list(range(10)); r.shuffle(p); print(p)

    for k in range(3):
        r = Rng.key(0, 2, 0, k)  # (seed 0, Augment, epoch 0, position k)
        box = rrc(r, 500, 375)
        flip = ((r.next() >> 11) * (1.0 / (1 << 53))) < 0.5
        print(f'RRC key(0, Augment, 0, {k}) on 500x375: (top, left, h, w) = {box}, flip {flip}')

    # Synthetic source: classes a (10 images), b (7), c (3); ids "<class>/<k:02d>.png".
    classes = [('a', 10), ('b', 7), ('c', 3)]
    for fr in (0.1, 0.5, 1.0):
        lines = []
        for label, (name, n) in enumerate(classes):
            ids = sorted(f'{name}/{k:02d}.png' for k in range(n))
            perm = list(range(n))
            Rng.key(0, 6, fnv_hash(name)).shuffle(perm)
            keep = min(n, max(1, int(math.floor(fr * n + 0.5))))
            lines += [(ids[perm[k]], label) for k in range(keep)]
        text = ''.join(f'{i}\t{l}\n' for i, l in sorted(lines))
        print(f'fraction {fr}: count {len(lines)} sha256 {hashlib.sha256(text.encode()).hexdigest()}')

    d = '/usr/share/datasets/fashion-mnist/'
    for split in ('train', 't10k'):
        b = gzip.open(d + split + '-images-idx3-ubyte.gz').read()
        print(split, 'pixel sums', [sum(b[16 + i * 784:16 + (i + 1) * 784]) for i in range(5)])

    try:
        from PIL import Image
    except ImportError:
        print('PIL missing: resize references skipped'); return
    w, h = 40, 30
    img = Image.new('RGB', (w, h))
    img.putdata([((x * 7 + y * 13) % 256, (x * x + 3 * y) % 256, (255 - 5 * x + y * y) % 256) for y in range(h) for x in range(w)])
    for name, flt in (('bilinear', Image.BILINEAR), ('bicubic', Image.BICUBIC)):
        out = img.crop((5, 3, 5 + 25, 3 + 20)).resize((16, 16), flt)
        px = list(out.getdata())
        print(name, 'crop(top 3, left 5, 20x25)->16x16: sum', sum(sum(p) for p in px), 'px(0,0)', px[0], 'px(7,9)', out.getpixel((9, 7)), 'px(15,15)', px[-1])
        up = img.resize((56, 42), flt)
        print(name, 'upscale 40x30->56x42: sum', sum(sum(p) for p in up.getdata()), 'px(10,20)', up.getpixel((20, 10)))

if __name__ == '__main__':
    main()
