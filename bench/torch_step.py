"""PyTorch reference for `npm run bench`: the same supernet step (one child per step, round-robin,
SGD momentum 0.9, softmax cross-entropy) on the CPU with one thread. Prints one JSON line.
--fixed-stem: the stem's two convs are not trained (their BNs are), as in the classroom preset's model.fixedStem.
--cell-pool K: k×k average pooling (stride k) in front of every cell after the first, as model.cellPool."""
import json, sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)  # 2 threads collapse on these shared 2-core machines (measurements.md)

def bn(c, affine=False):
    return nn.BatchNorm2d(c, affine=affine, momentum=0.4)

class SepBlock(nn.Sequential):
    def __init__(self, c, k, d=1):
        super().__init__(nn.ReLU(), nn.Conv2d(c, c, k, padding=d * (k - 1) // 2, dilation=d, groups=c, bias=False), nn.Conv2d(c, c, 1, bias=False), bn(c))

def make_op(o, c):
    if o == 0: return nn.Sequential(nn.MaxPool2d(3, 1, 1), bn(c))
    if o == 1: return nn.Sequential(SepBlock(c, 3), SepBlock(c, 3))
    if o == 2: return nn.Sequential(SepBlock(c, 5), SepBlock(c, 5))
    return SepBlock(c, 5, 2)

class Cell(nn.Module):
    def __init__(self, cin, c):
        super().__init__()
        self.pre = nn.Sequential(nn.ReLU(), nn.Conv2d(cin, c, 1, bias=False), bn(c))
        self.edges = nn.ModuleList([nn.ModuleList([make_op(o, c) for o in range(4)]) for _ in range(3)])
    def forward(self, x, arch):
        x0 = self.pre(x)
        x1 = self.edges[0][arch[0]](x0)
        x2 = self.edges[1][arch[1]](x0) + self.edges[2][arch[2]](x1)
        return torch.cat([x1, x2], 1)

class Supernet(nn.Module):
    def __init__(self, stem, c, cells, pool=1, classes=10):
        super().__init__()
        self.pool = pool
        self.stem = nn.Sequential(nn.Conv2d(3, stem, 3, padding=1, bias=False), nn.BatchNorm2d(stem, momentum=0.4),
                                  nn.Conv2d(stem, stem, 3, padding=1, bias=False), nn.BatchNorm2d(stem, momentum=0.4))
        self.cells = nn.ModuleList([Cell(stem if i == 0 else 2 * c, c) for i in range(cells)])
        self.head = nn.Linear(2 * c, classes)
    def forward(self, x, arch):
        h = self.stem(x)
        for i, cell in enumerate(self.cells):
            if i > 0 and self.pool > 1: h = F.avg_pool2d(h, self.pool)
            h = cell(h, arch)
        return self.head(F.adaptive_avg_pool2d(h, 1).flatten(1))

def main():
    fixed_stem = "--fixed-stem" in sys.argv
    argv = [a for a in sys.argv if a != "--fixed-stem"]
    pool = 1
    if "--cell-pool" in argv:
        i = argv.index("--cell-pool")
        pool = int(argv[i + 1])
        del argv[i:i + 2]
    stem, c, cells, size, batch, steps = (int(a) for a in argv[1:7])
    dev = torch.device(argv[7] if len(argv) > 7 else "cpu")
    torch.manual_seed(0)
    net = Supernet(stem, c, cells, pool).to(dev)
    if fixed_stem:
        for conv in (net.stem[0], net.stem[2]): conv.weight.requires_grad_(False)
    opt = torch.optim.SGD([p for p in net.parameters() if p.requires_grad], lr=0.025, momentum=0.9, weight_decay=1e-3)
    x = torch.randn(batch, 3, size, size, device=dev)
    y = torch.randint(0, 10, (batch,), device=dev)
    archs = [((i // 16) % 4, (i // 4) % 4, i % 4) for i in range(0, 64, 7)]
    def step(i):
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(net(x, archs[i % len(archs)]), y)
        loss.backward()
        opt.step()
        return loss.item()
    sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)
    for i in range(2): step(i)
    sync()
    t = time.perf_counter()
    c = time.process_time()
    for i in range(steps): step(i)
    sync()
    dt = (time.perf_counter() - t) / steps
    dc = (time.process_time() - c) / steps
    params = sum(p.numel() for p in net.parameters() if p.requires_grad)
    print(json.dumps({"stack": "pytorch " + dev.type, "batch": batch, "ms_per_step": dt * 1000, "img_per_s": batch / dt, "img_per_cpu_s": batch / dc, "params": params, "torch": torch.__version__, "threads": torch.get_num_threads(), "fixed_stem": fixed_stem, "cell_pool": pool}))

if __name__ == "__main__":
    main()
