"""Sparse mean-centred PCA with Pol.is's sparsity-aware projection.

The centred matrix has x_ij - mu_j at observed cells and exactly 0 elsewhere
(missing votes are imputed with mu_j), so it is a CSR matrix with the same
pattern as the votes: nothing dense of size participants x statements exists.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg
import scipy.sparse as sp
from scipy.sparse.linalg import ArpackNoConvergence, LinearOperator, eigsh

from .opinion_threads import WORKERS, pmap
from .opinion_votes import VoteTable

# Below this many multiply-adds the Gram matrix D^T D is built explicitly and
# solved with a dense eigensolver (exact, robust for tiny or degenerate data).
_DENSE_GRAM_COST = 20_000_000


@dataclass(frozen=True)
class Projection:
    mean: np.ndarray  # mu_j (0 for unvoted / moderated statements)
    pcs: np.ndarray  # (2, n_statements)
    xy: np.ndarray  # (n_participants, 2)
    statement_xy: np.ndarray  # (n_statements, 2)
    extremity: np.ndarray  # ||q_j||
    n_columns: int  # N_c


def _fix_sign(vec: np.ndarray) -> np.ndarray:
    """Deterministic sign: the first clearly non-zero entry is positive."""
    big = np.abs(vec) > 1e-8 * max(float(np.abs(vec).max(initial=0.0)), 1e-300)
    if not np.any(big):
        return np.zeros_like(vec)
    return vec if vec[np.argmax(big)] > 0 else -vec


def _gram_matvec(d: sp.csr_matrix):
    """x -> D^T (D x); on two threads over row halves when D is large (views, no copies)."""
    n_p = d.shape[0]
    if WORKERS < 2 or d.nnz < 4_000_000:
        dt = d.T  # a CSC view: no copy of the 50M-vote case
        return lambda x: dt @ (d @ x)
    cut = int(np.searchsorted(d.indptr, d.nnz // 2))
    blocks = []
    for r0, r1 in ((0, cut), (cut, n_p)):
        a, b = int(d.indptr[r0]), int(d.indptr[r1])
        blk = sp.csr_matrix((d.data[a:b], d.indices[a:b], d.indptr[r0 : r1 + 1] - a), shape=(r1 - r0, d.shape[1]))
        blocks.append((blk, blk.T))

    def matvec(x):
        parts = pmap(lambda bt: bt[1] @ (bt[0] @ x), blocks)
        return parts[0] + parts[1]

    return matvec


def _dense_top2(d: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
    """Exact top-2 eigenpairs of D^T D, solved on the smaller side of D.

    A dense eigensolver costs the cube of its size: 32 voters on 1,000 statements is a 32 x 32
    problem, not a 1,000 x 1,000 one. D D^T has the same non-zero eigenvalues, and D^T u, once
    normalised, is the eigenvector of D^T D for D D^T's eigenvector u.
    """
    n_p, n_s = d.shape
    if n_s <= n_p:
        gram = (d.T @ d).toarray()
        return scipy.linalg.eigh(gram, subset_by_index=[max(n_s - 2, 0), n_s - 1])
    vals, u = scipy.linalg.eigh((d @ d.T).toarray(), subset_by_index=[max(n_p - 2, 0), n_p - 1])
    vecs = np.asarray(d.T @ u)
    norms = np.linalg.norm(vecs, axis=0)
    return vals, np.divide(vecs, norms, out=np.zeros_like(vecs), where=norms > 0)


def _top2(d: sp.csr_matrix, row_counts: np.ndarray) -> np.ndarray:
    n_s = d.shape[1]
    pcs = np.zeros((2, n_s))
    if n_s == 0 or d.nnz == 0:
        return pcs
    cost = float(np.dot(row_counts.astype(np.float64), row_counts))
    vals = vecs = None
    if cost > _DENSE_GRAM_COST and n_s > 3:
        op = LinearOperator((n_s, n_s), matvec=_gram_matvec(d), dtype=np.float64)
        v0 = np.random.default_rng(20140618).standard_normal(n_s)
        try:
            vals, vecs = eigsh(op, k=2, which="LA", v0=v0, tol=1e-10, maxiter=20 * n_s)
        except ArpackNoConvergence:
            vals = vecs = None
    if vals is None:
        vals, vecs = _dense_top2(d)
    order = np.argsort(vals)[::-1][:2]
    vals, vecs = vals[order], vecs[:, order]
    scale = max(float(vals[0]), 0.0)
    for i in range(min(2, len(vals))):
        # Components with (numerically) zero variance carry no information:
        # report 0 instead of an arbitrary direction.
        if vals[i] > 1e-9 * max(scale, 1e-300) and vals[i] > 1e-12:
            pcs[i] = _fix_sign(vecs[:, i])
    return pcs


def project(table: VoteTable, moderated: np.ndarray, *, polis: bool = True) -> Projection:
    """Participants' and statements' 2-D positions (POLIS_MATH "Projection").

    polis=True reproduces Pol.is: moderated-out columns are zeroed for every
    participant, so they count as votes in |V_i| and as columns in N_c.
    polis=False drops moderated statements from N_c and |V_i| instead.
    """
    n_p, n_s = table.n_participants, table.n_statements
    s, v = table.s, table.v
    counts = np.bincount(s, minlength=n_s)
    sums = np.bincount(s, weights=v, minlength=n_s)  # integer sums: exact, order-free
    mean = np.divide(sums, counts, out=np.zeros(n_s), where=counts > 0)
    mean[moderated] = 0.0
    data = v - mean[s]
    data[moderated[s]] = 0.0
    # int32 index arrays whenever they fit: halves the matrix's index memory.
    idx_t = np.int32 if len(s) < 2**31 - 1 else np.int64
    d = sp.csr_matrix((data, s.astype(idx_t, copy=False), table.indptr.astype(idx_t)), shape=(n_p, n_s))
    row_counts = np.diff(table.indptr)
    voted_cols = counts > 0
    if polis:
        n_cols = int(voted_cols.sum())
        n_mod_cols = int((voted_cols & moderated).sum())
        mod_votes = np.bincount(table.p[moderated[s]], minlength=n_p) if n_mod_cols else 0
        n_votes = row_counts - mod_votes + n_mod_cols
    else:
        n_cols = int((voted_cols & ~moderated).sum())
        n_votes = row_counts - np.bincount(table.p[moderated[s]], minlength=n_p)
    pcs = _top2(d, row_counts)
    xy = np.asarray(d @ pcs.T)
    xy *= np.sqrt(n_cols / np.maximum(n_votes, 1))[:, None]
    q = np.sqrt(n_cols) * ((1.0 - mean)[:, None] * pcs.T)
    q[~voted_cols | moderated] = 0.0
    return Projection(
        mean=mean,
        pcs=pcs,
        xy=xy,
        statement_xy=q,
        extremity=np.hypot(q[:, 0], q[:, 1]),
        n_columns=n_cols,
    )
