# D-AMSGrad in PyTorch on the node-regression benchmark, for a like-for-like timing of Mycelium's
# `bench node-regression` d-amsgrad row. bench/torch_node_regression.py times D-SGD with
# per-node copies ("dsgd"); this does the same forward and backward (per-node Θ_i by einsum, the
# same graph, sizes, batch and learning rate) and then D-AMSGrad's step in the published order (Chen et
# al.; Mycelium's optim/DAmsGrad) instead of D-SGD's: one Metropolis-Hastings round on θ and on the
# second-moment tracker ũ, then per node
#   m = β1 m + (1-β1) g,  v = β2 v + (1-β2) g²,  v̂' = max(v̂, v),
#   θ = Wθ - α m / √max(Wũ, ε),  ũ = Wũ - v̂ + v̂',  v̂ = v̂'    (v̂ and ũ start at ε).
# Usage: python3 torch_damsgrad.py EPOCHS THREADS   (prints sec_per_epoch=...)
import sys, time, random, torch

epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 20
threads = int(sys.argv[2]) if len(sys.argv) > 2 else 1
torch.set_num_threads(threads)
torch.manual_seed(0)
random.seed(0)
N, F, H, SAMPLES, B, LR = 100, 10, 32, 1000, 100, 1e-3
BETA1, BETA2, EPS = 0.9, 0.999, 1e-8

# Barabási–Albert graph, m = 2, by preferential attachment over a degree-weighted pool
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
W = torch.zeros(N, N)
for u, v in edges:
    W[u, v] = W[v, u] = 1.0 / (1 + max(deg[u].item(), deg[v].item()))
W += torch.diag(1 - W.sum(1))

X = torch.rand(SAMPLES, N, F)
# targets from a random teacher GCNN (10 -> 20 -> 1) over all samples at once, as the D-SGD reference
# makes them. That one large pass also matters for the timing: it raises glibc's mmap threshold,
# after which the mini-batches' temporaries come from the heap; without it every temporary over
# 128 KiB is mapped and unmapped, and the same epoch took about twice as long.
with torch.no_grad():
    T0, T1, T2, T3 = torch.randn(F, 20), torch.randn(F, 20), torch.randn(20, 1), torch.randn(20, 1)
    hidden = torch.relu(X @ T0 + (S @ X) @ T1)
    Y = (hidden @ T2 + (S @ hidden) @ T3).squeeze(-1) + 0.1 * torch.randn(SAMPLES, N)
shapes = [(F, H), (F, H), (H, 1), (H, 1)]           # Θ0, Θ1 of the hidden layer, then of the output layer
theta = [(torch.randn(*s) * 0.1).expand(N, *s).clone().requires_grad_() for s in shapes]
m = [torch.zeros_like(p) for p in theta]
v = [torch.zeros_like(p) for p in theta]
vhat = [torch.full_like(p, EPS) for p in theta]
utilde = [torch.full_like(p, EPS) for p in theta]


def forward(x):
    h = torch.relu(torch.einsum('bni,nio->bno', x, theta[0]) + torch.einsum('bni,nio->bno', S @ x, theta[1]))
    return (torch.einsum('bni,nio->bno', h, theta[2]) + torch.einsum('bni,nio->bno', S @ h, theta[3])).squeeze(-1)


def mix(t):
    return torch.einsum('ij,j...->i...', W, t)


start = time.time()
for epoch in range(epochs):
    order = torch.randperm(SAMPLES)
    for k in range(0, SAMPLES, B):
        idx = order[k:k + B]
        loss = ((forward(X[idx]) - Y[idx]) ** 2).sum()
        grads = torch.autograd.grad(loss, theta)
        with torch.no_grad():
            for q, g in enumerate(grads):
                theta_mixed, u_mixed = mix(theta[q]), mix(utilde[q])
                m[q].mul_(BETA1).add_(g, alpha=1 - BETA1)
                v[q].mul_(BETA2).addcmul_(g, g, value=1 - BETA2)
                v_new = torch.maximum(vhat[q], v[q])
                theta[q].copy_(theta_mixed - LR * m[q] / torch.sqrt(torch.clamp(u_mixed, min=EPS)))
                utilde[q] = u_mixed - vhat[q] + v_new
                vhat[q] = v_new
elapsed = time.time() - start
print(f"mode=damsgrad threads={threads} epochs={epochs} sec_per_epoch={elapsed / epochs:.4f} final_loss={loss.item():.4f}")
