# PyTorch timing of Mycelium's node-regression training work, for `bench/compare.sh`.
#
# The same work as `mycelium bench node-regression`: a Barabási–Albert graph (m = 2) on --nodes nodes,
# the shift operator S = A / (largest degree), a GCNN of --widths (h <- relu(h Θ0 + (S h) Θ1) per layer,
# no activation after the last), --samples samples of U(0,1) features, shuffled mini-batches of --batch,
# learning rate 1e-3, float32 on the CPU (as PyTorch is normally run). Three schemes:
#   sgd       one tied copy of the weights, the mini-batch at once, torch.optim.SGD
#   dsgd      one copy of the weights per node (leading node axis, einsum), one Metropolis-Hastings
#             consensus round on the weights per mini-batch, then the local gradient step
#   damsgrad  the per-node forward and backward of dsgd, then D-AMSGrad in the published order (Mycelium's
#             default): a consensus round on θ and on the second-moment tracker ũ, and per node
#             m = β1 m + (1-β1) g, v = β2 v + (1-β2) g², v̂' = max(v̂, v),
#             θ = Wθ - α m / √max(Wũ, ε), then ũ = Wũ + v̂' - v̂; v̂ and ũ start at ε
# Targets come from a random teacher GCNN (input -> 20 -> 1) in one pass over all samples; besides
# giving the data, that one large pass raises glibc's mmap threshold, after which the mini-batches'
# temporaries come from the heap (without it the same epoch took about twice as long).
#
# Usage: python3 torch_node_regression.py --mode sgd --epochs 20 --threads 1 --widths 10,32,1
# Prints one line ending in sec_per_epoch=<seconds>.
import argparse
import random
import time

import torch

ap = argparse.ArgumentParser(description="time node-regression training epochs in PyTorch")
ap.add_argument("--mode", choices=["sgd", "dsgd", "damsgrad"], default="sgd")
ap.add_argument("--epochs", type=int, default=20)
ap.add_argument("--threads", type=int, default=1)
ap.add_argument("--widths", default="10,32,1", help="g_0,...,g_L; the last must be 1")
ap.add_argument("--nodes", type=int, default=100)
ap.add_argument("--samples", type=int, default=1000)
ap.add_argument("--batch", type=int, default=100)
args = ap.parse_args()
widths = [int(w) for w in args.widths.split(",")]
if len(widths) < 2 or widths[-1] != 1 or min(widths) < 1:
    ap.error("--widths needs at least two positive widths and a last width of 1, got " + args.widths)
if not 1 <= args.batch <= args.samples or args.nodes < 3:
    ap.error("need 1 <= --batch <= --samples and --nodes >= 3")

torch.set_num_threads(args.threads)
torch.manual_seed(0)
random.seed(0)
N, LR, BETA1, BETA2, EPS = args.nodes, 1e-3, 0.9, 0.999, 1e-8

# preferential attachment: each new node links to two distinct earlier nodes drawn by degree
edges, degree = {(0, 1)}, [1, 1] + [0] * (N - 2)
for v in range(2, N):
    pool = [u for u in range(v) for _ in range(max(degree[u], 1))]
    picked = set()
    while len(picked) < min(2, v):
        picked.add(random.choice(pool))
    for u in picked:
        edges.add((u, v))
        degree[u] += 1
        degree[v] += 1
A = torch.zeros(N, N)
for u, v in edges:
    A[u, v] = A[v, u] = 1.0
S = A / A.sum(1).max()
deg = A.sum(1)
W = torch.zeros(N, N)                                   # Metropolis-Hastings consensus weights
for u, v in edges:
    W[u, v] = W[v, u] = 1.0 / (1 + max(deg[u].item(), deg[v].item()))
W += torch.diag(1 - W.sum(1))

X = torch.rand(args.samples, N, widths[0])
with torch.no_grad():
    t0, t1, t2, t3 = (torch.randn(widths[0], 20), torch.randn(widths[0], 20), torch.randn(20, 1), torch.randn(20, 1))
    hidden = torch.relu(X @ t0 + (S @ X) @ t1)
    Y = (hidden @ t2 + (S @ hidden) @ t3).squeeze(-1) + 0.1 * torch.randn(args.samples, N)

pairs = [(widths[l], widths[l + 1]) for l in range(len(widths) - 1)]
tied = args.mode == "sgd"
theta = []
for k, m in pairs:
    for _ in range(2):                                  # Θ0 then Θ1 of each layer
        w = torch.randn(k, m) * 0.1
        theta.append((w if tied else w.expand(N, k, m).clone()).requires_grad_())


def forward(x):
    h = x
    for l in range(len(pairs)):
        a, b = theta[2 * l], theta[2 * l + 1]
        if tied:
            h = h @ a + (S @ h) @ b
        else:
            h = torch.einsum('bni,nio->bno', h, a) + torch.einsum('bni,nio->bno', S @ h, b)
        if l < len(pairs) - 1:
            h = torch.relu(h)
    return h.squeeze(-1)


def mix(t):
    return torch.einsum('ij,j...->i...', W, t)


opt = torch.optim.SGD(theta, lr=LR) if tied else None
moments = [[torch.zeros_like(p) if i < 2 else torch.full_like(p, EPS) for p in theta] for i in range(4)]   # m, v, v̂, ũ
start = time.time()
for epoch in range(args.epochs):
    order = torch.randperm(args.samples)
    for k in range(0, args.samples, args.batch):
        idx = order[k:k + args.batch]
        loss = ((forward(X[idx]) - Y[idx]) ** 2).mean()
        if tied:
            opt.zero_grad()
            loss.backward()
            opt.step()
            continue
        grads = torch.autograd.grad(loss, theta)
        with torch.no_grad():
            for q, g in enumerate(grads):
                if args.mode == "dsgd":
                    theta[q].copy_(mix(theta[q]) - LR * g)
                    continue
                m, v, vhat, utilde = (moments[i][q] for i in range(4))
                theta_mixed, u_mixed = mix(theta[q]), mix(utilde)
                m.mul_(BETA1).add_(g, alpha=1 - BETA1)
                v.mul_(BETA2).addcmul_(g, g, value=1 - BETA2)
                v_new = torch.maximum(vhat, v)
                theta[q].copy_(theta_mixed - LR * m / torch.sqrt(torch.clamp(u_mixed, min=EPS)))
                moments[3][q] = u_mixed + v_new - vhat
                moments[2][q] = v_new
elapsed = time.time() - start
print(f"mode={args.mode} widths={args.widths} threads={args.threads} epochs={args.epochs} "
      f"sec_per_epoch={elapsed / args.epochs:.4f} final_loss={loss.item():.4f}")
